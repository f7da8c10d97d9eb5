// The params form, generated from the node's JSON Schema (see editor/schemaForm.ts).
import { useEffect, useState } from "react";
import type { Issue, JsonSchema } from "../api/types";
import { useUi } from "../app/ui";
import { checkValue, effectiveValue, fieldsFromSchema, parseAnyInput, parseNumberInput, type FieldSpec } from "../editor/schemaForm";
import { useEditor } from "../editor/store";
import { formatValue } from "../editor/looks";
import { useDatasets, useUpstreamColumns, type UpstreamColumns } from "./useColumns";

const NULL = "\u0000null";

interface FieldProps {
  field: FieldSpec;
  value: unknown;
  set: (v: unknown) => void;
  columns: UpstreamColumns;
  id: string;
  invalid: boolean;
}

function NumberField({ field, value, set, id, invalid }: FieldProps) {
  const shown = value === null || value === undefined ? "" : String(value);
  const [text, setText] = useState(shown);
  useEffect(() => {
    // follow undo/redo and other outside changes, but not our own half-typed text ("0.")
    if (parseNumberInput(field, text) !== value) setText(shown);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shown]);
  return (
    <input
      id={id}
      type="number"
      className={invalid ? "invalid" : ""}
      value={text}
      min={field.minimum ?? field.exclusiveMinimum}
      max={field.maximum ?? field.exclusiveMaximum}
      step={field.kind === "integer" ? 1 : (field.step ?? "any")}
      placeholder={field.nullable ? "none" : formatValue(field.default)}
      onChange={(e) => {
        setText(e.target.value);
        set(parseNumberInput(field, e.target.value));
      }}
    />
  );
}

function TextField({ field, value, set, id, invalid }: FieldProps) {
  const any = field.kind === "any";
  const list = field.kind === "list";
  const shown = value === null || value === undefined ? "" : Array.isArray(value) ? value.join(", ") : String(value);
  return (
    <input
      id={id}
      type="text"
      className={invalid ? "invalid" : ""}
      value={shown}
      maxLength={field.maxLength}
      placeholder={any ? "empty = none" : list ? "comma, separated, values" : ""}
      onChange={(e) => {
        const t = e.target.value;
        if (any) set(parseAnyInput(t));
        else if (list) set(t.split(",").map((x) => x.trim()).filter(Boolean));
        else set(t);
      }}
    />
  );
}

function SelectField({ field, value, set, id, invalid }: FieldProps) {
  const options = field.options ?? [];
  const current = value === null || value === undefined ? NULL : String(value);
  return (
    <select id={id} className={invalid ? "invalid" : ""} value={current} onChange={(e) => set(e.target.value === NULL ? null : options.find((o) => String(o) === e.target.value))}>
      {field.nullable || value === null || value === undefined ? <option value={NULL}>— none —</option> : null}
      {options.map((o) => (
        <option key={String(o)} value={String(o)}>
          {String(o)}
        </option>
      ))}
    </select>
  );
}

function SwitchField({ field, value, set, id }: FieldProps) {
  const on = value === true;
  return (
    <button id={id} type="button" role="switch" aria-checked={on} className={`switch${on ? " on" : ""}`} onClick={() => set(!on)} aria-label={field.title}>
      <span className="knob" />
    </button>
  );
}

function ColumnField({ field, value, set, columns, id, invalid }: FieldProps) {
  const current = typeof value === "string" ? value : "";
  if (!columns.columns.length) {
    return (
      <>
        <input id={id} type="text" className={invalid ? "invalid" : ""} value={current} placeholder="column name" onChange={(e) => set(e.target.value === "" && field.nullable ? null : e.target.value)} />
        <span className="field-hint">{columns.loading ? "Reading the columns…" : "Connect a Load CSV node with a dataset upstream to pick from its columns."}</span>
      </>
    );
  }
  const missing = current && !columns.columns.includes(current);
  return (
    <select id={id} className={invalid || missing ? "invalid" : ""} value={current} onChange={(e) => set(e.target.value === "" ? (field.nullable ? null : "") : e.target.value)}>
      <option value="">{field.nullable ? "— automatic —" : "Choose a column…"}</option>
      {missing ? <option value={current}>{current} (not in the data)</option> : null}
      {columns.columns.map((c) => (
        <option key={c} value={c}>
          {c}
        </option>
      ))}
    </select>
  );
}

function ColumnsField({ value, set, columns, id }: FieldProps) {
  const chosen = Array.isArray(value) ? (value as string[]) : [];
  const rest = columns.columns.filter((c) => !chosen.includes(c));
  const [typed, setTyped] = useState("");
  return (
    <div className="chips-field" id={id}>
      <div className="chips">
        {chosen.length === 0 ? <span className="chip-empty">none chosen — uses the default</span> : null}
        {chosen.map((c) => (
          <span key={c} className={`chip${columns.columns.length && !columns.columns.includes(c) ? " chip-bad" : ""}`}>
            {c}
            <button type="button" aria-label={`Remove ${c}`} onClick={() => set(chosen.filter((x) => x !== c))}>
              ×
            </button>
          </span>
        ))}
      </div>
      {columns.columns.length ? (
        <select value="" onChange={(e) => e.target.value && set([...chosen, e.target.value])} aria-label="Add a column">
          <option value="">+ Add a column…</option>
          {rest.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      ) : (
        <input
          type="text"
          placeholder="type a column name and press Enter"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && typed.trim()) {
              set([...chosen, typed.trim()]);
              setTyped("");
            }
          }}
        />
      )}
    </div>
  );
}

function DatasetField({ value, set, id, invalid }: FieldProps) {
  const { data: datasets, isLoading } = useDatasets();
  const current = typeof value === "string" ? value : "";
  const setSideTab = useUi((s) => s.setSideTab);
  const known = datasets?.some((d) => d.name === current);
  return (
    <>
      <select id={id} className={invalid || (current && datasets && !known) ? "invalid" : ""} value={current} onChange={(e) => set(e.target.value)}>
        <option value="">{isLoading ? "Loading datasets…" : "Choose a dataset…"}</option>
        {current && datasets && !known ? <option value={current}>{current} (not uploaded)</option> : null}
        {datasets?.map((d) => (
          <option key={d.id} value={d.name}>
            {d.name} — {d.rows.toLocaleString()} rows
          </option>
        ))}
      </select>
      <span className="field-links">
        {known ? (
          <button type="button" className="link" onClick={() => useUi.getState().openDataset(datasets!.find((d) => d.name === current)!.id)}>
            Preview & profile
          </button>
        ) : null}
        <button type="button" className="link" onClick={() => setSideTab("datasets")}>
          Upload a dataset…
        </button>
      </span>
    </>
  );
}

const WIDGETS: Record<FieldSpec["kind"], (p: FieldProps) => React.ReactNode> = {
  select: SelectField,
  switch: SwitchField,
  number: NumberField,
  integer: NumberField,
  text: TextField,
  list: TextField,
  any: TextField,
  column: ColumnField,
  columns: ColumnsField,
  dataset: DatasetField,
};

export function ParamsForm({ nodeId, schema, params, issues }: { nodeId: string; schema: JsonSchema; params: Record<string, unknown>; issues: Issue[] }) {
  const setParam = useEditor((s) => s.setParam);
  const columns = useUpstreamColumns(nodeId);
  const fields = fieldsFromSchema(schema);
  if (!fields.length) return <div className="empty small">This node has no settings.</div>;
  return (
    <form className="params-form" onSubmit={(e) => e.preventDefault()} data-testid="params-form">
      {fields.map((field) => {
        const value = effectiveValue(field, params);
        const serverIssue = issues.find((i) => i.field === field.name || i.field?.split(".")[0] === field.name);
        const localMessage = field.name in params ? checkValue(field, value) : null;
        const id = `param-${nodeId}-${field.name}`;
        const Widget = WIDGETS[field.kind];
        const message = serverIssue?.message ?? localMessage;
        return (
          <div key={field.name} className={`field field-${field.kind}${message ? " has-error" : ""}`} data-field={field.name}>
            <label htmlFor={id}>
              {field.title}
              {field.name in params && params[field.name] !== field.default ? (
                <button type="button" className="reset" title="Back to the default" onClick={() => setParam(nodeId, field.name, undefined)}>
                  reset
                </button>
              ) : null}
            </label>
            <div className="field-input">
              <Widget field={field} value={value} set={(v) => setParam(nodeId, field.name, v)} columns={columns} id={id} invalid={!!message} />
            </div>
            {message ? (
              <div className={`field-error${serverIssue?.level === "warning" ? " warn" : ""}`} data-testid={`field-error-${field.name}`} role="alert">
                {message}
              </div>
            ) : field.description ? (
              <div className="field-desc">{field.description}</div>
            ) : null}
          </div>
        );
      })}
    </form>
  );
}
