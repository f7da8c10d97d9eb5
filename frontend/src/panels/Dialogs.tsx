// Modal dialogs: open a workflow, the template gallery, version history, "describe your workflow",
// keyboard shortcuts and the confirmation prompt.
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState, type ReactNode } from "react";
import { api, ApiError, auth, type GenerateResult } from "../api/client";
import type { Template } from "../api/types";
import { deleteWorkflow, loadGenerated, loadTemplate, openWorkflow, restoreVersion } from "../app/actions";
import { keys, queryClient } from "../app/query";
import { useUi } from "../app/ui";
import { categoryColor, categoryIcon } from "../editor/looks";
import { useEditor } from "../editor/store";
import { useDatasets } from "./useColumns";

function Modal({ title, children, testid, wide, sub }: { title: string; children: ReactNode; testid: string; wide?: boolean; sub?: ReactNode }) {
  const close = () => useUi.getState().openDialog(null);
  return (
    <div className="modal-back" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div className={`modal${wide ? " wide" : ""}`} role="dialog" aria-label={title} data-testid={testid}>
        <header className="modal-head">
          <div>
            <h2>{title}</h2>
            {sub ? <div className="muted small">{sub}</div> : null}
          </div>
          <span className="spacer" />
          <button className="icon-btn" onClick={close} aria-label="Close">✕</button>
        </header>
        <div className="modal-body">{children}</div>
      </div>
    </div>
  );
}

function when(iso?: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  return `${d.toLocaleDateString()} ${d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}`;
}

export function WorkflowsDialog() {
  const q = useQuery({ queryKey: keys.workflows, queryFn: api.workflows });
  const current = useEditor((s) => s.workflowId);
  const toast = useUi((s) => s.toast);
  const [filter, setFilter] = useState("");
  const shown = (q.data ?? []).filter((w) => w.name.toLowerCase().includes(filter.toLowerCase()));
  return (
    <Modal title="Open a workflow" testid="workflows-dialog">
      <input className="search" type="search" placeholder="Filter by name…" value={filter} onChange={(e) => setFilter(e.target.value)} />
      {q.isLoading ? <div className="empty">Loading…</div> : null}
      {q.error ? <div className="empty error-text">{(q.error as Error).message}</div> : null}
      {q.data && !q.data.length ? (
        <div className="empty">
          No saved workflows yet. Build one on the canvas and press <kbd>Ctrl</kbd>+<kbd>S</kbd>, or{" "}
          <button className="link" onClick={() => useUi.getState().openDialog("templates")}>start from a template</button>.
        </div>
      ) : null}
      <ul className="wf-list">
        {shown.map((w) => (
          <li key={w.id} className={w.id === current ? "current" : ""}>
            <button className="wf-open" onClick={() => openWorkflow(w.id).catch((e: unknown) => toast("error", e instanceof Error ? e.message : String(e)))}>
              <b>{w.name}</b>
              <span className="muted small">version {w.version} · saved {when(w.updated_at)}</span>
            </button>
            <button className="icon-btn danger" title="Delete" aria-label={`Delete ${w.name}`} onClick={() => void deleteWorkflow(w.id, w.name)}>
              ✕
            </button>
          </li>
        ))}
      </ul>
    </Modal>
  );
}

function TemplateCard({ t }: { t: Template }) {
  const catalog = useEditor((s) => s.catalog);
  return (
    <button className="tpl-card" onClick={() => void loadTemplate(t)} data-testid={`template-${t.name}`}>
      <div className="tpl-title">{t.title}</div>
      <div className="tpl-desc">{t.description}</div>
      <div className="tpl-flow">
        {t.workflow.nodes.map((n) => {
          const spec = catalog[n.type];
          return (
            <span key={n.id} className="tpl-node" style={{ ["--cat" as string]: categoryColor(spec?.category ?? "") }} title={spec?.title ?? n.type}>
              {categoryIcon(spec?.category ?? "")}
            </span>
          );
        })}
      </div>
      {t.dataset_kind ? <div className="tpl-kind muted small">For: {t.dataset_kind}</div> : null}
    </button>
  );
}

export function TemplatesDialog() {
  const q = useQuery({ queryKey: keys.templates, queryFn: api.templates });
  return (
    <Modal title="Start from a template" testid="templates-dialog" wide sub="Each template is a complete pipeline: pick your dataset and target, then run.">
      {q.isLoading ? <div className="empty">Loading…</div> : null}
      {q.error ? <div className="empty error-text">{(q.error as Error).message}</div> : null}
      <div className="tpl-grid">
        {q.data?.map((t) => <TemplateCard key={t.name} t={t} />)}
      </div>
    </Modal>
  );
}

export function VersionsDialog() {
  const id = useEditor((s) => s.workflowId);
  const current = useEditor((s) => s.version);
  const q = useQuery({ queryKey: keys.versions(id ?? ""), queryFn: () => api.versions(id!), enabled: !!id });
  return (
    <Modal title="Version history" testid="versions-dialog" sub="Every save is a version. Restoring one saves it again as the newest version.">
      {!id ? <div className="empty">This workflow has not been saved yet.</div> : null}
      {q.isLoading ? <div className="empty">Loading…</div> : null}
      <ul className="wf-list">
        {q.data?.map((v) => (
          <li key={v.version} className={v.version === current ? "current" : ""}>
            <div className="wf-open static">
              <b>Version {v.version}{v.version === current ? " (current)" : ""}</b>
              <span className="muted small">{v.name} · {when(v.created_at)}</span>
            </div>
            {v.version !== current ? (
              <button className="btn small" onClick={() => void restoreVersion(v.version)} data-testid={`restore-${v.version}`}>
                Restore
              </button>
            ) : null}
          </li>
        ))}
      </ul>
    </Modal>
  );
}

export function GenerateDialog() {
  const handed = useUi((s) => s.generatePrompt);
  const [prompt, setPrompt] = useState(handed);
  const [dataset, setDataset] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<GenerateResult | null>(null);
  const { data: datasets } = useDatasets();
  // a prompt typed on the empty canvas is generated right away
  useEffect(() => {
    if (!handed) return;
    useUi.setState({ generatePrompt: "" });
    void submit();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const submit = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    // a dataset named in the text is the one to plan for, unless one is picked
    const lower = prompt.toLowerCase();
    const named = datasets?.find((d) => lower.includes(d.name.toLowerCase()) || lower.includes(d.name.toLowerCase().replace(/\.csv$/, "")));
    try {
      setResult(await api.generate(prompt, dataset || named?.id || null));
    } catch (e) {
      if (e instanceof ApiError && (e.status === 405 || (e.status === 404 && /no API route|Not Found/i.test(e.message)))) setError("Generating workflows is not available on this server yet (it has no /generate endpoint). Start from a template instead.");
      else setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title="Describe your workflow" testid="generate-dialog" sub="Say what you want to predict, from which data. Flowza drafts the pipeline; you check and run it.">
      <textarea
        className="prompt"
        rows={4}
        placeholder="e.g. predict who survived on the titanic with a random forest"
        value={prompt}
        onChange={(e) => setPrompt(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && prompt.trim()) void submit();
        }}
        autoFocus
      />
      <div className="row">
        <select value={dataset} onChange={(e) => setDataset(e.target.value)} aria-label="Dataset">
          <option value="">Name the dataset in the text, or pick one…</option>
          {datasets?.map((d) => (
            <option key={d.id} value={d.id}>{d.name}</option>
          ))}
        </select>
        <span className="spacer" />
        <button className="btn primary" disabled={!prompt.trim() || busy} onClick={() => void submit()}>
          {busy ? "Generating…" : "Generate"}
        </button>
      </div>
      {error ? <div className="callout error">{error}</div> : null}
      {result ? (
        <div className="callout ok">
          <b>{result.workflow.name}</b> — {result.workflow.nodes.length} nodes.
          {result.explanation.length ? (
            <ul className="explain">
              {result.explanation.map((line, i) => <li key={i}>{line}</li>)}
            </ul>
          ) : null}
          {result.warnings.map((w, i) => <div key={i} className="warn-text small">⚠ {w}</div>)}
          <div className="row">
            <span className="spacer" />
            <button className="btn primary" onClick={() => void loadGenerated(result.workflow)}>Put it on the canvas</button>
          </div>
        </div>
      ) : null}
    </Modal>
  );
}

const SHORTCUTS: [string, string][] = [
  ["Ctrl + S", "Save"],
  ["Ctrl + Enter", "Run the workflow"],
  ["Ctrl + Shift + Enter", "Run up to the selected node"],
  ["Ctrl + Z", "Undo"],
  ["Ctrl + Shift + Z / Ctrl + Y", "Redo"],
  ["Ctrl + C / Ctrl + V", "Copy / paste nodes"],
  ["Ctrl + D", "Duplicate selection"],
  ["Ctrl + A", "Select all"],
  ["Delete / Backspace", "Delete selection"],
  ["Shift + drag, Shift + click", "Select several nodes"],
  ["Shift + L", "Auto-layout"],
  ["F", "Zoom to fit"],
  ["Esc", "Clear selection / close dialog"],
  ["?", "This list"],
];

export function ShortcutsDialog() {
  return (
    <Modal title="Keyboard shortcuts" testid="shortcuts-dialog">
      <table className="shortcuts">
        <tbody>
          {SHORTCUTS.map(([k, v]) => (
            <tr key={k}>
              <td><kbd>{k}</kbd></td>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}

export function ConfirmDialog() {
  const c = useUi((s) => s.confirm);
  const answer = useUi((s) => s.answer);
  if (!c) return null;
  return (
    <div className="modal-back" onMouseDown={(e) => e.target === e.currentTarget && answer(false)}>
      <div className="modal small" role="alertdialog" aria-label={c.title} data-testid="confirm-dialog">
        <header className="modal-head"><h2>{c.title}</h2></header>
        <div className="modal-body">
          <p>{c.message}</p>
          <div className="row">
            <span className="spacer" />
            <button className="btn" onClick={() => answer(false)}>Cancel</button>
            <button className={`btn ${c.danger ? "danger-solid" : "primary"}`} onClick={() => answer(true)} autoFocus data-testid="confirm-ok">
              {c.confirmLabel}
            </button>
          </div>
        </div>
      </div>
    </div>
  );
}

export function Toasts() {
  const toasts = useUi((s) => s.toasts);
  const dismiss = useUi((s) => s.dismiss);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.kind}`} data-testid={`toast-${t.kind}`} onClick={() => dismiss(t.id)}>
          {t.text}
        </div>
      ))}
    </div>
  );
}

export function LoginDialog() {
  const open = useUi((s) => s.loginOpen);
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!open) return null;
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      auth.setToken(null);
      auth.setToken(await api.login(username, password));
      useUi.getState().setLogin(false);
      setPassword("");
      await queryClient.invalidateQueries();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="modal-back">
      <form
        className="modal small"
        role="dialog"
        aria-label="Log in"
        data-testid="login-dialog"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <header className="modal-head">
          <div>
            <h2>Log in to Flowza</h2>
            <div className="muted small">This server requires an account.</div>
          </div>
        </header>
        <div className="modal-body login">
          <label>
            User name
            <input type="text" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} autoFocus />
          </label>
          <label>
            Password
            <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          </label>
          {error ? <div className="callout error">{error}</div> : null}
          <div className="row">
            <span className="spacer" />
            <button className="btn primary" type="submit" disabled={busy || !username || !password}>
              {busy ? "Logging in…" : "Log in"}
            </button>
          </div>
        </div>
      </form>
    </div>
  );
}
