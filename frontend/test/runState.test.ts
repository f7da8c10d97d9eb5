import { describe, expect, it } from "vitest";
import { isCancelling, isNodeStopping, isRunActive, outputReadable } from "../src/app/runState";
import { useEditor, type RunState } from "../src/editor/store";
import { freshStore } from "./helpers";

function run(status: string, nodes: RunState["nodes"]): RunState {
  return { id: "r1", status, targetNode: null, nodes, metrics: {}, warnings: [], cancelRequested: false, error: null };
}

describe("run state", () => {
  it("tells an active run from an ended one", () => {
    for (const s of ["queued", "pending", "running"]) expect(isRunActive(s)).toBe(true);
    for (const s of ["succeeded", "failed", "cancelled"]) expect(isRunActive(s)).toBe(false);
    expect(isRunActive(undefined)).toBe(false);
  });

  it("reads a node's output only once the node is done and the run has ended (issue 23: a 409 on every run)", () => {
    const nodes: RunState["nodes"] = { load: { status: "succeeded" }, split: { status: "cached" }, model: { status: "running" } };
    // while the run goes on, even a succeeded node's output is not stored yet
    expect(outputReadable(run("running", nodes), "load")).toBe(false);
    expect(outputReadable(run("running", nodes), "split")).toBe(false);
    const ended = run("cancelled", { ...nodes, model: { status: "cancelled" } });
    expect(outputReadable(ended, "load")).toBe(true);
    expect(outputReadable(ended, "split")).toBe(true);
    expect(outputReadable(ended, "model")).toBe(false);
    expect(outputReadable(ended, "not_in_run")).toBe(false);
    expect(outputReadable(run("failed", { model: { status: "failed" } }), "model")).toBe(false);
    expect(outputReadable(null, "load")).toBe(false);
  });

  it("is cancelling from the moment Cancel is pressed until the run's final state (issue 23)", () => {
    freshStore();
    const editor = useEditor.getState;
    editor().startRun("r1", null, ["load", "model"]);
    editor().applyRunEvent("load", { status: "succeeded" });
    editor().applyRunEvent("model", { status: "running" });
    expect(isCancelling(editor().run)).toBe(false);
    editor().markCancelling(true);
    expect(isCancelling(editor().run)).toBe(true);
    expect(isNodeStopping(editor().run, "model")).toBe(true);
    expect(isNodeStopping(editor().run, "load")).toBe(false); // done before Cancel
    // a poll of the run that still says running (a server without a cancelling state) keeps it
    editor().applyRun({ id: "r1", status: "running", nodes: { model: { status: "running" } }, metrics: {}, warnings: [] });
    expect(isCancelling(editor().run)).toBe(true);
    // the final state ends it
    editor().applyRun({ id: "r1", status: "cancelled", nodes: { model: { status: "cancelled" } }, metrics: {}, warnings: [] });
    expect(isCancelling(editor().run)).toBe(false);
    expect(isNodeStopping(editor().run, "model")).toBe(false);
    // a server that reports `cancelling` itself (another tab pressed Cancel) shows it too
    editor().startRun("r2", null, ["model"]);
    editor().applyRun({ id: "r2", status: "cancelling", nodes: { model: { status: "running" } }, metrics: {}, warnings: [] });
    expect(isCancelling(editor().run)).toBe(true);
    editor().startRun("r3", null, ["model"]);
    expect(isCancelling(editor().run)).toBe(false);
  });
});
