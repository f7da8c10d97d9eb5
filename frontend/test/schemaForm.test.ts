import { describe, expect, it } from "vitest";
import { checkValue, fieldsFromSchema, parseAnyInput, parseNumberInput } from "../src/editor/schemaForm";
import { catalog } from "./helpers";

const fields = (type: string) => Object.fromEntries(fieldsFromSchema(catalog[type].params_schema).map((f) => [f.name, f]));

describe("form generation from JSON Schema", () => {
  it("maps enums to selects, booleans to switches and numbers with their bounds", () => {
    const split = fields("train_test_split");
    expect(split.target.kind).toBe("column");
    expect(split.stratify.kind).toBe("switch");
    expect(split.test_size).toMatchObject({ kind: "number", exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.2 });
    expect(split.seed).toMatchObject({ kind: "integer", minimum: 0 });
    const norm = fields("normalize");
    expect(norm.method).toMatchObject({ kind: "select", options: ["standard", "minmax", "robust"] });
    expect(norm.columns.kind).toBe("columns");
  });

  it("uses the dataset picker and keeps titles and descriptions", () => {
    const load = fields("load_csv");
    expect(load.dataset.kind).toBe("dataset");
    expect(load.dataset.title).toBe("Dataset");
    expect(load.dataset.description).toMatch(/CSV/);
    expect(load.separator.kind).toBe("text");
  });

  it("unwraps nullable unions", () => {
    const lr = fields("logistic_regression");
    expect(lr.target).toMatchObject({ kind: "column", nullable: true });
    expect(lr.class_weight).toMatchObject({ kind: "select", nullable: true, options: ["balanced"] });
    const rf = fields("random_forest");
    expect(rf.max_depth).toMatchObject({ kind: "integer", nullable: true, minimum: 1, maximum: 1000 });
    expect(fields("impute").fill_value.kind).toBe("any");
  });

  it("checks values against the bounds with plain messages", () => {
    const split = fields("train_test_split");
    expect(checkValue(split.test_size, 0.3)).toBeNull();
    expect(checkValue(split.test_size, 5)).toBe("Must be less than 1.");
    expect(checkValue(split.test_size, 0)).toBe("Must be greater than 0.");
    expect(checkValue(split.seed, 1.5)).toMatch(/whole number/);
    expect(checkValue(fields("normalize").method, "zscore")).toMatch(/Choose one of/);
    expect(checkValue(fields("export_model").name, "bad name!")).toMatch(/not allowed/);
    expect(checkValue(fields("logistic_regression").target, null)).toBeNull();
  });

  it("parses typed input", () => {
    const rf = fields("random_forest");
    expect(parseNumberInput(rf.max_depth, "")).toBeNull();
    expect(parseNumberInput(rf.n_estimators, "")).toBeUndefined();
    expect(parseNumberInput(rf.n_estimators, "12")).toBe(12);
    expect(parseAnyInput("3.5")).toBe(3.5);
    expect(parseAnyInput("missing")).toBe("missing");
    expect(parseAnyInput("")).toBeNull();
  });

  it("returns no fields for a node without params", () => {
    expect(fieldsFromSchema(catalog.evaluate.params_schema)).toEqual([]);
  });
});
