// The bottom drawer: the selected node's output (table, metrics, model, file) with downloads, the
// run history with metrics side by side, and the run log.
import { useQuery, useQueries } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { api, ApiError } from "../api/client";
import type { Artifact, NodeOutput, Run } from "../api/types";
import { downloadFile, keys } from "../app/actions";
import { useUi, type DrawerTab } from "../app/ui";
import { PredictedVsActual, Residuals } from "../charts/Charts";
import { formatValue, STATUS_LABELS } from "../editor/looks";
import { useEditor } from "../editor/store";
import { DataTable, Pager } from "./DataTable";
import { MetricCards, MetricsView } from "./MetricsView";

const PAGE = 50;

function Downloads({ artifacts, nodeId, port }: { artifacts: Artifact[] | undefined; nodeId: string; port: string }) {
  const mine = (artifacts ?? []).filter((a) => a.node_id === nodeId && a.port === port);
  if (!mine.length) return null;
  return (
    <div className="downloads">
      {mine.flatMap((a) =>
        Object.entries(a.downloads).map(([fmt, url]) => (
          <button key={`${a.id}-${fmt}`} className="btn small" onClick={() => void downloadFile(url, `${nodeId}-${port}.${fmt}`)} data-testid={`download-${fmt}`}>
            ⤓ {a.kind === "model" ? "Model" : a.kind === "table" ? "Table" : a.kind === "metrics" ? "Metrics" : a.name ?? "File"} ({fmt})
          </button>
        )),
      )}
    </div>
  );
}

function PredictionCharts({ output }: { output: NodeOutput }) {
  const t = output.table;
  if (!t || !t.target) return null;
  const pi = t.columns.indexOf("prediction");
  const ti = t.columns.indexOf(t.target);
  if (pi < 0 || ti < 0) return null;
  const pairs = t.rows.map((r) => [r[ti], r[pi]]).filter((p): p is [number, number] => typeof p[0] === "number" && typeof p[1] === "number");
  if (pairs.length < 2 || new Set(pairs.map((p) => p[0])).size <= 10) return null;
  return (
    <div className="charts-row" style={{ marginTop: 0, marginBottom: 12 }}>
      <figure className="chart-card">
        <figcaption>Predicted vs actual (rows on this page)</figcaption>
        <PredictedVsActual actual={pairs.map((p) => p[0])} predicted={pairs.map((p) => p[1])} />
      </figure>
      <figure className="chart-card">
        <figcaption>Residuals</figcaption>
        <Residuals actual={pairs.map((p) => p[0])} predicted={pairs.map((p) => p[1])} />
      </figure>
    </div>
  );
}

function OutputView({ runId, nodeId, nodeType }: { runId: string; nodeId: string; nodeType: string }) {
  const [port, setPort] = useState<string | null>(null);
  const [offset, setOffset] = useState(0);
  const [part, setPart] = useState("all");
  useEffect(() => {
    setPort(null);
    setOffset(0);
    setPart("all");
  }, [runId, nodeId]);
  const limit = nodeType === "predict" ? 200 : PAGE;
  const q = useQuery({
    queryKey: [...keys.output(runId, nodeId, offset, limit), port, part],
    queryFn: () => api.nodeOutput(runId, nodeId, port, offset, limit, part),
    placeholderData: (prev) => prev,
    retry: false,
  });
  const artifacts = useQuery({ queryKey: ["run", runId, "artifacts"], queryFn: () => api.artifacts(runId) });
  if (q.isLoading) return <div className="empty">Loading the output…</div>;
  if (q.error) return <div className="empty error-text">{q.error instanceof ApiError ? q.error.message : String(q.error)}</div>;
  const out = q.data!;
  return (
    <div className="output-view" data-testid="output-view">
      <div className="output-toolbar">
        {out.ports.length > 1 ? (
          <div className="seg">
            {out.ports.map((p) => (
              <button key={p} className={p === out.port ? "on" : ""} onClick={() => { setPort(p); setOffset(0); }}>
                {p}
              </button>
            ))}
          </div>
        ) : null}
        {out.table?.split ? (
          <div className="seg" title="Which rows of the split table">
            {["all", "train", "test"].map((p) => (
              <button key={p} className={part === p ? "on" : ""} onClick={() => { setPart(p); setOffset(0); }}>
                {p}
                {p === "train" ? ` (${out.table!.split!.train_rows})` : p === "test" ? ` (${out.table!.split!.test_rows})` : ""}
              </button>
            ))}
          </div>
        ) : null}
        {out.table?.target ? <span className="muted small">target: <b>{out.table.target}</b></span> : null}
        {out.table?.steps?.length ? <span className="muted small">fitted steps: {out.table.steps.join(" → ")}</span> : null}
        <span className="spacer" />
        <Downloads artifacts={artifacts.data} nodeId={nodeId} port={out.port} />
      </div>
      {out.kind === "table" && out.table ? (
        <>
          <PredictionCharts output={out} />
          <DataTable page={out.table} highlight={[out.table.target ?? "", "prediction", "probability"]} />
          <Pager offset={out.table.offset} limit={limit} total={out.table.total} onPage={setOffset} />
        </>
      ) : null}
      {out.kind === "metrics" && out.metrics ? <MetricsView metrics={out.metrics} /> : null}
      {out.kind === "model" && out.model ? <ModelCard model={out.model} /> : null}
      {out.kind === "file" && out.file ? (
        <div className="file-card">
          <b>{out.file.name}</b> <span className="muted">{out.file.format} · {out.file.size != null ? `${(out.file.size / 1024).toFixed(1)} KB` : ""}</span>
        </div>
      ) : null}
    </div>
  );
}

function ModelCard({ model }: { model: Record<string, unknown> }) {
  const pipeline = Array.isArray(model.pipeline) ? (model.pipeline as string[]) : [];
  const features = Array.isArray(model.feature_names) ? (model.feature_names as string[]) : [];
  const rest = Object.entries(model).filter(([k, v]) => !["pipeline", "feature_names", "steps"].includes(k) && (typeof v !== "object" || v === null || Array.isArray(v)));
  return (
    <div className="model-card" data-testid="model-card">
      {pipeline.length ? (
        <div className="pipeline">
          {pipeline.map((s, i) => (
            <span key={i} className="pipe-step">{s}</span>
          ))}
        </div>
      ) : null}
      <dl className="kv">
        {rest.map(([k, v]) => (
          <div key={k}>
            <dt>{k.replace(/_/g, " ")}</dt>
            <dd>{formatValue(v)}</dd>
          </div>
        ))}
      </dl>
      {features.length ? <p className="muted small">{features.length} input features: {features.slice(0, 40).join(", ")}{features.length > 40 ? "…" : ""}</p> : null}
    </div>
  );
}

function OutputTab() {
  const run = useEditor((s) => s.run);
  const selected = useEditor(useShallow((s) => s.nodes.filter((n) => n.selected).map((n) => n.id)));
  const nodes = useEditor((s) => s.nodes);
  const nodeId = useMemo(() => {
    if (selected.length === 1) return selected[0];
    // nothing selected: show the last evaluate node (the most useful result), else the last node
    const evals = nodes.filter((n) => n.data.type === "evaluate" && run?.nodes[n.id]);
    return evals[evals.length - 1]?.id ?? null;
  }, [selected, nodes, run]);
  if (!run) return <div className="empty" data-testid="results-empty">Run the workflow (▶ Run) to see each node's table, metrics and charts here.</div>;
  if (!nodeId) return <div className="empty">Select a node on the canvas to see its output.</div>;
  const node = nodes.find((n) => n.id === nodeId);
  const state = run.nodes[nodeId];
  const header = (
    <div className="output-head">
      <b>{nodeId}</b>
      {state ? <span className={`badge badge-${state.status}`}>{STATUS_LABELS[state.status]}</span> : null}
      {state?.reason ? <span className="muted small">{state.reason}</span> : null}
    </div>
  );
  if (!state) return <div>{header}<div className="empty">This node was not part of the last run{run.targetNode ? ` (it ran up to ${run.targetNode})` : ""}. Run again to include it.</div></div>;
  if (state.status === "failed") return <div>{header}<div className="callout error">{state.error ?? "This node failed."}</div></div>;
  if (state.status !== "succeeded" && state.status !== "cached") {
    const words: Record<string, string> = { skipped: "was skipped because a node before it failed.", cancelled: "was cancelled.", running: "is running…", queued: "is waiting for its turn…", pending: "is waiting for its turn…" };
    return <div>{header}<div className="empty">This node {words[state.status] ?? state.status}</div></div>;
  }
  return (
    <div>
      {header}
      <OutputView runId={run.id} nodeId={nodeId} nodeType={node?.data.type ?? ""} />
    </div>
  );
}

const COMPARE = ["accuracy", "precision", "recall", "f1", "roc_auc", "mae", "rmse", "r2"];
const LOWER_IS_BETTER = new Set(["mae", "rmse"]);

function duration(r: Run): string {
  if (!r.started_at || !r.finished_at) return "—";
  const s = (Date.parse(r.finished_at) - Date.parse(r.started_at)) / 1000;
  return `${s.toFixed(1)} s`;
}

function HistoryTab() {
  const workflowId = useEditor((s) => s.workflowId);
  const currentRun = useEditor((s) => s.run?.id);
  const runs = useQuery({ queryKey: keys.runs(workflowId ?? ""), queryFn: () => api.runs(workflowId!), enabled: !!workflowId });
  const recent = (runs.data ?? []).slice(0, 8);
  const details = useQueries({ queries: recent.map((r) => ({ queryKey: ["run", r.id, "doc", r.status], queryFn: () => api.run(r.id), staleTime: 60_000 })) });
  if (!workflowId) return <div className="empty">Save and run the workflow to build up a history.</div>;
  if (runs.isLoading) return <div className="empty">Loading runs…</div>;
  if (!recent.length) return <div className="empty">No runs yet. Press ▶ Run.</div>;
  const full = details.map((d, i) => d.data ?? recent[i]);
  const rows: { key: string; values: (number | null)[] }[] = [];
  for (const key of COMPARE) {
    const values = full.map((r) => {
      const m = Object.values(r.metrics ?? {})[0];
      const v = m?.[key];
      return typeof v === "number" ? v : null;
    });
    if (values.some((v) => v !== null)) rows.push({ key, values });
  }
  const open = (r: Run) => {
    useEditor.setState({ run: null });
    useEditor.getState().applyRun(r);
    useUi.getState().setDrawer(true, "output");
  };
  return (
    <div className="history" data-testid="run-history">
      <table className="history-table">
        <thead>
          <tr>
            <th></th>
            {full.map((r) => (
              <th key={r.id} className={r.id === currentRun ? "current" : ""}>
                <button className="link" onClick={() => open(r)} title="Show this run on the canvas">
                  {r.created_at ? new Date(r.created_at).toLocaleTimeString() : r.id.slice(0, 8)}
                </button>
                <div className="muted small">v{r.workflow_version ?? "?"}{r.target_node ? ` · to ${r.target_node}` : ""}</div>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>status</td>
            {full.map((r) => (
              <td key={r.id}><span className={`badge badge-${r.status}`}>{r.status}</span></td>
            ))}
          </tr>
          <tr>
            <td>duration</td>
            {full.map((r) => <td key={r.id}>{duration(r)}</td>)}
          </tr>
          {rows.map(({ key, values }) => {
            const present = values.filter((v): v is number => v !== null);
            const best = LOWER_IS_BETTER.has(key) ? Math.min(...present) : Math.max(...present);
            return (
              <tr key={key}>
                <td>{key}</td>
                {values.map((v, i) => (
                  <td key={i} className={v !== null && v === best && present.length > 1 ? "best" : ""}>{v === null ? "—" : formatValue(v)}</td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function LogTab() {
  const log = useUi((s) => s.log);
  const clear = useUi((s) => s.clearLog);
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => end.current?.scrollIntoView({ block: "end" }), [log.length]);
  if (!log.length) return <div className="empty">Run events appear here.</div>;
  return (
    <div className="log">
      <button className="btn small log-clear" onClick={clear}>Clear</button>
      {log.map((l, i) => (
        <div key={i} className={`log-line log-${l.kind}`}>
          <span className="log-time">{l.time}</span> {l.text}
        </div>
      ))}
      <div ref={end} />
    </div>
  );
}

export function ResultsDrawer() {
  const open = useUi((s) => s.drawerOpen);
  const height = useUi((s) => s.drawerHeight);
  const tab = useUi((s) => s.drawerTab);
  const setDrawer = useUi((s) => s.setDrawer);
  const setHeight = useUi((s) => s.setDrawerHeight);
  const run = useEditor((s) => s.run);
  const metrics = run ? Object.values(run.metrics)[0] : undefined;
  const startDrag = (e: React.PointerEvent) => {
    const startY = e.clientY;
    const startH = height;
    const move = (ev: PointerEvent) => setHeight(startH + (startY - ev.clientY));
    const up = () => {
      window.removeEventListener("pointermove", move);
      window.removeEventListener("pointerup", up);
    };
    window.addEventListener("pointermove", move);
    window.addEventListener("pointerup", up);
  };
  const tabs: [DrawerTab, string][] = [["output", "Results"], ["history", "Run history"], ["log", "Log"]];
  return (
    <section className={`drawer${open ? " open" : ""}`} style={{ height: open ? height : 38, ["--drawer-h" as string]: `${height}px` }} data-testid="results-drawer">
      {open ? <div className="drawer-resize" onPointerDown={startDrag} title="Drag to resize" /> : null}
      <div className="drawer-head">
        {tabs.map(([t, label]) => (
          <button key={t} className={`drawer-tab${open && tab === t ? " on" : ""}`} onClick={() => setDrawer(!(open && tab === t), t)} data-testid={`drawer-tab-${t}`}>
            {label}
          </button>
        ))}
        {metrics && !open ? (
          <span className="drawer-summary">
            <MetricCards metrics={metrics} compact />
          </span>
        ) : null}
        <span className="spacer" />
        <button className="icon-btn" onClick={() => setDrawer(!open)} aria-label={open ? "Collapse results" : "Expand results"} title={open ? "Collapse" : "Expand"}>
          {open ? "▾" : "▴"}
        </button>
      </div>
      {open ? (
        <div className="drawer-body">
          {tab === "output" ? <OutputTab /> : tab === "history" ? <HistoryTab /> : <LogTab />}
        </div>
      ) : null}
    </section>
  );
}
