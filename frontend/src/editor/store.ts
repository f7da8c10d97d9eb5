// The editor's one store: the graph being edited, its undo history, the clipboard, the saved
// workflow it belongs to, the server's validation report and the live run.
import { applyEdgeChanges, applyNodeChanges, type Edge, type EdgeChange, type NodeChange, type XYPosition } from "@xyflow/react";
import { create } from "zustand";
import type { Issue, NodeRunState, NodeSpec, Run, ValidationReport, WorkflowDoc } from "../api/types";
import {
  autoLayout,
  checkConnection,
  docToFlow,
  edgeId,
  flowToDoc,
  makeEdge,
  uniqueId,
  type Catalog,
  type ConnectionCandidate,
  type ConnectionVerdict,
  type FlowNode,
} from "./graph";

const HISTORY_LIMIT = 100;
/** Typing into one field within this many ms is one undo step. */
const COALESCE_MS = 800;

interface Snapshot {
  nodes: FlowNode[];
  edges: Edge[];
  name: string;
}

interface Clipboard {
  nodes: FlowNode[];
  edges: Edge[];
}

export interface RunState {
  id: string;
  status: string;
  targetNode: string | null;
  nodes: Record<string, NodeRunState>;
  metrics: Record<string, Record<string, unknown>>;
  /** The run's ML lint warnings, known once the run has ended. */
  warnings: Issue[];
  /** Cancel was pressed (or the server said `cancelling`): the run is stopping but has not ended. */
  cancelRequested: boolean;
  error: string | null;
}

export interface EditorState {
  catalog: Catalog;
  workflowId: string | null;
  version: number | null;
  name: string;
  description: string;
  /** Fields of the document the editor does not edit but must keep (e.g. dataset_kind). */
  extra: Record<string, unknown>;
  nodes: FlowNode[];
  edges: Edge[];
  past: Snapshot[];
  future: Snapshot[];
  clipboard: Clipboard | null;
  savedSignature: string;
  validation: ValidationReport;
  run: RunState | null;
  lastCoalesceKey: string | null;
  lastCoalesceAt: number;

  setCatalog(specs: NodeSpec[]): void;
  onNodesChange(changes: NodeChange<FlowNode>[]): void;
  onEdgesChange(changes: EdgeChange[]): void;
  beginDrag(): void;
  checkConnection(conn: ConnectionCandidate): ConnectionVerdict;
  connect(conn: ConnectionCandidate): ConnectionVerdict;
  addNode(type: string, position: XYPosition): string | null;
  setParam(nodeId: string, field: string, value: unknown): void;
  renameNode(oldId: string, newId: string): string | null;
  rename(name: string): void;
  select(ids: string[]): void;
  selectAll(): void;
  deleteSelected(): void;
  copy(): void;
  paste(offset?: XYPosition): void;
  duplicate(): void;
  undo(): void;
  redo(): void;
  layout(): void;
  loadDocument(doc: WorkflowDoc, saved: { id: string | null; version: number | null } | null, dirty?: boolean): void;
  newWorkflow(): void;
  toDocument(): WorkflowDoc;
  markSaved(id: string, version: number, validation: ValidationReport, doc?: WorkflowDoc): void;
  setValidation(report: ValidationReport): void;
  startRun(id: string, targetNode: string | null, nodeIds: string[]): void;
  applyRunEvent(nodeId: string, state: Partial<NodeRunState>): void;
  applyRun(run: Run): void;
  /** Cancel was asked for (`on`), or the request failed (`off`). */
  markCancelling(on: boolean): void;
  clearRun(): void;
}

export const EMPTY_VALIDATION: ValidationReport = { errors: [], warnings: [] };

export function signature(doc: WorkflowDoc): string {
  return JSON.stringify(doc);
}

function snapshot(s: EditorState): Snapshot {
  return { nodes: s.nodes.map((n) => ({ ...n, data: { ...n.data, params: structuredClone(n.data.params) } })), edges: s.edges.map((e) => ({ ...e })), name: s.name };
}

/** Records the current state as one undo step and drops the redo stack. */
function pushHistory(s: EditorState): Pick<EditorState, "past" | "future" | "lastCoalesceKey"> {
  return { past: [...s.past, snapshot(s)].slice(-HISTORY_LIMIT), future: [], lastCoalesceKey: null };
}

const emptyDoc = (): WorkflowDoc => ({ schema_version: 1, name: "Untitled workflow", description: "", nodes: [], edges: [] });

export const useEditor = create<EditorState>()((set, get) => ({
  catalog: {},
  workflowId: null,
  version: null,
  name: "Untitled workflow",
  description: "",
  extra: {},
  nodes: [],
  edges: [],
  past: [],
  future: [],
  clipboard: null,
  savedSignature: signature(emptyDoc()),
  validation: EMPTY_VALIDATION,
  run: null,
  lastCoalesceKey: null,
  lastCoalesceAt: 0,

  setCatalog(specs) {
    set({ catalog: Object.fromEntries(specs.map((s) => [s.type, s])) });
  },

  onNodesChange(changes) {
    const s = get();
    const removing = changes.some((c) => c.type === "remove");
    const history = removing ? pushHistory(s) : {};
    const nodes = applyNodeChanges(changes, s.nodes);
    let edges = s.edges;
    if (removing) {
      const alive = new Set(nodes.map((n) => n.id));
      edges = edges.filter((e) => alive.has(e.source) && alive.has(e.target));
    }
    set({ ...history, nodes, edges });
  },

  onEdgesChange(changes) {
    const s = get();
    const removing = changes.some((c) => c.type === "remove");
    set({ ...(removing ? pushHistory(s) : {}), edges: applyEdgeChanges(changes, s.edges) });
  },

  beginDrag() {
    set(pushHistory(get()));
  },

  checkConnection(conn) {
    const s = get();
    return checkConnection(conn, s.nodes, s.edges, s.catalog);
  },

  connect(conn) {
    const s = get();
    const verdict = checkConnection(conn, s.nodes, s.edges, s.catalog);
    if (!verdict.ok) return verdict;
    const src = s.nodes.find((n) => n.id === conn.source)!;
    const dst = s.nodes.find((n) => n.id === conn.target)!;
    const sourcePort = conn.sourceHandle ?? s.catalog[src.data.type].outputs[0].name;
    const targetPort = conn.targetHandle ?? s.catalog[dst.data.type].inputs[0].name;
    set({ ...pushHistory(s), edges: [...s.edges, makeEdge(src.id, sourcePort, dst.id, targetPort)] });
    return verdict;
  },

  addNode(type, position) {
    const s = get();
    const spec = s.catalog[type];
    if (!spec) return null;
    const id = uniqueId(type, s.nodes.map((n) => n.id));
    // params start empty: the server fills the defaults, the form shows them, the JSON stays small
    const node: FlowNode = { id, type: "flowza", position, data: { type, params: {} }, selected: true };
    set({ ...pushHistory(s), nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node] });
    return id;
  },

  setParam(nodeId, field, value) {
    const s = get();
    const key = `${nodeId}.${field}`;
    const now = Date.now();
    const coalesce = s.lastCoalesceKey === key && now - s.lastCoalesceAt < COALESCE_MS;
    const history = coalesce ? {} : pushHistory(s);
    const nodes = s.nodes.map((n) => {
      if (n.id !== nodeId) return n;
      const params = { ...n.data.params };
      if (value === undefined) delete params[field];
      else params[field] = value;
      return { ...n, data: { ...n.data, params } };
    });
    set({ ...history, nodes, lastCoalesceKey: key, lastCoalesceAt: now });
  },

  renameNode(oldId, newId) {
    const s = get();
    const clean = newId.trim().replace(/[^A-Za-z0-9_\-]/g, "_");
    if (!clean || clean === oldId) return oldId;
    if (s.nodes.some((n) => n.id === clean)) return null;
    set({
      ...pushHistory(s),
      nodes: s.nodes.map((n) => (n.id === oldId ? { ...n, id: clean } : n)),
      edges: s.edges.map((e) => {
        const source = e.source === oldId ? clean : e.source;
        const target = e.target === oldId ? clean : e.target;
        return { ...e, source, target, id: edgeId(source, e.sourceHandle ?? "", target, e.targetHandle ?? "") };
      }),
    });
    return clean;
  },

  rename(name) {
    const s = get();
    if (name === s.name) return;
    set({ ...pushHistory(s), name });
  },

  select(ids) {
    const wanted = new Set(ids);
    set({
      nodes: get().nodes.map((n) => (!!n.selected === wanted.has(n.id) ? n : { ...n, selected: wanted.has(n.id) })),
      edges: get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
    });
  },

  selectAll() {
    set({ nodes: get().nodes.map((n) => ({ ...n, selected: true })) });
  },

  deleteSelected() {
    const s = get();
    const doomed = new Set(s.nodes.filter((n) => n.selected).map((n) => n.id));
    const edgeDoomed = s.edges.filter((e) => e.selected || doomed.has(e.source) || doomed.has(e.target));
    if (!doomed.size && !edgeDoomed.length) return;
    const gone = new Set(edgeDoomed.map((e) => e.id));
    set({ ...pushHistory(s), nodes: s.nodes.filter((n) => !doomed.has(n.id)), edges: s.edges.filter((e) => !gone.has(e.id)) });
  },

  copy() {
    const s = get();
    const picked = s.nodes.filter((n) => n.selected);
    if (!picked.length) return;
    const ids = new Set(picked.map((n) => n.id));
    set({
      clipboard: {
        nodes: picked.map((n) => ({ ...n, data: { ...n.data, params: structuredClone(n.data.params) } })),
        edges: s.edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map((e) => ({ ...e })),
      },
    });
  },

  paste(offset = { x: 40, y: 40 }) {
    const s = get();
    const clip = s.clipboard;
    if (!clip || !clip.nodes.length) return;
    const taken = s.nodes.map((n) => n.id);
    const rename = new Map<string, string>();
    for (const n of clip.nodes) {
      const fresh = uniqueId(n.data.type, taken);
      taken.push(fresh);
      rename.set(n.id, fresh);
    }
    const pasted: FlowNode[] = clip.nodes.map((n) => ({
      id: rename.get(n.id)!,
      type: "flowza",
      position: { x: n.position.x + offset.x, y: n.position.y + offset.y },
      data: { type: n.data.type, params: structuredClone(n.data.params) },
      selected: true,
    }));
    const pastedEdges = clip.edges.map((e) =>
      makeEdge(rename.get(e.source)!, e.sourceHandle ?? "", rename.get(e.target)!, e.targetHandle ?? ""),
    );
    set({
      ...pushHistory(s),
      nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...pasted],
      edges: [...s.edges, ...pastedEdges],
      // the next paste lands a little further along, like in every drawing tool
      clipboard: { nodes: clip.nodes.map((n) => ({ ...n, position: { x: n.position.x + offset.x, y: n.position.y + offset.y } })), edges: clip.edges },
    });
  },

  duplicate() {
    const keep = get().clipboard;
    get().copy();
    get().paste();
    set({ clipboard: keep });
  },

  undo() {
    const s = get();
    const prev = s.past[s.past.length - 1];
    if (!prev) return;
    set({ past: s.past.slice(0, -1), future: [snapshot(s), ...s.future], nodes: prev.nodes, edges: prev.edges, name: prev.name, lastCoalesceKey: null });
  },

  redo() {
    const s = get();
    const next = s.future[0];
    if (!next) return;
    set({ past: [...s.past, snapshot(s)], future: s.future.slice(1), nodes: next.nodes, edges: next.edges, name: next.name, lastCoalesceKey: null });
  },

  layout() {
    const s = get();
    const pos = autoLayout(s.nodes, s.edges);
    set({ ...pushHistory(s), nodes: s.nodes.map((n) => ({ ...n, position: pos[n.id] ?? n.position })) });
  },

  loadDocument(doc, saved, dirty = false) {
    const s = get();
    const { nodes, edges } = docToFlow(doc, s.catalog);
    const { schema_version: _v, name, description, nodes: _n, edges: _e, ...extra } = doc;
    void _v;
    void _n;
    void _e;
    const next = {
      nodes,
      edges,
      name: name || "Untitled workflow",
      description: description ?? "",
      extra,
      workflowId: saved?.id ?? null,
      version: saved?.version ?? null,
      past: [],
      future: [],
      validation: EMPTY_VALIDATION,
      run: null,
      lastCoalesceKey: null,
    };
    set(next);
    const sig = signature(get().toDocument());
    set({ savedSignature: dirty ? "" : sig });
  },

  newWorkflow() {
    get().loadDocument(emptyDoc(), null);
  },

  toDocument() {
    const s = get();
    return flowToDoc({ name: s.name, description: s.description, extra: s.extra }, s.nodes, s.edges);
  },

  markSaved(id, version, validation, doc) {
    set({ workflowId: id, version, validation, savedSignature: signature(doc ?? get().toDocument()) });
  },

  setValidation(report) {
    set({ validation: report });
  },

  startRun(id, targetNode, nodeIds) {
    set({
      run: {
        id,
        status: "queued",
        targetNode,
        nodes: Object.fromEntries(nodeIds.map((n) => [n, { status: "queued" as const }])),
        metrics: {},
        warnings: [],
        cancelRequested: false,
        error: null,
      },
    });
  },

  applyRunEvent(nodeId, state) {
    const run = get().run;
    if (!run) return;
    set({ run: { ...run, nodes: { ...run.nodes, [nodeId]: { ...(run.nodes[nodeId] ?? { status: "pending" }), ...state } } } });
  },

  applyRun(r) {
    const run = get().run;
    const base = run && run.id === r.id ? run : { id: r.id, status: r.status, targetNode: r.target_node ?? null, nodes: {}, metrics: {}, warnings: [], cancelRequested: false, error: null };
    const cancelRequested = base.cancelRequested || r.status === "cancelling";
    set({ run: { ...base, status: r.status, nodes: { ...base.nodes, ...r.nodes }, metrics: r.metrics, warnings: r.warnings, cancelRequested, error: r.error ?? null } });
  },

  markCancelling(on) {
    const run = get().run;
    if (run) set({ run: { ...run, cancelRequested: on } });
  },

  clearRun() {
    set({ run: null });
  },
}));

/** Whether the graph differs from what was last saved or loaded. */
export function isDirty(s: EditorState): boolean {
  return signature(s.toDocument()) !== s.savedSignature;
}
