// What the editor can tell from a run's state alone (no requests): whether it is still going, and
// whether a node's output can be read yet.
import type { RunState } from "../editor/store";

export const FINAL_RUN_STATUSES: ReadonlySet<string> = new Set(["succeeded", "failed", "cancelled", "canceled", "error"]);

export function isRunActive(status: string | undefined): boolean {
  return !!status && !FINAL_RUN_STATUSES.has(status);
}

/** Whether GET /runs/{id}/nodes/{node}/output can answer: the node succeeded or was reused from the
 * cache, and the run has ended (the server records where each output is stored together with the
 * run's final state; asking earlier is a 409 "no output yet", an error in the browser's console). */
export function outputReadable(run: RunState | null | undefined, nodeId: string): boolean {
  const state = run?.nodes[nodeId];
  if (!run || !state || isRunActive(run.status)) return false;
  return state.status === "succeeded" || state.status === "cached";
}
