import { describe, expect, it } from "vitest";
import { autoLayout, checkConnection, docToFlow, flowToDoc, makeEdge, type FlowNode } from "../src/editor/graph";
import { catalog } from "./helpers";
import templates from "./fixtures/templates.json";
import type { WorkflowDoc } from "../src/api/types";

const node = (id: string, type: string): FlowNode => ({ id, type: "flowza", position: { x: 0, y: 0 }, data: { type, params: {} } });
const nodes = [node("load", "load_csv"), node("split", "train_test_split"), node("model", "logistic_regression"), node("eval", "evaluate"), node("norm", "normalize")];

describe("connection rules", () => {
  it("accepts matching port types", () => {
    expect(checkConnection({ source: "load", target: "split", sourceHandle: "data", targetHandle: "data" }, nodes, [], catalog)).toEqual({ ok: true });
    expect(checkConnection({ source: "model", target: "eval", sourceHandle: "model", targetHandle: "model" }, nodes, [], catalog).ok).toBe(true);
  });

  it("refuses a port type mismatch with a readable reason", () => {
    const v = checkConnection({ source: "load", target: "eval", sourceHandle: "data", targetHandle: "model" }, nodes, [], catalog);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.reason).toMatch(/Type mismatch/);
    expect(checkConnection({ source: "eval", target: "split", sourceHandle: "metrics", targetHandle: "data" }, nodes, [], catalog).ok).toBe(false);
  });

  it("refuses a second edge into one input", () => {
    const edges = [makeEdge("load", "data", "split", "data")];
    const v = checkConnection({ source: "norm", target: "split", sourceHandle: "data", targetHandle: "data" }, nodes, edges, catalog);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.reason).toMatch(/already connected/);
  });

  it("allows a second input port of the same node", () => {
    const edges = [makeEdge("model", "model", "eval", "model")];
    expect(checkConnection({ source: "split", target: "eval", sourceHandle: "data", targetHandle: "data" }, nodes, edges, catalog).ok).toBe(true);
  });

  it("refuses cycles and self-loops", () => {
    const edges = [makeEdge("load", "data", "norm", "data"), makeEdge("norm", "data", "split", "data")];
    const v = checkConnection({ source: "split", target: "norm", sourceHandle: "data", targetHandle: "data" }, nodes, [edges[1]], catalog);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.reason).toMatch(/cycle/);
    expect(checkConnection({ source: "norm", target: "norm", sourceHandle: "data", targetHandle: "data" }, nodes, [], catalog).ok).toBe(false);
  });

  it("refuses unknown ports", () => {
    expect(checkConnection({ source: "load", target: "split", sourceHandle: "nope", targetHandle: "data" }, nodes, [], catalog).ok).toBe(false);
  });
});

describe("document conversion", () => {
  it("round-trips a template, filling implicit ports", () => {
    const doc = (templates as { workflow: WorkflowDoc }[])[0].workflow;
    const flow = docToFlow(doc, catalog);
    expect(flow.edges.every((e) => e.sourceHandle && e.targetHandle)).toBe(true);
    const back = flowToDoc({ name: doc.name }, flow.nodes, flow.edges);
    expect(back.nodes.map((n) => n.id)).toEqual(doc.nodes.map((n) => n.id));
    expect(back.edges.map((e) => [e.source, e.target])).toEqual(doc.edges.map((e) => [e.source, e.target]));
    expect(back.edges[0].source_port).toBe("data");
  });

  it("picks the model port for an implicit edge into evaluate", () => {
    const doc: WorkflowDoc = { schema_version: 1, name: "x", nodes: [{ id: "m", type: "logistic_regression", params: {} }, { id: "e", type: "evaluate", params: {} }], edges: [{ source: "m", target: "e" }] };
    const { edges } = docToFlow(doc, catalog);
    expect(edges[0].targetHandle).toBe("model");
  });
});

describe("auto-layout", () => {
  it("puts each node right of its parents", () => {
    const edges = [makeEdge("load", "data", "split", "data"), makeEdge("split", "data", "model", "data"), makeEdge("model", "model", "eval", "model")];
    const pos = autoLayout(nodes, edges);
    expect(pos.split.x).toBeGreaterThan(pos.load.x);
    expect(pos.model.x).toBeGreaterThan(pos.split.x);
    expect(pos.eval.x).toBeGreaterThan(pos.model.x);
    expect(pos.norm.x).toBe(pos.load.x);
  });
});
