import { describe, expect, it } from "vitest";
import { errorMessage } from "../src/api/client";
import { normalizeArtifact, normalizeDataset, normalizeNodeOutput, normalizeRun, normalizeValidation, normalizeWorkflow, toStatus } from "../src/api/normalize";

// Samples in the shapes the server (src/flowza/api) returns.
describe("mapping of the server's JSON", () => {
  it("reads a workflow record with its document and validation", () => {
    const rec = normalizeWorkflow({
      id: "w1",
      name: "Iris",
      version: 3,
      document: { schema_version: 1, name: "Iris", nodes: [{ id: "load", type: "load_csv", params: {} }], edges: [] },
      validation: { valid: false, errors: [{ level: "error", code: "invalid_param", message: "bad", node_id: "split", field: "test_size" }], warnings: [] },
    });
    expect(rec.version).toBe(3);
    expect(rec.document.nodes).toHaveLength(1);
    expect(rec.validation.errors[0]).toMatchObject({ node_id: "split", field: "test_size", message: "bad" });
    expect(normalizeValidation(null)).toEqual({ errors: [], warnings: [] });
  });

  it("reads a run document, live or finished", () => {
    const run = normalizeRun({
      id: "r1",
      status: "running",
      nodes: { load: { status: "succeeded", seconds: 0.1, error: null, reason: "no cache entry" }, split: { status: "pending" } },
      metrics: { eval: { accuracy: 0.9 } },
    });
    expect(run.nodes.load).toEqual({ status: "succeeded", seconds: 0.1, error: null, reason: "no cache entry" });
    expect(run.nodes.split.status).toBe("pending");
    expect(run.metrics.eval.accuracy).toBe(0.9);
    expect(run.warnings).toEqual([]);
    expect(toStatus("error")).toBe("failed");
    expect(toStatus("cached")).toBe("cached");
  });

  it("reads the lint warnings of a finished run", () => {
    const run = normalizeRun({
      id: "r2",
      status: "succeeded",
      nodes: {},
      metrics: { eval: { accuracy: 1 } },
      warnings: [{ level: "warning", code: "target_leak", message: "column 'alive' is identical to or derived from the target 'survived'", node_id: "model", field: null }],
    });
    expect(run.warnings).toEqual([{ level: "warning", code: "target_leak", message: "column 'alive' is identical to or derived from the target 'survived'", node_id: "model", field: null }]);
  });

  it("reads a table page of a node output with its split", () => {
    const out = normalizeNodeOutput(
      {
        run_id: "r1", node_id: "split", port: "data", ports: ["data"], kind: "table",
        columns: [{ name: "a", dtype: "int64" }, { name: "b", dtype: "str" }], rows: [[1, "x"], [2, null]],
        offset: 0, limit: 50, total_rows: 891, target: "b", part: "all", split: { train_rows: 712, test_rows: 179 }, steps: [],
      },
      "split", 0, 50,
    );
    expect(out.table).toMatchObject({ columns: ["a", "b"], total: 891, target: "b", split: { train_rows: 712, test_rows: 179 } });
    expect(out.table!.rows[1]).toEqual([2, null]);
    const m = normalizeNodeOutput({ kind: "metrics", port: "metrics", ports: ["metrics"], metrics: { accuracy: 1 } }, "eval", 0, 50);
    expect(m.metrics).toEqual({ accuracy: 1 });
  });

  it("reads datasets, their profile and artifacts", () => {
    const ds = normalizeDataset({ id: "d1", name: "iris.csv", rows: 150, columns: 5, size_bytes: 3858, profile: { rows: 150, columns: [{ name: "species", dtype: "str", kind: "text", missing: 0, distinct: 3, top: [{ value: "setosa", count: 50 }] }] } });
    expect(ds).toMatchObject({ id: "d1", rows: 150, columns: 5 });
    expect(ds.profile!.columns[0].top).toEqual([{ value: "setosa", count: 50 }]);
    const art = normalizeArtifact({ id: "a1", node_id: "split", port: "data", kind: "table", downloads: { csv: "/x?format=csv", parquet: "/x?format=parquet" } });
    expect(Object.keys(art.downloads)).toEqual(["csv", "parquet"]);
  });

  it("turns FastAPI errors into one sentence", () => {
    expect(errorMessage({ detail: "no workflow 'x'" }, 404)).toBe("no workflow 'x'");
    expect(errorMessage({ detail: [{ loc: ["body", "prompt"], msg: "Field required" }] }, 422)).toBe("prompt: Field required");
    expect(errorMessage(null, 0)).toMatch(/cannot be reached/);
    expect(errorMessage(null, 500)).toMatch(/HTTP 500/);
  });
});
