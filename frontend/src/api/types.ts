// Shapes of Flowza's HTTP API (/api/v1). Kept in one place so that a change in the server is a
// change here and the compiler points at every use.

export type PortType = "data" | "model" | "metrics" | "file";

export interface InputPort {
  name: string;
  type: PortType;
  required: boolean;
  description: string;
}

export interface OutputPort {
  name: string;
  type: PortType;
  description: string;
}

/** A JSON Schema fragment as pydantic writes it, plus Flowza's "ui:widget" hint. */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  additionalProperties?: boolean | JsonSchema;
  "ui:widget"?: string;
  [key: string]: unknown;
}

export interface NodeSpec {
  type: string;
  title: string;
  category: string;
  description: string;
  version?: number;
  stateful?: boolean;
  inputs: InputPort[];
  outputs: OutputPort[];
  params_schema: JsonSchema;
}

export interface WorkflowNode {
  id: string;
  type: string;
  params: Record<string, unknown>;
  position?: { x: number; y: number };
}

export interface WorkflowEdge {
  source: string;
  target: string;
  source_port?: string | null;
  target_port?: string | null;
}

export interface WorkflowDoc {
  schema_version: 1;
  name: string;
  description?: string;
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
  [key: string]: unknown;
}

export interface Template {
  name: string;
  title: string;
  description: string;
  dataset_kind?: string;
  workflow: WorkflowDoc;
}

export interface Issue {
  level?: string;
  code?: string;
  message: string;
  node_id?: string | null;
  field?: string | null;
}

export interface ValidationReport {
  valid?: boolean;
  errors: Issue[];
  warnings: Issue[];
}

export interface WorkflowSummary {
  id: string;
  name: string;
  description?: string;
  version: number;
  updated_at?: string;
  created_at?: string;
}

export interface WorkflowRecord extends WorkflowSummary {
  document: WorkflowDoc;
  validation: ValidationReport;
}

export interface WorkflowVersion {
  version: number;
  created_at?: string;
  name?: string;
  document?: WorkflowDoc;
}

export interface ColumnProfile {
  name: string;
  dtype: string;
  kind?: string;
  missing: number;
  distinct: number;
  min?: number | null;
  max?: number | null;
  mean?: number | null;
  std?: number | null;
  top?: { value: unknown; count: number }[];
  histogram?: { edges: number[]; counts: number[] } | { bins: number[]; counts: number[] } | null;
}

export interface DatasetProfile {
  rows: number;
  columns: ColumnProfile[];
}

export interface Dataset {
  id: string;
  name: string;
  rows: number;
  columns: number;
  size_bytes?: number;
  created_at?: string;
  profile?: DatasetProfile;
}

export interface TablePage {
  columns: string[];
  rows: unknown[][];
  offset: number;
  limit: number;
  total: number;
}

export type NodeStatus =
  | "idle"
  | "pending"
  | "queued"
  | "running"
  | "cached"
  | "succeeded"
  | "failed"
  | "skipped"
  | "cancelled";

export interface NodeRunState {
  status: NodeStatus;
  seconds?: number | null;
  error?: string | null;
  reason?: string | null;
}

export type Metrics = Record<string, unknown>;

export interface Run {
  id: string;
  workflow_id?: string;
  workflow_version?: number | null;
  status: string;
  target_node?: string | null;
  nodes: Record<string, NodeRunState>;
  metrics: Record<string, Metrics>;
  /** The ML lint of the run (leakage, a column that gives the target away, an identifier feature). */
  warnings: Issue[];
  error?: string | null;
  created_at?: string | null;
  started_at?: string | null;
  finished_at?: string | null;
}

export interface RunEvent {
  type: string;
  node_id?: string | null;
  status?: string | null;
  seconds?: number | null;
  error?: string | null;
  message?: string | null;
  progress?: number | null;
  data?: Record<string, unknown> | null;
}

export interface Artifact {
  id: string;
  node_id: string;
  port: string;
  kind: string;
  name?: string | null;
  format?: string | null;
  /** format → URL */
  downloads: Record<string, string>;
}

/** GET /runs/{id}/nodes/{node}/output: one output port of one node. */
export interface NodeOutput {
  node_id: string;
  port: string;
  ports: string[];
  kind: "table" | "metrics" | "model" | "file" | string;
  table?: TablePage & { target?: string | null; part?: string; split?: { train_rows: number; test_rows: number } | null; steps?: string[] };
  metrics?: Metrics;
  model?: Record<string, unknown>;
  file?: { name: string; format?: string; size?: number };
}

