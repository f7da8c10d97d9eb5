// Maps the server's JSON onto the client's types. The server and this editor were written in
// parallel; these functions keep the rest of the UI independent of small naming differences
// (a list wrapped in {items}, `document` vs `workflow`, rows as objects or arrays).
import type {
  Artifact,
  ColumnProfile,
  Dataset,
  DatasetProfile,
  Issue,
  NodeOutput,
  NodeRunState,
  NodeStatus,
  Run,
  TablePage,
  ValidationReport,
  WorkflowDoc,
  WorkflowRecord,
  WorkflowSummary,
  WorkflowVersion,
} from "./types";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown, fallback = ""): string => (v == null ? fallback : String(v));
const num = (v: unknown, fallback = 0): number => (typeof v === "number" && Number.isFinite(v) ? v : fallback);
const optNum = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

export function listOf<T>(raw: unknown): T[] {
  if (Array.isArray(raw)) return raw as T[];
  if (isObj(raw)) {
    for (const key of ["items", "results", "data", "nodes", "templates", "datasets", "workflows", "runs", "versions"]) {
      if (Array.isArray(raw[key])) return raw[key] as T[];
    }
  }
  return [];
}

function issues(v: unknown): Issue[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObj).map((i) => ({
    level: i.level == null ? undefined : str(i.level),
    code: i.code == null ? undefined : str(i.code),
    message: str(i.message ?? i.msg),
    node_id: i.node_id == null ? null : str(i.node_id),
    field: i.field == null ? null : str(i.field),
  }));
}

export function normalizeValidation(raw: unknown): ValidationReport {
  if (!isObj(raw)) return { errors: [], warnings: [] };
  const errors = issues(raw.errors);
  return { valid: typeof raw.valid === "boolean" ? raw.valid : errors.length === 0, errors, warnings: issues(raw.warnings) };
}

export function normalizeWorkflowSummary(raw: unknown): WorkflowSummary {
  const o = isObj(raw) ? raw : {};
  const doc = isObj(o.document) ? o.document : isObj(o.workflow) ? o.workflow : {};
  return {
    id: str(o.id),
    name: str(o.name ?? doc.name, "Untitled workflow"),
    description: str(o.description ?? doc.description),
    version: num(o.version ?? o.latest_version ?? o.current_version, 1),
    updated_at: o.updated_at == null ? undefined : str(o.updated_at),
    created_at: o.created_at == null ? undefined : str(o.created_at),
  };
}

export function normalizeWorkflow(raw: unknown, sent?: WorkflowDoc): WorkflowRecord {
  const o = isObj(raw) ? raw : {};
  const summary = normalizeWorkflowSummary(o);
  let document: WorkflowDoc | undefined;
  for (const key of ["document", "workflow", "definition", "doc"]) {
    if (isObj(o[key]) && Array.isArray((o[key] as Obj).nodes)) document = o[key] as WorkflowDoc;
  }
  if (!document && Array.isArray(o.nodes)) document = o as unknown as WorkflowDoc;
  if (!document) document = sent ?? { schema_version: 1, name: summary.name, nodes: [], edges: [] };
  return { ...summary, name: summary.name || document.name, document, validation: normalizeValidation(o.validation) };
}

export function normalizeVersion(raw: unknown): WorkflowVersion {
  const o = isObj(raw) ? raw : {};
  const doc = ["document", "workflow", "definition"].map((k) => o[k]).find(isObj) as WorkflowDoc | undefined;
  return {
    version: num(o.version ?? o.number ?? o.n, 0),
    created_at: o.created_at == null ? undefined : str(o.created_at),
    name: str(o.name ?? doc?.name) || undefined,
    document: doc,
  };
}

function histogram(o: Obj): ColumnProfile["histogram"] {
  const h = o.histogram ?? o.hist;
  if (isObj(h) && Array.isArray(h.counts)) {
    const edges = (h.edges ?? h.bins ?? h.bin_edges) as number[] | undefined;
    return { edges: Array.isArray(edges) ? edges : [], counts: h.counts as number[] };
  }
  return null;
}

function topValues(v: unknown): ColumnProfile["top"] {
  if (Array.isArray(v)) {
    return v.map((t) => {
      if (Array.isArray(t)) return { value: t[0], count: num(t[1]) };
      if (isObj(t)) return { value: t.value ?? t.name, count: num(t.count ?? t.n) };
      return { value: t, count: 0 };
    });
  }
  if (isObj(v)) return Object.entries(v).map(([value, count]) => ({ value, count: num(count) }));
  return undefined;
}

function column(name: string, o: Obj): ColumnProfile {
  return {
    name,
    dtype: str(o.dtype ?? o.type ?? o.kind, "unknown"),
    kind: o.kind == null ? undefined : str(o.kind),
    missing: num(o.missing ?? o.missing_count ?? o.nulls),
    distinct: num(o.distinct ?? o.distinct_count ?? o.unique),
    min: optNum(o.min),
    max: optNum(o.max),
    mean: optNum(o.mean),
    std: optNum(o.std),
    top: topValues(o.top ?? o.top_values),
    histogram: histogram(o),
  };
}

export function normalizeProfile(raw: unknown): DatasetProfile {
  const o = isObj(raw) ? (isObj(raw.profile) ? raw.profile : raw) : {};
  const cols = o.columns;
  let columns: ColumnProfile[] = [];
  if (Array.isArray(cols)) columns = cols.filter(isObj).map((c) => column(str(c.name ?? c.column), c));
  else if (isObj(cols)) columns = Object.entries(cols).map(([name, c]) => column(name, isObj(c) ? c : {}));
  return { rows: num(o.rows ?? o.row_count), columns };
}

export function normalizeDataset(raw: unknown): Dataset {
  const o = isObj(raw) ? raw : {};
  const profile = isObj(o.profile) ? normalizeProfile(o.profile) : undefined;
  const columnsField = o.columns ?? o.column_count ?? o.n_columns;
  const columns = Array.isArray(columnsField)
    ? columnsField.length
    : isObj(columnsField)
      ? Object.keys(columnsField).length
      : num(columnsField, profile?.columns.length ?? 0);
  return {
    id: str(o.id ?? o.name),
    name: str(o.name ?? o.filename),
    rows: num(o.rows ?? o.row_count, profile?.rows ?? 0),
    columns,
    size_bytes: optNum(o.size_bytes ?? o.size ?? o.bytes) ?? undefined,
    created_at: o.created_at == null ? undefined : str(o.created_at),
    profile: profile && profile.columns.length ? profile : undefined,
  };
}

export function normalizeTablePage(raw: unknown, offset: number, limit: number): TablePage {
  const o = isObj(raw) ? raw : {};
  const rowsRaw = (o.rows ?? o.data ?? o.records ?? []) as unknown[];
  let columns: string[] = [];
  if (Array.isArray(o.columns)) {
    columns = o.columns.map((c) => (isObj(c) ? str(c.name) : str(c)));
  } else if (rowsRaw.length && isObj(rowsRaw[0])) {
    columns = Object.keys(rowsRaw[0] as Obj);
  }
  const rows = rowsRaw.map((r) => (Array.isArray(r) ? r : isObj(r) ? columns.map((c) => r[c]) : [r]));
  return {
    columns,
    rows,
    offset: num(o.offset, offset),
    limit: num(o.limit, limit),
    total: num(o.total ?? o.total_rows ?? o.rows_total ?? o.row_count, offset + rows.length),
  };
}

const STATUSES: NodeStatus[] = ["idle", "pending", "queued", "running", "cached", "succeeded", "failed", "skipped", "cancelled"];

export function toStatus(v: unknown): NodeStatus {
  const s = str(v).toLowerCase();
  if ((STATUSES as string[]).includes(s)) return s as NodeStatus;
  if (s === "success" || s === "done" || s === "completed") return "succeeded";
  if (s === "error") return "failed";
  return "pending";
}

export function normalizeRun(raw: unknown): Run {
  const o = isObj(raw) ? raw : {};
  const nodes: Record<string, NodeRunState> = {};
  const rawNodes = o.nodes ?? o.node_runs;
  const addNode = (id: string, n: Obj) => {
    nodes[id] = {
      status: toStatus(n.status),
      seconds: optNum(n.seconds),
      error: n.error == null ? null : str(n.error),
      reason: n.reason == null ? null : str(n.reason),
    };
  };
  if (isObj(rawNodes)) for (const [id, n] of Object.entries(rawNodes)) addNode(id, isObj(n) ? n : {});
  else if (Array.isArray(rawNodes)) for (const n of rawNodes.filter(isObj)) addNode(str(n.node_id ?? n.id), n);
  const metrics: Record<string, Record<string, unknown>> = {};
  if (isObj(o.metrics)) for (const [id, m] of Object.entries(o.metrics)) if (isObj(m)) metrics[id] = m;
  return {
    id: str(o.id ?? o.run_id),
    workflow_id: o.workflow_id == null ? undefined : str(o.workflow_id),
    workflow_version: optNum(o.workflow_version ?? o.version),
    status: str(o.status, "queued"),
    target_node: o.target_node == null ? null : str(o.target_node),
    nodes,
    metrics,
    warnings: issues(o.warnings),
    error: o.error == null ? null : str(o.error),
    created_at: o.created_at == null ? null : str(o.created_at),
    started_at: o.started_at == null ? null : str(o.started_at),
    finished_at: o.finished_at == null ? null : str(o.finished_at),
  };
}

export function normalizeArtifact(raw: unknown): Artifact {
  const o = isObj(raw) ? raw : {};
  const d = o.downloads;
  const downloads: Record<string, string> = {};
  if (isObj(d)) for (const [k, v] of Object.entries(d)) downloads[k] = str(v);
  else if (typeof o.url === "string") downloads[str(o.format, "file")] = o.url;
  return {
    id: str(o.id),
    node_id: str(o.node_id),
    port: str(o.port),
    kind: str(o.kind),
    name: o.name == null ? null : str(o.name),
    format: o.format == null ? null : str(o.format),
    downloads,
  };
}

export function normalizeNodeOutput(raw: unknown, nodeId: string, offset: number, limit: number): NodeOutput {
  const o = isObj(raw) ? raw : {};
  const kind = str(o.kind, "unknown");
  const out: NodeOutput = {
    node_id: str(o.node_id, nodeId),
    port: str(o.port),
    ports: Array.isArray(o.ports) ? o.ports.map((p) => str(p)) : [],
    kind,
  };
  if (kind === "table") {
    out.table = {
      ...normalizeTablePage(o, offset, limit),
      target: o.target == null ? null : str(o.target),
      part: o.part == null ? undefined : str(o.part),
      split: isObj(o.split) ? { train_rows: num(o.split.train_rows), test_rows: num(o.split.test_rows) } : null,
      steps: Array.isArray(o.steps) ? o.steps.map((x) => str(x)) : undefined,
    };
  } else if (kind === "metrics") {
    out.metrics = isObj(o.metrics) ? o.metrics : {};
  } else if (kind === "model") {
    out.model = isObj(o.model) ? o.model : {};
  } else if (kind === "file" && isObj(o.file)) {
    out.file = { name: str(o.file.name), format: o.file.format == null ? undefined : str(o.file.format), size: optNum(o.file.size) ?? undefined };
  }
  return out;
}
