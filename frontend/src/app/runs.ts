// Running a workflow: start, follow the Server-Sent Events (or poll), cancel, report the outcome.
import { api, ApiError } from "../api/client";
import { toStatus } from "../api/normalize";
import type { RunEvent } from "../api/types";
import { ancestors } from "../editor/graph";
import { isDirty, useEditor } from "../editor/store";
import { saveWorkflow } from "./actions";
import { keys, queryClient } from "./query";
import { FINAL_RUN_STATUSES as FINAL } from "./runState";
import { useUi } from "./ui";

const ui = () => useUi.getState();
const editor = () => useEditor.getState();

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

let stream: EventSource | null = null;
let poller: number | null = null;

const EVENT_TYPES = [
  "run_started",
  "node_started",
  "node_progress",
  "node_succeeded",
  "node_cached",
  "node_failed",
  "node_skipped",
  "node_cancelled",
  "run_cancelling",
  "run_finished",
  "run_failed",
  "run_cancelled",
  "end",
  "done",
];

function stopFollowing(): void {
  stream?.close();
  stream = null;
  if (poller !== null) window.clearInterval(poller);
  poller = null;
}

/** The run ended (its final event arrived, or polling saw a final status): show the outcome. */
async function finishRun(runId: string, finalStatus: string | null): Promise<void> {
  stopFollowing();
  let run;
  try {
    run = await api.run(runId);
  } catch (error) {
    ui().toast("error", `Could not read the run: ${message(error)}`);
    return;
  }
  if (editor().run?.id !== runId) return;
  // The final event can arrive a moment before the run's record says so: trust the event, and
  // read the record again shortly for the per-node details.
  const status = FINAL.has(run.status) ? run.status : (finalStatus ?? run.status);
  editor().applyRun({ ...run, status, metrics: Object.keys(run.metrics).length ? run.metrics : (editor().run?.metrics ?? {}) });
  if (!FINAL.has(run.status)) {
    let tries = 0;
    const again = window.setInterval(async () => {
      tries++;
      try {
        const later = await api.run(runId);
        if (FINAL.has(later.status) || tries > 20) {
          window.clearInterval(again);
          if (editor().run?.id === runId) editor().applyRun(later);
          const wf = editor().workflowId;
          if (wf) void queryClient.invalidateQueries({ queryKey: keys.runs(wf) });
        }
      } catch {
        window.clearInterval(again);
      }
    }, 700);
  }
  const nodes = editor().run?.nodes ?? run.nodes;
  const failed = Object.entries(nodes).filter(([, n]) => n.status === "failed");
  if (status === "succeeded") {
    const cached = Object.values(nodes).filter((n) => n.status === "cached").length;
    ui().toast("success", `Run finished${cached ? ` (${cached} node${cached > 1 ? "s" : ""} reused from cache)` : ""}.`);
    ui().addLog(`Run ${runId.slice(0, 8)} succeeded`, "success");
  } else if (status === "cancelled" || status === "canceled") {
    ui().toast("info", "Run cancelled.");
    ui().addLog(`Run ${runId.slice(0, 8)} cancelled`);
  } else {
    const first = failed[0];
    const text = first ? `${first[0]} failed: ${first[1].error ?? "see the node"}` : (run.error ?? "the run failed");
    ui().toast("error", `Run failed — ${text}`);
    ui().addLog(`Run ${runId.slice(0, 8)} failed: ${text}`, "error");
    if (first) editor().select([first[0]]);
  }
  const wf = editor().workflowId;
  if (wf) void queryClient.invalidateQueries({ queryKey: keys.runs(wf) });
  void queryClient.invalidateQueries({ queryKey: ["run", runId] });
  if (status === "succeeded" && !ui().drawerOpen) ui().setDrawer(true, "output");
}

function onEvent(runId: string, raw: string, fallbackType: string): void {
  let event: RunEvent;
  try {
    event = JSON.parse(raw) as RunEvent;
  } catch {
    return;
  }
  const type = event.type ?? fallbackType;
  const run = editor().run;
  if (!run || run.id !== runId) return;
  if (event.node_id) {
    const status =
      event.status != null
        ? toStatus(event.status)
        : type === "node_started" || type === "node_progress"
          ? "running"
          : toStatus(type.replace("node_", ""));
    editor().applyRunEvent(event.node_id, { status, seconds: event.seconds ?? undefined, error: event.error ?? undefined });
    if (type === "node_failed") ui().addLog(`${event.node_id} failed: ${event.error ?? ""}`, "error");
    else if (type !== "node_progress") ui().addLog(`${event.node_id}: ${status}${event.seconds != null ? ` in ${event.seconds.toFixed(2)} s` : ""}`);
  } else if (type === "run_started") {
    useEditor.setState({ run: { ...run, status: "running" } });
    ui().addLog(`Run ${runId.slice(0, 8)} started`);
  } else if (type === "run_cancelling") {
    useEditor.setState({ run: { ...run, status: event.status ?? "cancelling", cancelRequested: true } });
    ui().addLog(`Run ${runId.slice(0, 8)} cancelling${event.message ? `: ${event.message}` : "…"}`);
  }
  if (type === "run_finished" || type === "end" || type === "done" || (!event.node_id && event.status && FINAL.has(event.status))) {
    const metrics = (event.data as { metrics?: Record<string, Record<string, unknown>> } | null)?.metrics;
    const current = editor().run;
    if (current && current.id === runId) {
      useEditor.setState({ run: { ...current, status: event.status ?? current.status, metrics: metrics ?? current.metrics, error: event.error ?? current.error } });
    }
    void finishRun(runId, event.status ?? null);
  }
}

/** Follows a run's events; falls back to polling GET /runs/{id} when the stream breaks. */
export function followRun(runId: string): void {
  stopFollowing();
  const source = new EventSource(api.runEventsUrl(runId));
  stream = source;
  source.onmessage = (e) => onEvent(runId, e.data as string, "message");
  for (const type of EVENT_TYPES) source.addEventListener(type, (e) => onEvent(runId, (e as MessageEvent).data as string, type));
  source.onerror = () => {
    if (stream !== source) return;
    source.close();
    stream = null;
    // The server closes the stream after the final event; check where the run stands.
    poller = window.setInterval(async () => {
      try {
        const run = await api.run(runId);
        if (editor().run?.id !== runId) return stopFollowing();
        editor().applyRun(run);
        if (FINAL.has(run.status)) void finishRun(runId, run.status);
      } catch {
        /* keep trying */
      }
    }, 1000);
  };
}

export async function runWorkflow(targetNode: string | null = null): Promise<void> {
  const current = editor().run;
  if (current && !FINAL.has(current.status)) {
    ui().toast("info", "A run is already going on. Cancel it first.");
    return;
  }
  if (!editor().nodes.length) {
    ui().toast("info", "Add some nodes first: drag them from the palette on the left.");
    return;
  }
  if (!editor().workflowId || isDirty(editor())) {
    if (!(await saveWorkflow())) return;
  }
  const s = editor();
  if (s.validation.errors.length) {
    const first = s.validation.errors[0];
    ui().toast("error", `Fix ${s.validation.errors.length > 1 ? `${s.validation.errors.length} problems` : "this problem"} first — ${first.node_id ? `${first.node_id}: ` : ""}${first.message}`);
    if (first.node_id) editor().select([first.node_id]);
    return;
  }
  try {
    const started = await api.startRun(s.workflowId!, targetNode, s.version);
    const involved = targetNode ? [targetNode, ...ancestors(s.edges, targetNode)] : s.nodes.map((n) => n.id);
    editor().startRun(started.id, targetNode, involved);
    ui().addLog(`Run ${started.id.slice(0, 8)} queued${targetNode ? ` up to ${targetNode}` : ""}`);
    followRun(started.id);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 422 || error.status === 400)) {
      ui().toast("error", `The workflow cannot run: ${error.message}`);
    } else ui().toast("error", `Could not start the run: ${message(error)}`);
  }
}

export async function cancelRun(): Promise<void> {
  const run = editor().run;
  if (!run || FINAL.has(run.status) || run.cancelRequested) return;
  // shown at once ("cancelling…"), until the run's final event says it stopped
  editor().markCancelling(true);
  try {
    await api.cancelRun(run.id);
    ui().addLog(`Cancel requested for run ${run.id.slice(0, 8)}`);
  } catch (error) {
    if (editor().run?.id === run.id) editor().markCancelling(false);
    // the run may have ended meanwhile, or the server lost it: never leave the editor stuck
    try {
      const latest = await api.run(run.id);
      if (FINAL.has(latest.status)) return void finishRun(run.id, latest.status);
    } catch {
      stopFollowing();
      useEditor.setState({ run: { ...run, status: "failed", error: message(error) } });
    }
    ui().toast("error", `Could not cancel: ${message(error)}`);
  }
}
