import { describe, expect, it } from "vitest";
import { isRunActive, outputReadable } from "../src/app/runState";
import type { RunState } from "../src/editor/store";

function run(status: string, nodes: RunState["nodes"]): RunState {
  return { id: "r1", status, targetNode: null, nodes, metrics: {}, warnings: [], error: null };
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
});
