// The one node component: its handles come from the catalog's ports, its badge from the live run,
// its markers from the server's validation report.
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import { useShallow } from "zustand/react/shallow";
import type { Issue } from "../api/types";
import { isNodeStopping } from "../app/runState";
import { useEditor } from "./store";
import type { FlowNode } from "./graph";
import { STATUS_LABELS, categoryColor, categoryIcon, formatValue, PORT_COLORS } from "./looks";

/** Must match .fnode-head's height and .fnode-port-row's height in styles.css. */
const PORT_TOP = 46;
const PORT_ROW = 20;

function summary(params: Record<string, unknown>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== "" && v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0))
    .slice(0, 2)
    .map(([k, v]) => `${k}: ${formatValue(v)}`);
  return parts.join(" · ");
}

function IssueMarker({ issues, level }: { issues: Issue[]; level: "error" | "warning" }) {
  if (!issues.length) return null;
  const text = issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join("\n");
  return (
    <span className={`marker marker-${level}`} data-testid={`marker-${level}`} title={text} aria-label={text}>
      {level === "error" ? "!" : "⚠"}
      <span className="marker-pop" role="tooltip">
        {issues.map((i, k) => (
          <span key={k} className="marker-line">
            {i.field ? <b>{i.field}: </b> : null}
            {i.message}
          </span>
        ))}
      </span>
    </span>
  );
}

function FlowNodeViewInner({ id, data, selected }: NodeProps<FlowNode>) {
  const spec = useEditor((s) => s.catalog[data.type]);
  const run = useEditor((s) => s.run?.nodes[id]);
  const errors = useEditor(useShallow((s) => s.validation.errors.filter((e) => e.node_id === id)));
  const warnings = useEditor(useShallow((s) => s.validation.warnings.filter((e) => e.node_id === id)));
  const status = run?.status ?? "idle";
  // after Cancel, a node still at work (or waiting) is being stopped: say so until the run ends
  const stopping = useEditor((s) => isNodeStopping(s.run, id));
  const color = spec ? categoryColor(spec.category) : "#999";
  const inputs = spec?.inputs ?? [];
  const outputs = spec?.outputs ?? [];
  const rows = Math.max(inputs.length, outputs.length, 1);
  const text = summary(data.params);
  return (
    <div
      className={`fnode status-${status}${selected ? " selected" : ""}${errors.length ? " has-error" : ""}`}
      style={{ ["--cat" as string]: color }}
      data-testid={`node-${id}`}
      data-status={status}
    >
      <div className="fnode-head">
        <span className="fnode-icon">{spec ? categoryIcon(spec.category) : "?"}</span>
        <div className="fnode-titles">
          <span className="fnode-title">{spec?.title ?? data.type}</span>
          <span className="fnode-id">{id}</span>
        </div>
        <IssueMarker issues={errors} level="error" />
        <IssueMarker issues={warnings} level="warning" />
      </div>
      <div className="fnode-ports">
        {Array.from({ length: rows }, (_, i) => (
          <div className="fnode-port-row" key={i}>
            <span className="in">{inputs[i] ? `${inputs[i].name}${inputs[i].required ? "" : "?"}` : ""}</span>
            <span className="out">{outputs[i]?.name ?? ""}</span>
          </div>
        ))}
      </div>
      {text ? <div className="fnode-summary" title={text}>{text}</div> : null}
      {status === "failed" && run?.error ? <div className="fnode-error" title={run.error}>{run.error}</div> : null}
      <div className="fnode-foot">
        <span className={`badge badge-${stopping ? "cancelling" : status}`} data-testid={`status-${id}`} data-cancelling={stopping ? "true" : undefined}>
          {status === "running" ? <span className="spinner" /> : null}
          {stopping ? "cancelling…" : STATUS_LABELS[status]}
        </span>
        {run?.seconds != null && (status === "succeeded" || status === "cached") ? <span className="fnode-time">{run.seconds < 0.01 ? "<0.01" : run.seconds.toFixed(2)} s</span> : null}
      </div>
      {inputs.map((p, i) => (
        <Handle
          key={`in-${p.name}`}
          id={p.name}
          type="target"
          position={Position.Left}
          className={`port port-${p.type}`}
          style={{ top: PORT_TOP + i * PORT_ROW + PORT_ROW / 2, background: PORT_COLORS[p.type] }}
          title={`${p.name} (${p.type})${p.required ? "" : " — optional"}${p.description ? `: ${p.description}` : ""}`}
        />
      ))}
      {outputs.map((p, i) => (
        <Handle
          key={`out-${p.name}`}
          id={p.name}
          type="source"
          position={Position.Right}
          className={`port port-${p.type}`}
          style={{ top: PORT_TOP + i * PORT_ROW + PORT_ROW / 2, background: PORT_COLORS[p.type] }}
          title={`${p.name} (${p.type})${p.description ? `: ${p.description}` : ""}`}
        />
      ))}
    </div>
  );
}

export const FlowNodeView = memo(FlowNodeViewInner);
