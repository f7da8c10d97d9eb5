// The selected node's output in the results drawer: a paged table (with train/test parts and
// prediction charts), metric cards and charts, a model summary or a file, with downloads.
import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { api, ApiError } from "../api/client";
import type { Artifact, Issue, NodeOutput } from "../api/types";
import { downloadFile } from "../app/actions";
import { keys } from "../app/query";
import { isRunActive } from "../app/runState";
import { PredictedVsActual, Residuals } from "../charts/Charts";
import { formatValue, STATUS_LABELS } from "../editor/looks";
import { useEditor } from "../editor/store";
import { DataTable, Pager } from "./DataTable";
import { MetricsView, RunWarnings } from "./MetricsView";

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

const notReady = (error: unknown): boolean => error instanceof ApiError && error.status === 409;

function OutputView({ runId, nodeId, nodeType, warnings }: { runId: string; nodeId: string; nodeType: string; warnings: Issue[] }) {
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
    // 409 is "not stored yet" (the run's record is being written): ask again shortly
    retry: (count, error) => notReady(error) && count < 5,
    retryDelay: 800,
  });
  const artifacts = useQuery({ queryKey: ["run", runId, "artifacts"], queryFn: () => api.artifacts(runId) });
  if (q.isLoading) return <div className="empty">Loading the output…</div>;
  if (q.error && notReady(q.error)) {
    return (
      <div className="empty" data-testid="output-not-ready">
        The output is not stored yet. <button className="btn small" onClick={() => void q.refetch()}>Try again</button>
      </div>
    );
  }
  if (q.error) return <div className="empty error-text">{q.error instanceof ApiError ? q.error.message : String(q.error)}</div>;
  const out = q.data!;
  // with metrics, every warning of the run; with another output, the ones about this node
  const shownWarnings = out.kind === "metrics" ? warnings : warnings.filter((w) => w.node_id === nodeId);
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
      <RunWarnings warnings={shownWarnings} />
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

export function OutputTab() {
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
  if (isRunActive(run.status)) {
    // the server stores where each output lives with the run's final state: read it after that
    return <div>{header}<div className="empty" data-testid="output-after-run">Done. Its output can be previewed as soon as the run ends.</div></div>;
  }
  return (
    <div>
      {header}
      <OutputView runId={run.id} nodeId={nodeId} nodeType={node?.data.type ?? ""} warnings={run.warnings} />
    </div>
  );
}

