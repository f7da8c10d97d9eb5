// What the editor can tell from a run's state alone (no requests): whether it is still going, and
// whether a node's output can be read yet.
import type { RunState } from "../editor/store";

export const FINAL_RUN_STATUSES: ReadonlySet<string> = new Set(["succeeded", "failed", "cancelled", "canceled", "error"]);

export function isRunActive(status: string | undefined): boolean {
  return !!status && !FINAL_RUN_STATUSES.has(status);
}

/** Whether the run is stopping: Cancel was pressed (or the server reports `cancelling`) and its final
 * event has not come yet. A training node may take a moment to notice. */
export function isCancelling(run: RunState | null | undefined): boolean {
  return !!run && isRunActive(run.status) && (run.cancelRequested || run.status === "cancelling");
}

/** Whether this node of the run is being stopped: the run is cancelling and the node is still at
 * work or waiting for its turn. */
export function isNodeStopping(run: RunState | null | undefined, nodeId: string): boolean {
  const status = run?.nodes[nodeId]?.status;
  return isCancelling(run) && (status === "running" || status === "queued" || status === "pending");
}

/** Whether GET /runs/{id}/nodes/{node}/output can answer: the node succeeded or was reused from the
 * cache, and the run has ended (the server records where each output is stored together with the
 * run's final state; asking earlier is a 409 "no output yet", an error in the browser's console). */
export function outputReadable(run: RunState | null | undefined, nodeId: string): boolean {
  const state = run?.nodes[nodeId];
  if (!run || !state || isRunActive(run.status)) return false;
  return state.status === "succeeded" || state.status === "cached";
}
