// Colours and labels shared by the palette, the nodes and the legend.
import type { NodeStatus, PortType } from "../api/types";

const CATEGORY_COLORS: Record<string, string> = {
  Data: "#2f80ed",
  Clean: "#e2a03f",
  Preprocess: "#8e6cf1",
  Split: "#19a7a0",
  Train: "#e5568a",
  Evaluate: "#27ae60",
  Export: "#6b7785",
};

export function categoryColor(category: string): string {
  return CATEGORY_COLORS[category] ?? "#6b7785";
}

export const CATEGORY_ORDER = ["Data", "Clean", "Preprocess", "Split", "Train", "Evaluate", "Export"];

export const PORT_COLORS: Record<PortType, string> = {
  data: "#2f80ed",
  model: "#e5568a",
  metrics: "#27ae60",
  file: "#6b7785",
};

export const STATUS_LABELS: Record<NodeStatus, string> = {
  idle: "idle",
  pending: "queued",
  queued: "queued",
  running: "running",
  cached: "cached",
  succeeded: "succeeded",
  failed: "failed",
  skipped: "skipped",
  cancelled: "cancelled",
};

export function categoryIcon(category: string): string {
  const icons: Record<string, string> = {
    Data: "▤",
    Clean: "✧",
    Preprocess: "⚙",
    Split: "⇆",
    Train: "◆",
    Evaluate: "✓",
    Export: "⇪",
  };
  return icons[category] ?? "●";
}

export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "number") {
    if (Number.isInteger(value)) return value.toLocaleString();
    return Math.abs(value) >= 1000 || Math.abs(value) < 0.001 ? value.toPrecision(4) : value.toFixed(4).replace(/0+$/, "").replace(/\.$/, "");
  }
  if (typeof value === "boolean") return value ? "true" : "false";
  if (Array.isArray(value)) return value.length ? value.map(formatValue).join(", ") : "—";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
