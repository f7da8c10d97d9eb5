// The top bar: name and save state, file actions, undo/redo/layout, Run and Cancel.
import { useQuery } from "@tanstack/react-query";
import { api, auth } from "../api/client";
import { useEffect, useRef, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { isDirty, useEditor } from "../editor/store";
import { useFitGraph } from "../editor/viewport";
import { exportCode, exportJson, importJson, newWorkflow, saveWorkflow } from "./actions";
import { cancelRun, runWorkflow } from "./runs";
import { isCancelling, isRunActive } from "./runState";
import { useUi } from "./ui";

function NameField() {
  const name = useEditor((s) => s.name);
  const rename = useEditor((s) => s.rename);
  const [text, setText] = useState(name);
  useEffect(() => setText(name), [name]);
  return (
    <input
      className="wf-name"
      value={text}
      aria-label="Workflow name"
      data-testid="workflow-name"
      onChange={(e) => setText(e.target.value)}
      onBlur={() => rename(text.trim() || "Untitled workflow")}
      onKeyDown={(e) => {
        if (e.key === "Enter") (e.target as HTMLInputElement).blur();
        if (e.key === "Escape") {
          setText(name);
          (e.target as HTMLInputElement).blur();
        }
      }}
      size={Math.max(12, Math.min(40, text.length + 2))}
    />
  );
}

function SaveState() {
  const dirty = useEditor((s) => isDirty(s));
  const version = useEditor((s) => s.version);
  const id = useEditor((s) => s.workflowId);
  const saving = useUi((s) => s.saving);
  const errors = useEditor((s) => s.validation.errors.length);
  let text = "Not saved";
  let cls = "unsaved";
  if (saving) [text, cls] = ["Saving…", "saving"];
  else if (dirty) [text, cls] = [id ? "Unsaved changes" : "Not saved yet", "unsaved"];
  else if (id) [text, cls] = [`Saved · v${version}`, "saved"];
  return (
    <span className={`save-state ${cls}`} data-testid="save-state">
      {text}
      {!dirty && errors ? <span className="save-errors" title="problems found at the last save"> · {errors} problem{errors > 1 ? "s" : ""}</span> : null}
    </span>
  );
}

function Menu({ label, children, testid, round }: { label: string; children: React.ReactNode; testid?: string; round?: boolean }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => !ref.current?.contains(e.target as Node) && setOpen(false);
    window.addEventListener("mousedown", close);
    return () => window.removeEventListener("mousedown", close);
  }, [open]);
  return (
    <div className="menu" ref={ref}>
      <button className={round ? "avatar" : "btn ghost"} onClick={() => setOpen(!open)} aria-expanded={open} data-testid={testid}>
        {round ? label : `${label} ▾`}
      </button>
      {open ? (
        <div className={`menu-pop${round ? " right" : ""}`} onClick={() => setOpen(false)}>
          {children}
        </div>
      ) : null}
    </div>
  );
}

function UserMenu() {
  const me = useQuery({ queryKey: ["me"], queryFn: api.me, retry: false, staleTime: 60_000 });
  const name = me.data?.name ?? "";
  if (!me.data) return null;
  return (
    <Menu label={name ? name.charAt(0).toUpperCase() : "?"} testid="user-menu" round>
      <div className="menu-info">
        <b>{name}</b>
        <span className="muted small">{me.data.auth ? (me.data.is_admin ? "administrator" : "signed in") : "single-user mode (no login needed)"}</span>
      </div>
      <button onClick={() => useUi.getState().openDialog("shortcuts")}>Keyboard shortcuts</button>
      <a className="menu-link" href="/docs" target="_blank" rel="noreferrer">API docs</a>
      {me.data.auth ? (
        <button
          onClick={async () => {
            await api.logout().catch(() => undefined);
            auth.setToken(null);
            useUi.getState().setLogin(true);
          }}
        >
          Log out
        </button>
      ) : null}
    </Menu>
  );
}

export function TopBar() {
  const openDialog = useUi((s) => s.openDialog);
  const run = useEditor((s) => s.run);
  const canUndo = useEditor((s) => s.past.length > 0);
  const canRedo = useEditor((s) => s.future.length > 0);
  const selected = useEditor(useShallow((s) => s.nodes.filter((n) => n.selected).map((n) => n.id)));
  const workflowId = useEditor((s) => s.workflowId);
  const fitGraph = useFitGraph();
  const file = useRef<HTMLInputElement>(null);
  const active = isRunActive(run?.status);
  const cancelling = isCancelling(run);
  return (
    <header className="topbar">
      <div className="brand" title="Flowza">
        <span className="logo">F</span>
        <span className="brand-name">Flowza</span>
      </div>
      <NameField />
      <SaveState />
      <nav className="topbar-actions">
        <Menu label="Workflow" testid="menu-workflow">
          <button onClick={() => void newWorkflow()}>New workflow</button>
          <button onClick={() => openDialog("workflows")} data-testid="menu-open">Open…</button>
          <button onClick={() => openDialog("templates")} data-testid="menu-templates">Templates…</button>
          <button onClick={() => void saveWorkflow()}>Save <kbd>Ctrl+S</kbd></button>
          <button onClick={() => openDialog("versions")} disabled={!workflowId}>Version history…</button>
          <hr />
          <button onClick={() => file.current?.click()}>Import JSON…</button>
          <button onClick={exportJson}>Export JSON</button>
        </Menu>
        <Menu label="Export" testid="menu-export">
          <button onClick={() => void exportCode("script")}>Python script (.py)</button>
          <button onClick={() => void exportCode("notebook")}>Jupyter notebook (.ipynb)</button>
          <button onClick={exportJson}>Workflow JSON</button>
        </Menu>
        <button className="btn ghost" onClick={() => openDialog("generate")} title="Describe your workflow in words">✦ Generate</button>
        <button className="btn ghost hide-narrow" onClick={() => openDialog("templates")} data-testid="open-templates">Templates</button>
        <span className="sep" />
        <button className="icon-btn" onClick={() => useEditor.getState().undo()} disabled={!canUndo} title="Undo (Ctrl+Z)" aria-label="Undo">↶</button>
        <button className="icon-btn" onClick={() => useEditor.getState().redo()} disabled={!canRedo} title="Redo (Ctrl+Shift+Z)" aria-label="Redo">↷</button>
        <button
          className="icon-btn"
          onClick={() => {
            useEditor.getState().layout();
            window.setTimeout(() => fitGraph({ duration: 300 }), 30);
          }}
          title="Auto-layout (Shift+L)"
          aria-label="Auto-layout"
          data-testid="auto-layout"
        >
          ⊞
        </button>
        <button className="icon-btn" onClick={() => openDialog("versions")} disabled={!workflowId} title="Version history" aria-label="Version history">↺</button>
        <button className="icon-btn hide-narrow" onClick={() => openDialog("shortcuts")} title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts">⌨</button>
        <span className="sep" />
        <button className="btn" onClick={() => void saveWorkflow()} data-testid="save">Save</button>
        {cancelling ? (
          <button className="btn danger-solid" disabled aria-busy="true" title="Stopping the node in progress; the run ends as soon as it does" data-testid="run-cancelling">
            <span className="spinner" /> Cancelling…
          </button>
        ) : active ? (
          <button className="btn danger-solid" onClick={() => void cancelRun()} data-testid="cancel-run">■ Cancel</button>
        ) : (
          <>
            {selected.length === 1 ? (
              <button className="btn hide-narrow" onClick={() => void runWorkflow(selected[0])} title="Run only what the selected node needs" data-testid="run-to-selected">
                ▶ Up to <span className="ellipsis">{selected[0]}</span>
              </button>
            ) : null}
            <button className="btn primary" onClick={() => void runWorkflow(null)} data-testid="run" title="Run (Ctrl+Enter)">▶ Run</button>
          </>
        )}
        <UserMenu />
      </nav>
      <input
        ref={file}
        type="file"
        accept="application/json,.json"
        hidden
        data-testid="import-input"
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) void importJson(f);
          e.target.value = "";
        }}
      />
    </header>
  );
}
