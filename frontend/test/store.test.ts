import { beforeEach, describe, expect, it } from "vitest";
import { isDirty, useEditor } from "../src/editor/store";
import { freshStore } from "./helpers";

const s = () => useEditor.getState();

describe("editor store", () => {
  beforeEach(() => freshStore());

  it("adds nodes with readable unique ids", () => {
    expect(s().addNode("load_csv", { x: 0, y: 0 })).toBe("load_csv");
    expect(s().addNode("load_csv", { x: 0, y: 100 })).toBe("load_csv_2");
    expect(s().addNode("no_such_node", { x: 0, y: 0 })).toBeNull();
    expect(s().nodes).toHaveLength(2);
  });

  it("undoes and redoes adds, connections, params and deletes", () => {
    s().addNode("load_csv", { x: 0, y: 0 });
    s().addNode("train_test_split", { x: 300, y: 0 });
    expect(s().connect({ source: "load_csv", target: "train_test_split", sourceHandle: "data", targetHandle: "data" }).ok).toBe(true);
    s().setParam("train_test_split", "target", "species");
    expect(s().edges).toHaveLength(1);

    s().undo();
    expect(s().nodes.find((n) => n.id === "train_test_split")!.data.params.target).toBeUndefined();
    s().undo();
    expect(s().edges).toHaveLength(0);
    s().undo();
    expect(s().nodes).toHaveLength(1);
    s().redo();
    s().redo();
    s().redo();
    expect(s().nodes).toHaveLength(2);
    expect(s().edges).toHaveLength(1);
    expect(s().nodes[1].data.params.target).toBe("species");

    s().select(["load_csv"]);
    s().deleteSelected();
    expect(s().nodes.map((n) => n.id)).toEqual(["train_test_split"]);
    expect(s().edges).toHaveLength(0);
    s().undo();
    expect(s().nodes).toHaveLength(2);
    expect(s().edges).toHaveLength(1);
  });

  it("coalesces typing into one field into a single undo step", () => {
    s().addNode("train_test_split", { x: 0, y: 0 });
    for (const v of ["s", "sp", "spe", "species"]) s().setParam("train_test_split", "target", v);
    s().undo();
    expect(s().nodes[0].data.params.target).toBeUndefined();
  });

  it("a new edit clears the redo stack", () => {
    s().addNode("load_csv", { x: 0, y: 0 });
    s().undo();
    expect(s().future).toHaveLength(1);
    s().addNode("normalize", { x: 0, y: 0 });
    expect(s().future).toHaveLength(0);
    s().redo();
    expect(s().nodes.map((n) => n.id)).toEqual(["normalize"]);
  });

  it("copies and pastes the selection with its inner edges under fresh ids", () => {
    s().addNode("load_csv", { x: 0, y: 0 });
    s().addNode("normalize", { x: 300, y: 0 });
    s().addNode("evaluate", { x: 600, y: 0 });
    s().connect({ source: "load_csv", target: "normalize", sourceHandle: "data", targetHandle: "data" });
    s().setParam("load_csv", "dataset", "iris.csv");
    s().select(["load_csv", "normalize"]);
    s().copy();
    s().paste();
    const ids = s().nodes.map((n) => n.id);
    expect(ids).toEqual(["load_csv", "normalize", "evaluate", "load_csv_2", "normalize_2"]);
    expect(s().edges.map((e) => `${e.source}->${e.target}`)).toEqual(["load_csv->normalize", "load_csv_2->normalize_2"]);
    const pasted = s().nodes.find((n) => n.id === "load_csv_2")!;
    expect(pasted.position).toEqual({ x: 40, y: 40 });
    expect(pasted.data.params.dataset).toBe("iris.csv");
    expect(s().nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(["load_csv_2", "normalize_2"]);
    // pasted params are a copy, not shared
    s().setParam("load_csv_2", "dataset", "titanic.csv");
    expect(s().nodes[0].data.params.dataset).toBe("iris.csv");
    s().paste();
    expect(s().nodes.find((n) => n.id === "load_csv_3")!.position).toEqual({ x: 80, y: 80 });
    s().undo();
    s().undo();
    expect(s().nodes).toHaveLength(5);
    expect(s().nodes.find((n) => n.id === "load_csv_2")!.data.params.dataset).toBe("iris.csv");
    s().undo();
    expect(s().nodes).toHaveLength(3);
  });

  it("tracks unsaved changes against the saved document", () => {
    expect(isDirty(s())).toBe(false);
    s().addNode("load_csv", { x: 0, y: 0 });
    expect(isDirty(s())).toBe(true);
    s().markSaved("wf1", 1, { errors: [], warnings: [] });
    expect(isDirty(s())).toBe(false);
    s().rename("Iris");
    expect(isDirty(s())).toBe(true);
    s().undo();
    expect(isDirty(s())).toBe(false);
  });

  it("keeps only {type, params} in node data and writes explicit ports", () => {
    s().addNode("logistic_regression", { x: 0, y: 0 });
    s().addNode("evaluate", { x: 300, y: 0 });
    s().connect({ source: "logistic_regression", target: "evaluate", sourceHandle: "model", targetHandle: "model" });
    expect(Object.keys(s().nodes[0].data).sort()).toEqual(["params", "type"]);
    const doc = s().toDocument();
    expect(doc.edges).toEqual([{ source: "logistic_regression", target: "evaluate", source_port: "model", target_port: "model" }]);
    expect(doc.schema_version).toBe(1);
  });

  it("refuses invalid connections in the store too", () => {
    s().addNode("load_csv", { x: 0, y: 0 });
    s().addNode("evaluate", { x: 300, y: 0 });
    expect(s().connect({ source: "load_csv", target: "evaluate", sourceHandle: "data", targetHandle: "model" }).ok).toBe(false);
    expect(s().edges).toHaveLength(0);
    expect(s().past).toHaveLength(2);
  });

  it("renames a node and rewires its edges", () => {
    s().addNode("load_csv", { x: 0, y: 0 });
    s().addNode("normalize", { x: 300, y: 0 });
    s().connect({ source: "load_csv", target: "normalize", sourceHandle: "data", targetHandle: "data" });
    expect(s().renameNode("load_csv", "load")).toBe("load");
    expect(s().edges[0].source).toBe("load");
    expect(s().renameNode("load", "normalize")).toBeNull();
  });

  it("run events update per-node status", () => {
    s().addNode("load_csv", { x: 0, y: 0 });
    s().startRun("r1", null, ["load_csv"]);
    expect(s().run!.nodes.load_csv.status).toBe("queued");
    s().applyRunEvent("load_csv", { status: "running" });
    s().applyRunEvent("load_csv", { status: "succeeded", seconds: 0.1 });
    expect(s().run!.nodes.load_csv).toEqual({ status: "succeeded", seconds: 0.1 });
  });
});
