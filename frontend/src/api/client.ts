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

async function request<T>(method: string, path: string, body?: unknown, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(API_BASE + path, {
      method,
      headers: body !== undefined && !(body instanceof FormData) ? { "Content-Type": "application/json" } : undefined,
      body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
      ...init,
    });
  } catch {
    throw new ApiError(0, errorMessage(null, 0), null);
  }
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
    return `${API_BASE}/runs/${encodeURIComponent(id)}/events`;
  },

  // Export & generate (built by other people; may be missing: callers show a message on 404)
  async exportWorkflow(id: string, format: "script" | "notebook"): Promise<Blob> {
    let response: Response;
    try {
      response = await fetch(`${API_BASE}/workflows/${encodeURIComponent(id)}/export?format=${format}`);
    } catch {
      throw new ApiError(0, errorMessage(null, 0), null);
    }
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
    return response.blob();
  },
  async generate(prompt: string, dataset: string | null): Promise<{ workflow: WorkflowDoc; explanation?: string }> {
    const raw = await request<Record<string, unknown>>("POST", "/generate", { prompt, dataset: dataset || undefined });
    const workflow = (raw.workflow ?? raw.document ?? raw) as WorkflowDoc;
    return { workflow, explanation: typeof raw.explanation === "string" ? raw.explanation : undefined };
  },
};
