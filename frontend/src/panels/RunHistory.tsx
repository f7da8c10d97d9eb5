// The run history: the workflow's recent runs with their metrics side by side.
import { useQueries, useQuery } from "@tanstack/react-query";
import { api } from "../api/client";
import type { Run } from "../api/types";
import { keys } from "../app/query";
import { useUi } from "../app/ui";
import { formatValue } from "../editor/looks";
import { useEditor } from "../editor/store";

const COMPARE = ["accuracy", "precision", "recall", "f1", "roc_auc", "mae", "rmse", "r2"];
const LOWER_IS_BETTER = new Set(["mae", "rmse"]);

function duration(r: Run): string {
  if (!r.started_at || !r.finished_at) return "—";
  const s = (Date.parse(r.finished_at) - Date.parse(r.started_at)) / 1000;
  return `${s.toFixed(1)} s`;
}

export function RunHistory() {
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

