// Turns a node's params JSON Schema into a list of form fields, and checks values against it.
// The schema IS the form: there is no per-node UI code.
import type { JsonSchema } from "../api/types";

export type FieldKind = "select" | "switch" | "number" | "integer" | "text" | "column" | "columns" | "dataset" | "list" | "any";

export interface FieldSpec {
  name: string;
  title: string;
  description: string;
  kind: FieldKind;
  /** Choices of a select (enum or const alternatives). */
  options?: unknown[];
  /** The value may be null (pydantic's `X | None`). */
  nullable: boolean;
  required: boolean;
  default: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  step?: number;
}

function humanize(name: string): string {
  const words = name.replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  if (typeof schema.type === "string") return [schema.type];
  if ("const" in schema) return [typeof schema.const === "number" ? "number" : typeof schema.const === "boolean" ? "boolean" : "string"];
  return [];
}

/** Splits `anyOf: [X, {type: null}]` into X plus nullability; other unions stay as they are. */
function unwrapNullable(schema: JsonSchema): { inner: JsonSchema; nullable: boolean; union: JsonSchema[] } {
  const alts = schema.anyOf ?? schema.oneOf;
  if (!alts) {
    const t = typesOf(schema);
    if (t.includes("null") && t.length === 2) return { inner: { ...schema, type: t.find((x) => x !== "null") }, nullable: true, union: [] };
    return { inner: schema, nullable: false, union: [] };
  }
  const nonNull = alts.filter((a) => !typesOf(a).includes("null") || typesOf(a).length > 1);
  const nullable = nonNull.length < alts.length;
  if (nonNull.length === 1) return { inner: { ...nonNull[0], "ui:widget": schema["ui:widget"] ?? nonNull[0]["ui:widget"] }, nullable, union: [] };
  return { inner: schema, nullable, union: nonNull };
}

export function fieldFromSchema(name: string, schema: JsonSchema, required: boolean): FieldSpec {
  const { inner, nullable, union } = unwrapNullable(schema);
  const widget = schema["ui:widget"] ?? inner["ui:widget"];
  const base: FieldSpec = {
    name,
    title: schema.title ?? inner.title ?? humanize(name),
    description: schema.description ?? inner.description ?? "",
    kind: "text",
    nullable,
    required,
    default: schema.default,
  };
  const bounds = (s: JsonSchema) => {
    for (const key of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength"] as const) {
      if (typeof s[key] === "number") base[key] = s[key] as number;
    }
    if (typeof s.pattern === "string") base.pattern = s.pattern;
  };
  if (union.length) {
    // A union of constants is a select; anything else is a free value (number, text or boolean).
    if (union.every((u) => "const" in u || u.enum)) {
      return { ...base, kind: "select", options: union.flatMap((u) => ("const" in u ? [u.const] : (u.enum ?? []))) };
    }
    return { ...base, kind: "any" };
  }
  bounds(inner);
  if (widget === "dataset") return { ...base, kind: "dataset" };
  if (widget === "column") return { ...base, kind: "column" };
  if (widget === "columns") return { ...base, kind: "columns" };
  if (inner.enum) return { ...base, kind: "select", options: inner.enum };
  if ("const" in inner) return { ...base, kind: "select", options: [inner.const] };
  const t = typesOf(inner)[0];
  if (t === "boolean") return { ...base, kind: "switch" };
  if (t === "integer") return { ...base, kind: "integer", step: 1 };
  if (t === "number") return { ...base, kind: "number", step: stepFor(base) };
  if (t === "array") return { ...base, kind: "list" };
  if (t === "string") return { ...base, kind: "text" };
  return { ...base, kind: "any" };
}

function stepFor(f: FieldSpec): number | undefined {
  const hi = f.maximum ?? f.exclusiveMaximum;
  const lo = f.minimum ?? f.exclusiveMinimum;
  if (hi !== undefined && lo !== undefined && hi - lo <= 1) return 0.05;
  return undefined;
}

export function fieldsFromSchema(schema: JsonSchema | undefined): FieldSpec[] {
  if (!schema?.properties) return [];
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([name, prop]) => fieldFromSchema(name, prop, required.has(name)));
}

/** The value the form shows: the param if set, else the schema default. */
export function effectiveValue(field: FieldSpec, params: Record<string, unknown>): unknown {
  return field.name in params ? params[field.name] : field.default;
}

/** Checks a value against the field's schema; returns a message in plain words, or null. */
export function checkValue(field: FieldSpec, value: unknown): string | null {
  if (value === null || value === undefined || value === "") {
    if (value === null && field.nullable) return null;
    if (field.required && (value === undefined || value === "")) return `${field.title} is required.`;
    if (value === "" && field.kind === "text" && field.minLength) return `${field.title} must not be empty.`;
    return null;
  }
  if (field.kind === "number" || field.kind === "integer") {
    if (typeof value !== "number" || Number.isNaN(value)) return `${field.title} must be a number.`;
    if (field.kind === "integer" && !Number.isInteger(value)) return `${field.title} must be a whole number.`;
    if (field.minimum !== undefined && value < field.minimum) return `Must be at least ${field.minimum}.`;
    if (field.maximum !== undefined && value > field.maximum) return `Must be at most ${field.maximum}.`;
    if (field.exclusiveMinimum !== undefined && value <= field.exclusiveMinimum) return `Must be greater than ${field.exclusiveMinimum}.`;
    if (field.exclusiveMaximum !== undefined && value >= field.exclusiveMaximum) return `Must be less than ${field.exclusiveMaximum}.`;
  }
  if (field.kind === "select" && field.options && !field.options.some((o) => o === value)) {
    return `Choose one of: ${field.options.map(String).join(", ")}.`;
  }
  if (typeof value === "string") {
    if (field.maxLength !== undefined && value.length > field.maxLength) return `At most ${field.maxLength} characters.`;
    if (field.minLength !== undefined && value.length < field.minLength) return `At least ${field.minLength} characters.`;
    if (field.pattern) {
      try {
        if (!new RegExp(field.pattern).test(value)) return `${field.title} has characters that are not allowed.`;
      } catch {
        /* a pattern JavaScript cannot read is left to the server */
      }
    }
  }
  return null;
}

/** Reads what was typed into a number box: empty → unset (default) or null when nullable. */
export function parseNumberInput(field: FieldSpec, text: string): unknown {
  if (text.trim() === "") return field.nullable ? null : undefined;
  const n = Number(text);
  return Number.isNaN(n) ? text : n;
}

/** Reads a free value (a union of number, text, boolean, null). */
export function parseAnyInput(text: string): unknown {
  const t = text.trim();
  if (t === "") return null;
  if (t === "true") return true;
  if (t === "false") return false;
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t)) return Number(t);
  return text;
}
