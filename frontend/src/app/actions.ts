// What the workflow buttons and shortcuts do: save, open, versions, templates, import/export and
// the draft. Plain functions over the stores and the API client, so components stay small.
import { api, ApiError } from "../api/client";
import type { Template, WorkflowDoc } from "../api/types";
import { overlapping } from "../editor/graph";
import { isDirty, signature, useEditor } from "../editor/store";
import { keys, queryClient } from "./query";
import { useUi } from "./ui";

const DRAFT_KEY = "flowza:draft";
const LAST_KEY = "flowza:last-workflow";

const ui = () => useUi.getState();
const editor = () => useEditor.getState();

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------- URL and draft

function setUrlWorkflow(id: string | null): void {
  const url = new URL(window.location.href);
  if (id) url.searchParams.set("workflow", id);
  else url.searchParams.delete("workflow");
  window.history.replaceState(null, "", url);
  if (id) localStorage.setItem(LAST_KEY, id);
  else localStorage.removeItem(LAST_KEY);
}

interface Draft {
  workflowId: string | null;
  version: number | null;
  document: WorkflowDoc;
  savedSignature: string;
  time: number;
}

/** Writes the editor's state to localStorage so a reload or a crash loses nothing. */
export function saveDraft(): void {
  const s = editor();
  const draft: Draft = { workflowId: s.workflowId, version: s.version, document: s.toDocument(), savedSignature: s.savedSignature, time: Date.now() };
  try {
    localStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
  } catch {
    /* storage full or disabled: the guard on leaving still protects the work */
  }
}

function readDraft(): Draft | null {
  try {
    const raw = localStorage.getItem(DRAFT_KEY);
    return raw ? (JSON.parse(raw) as Draft) : null;
  } catch {
    return null;
  }
}

/** Opens what was on screen before: the unsaved draft, else the workflow in the URL or the last one. */
export async function restoreSession(): Promise<void> {
  const params = new URLSearchParams(window.location.search);
  const wanted = params.get("workflow") ?? localStorage.getItem(LAST_KEY);
  const draft = readDraft();
  if (draft && signature(draft.document) !== draft.savedSignature && (!wanted || draft.workflowId === wanted || !draft.workflowId)) {
    editor().loadDocument(draft.document, draft.workflowId ? { id: draft.workflowId, version: draft.version } : null);
    useEditor.setState({ savedSignature: draft.savedSignature });
    ui().requestFit();
    setUrlWorkflow(draft.workflowId);
    ui().toast("info", "Restored your unsaved changes.");
    if (draft.workflowId) void refreshLatestRun(draft.workflowId);
    return;
  }
  if (wanted) {
    try {
      await openWorkflow(wanted, true);
      return;
    } catch {
      setUrlWorkflow(null);
    }
  }
}

// ---------------------------------------------------------------- workflows

/** Puts a document on the canvas; unsaved documents (templates, imports) get laid out if crowded. */
function show(doc: WorkflowDoc, saved: { id: string; version: number } | null): void {
  editor().loadDocument(doc, saved, !saved);
  if (!saved && (doc.nodes.some((n) => !n.position) || overlapping(editor().nodes))) {
    editor().layout();
    useEditor.setState({ past: [] });
  }
  ui().requestFit();
}

async function guardUnsaved(action: string): Promise<boolean> {
  if (!isDirty(editor())) return true;
  return ui().ask("Discard unsaved changes?", `The current workflow has changes that are not saved. ${action} anyway?`, "Discard changes", true);
}

export async function saveWorkflow(): Promise<boolean> {
  const s = editor();
  const doc = s.toDocument();
  ui().setSaving(true);
  try {
    let result;
    try {
      result = s.workflowId ? await api.saveWorkflow(s.workflowId, doc, s.version) : await api.createWorkflow(doc);
    } catch (error) {
      // the workflow was deleted meanwhile (e.g. in another tab): keep the work as a new one
      if (!(error instanceof ApiError && error.status === 404 && s.workflowId)) throw error;
      result = await api.createWorkflow(doc);
      ui().toast("info", "The saved workflow no longer exists on the server; saved this as a new workflow.");
    }
    editor().markSaved(result.workflow.id, result.workflow.version, result.validation, doc);
    setUrlWorkflow(result.workflow.id);
    saveDraft();
    void queryClient.invalidateQueries({ queryKey: keys.workflows });
    void queryClient.invalidateQueries({ queryKey: keys.versions(result.workflow.id) });
    const n = result.validation.errors.length;
    const w = result.validation.warnings.length;
    if (n) ui().toast("warning", `Saved, but ${n} problem${n > 1 ? "s need" : " needs"} fixing before it can run.`);
    else if (w) ui().toast("success", `Saved version ${result.workflow.version} with ${w} warning${w > 1 ? "s" : ""}.`);
    else ui().toast("success", `Saved version ${result.workflow.version}.`);
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 409) {
      ui().toast("error", "Someone saved a newer version of this workflow. Open it again from the list to see their changes; your draft is kept.");
    } else {
      ui().toast("error", `Could not save: ${message(error)}`);
    }
    return false;
  } finally {
    ui().setSaving(false);
  }
}

export async function openWorkflow(id: string, silent = false): Promise<void> {
  if (!silent && !(await guardUnsaved("Open another workflow"))) return;
  const record = await api.workflow(id);
  show(record.document, { id: record.id, version: record.version });
  editor().setValidation(record.validation);
  setUrlWorkflow(record.id);
  saveDraft();
  ui().openDialog(null);
  void refreshLatestRun(record.id);
}

/** Shows the statuses and metrics of the workflow's latest run after opening it. */
async function refreshLatestRun(workflowId: string): Promise<void> {
  try {
    const runs = await api.runs(workflowId);
    const latest = runs[0];
    if (latest && editor().workflowId === workflowId && !editor().run) {
      const full = await api.run(latest.id);
      editor().applyRun(full);
    }
  } catch {
    /* history is optional */
  }
}

export async function newWorkflow(): Promise<void> {
  if (!(await guardUnsaved("Start a new workflow"))) return;
  editor().newWorkflow();
  setUrlWorkflow(null);
  saveDraft();
}

export async function deleteWorkflow(id: string, name: string): Promise<void> {
  if (!(await ui().ask("Delete workflow?", `“${name}” and all its versions and runs will be deleted.`, "Delete", true))) return;
  try {
    await api.deleteWorkflow(id);
    if (editor().workflowId === id) {
      editor().newWorkflow();
      setUrlWorkflow(null);
      saveDraft();
    }
    void queryClient.invalidateQueries({ queryKey: keys.workflows });
    ui().toast("success", `Deleted “${name}”.`);
  } catch (error) {
    ui().toast("error", `Could not delete: ${message(error)}`);
  }
}

export async function restoreVersion(version: number): Promise<void> {
  const id = editor().workflowId;
  if (!id) return;
  if (!(await guardUnsaved(`Restore version ${version}`))) return;
  try {
    const record = await api.restoreVersion(id, version);
    const full = record.document.nodes.length || !record.id ? record : await api.workflow(id);
    show(full.document, { id, version: full.version });
    editor().setValidation(full.validation);
    saveDraft();
    void queryClient.invalidateQueries({ queryKey: keys.versions(id) });
    ui().toast("success", `Restored version ${version} as version ${full.version}.`);
    ui().openDialog(null);
  } catch (error) {
    ui().toast("error", `Could not restore: ${message(error)}`);
  }
}

export async function loadTemplate(template: Template): Promise<void> {
  if (!(await guardUnsaved("Start from a template"))) return;
  const doc = structuredClone(template.workflow);
  show(doc, null);
  setUrlWorkflow(null);
  saveDraft();
  ui().openDialog(null);
  // point at what the template leaves open: the dataset to load and the column to predict
  const todo = editor().nodes.filter((n) => {
    const spec = editor().catalog[n.data.type];
    const props = spec?.params_schema.properties ?? {};
    return Object.entries(props).some(([k, p]) => (p["ui:widget"] === "dataset" || (p["ui:widget"] === "column" && p.type === "string")) && !n.data.params[k]);
  });
  if (todo.length) {
    editor().select([todo[0].id]);
    ui().toast("info", `Template loaded. Fill in ${todo.map((n) => `“${n.id}”`).join(" and ")} (dataset, target), then Run.`, 6000);
  } else ui().toast("info", "Template loaded. Press Run when ready.");
}

export async function loadGenerated(doc: WorkflowDoc): Promise<void> {
  if (!(await guardUnsaved("Replace the canvas with the generated workflow"))) return;
  show(doc, null);
  setUrlWorkflow(null);
  saveDraft();
  ui().openDialog(null);
}

export function exportJson(): void {
  const doc = editor().toDocument();
  download(new Blob([JSON.stringify(doc, null, 2) + "\n"], { type: "application/json" }), `${slug(doc.name)}.json`);
}

export async function importJson(file: File): Promise<void> {
  let doc: WorkflowDoc;
  try {
    doc = JSON.parse(await file.text()) as WorkflowDoc;
  } catch {
    ui().toast("error", `${file.name} is not a JSON file.`);
    return;
  }
  if (!doc || typeof doc !== "object" || !Array.isArray(doc.nodes) || !Array.isArray(doc.edges)) {
    ui().toast("error", `${file.name} is not a Flowza workflow (it needs "nodes" and "edges").`);
    return;
  }
  const unknown = doc.nodes.filter((n) => !editor().catalog[n.type]).map((n) => n.type);
  if (unknown.length) {
    ui().toast("error", `${file.name} uses node types this server does not know: ${[...new Set(unknown)].join(", ")}.`);
    return;
  }
  if (!(await guardUnsaved("Import a workflow"))) return;
  show({ ...doc, schema_version: 1, name: doc.name || file.name.replace(/\.json$/i, "") }, null);
  setUrlWorkflow(null);
  saveDraft();
  ui().toast("success", `Imported ${file.name}. Save it to keep it on the server.`);
}

export async function exportCode(format: "script" | "notebook"): Promise<void> {
  if (!editor().workflowId || isDirty(editor())) {
    if (!(await saveWorkflow())) return;
  }
  const id = editor().workflowId!;
  try {
    const file = await api.exportWorkflow(id, format);
    download(file.blob, file.filename ?? `${slug(editor().name)}.${format === "script" ? "py" : "ipynb"}`);
    ui().toast("success", format === "script" ? "Exported a Python script." : "Exported a Jupyter notebook.");
  } catch (error) {
    if (error instanceof ApiError && (error.status === 405 || (error.status === 404 && /no API route|Not Found/i.test(error.message)))) {
      ui().toast("warning", "Export is not available on this server yet (it has no /export endpoint).");
    } else {
      ui().toast("error", `Could not export: ${message(error)}`);
    }
  }
}

function slug(name: string): string {
  return name.trim().toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "") || "workflow";
}

/** Downloads a server file (artifact, dataset) with the auth header, then saves it. */
export async function downloadFile(url: string, fallbackName: string): Promise<void> {
  try {
    const file = await api.fetchFile(url);
    download(file.blob, file.filename ?? fallbackName);
  } catch (error) {
    ui().toast("error", `Could not download: ${message(error)}`);
  }
}

export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
