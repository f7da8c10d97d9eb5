// Typed client for Flowza's HTTP API. Every request goes through `request`, which turns a non-2xx
// answer into an ApiError carrying the server's message in words a person can read.
import type {
  Artifact,
  Dataset,
  DatasetProfile,
  NodeOutput,
  NodeSpec,
  Run,
  TablePage,
  Template,
  ValidationReport,
  WorkflowDoc,
  WorkflowRecord,
  WorkflowSummary,
  WorkflowVersion,
} from "./types";
import {
  normalizeArtifact,
  normalizeDataset,
  normalizeNodeOutput,
  normalizeProfile,
  normalizeRun,
  normalizeTablePage,
  normalizeValidation,
  normalizeVersion,
  normalizeWorkflow,
  normalizeWorkflowSummary,
  listOf,
} from "./normalize";

export const API_BASE = "/api/v1";

export class ApiError extends Error {
  status: number;
  body: unknown;
  constructor(status: number, message: string, body: unknown) {
    super(message);
    this.status = status;
    this.body = body;
  }
  get notFound(): boolean {
    return this.status === 404;
  }
}

/** Turns FastAPI's many error shapes ({detail: str}, {detail: [{msg, loc}]}, …) into one sentence. */
export function errorMessage(body: unknown, status: number): string {
  const fallback = status === 0 ? "The Flowza server cannot be reached." : `Request failed (HTTP ${status}).`;
  if (body == null) return fallback;
  if (typeof body === "string") return body || fallback;
  if (typeof body !== "object") return fallback;
  const obj = body as Record<string, unknown>;
  const detail = obj.detail ?? obj.message ?? obj.error;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((d) => {
        if (typeof d === "string") return d;
        const item = d as { msg?: string; message?: string; loc?: unknown[] };
        const where = Array.isArray(item.loc) ? item.loc.filter((p) => p !== "body").join(".") : "";
        return `${where ? where + ": " : ""}${item.msg ?? item.message ?? JSON.stringify(d)}`;
      })
      .join("; ");
  }
  if (detail && typeof detail === "object") {
    const inner = detail as Record<string, unknown>;
    if (typeof inner.message === "string") return inner.message;
    return JSON.stringify(detail);
  }
  return fallback;
}

// ------------------------------------------------------------------ authentication
// With authentication on, the server wants `Authorization: Bearer TOKEN`; the token lives in
// localStorage and a 401 asks the app (through onUnauthorized) to show the login dialog.
const TOKEN_KEY = "flowza:token";
let unauthorizedHandler: (() => void) | null = null;

export const auth = {
  token(): string | null {
    try {
      return localStorage.getItem(TOKEN_KEY);
    } catch {
      return null;
    }
  },
  setToken(token: string | null): void {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  },
  onUnauthorized(handler: () => void): void {
    unauthorizedHandler = handler;
  },
  headers(): Record<string, string> {
    const token = auth.token();
    return token ? { Authorization: `Bearer ${token}` } : {};
  },
};

function unauthorized(status: number): void {
  if (status === 401) unauthorizedHandler?.();
}

async function request<T>(method: string, path: string, body?: unknown, init?: RequestInit): Promise<T> {
  let response: Response;
  const headers: Record<string, string> = { ...auth.headers(), ...((init?.headers as Record<string, string>) ?? {}) };
  if (body !== undefined && !(body instanceof FormData)) headers["Content-Type"] = "application/json";
  try {
    response = await fetch(API_BASE + path, {
      ...init,
      method,
      headers,
      body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, errorMessage(null, 0), null);
  }
  unauthorized(response.status);
  const text = await response.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (!response.ok) throw new ApiError(response.status, errorMessage(parsed, response.status), parsed);
  return parsed as T;
}

export interface SaveResult {
  workflow: WorkflowRecord;
  validation: ValidationReport;
}

export interface GenerateResult {
  workflow: WorkflowDoc;
  explanation: string[];
  warnings: string[];
  source?: string;
}

export interface UploadHandle {
  promise: Promise<Dataset>;
  abort: () => void;
}

export const api = {
  async nodes(): Promise<NodeSpec[]> {
    return listOf<NodeSpec>(await request("GET", "/nodes"));
  },
  async templates(): Promise<Template[]> {
    return listOf<Template>(await request("GET", "/templates"));
  },

  // Datasets
  async datasets(): Promise<Dataset[]> {
    return listOf<unknown>(await request("GET", "/datasets")).map(normalizeDataset);
  },
  async dataset(id: string): Promise<Dataset> {
    return normalizeDataset(await request("GET", `/datasets/${encodeURIComponent(id)}`));
  },
  async datasetProfile(id: string): Promise<DatasetProfile> {
    // The profile is part of the dataset record (computed once, at upload).
    const raw = await request<Record<string, unknown>>("GET", `/datasets/${encodeURIComponent(id)}`);
    return normalizeProfile(raw.profile ?? {});
  },
  async datasetPreview(id: string, offset: number, limit: number): Promise<TablePage> {
    const raw = await request("GET", `/datasets/${encodeURIComponent(id)}/preview?offset=${offset}&limit=${limit}`);
    return normalizeTablePage(raw, offset, limit);
  },
  async deleteDataset(id: string, force = false): Promise<void> {
    await request("DELETE", `/datasets/${encodeURIComponent(id)}${force ? "?force=true" : ""}`);
  },
  /** Upload with progress (fetch cannot report upload progress, XMLHttpRequest can). */
  uploadDataset(file: File, onProgress: (fraction: number) => void): UploadHandle {
    const xhr = new XMLHttpRequest();
    const promise = new Promise<Dataset>((resolve, reject) => {
      const form = new FormData();
      form.append("file", file, file.name);
      xhr.open("POST", API_BASE + "/datasets");
      const token = auth.token();
      if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress(event.loaded / event.total);
      };
      xhr.onload = () => {
        let parsed: unknown = null;
        try {
          parsed = JSON.parse(xhr.responseText);
        } catch {
          parsed = xhr.responseText;
        }
        unauthorized(xhr.status);
        if (xhr.status >= 200 && xhr.status < 300) resolve(normalizeDataset(parsed));
        else reject(new ApiError(xhr.status, errorMessage(parsed, xhr.status), parsed));
      };
      xhr.onerror = () => reject(new ApiError(0, errorMessage(null, 0), null));
      xhr.onabort = () => reject(new ApiError(0, "Upload cancelled.", null));
      xhr.send(form);
    });
    return { promise, abort: () => xhr.abort() };
  },

  // Workflows
  async workflows(): Promise<WorkflowSummary[]> {
    return listOf<unknown>(await request("GET", "/workflows")).map(normalizeWorkflowSummary);
  },
  async workflow(id: string): Promise<WorkflowRecord> {
    return normalizeWorkflow(await request("GET", `/workflows/${encodeURIComponent(id)}`));
  },
  async createWorkflow(doc: WorkflowDoc): Promise<SaveResult> {
    const raw = await request<unknown>("POST", "/workflows", doc);
    const workflow = normalizeWorkflow(raw, doc);
    return { workflow, validation: workflow.validation };
  },
  async saveWorkflow(id: string, doc: WorkflowDoc, baseVersion: number | null): Promise<SaveResult> {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (baseVersion != null) headers["If-Match"] = String(baseVersion);
    const raw = await request<unknown>("PUT", `/workflows/${encodeURIComponent(id)}`, doc, { headers });
    const workflow = normalizeWorkflow(raw, doc);
    return { workflow, validation: workflow.validation };
  },
  async deleteWorkflow(id: string): Promise<void> {
    await request("DELETE", `/workflows/${encodeURIComponent(id)}`);
  },
  async versions(id: string): Promise<WorkflowVersion[]> {
    return listOf<unknown>(await request("GET", `/workflows/${encodeURIComponent(id)}/versions`)).map(normalizeVersion);
  },
  async version(id: string, n: number): Promise<WorkflowVersion> {
    return normalizeVersion(await request("GET", `/workflows/${encodeURIComponent(id)}/versions/${n}`));
  },
  async restoreVersion(id: string, n: number): Promise<WorkflowRecord> {
    return normalizeWorkflow(await request("POST", `/workflows/${encodeURIComponent(id)}/versions/${n}/restore`));
  },
  async validate(doc: WorkflowDoc): Promise<ValidationReport> {
    return normalizeValidation(await request("POST", "/validate", doc));
  },

  // Runs
  async startRun(workflowId: string, targetNode: string | null, version: number | null): Promise<{ id: string; status: string }> {
    const body: Record<string, unknown> = {};
    if (targetNode) body.target_node = targetNode;
    if (version != null) body.version = version;
    const raw = await request<Record<string, unknown>>("POST", `/workflows/${encodeURIComponent(workflowId)}/runs`, body);
    return { id: String(raw.id ?? raw.run_id), status: String(raw.status ?? "queued") };
  },
  async run(id: string): Promise<Run> {
    return normalizeRun(await request("GET", `/runs/${encodeURIComponent(id)}`));
  },
  async cancelRun(id: string): Promise<void> {
    await request("POST", `/runs/${encodeURIComponent(id)}/cancel`);
  },
  async runs(workflowId: string): Promise<Run[]> {
    return listOf<unknown>(await request("GET", `/workflows/${encodeURIComponent(workflowId)}/runs`)).map(normalizeRun);
  },
  async nodeOutput(runId: string, nodeId: string, port: string | null, offset: number, limit: number, part = "all"): Promise<NodeOutput> {
    const q = new URLSearchParams({ offset: String(offset), limit: String(limit), part });
    if (port) q.set("port", port);
    const raw = await request("GET", `/runs/${encodeURIComponent(runId)}/nodes/${encodeURIComponent(nodeId)}/output?${q}`);
    return normalizeNodeOutput(raw, nodeId, offset, limit);
  },
  async artifacts(runId: string): Promise<Artifact[]> {
    return listOf<unknown>(await request("GET", `/runs/${encodeURIComponent(runId)}/artifacts`)).map(normalizeArtifact);
  },
  datasetDownloadUrl(id: string): string {
    return `${API_BASE}/datasets/${encodeURIComponent(id)}/download`;
  },
  runEventsUrl(id: string): string {
    // EventSource cannot send headers: the events route also takes the token in the query
    const token = auth.token();
    return `${API_BASE}/runs/${encodeURIComponent(id)}/events${token ? `?token=${encodeURIComponent(token)}` : ""}`;
  },
  /** Fetches a file with the auth header (a plain link cannot send it). */
  async fetchFile(url: string): Promise<{ blob: Blob; filename: string | null }> {
    let response: Response;
    try {
      response = await fetch(url, { headers: auth.headers() });
    } catch {
      throw new ApiError(0, errorMessage(null, 0), null);
    }
    unauthorized(response.status);
    if (!response.ok) {
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* plain text */
      }
      throw new ApiError(response.status, errorMessage(parsed, response.status), parsed);
    }
    const disposition = response.headers.get("Content-Disposition") ?? "";
    const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
    return { blob: await response.blob(), filename: match ? decodeURIComponent(match[1]) : null };
  },
  async login(username: string, password: string): Promise<string> {
    const raw = await request<{ access_token: string }>("POST", "/auth/token", { username, password });
    return raw.access_token;
  },
  async logout(): Promise<void> {
    await request("POST", "/auth/logout");
  },
  async me(): Promise<{ name: string; auth: boolean; is_admin?: boolean } | null> {
    try {
      return await request("GET", "/auth/me");
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null; // a server without accounts
      throw error;
    }
  },

  // Export & generate (built by other people; may be missing: callers show a message on 404)
  async exportWorkflow(id: string, format: "script" | "notebook"): Promise<{ blob: Blob; filename: string | null }> {
    return api.fetchFile(`${API_BASE}/workflows/${encodeURIComponent(id)}/export?format=${format}`);
  },
  async generate(prompt: string, datasetId: string | null): Promise<GenerateResult> {
    const body: Record<string, unknown> = { prompt };
    if (datasetId) body.dataset_id = datasetId;
    const raw = await request<Record<string, unknown>>("POST", "/generate", body);
    const workflow = (raw.workflow ?? raw.document ?? raw) as WorkflowDoc;
    const lines = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === "string" && v ? [v] : []);
    return { workflow, explanation: lines(raw.explanation), warnings: lines(raw.warnings), source: typeof raw.source === "string" ? raw.source : undefined };
  },
};
