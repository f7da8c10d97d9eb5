// The right-hand inspector: the selected node's settings, status and problems, or the workflow's
// summary and every problem the server found when nothing is selected.
import { useEffect, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { runWorkflow } from "../app/runs";
import { useUi } from "../app/ui";
import { isNodeStopping } from "../app/runState";
import { categoryColor, categoryIcon, STATUS_LABELS } from "../editor/looks";
import { useEditor } from "../editor/store";
import type { Issue } from "../api/types";
import { ParamsForm } from "./ParamsForm";

function IssueList({ issues, showNode }: { issues: Issue[]; showNode?: boolean }) {
  const select = useEditor((s) => s.select);
  if (!issues.length) return null;
  return (
    <ul className="issues">
      {issues.map((i, k) => (
        <li key={k} className={`issue issue-${i.level === "warning" ? "warning" : "error"}`}>
          <span className="issue-icon">{i.level === "warning" ? "⚠" : "!"}</span>
          <span>
            {showNode && i.node_id ? (
              <button className="link" onClick={() => select([i.node_id!])}>
                {i.node_id}
              </button>
            ) : null}
            {showNode && i.node_id ? " — " : null}
            {i.field ? <b>{i.field}: </b> : null}
            {i.message}
          </span>
        </li>
      ))}
    </ul>
  );
}

function NodeIdEditor({ id }: { id: string }) {
  const [text, setText] = useState(id);
  const renameNode = useEditor((s) => s.renameNode);
  const toast = useUi((s) => s.toast);
  useEffect(() => setText(id), [id]);
  const commit = () => {
    if (text === id) return;
    const result = renameNode(id, text);
    if (result === null) {
      toast("warning", `There is already a node called “${text}”.`);
      setText(id);
    } else setText(result);
  };
  return (
    <input
      className="node-id-input"
      value={text}
      aria-label="Node id"
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => e.key === "Enter" && (e.target as HTMLInputElement).blur()}
    />
  );
}

function NodeInspector({ id }: { id: string }) {
  const node = useEditor((s) => s.nodes.find((n) => n.id === id));
  const spec = useEditor((s) => (node ? s.catalog[node.data.type] : undefined));
  const run = useEditor((s) => s.run?.nodes[id]);
  const stopping = useEditor((s) => isNodeStopping(s.run, id));
  const errors = useEditor(useShallow((s) => s.validation.errors.filter((e) => e.node_id === id)));
  const warnings = useEditor(useShallow((s) => s.validation.warnings.filter((e) => e.node_id === id)));
  const setDrawer = useUi((s) => s.setDrawer);
  if (!node) return null;
  const fieldNames = new Set(Object.keys(spec?.params_schema.properties ?? {}));
  const general = [...errors, ...warnings].filter((i) => !i.field || !fieldNames.has(i.field.split(".")[0]));
  return (
    <div className="inspector-node" data-testid="inspector">
      <div className="insp-head" style={{ ["--cat" as string]: categoryColor(spec?.category ?? "") }}>
        <span className="insp-icon">{categoryIcon(spec?.category ?? "")}</span>
        <div>
          <h3>{spec?.title ?? node.data.type}</h3>
          <span className="insp-cat">{spec?.category ?? "Unknown"} · {node.data.type}</span>
        </div>
      </div>
      <p className="insp-desc">{spec?.description ?? "This node type is not in the server's catalog."}</p>
      <div className="insp-row">
        <label>Node id</label>
        <NodeIdEditor id={id} />
      </div>
      {run ? (
        <div className={`insp-status status-${run.status}`}>
          <span className={`badge badge-${stopping ? "cancelling" : run.status}`}>{stopping ? "cancelling…" : STATUS_LABELS[run.status]}</span>
          {run.seconds != null ? <span>{run.seconds.toFixed(2)} s</span> : null}
          {run.reason ? <span className="muted" title="why this node ran">{run.reason}</span> : null}
          {run.status === "succeeded" || run.status === "cached" ? (
            <button className="link" onClick={() => setDrawer(true, "output")}>
              See results ↓
            </button>
          ) : null}
        </div>
      ) : null}
      {run?.status === "failed" && run.error ? (
        <div className="callout error" data-testid="node-error">
          <b>This node failed.</b> {run.error}
        </div>
      ) : null}
      <IssueList issues={general} />
      <h4>Settings</h4>
      {spec ? <ParamsForm nodeId={id} schema={spec.params_schema} params={node.data.params} issues={[...errors, ...warnings]} /> : null}
      <div className="insp-actions">
        <button className="btn small" onClick={() => void runWorkflow(id)} data-testid="run-to-here">
          ▶ Run up to here
        </button>
        <button className="btn small" onClick={() => useEditor.getState().duplicate()} title="Duplicate (Ctrl+D)">
          Duplicate
        </button>
        <button className="btn small danger" onClick={() => useEditor.getState().deleteSelected()} title="Delete (Del)" data-testid="delete-node">
          Delete
        </button>
      </div>
      {spec ? (
        <div className="insp-ports">
          <h4>Ports</h4>
          {spec.inputs.map((p) => (
            <div key={`i${p.name}`} className="port-row">
              <span className={`port-dot port-${p.type}`} /> in <b>{p.name}</b> <span className="muted">{p.type}{p.required ? "" : ", optional"}</span>
            </div>
          ))}
          {spec.outputs.map((p) => (
            <div key={`o${p.name}`} className="port-row">
              <span className={`port-dot port-${p.type}`} /> out <b>{p.name}</b> <span className="muted">{p.type}</span>
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
}

function WorkflowInspector() {
  const name = useEditor((s) => s.name);
  const description = useEditor((s) => s.description);
  const nodeCount = useEditor((s) => s.nodes.length);
  const edgeCount = useEditor((s) => s.edges.length);
  const validation = useEditor((s) => s.validation);
  const workflowId = useEditor((s) => s.workflowId);
  const version = useEditor((s) => s.version);
  return (
    <div className="inspector-wf">
      <h3>{name}</h3>
      <textarea
        className="wf-desc"
        placeholder="Describe what this workflow does…"
        value={description}
        onChange={(e) => useEditor.setState({ description: e.target.value })}
      />
      <div className="muted small">
        {nodeCount} node{nodeCount === 1 ? "" : "s"} · {edgeCount} connection{edgeCount === 1 ? "" : "s"}
        {workflowId ? ` · version ${version}` : " · not saved yet"}
      </div>
      <h4>Problems</h4>
      {validation.errors.length + validation.warnings.length === 0 ? (
        <div className="empty small">{nodeCount ? "No problems found." : "Add nodes to build a workflow."}</div>
      ) : (
        <IssueList issues={[...validation.errors.map((e) => ({ ...e, level: "error" })), ...validation.warnings.map((w) => ({ ...w, level: "warning" }))]} showNode />
      )}
      <div className="empty small">Select a node to edit its settings.</div>
    </div>
  );
}

export function Inspector() {
  const selected = useEditor(useShallow((s) => s.nodes.filter((n) => n.selected).map((n) => n.id)));
  const deleteSelected = useEditor((s) => s.deleteSelected);
  const duplicate = useEditor((s) => s.duplicate);
  if (selected.length === 1) return <NodeInspector id={selected[0]} />;
  if (selected.length > 1)
    return (
      <div className="inspector-multi">
        <h3>{selected.length} nodes selected</h3>
        <p className="muted">{selected.join(", ")}</p>
        <div className="insp-actions">
          <button className="btn" onClick={duplicate}>Duplicate</button>
          <button className="btn danger" onClick={deleteSelected}>Delete</button>
        </div>
      </div>
    );
  return <WorkflowInspector />;
}
