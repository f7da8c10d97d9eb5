// The node palette: every node of GET /nodes, grouped by category, searchable, dragged onto the canvas.
import { useMemo, useState, type DragEvent } from "react";
import type { NodeSpec } from "../api/types";
import { PALETTE_MIME } from "../editor/Canvas";
import { CATEGORY_ORDER, categoryColor, categoryIcon } from "../editor/looks";
import { useEditor } from "../editor/store";
import { useReactFlow } from "@xyflow/react";

function matches(spec: NodeSpec, q: string): boolean {
  if (!q) return true;
  const hay = `${spec.title} ${spec.type} ${spec.category} ${spec.description}`.toLowerCase();
  return q.toLowerCase().split(/\s+/).every((w) => hay.includes(w));
}

export function Palette({ loading, error }: { loading: boolean; error: string | null }) {
  const catalog = useEditor((s) => s.catalog);
  const [query, setQuery] = useState("");
  const [collapsed, setCollapsed] = useState<Record<string, boolean>>({});
  const { screenToFlowPosition } = useReactFlow();

  const groups = useMemo(() => {
    const byCat = new Map<string, NodeSpec[]>();
    for (const spec of Object.values(catalog)) {
      if (!matches(spec, query)) continue;
      byCat.set(spec.category, [...(byCat.get(spec.category) ?? []), spec]);
    }
    const order = (c: string) => (CATEGORY_ORDER.indexOf(c) === -1 ? 99 : CATEGORY_ORDER.indexOf(c));
    return [...byCat.entries()].sort((a, b) => order(a[0]) - order(b[0]) || a[0].localeCompare(b[0]));
  }, [catalog, query]);

  const onDragStart = (event: DragEvent, type: string) => {
    event.dataTransfer.setData(PALETTE_MIME, type);
    event.dataTransfer.setData("text/plain", type);
    event.dataTransfer.effectAllowed = "copy";
  };

  /** Double-click (or Enter) adds the node in the middle of the visible canvas. */
  const addCentered = (type: string) => {
    const canvas = document.querySelector(".canvas")?.getBoundingClientRect();
    const center = canvas ? { x: canvas.left + canvas.width / 2, y: canvas.top + canvas.height / 2 } : { x: 400, y: 300 };
    const pos = screenToFlowPosition(center);
    const jitter = (useEditor.getState().nodes.length % 5) * 24;
    useEditor.getState().addNode(type, { x: pos.x - 100 + jitter, y: pos.y - 40 + jitter });
  };

  return (
    <div className="palette" data-testid="palette">
      <input
        className="search"
        type="search"
        placeholder="Search nodes…"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        aria-label="Search nodes"
      />
      <div className="palette-hint">Drag a node onto the canvas, or double-click it.</div>
      {loading ? <div className="empty small">Loading nodes…</div> : null}
      {error ? <div className="empty small error-text">Could not load the node catalog: {error}</div> : null}
      {!loading && !error && groups.length === 0 ? <div className="empty small">No node matches “{query}”.</div> : null}
      <div className="palette-groups">
        {groups.map(([category, specs]) => (
          <section key={category} className="palette-group">
            <button className="palette-cat" onClick={() => setCollapsed({ ...collapsed, [category]: !collapsed[category] })} aria-expanded={!collapsed[category]}>
              <span className="dot" style={{ background: categoryColor(category) }} />
              {category}
              <span className="count">{specs.length}</span>
              <span className="chev">{collapsed[category] ? "▸" : "▾"}</span>
            </button>
            {collapsed[category] && !query
              ? null
              : specs.map((spec) => (
                  <div
                    key={spec.type}
                    className="palette-item"
                    draggable
                    onDragStart={(e) => onDragStart(e, spec.type)}
                    onDoubleClick={() => addCentered(spec.type)}
                    onKeyDown={(e) => e.key === "Enter" && addCentered(spec.type)}
                    tabIndex={0}
                    role="button"
                    data-testid={`palette-${spec.type}`}
                    title={`${spec.description}\n\nDrag onto the canvas, or double-click to add.`}
                    style={{ ["--cat" as string]: categoryColor(spec.category) }}
                  >
                    <span className="palette-icon">{categoryIcon(spec.category)}</span>
                    <span className="palette-text">
                      <span className="palette-title">{spec.title}</span>
                      <span className="palette-desc">{spec.description}</span>
                    </span>
                  </div>
                ))}
          </section>
        ))}
      </div>
    </div>
  );
}
