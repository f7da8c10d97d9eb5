// The canvas: React Flow wired to the store, drop-to-add from the palette, connection checks
// while dragging, and the empty state that teaches where to start.
import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  useStore,
  type Connection,
  type Edge,
  type FinalConnectionState,
  type IsValidConnection,
} from "@xyflow/react";
import { useCallback, useEffect, useRef, useState, type DragEvent } from "react";
import { runWorkflow } from "../app/runs";
import { isRunActive } from "../app/runState";
import { useEditor } from "./store";
import { FlowNodeView } from "./FlowNodeView";
import type { FlowNode } from "./graph";
import { categoryColor, PORT_COLORS } from "./looks";
import { fitPadding, graphInView, MINIMAP, overlayBand, showMinimap, useFitGraph, type Size } from "./viewport";
import { useUi } from "../app/ui";

export const PALETTE_MIME = "application/x-flowza-node";
const nodeTypes = { flowza: FlowNodeView };

function EmptyState() {
  const openDialog = useUi((s) => s.openDialog);
  const [prompt, setPrompt] = useState("");
  const submit = () => prompt.trim() && useUi.getState().askGenerate(prompt.trim());
  return (
    <div className="canvas-empty" data-testid="canvas-empty">
      <div className="canvas-empty-card">
        <h2>Build your first pipeline</h2>
        <p>Drag nodes from the palette on the left — <b>Load CSV</b>, <b>Train/test split</b>, a model and <b>Evaluate</b> — and connect their handles.</p>
        <div className="canvas-empty-actions">
          <button className="btn primary" onClick={() => openDialog("templates")}>Start from a template</button>
        </div>
        <div className="empty-or">or describe it</div>
        <form
          className="empty-prompt"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <input
            type="text"
            value={prompt}
            onChange={(e) => setPrompt(e.target.value)}
            placeholder="e.g. predict survived in titanic.csv with a random forest"
            aria-label="Describe your workflow"
          />
          <button className="btn" type="submit" disabled={!prompt.trim()}>✦ Generate</button>
        </form>
        <p className="hint">Tip: press <kbd>?</kbd> to see keyboard shortcuts.</p>
      </div>
    </div>
  );
}

interface MenuAt {
  nodeId: string;
  x: number;
  y: number;
}

/** Right-click menu of a node: the actions of the inspector, where the pointer is. */
function NodeMenu({ menu, close }: { menu: MenuAt; close: () => void }) {
  useEffect(() => {
    const away = () => close();
    window.addEventListener("mousedown", away);
    window.addEventListener("wheel", away);
    return () => {
      window.removeEventListener("mousedown", away);
      window.removeEventListener("wheel", away);
    };
  }, [close]);
  const act = (fn: () => void) => (e: React.MouseEvent) => {
    e.stopPropagation();
    fn();
    close();
  };
  const s = useEditor.getState();
  return (
    <div className="menu-pop context-menu" style={{ left: menu.x, top: menu.y }} onMouseDown={(e) => e.stopPropagation()} data-testid="node-menu">
      <button onClick={act(() => void runWorkflow(menu.nodeId))}>▶ Run up to here</button>
      <button onClick={act(() => useUi.getState().setDrawer(true, "output"))}>Show results</button>
      <hr />
      <button onClick={act(() => s.duplicate())}>Duplicate <kbd>Ctrl+D</kbd></button>
      <button onClick={act(() => s.copy())}>Copy <kbd>Ctrl+C</kbd></button>
      <button onClick={act(() => s.deleteSelected())}>Delete <kbd>Del</kbd></button>
    </div>
  );
}

/** When the canvas shrinks (the results drawer opens or grows, the window gets smaller) under a
 * graph that was in view, fits it again so that no node ends up hidden or under the minimap. */
function useKeepGraphInView(width: number, height: number): void {
  const { getNodes, getNodesBounds, getViewport } = useReactFlow();
  const fitGraph = useFitGraph();
  const settled = useRef<Size | null>(null);
  useEffect(() => {
    if (!width || !height) return;
    const before = settled.current;
    const now = { width, height };
    if (!before) {
      settled.current = now;
      return;
    }
    // wait until a drag of the drawer's edge pauses; `before` stays the size from before it
    const timer = window.setTimeout(() => {
      settled.current = now;
      if (now.width >= before.width && now.height >= before.height) return;
      const nodes = getNodes();
      if (!nodes.length) return;
      const bounds = getNodesBounds(nodes);
      const viewport = getViewport();
      if (graphInView(bounds, viewport, before) && !graphInView(bounds, viewport, now, overlayBand(now))) {
        fitGraph({ maxZoom: viewport.zoom, duration: 200 });
      }
    }, 150);
    return () => window.clearTimeout(timer);
  }, [width, height, getNodes, getNodesBounds, getViewport, fitGraph]);
}

export function Canvas() {
  const nodes = useEditor((s) => s.nodes);
  const edges = useEditor((s) => s.edges);
  const onNodesChange = useEditor((s) => s.onNodesChange);
  const onEdgesChange = useEditor((s) => s.onEdgesChange);
  const running = useEditor((s) => isRunActive(s.run?.status));
  const { screenToFlowPosition } = useReactFlow();
  const fitGraph = useFitGraph();
  const width = useStore((s) => s.width);
  const height = useStore((s) => s.height);
  useKeepGraphInView(width, height);
  const [menu, setMenu] = useState<MenuAt | null>(null);
  const closeMenu = useCallback(() => setMenu(null), []);
  const fitSeq = useUi((s) => s.fitSeq);
  useEffect(() => {
    if (!fitSeq) return;
    // wait a frame or two so that React Flow has measured the new nodes
    const t = window.setTimeout(() => fitGraph(), 80);
    return () => window.clearTimeout(t);
  }, [fitSeq, fitGraph]);

  const isValidConnection: IsValidConnection<Edge> = useCallback((c) => useEditor.getState().checkConnection(c).ok, []);

  const onConnect = useCallback((c: Connection) => {
    const verdict = useEditor.getState().connect(c);
    if (!verdict.ok) useUi.getState().toast("warning", verdict.reason);
  }, []);

  const onConnectEnd = useCallback((_: MouseEvent | TouchEvent, state: FinalConnectionState) => {
    if (state.isValid || !state.fromHandle || !state.toHandle) return;
    const from = state.fromHandle;
    const to = state.toHandle;
    const conn =
      from.type === "source"
        ? { source: from.nodeId, sourceHandle: from.id ?? null, target: to.nodeId, targetHandle: to.id ?? null }
        : { source: to.nodeId, sourceHandle: to.id ?? null, target: from.nodeId, targetHandle: from.id ?? null };
    if (from.type === to.type) {
      useUi.getState().toast("warning", "Connect an output (right side) to an input (left side).");
      return;
    }
    const verdict = useEditor.getState().checkConnection(conn);
    if (!verdict.ok) useUi.getState().toast("warning", `Connection refused: ${verdict.reason}`);
  }, []);

  const onDragOver = useCallback((event: DragEvent) => {
    if (event.dataTransfer.types.includes(PALETTE_MIME)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
    }
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(PALETTE_MIME);
      if (!type) return;
      event.preventDefault();
      const pos = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      useEditor.getState().addNode(type, { x: pos.x - 100, y: pos.y - 30 });
    },
    [screenToFlowPosition],
  );

  const styledEdges = edges.map((e) => {
    const src = nodes.find((n) => n.id === e.source);
    const spec = src && useEditor.getState().catalog[src.data.type];
    const type = spec?.outputs.find((o) => o.name === e.sourceHandle)?.type ?? "data";
    return { ...e, animated: !!running, style: { stroke: PORT_COLORS[type], strokeWidth: e.selected ? 3 : 2 } };
  });

  return (
    <div className="canvas" onDragOver={onDragOver} onDrop={onDrop} data-testid="canvas">
      <ReactFlow<FlowNode, Edge>
        nodes={nodes}
        edges={styledEdges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        onNodeDragStart={() => useEditor.getState().beginDrag()}
        onNodeContextMenu={(event, node) => {
          event.preventDefault();
          const s = useEditor.getState();
          if (!node.selected) s.select([node.id]);
          const box = (event.currentTarget as HTMLElement).closest(".canvas")?.getBoundingClientRect();
          setMenu({ nodeId: node.id, x: event.clientX - (box?.left ?? 0), y: event.clientY - (box?.top ?? 0) });
        }}
        onPaneClick={closeMenu}
        deleteKeyCode={null}
        multiSelectionKeyCode={["Shift", "Meta", "Control"]}
        selectionKeyCode="Shift"
        defaultViewport={{ x: 40, y: 40, zoom: 1 }}
        minZoom={0.2}
        maxZoom={2}
        proOptions={{ hideAttribution: true }}
        connectionRadius={28}
      >
        <Background variant={BackgroundVariant.Dots} gap={18} size={1.3} color="#c9cfdb" />
        {showMinimap({ width, height }) ? (
          <MiniMap
            pannable
            zoomable
            style={{ width: MINIMAP.width, height: MINIMAP.height }}
            nodeColor={(n) => categoryColor(useEditor.getState().catalog[(n as FlowNode).data.type]?.category ?? "")}
            nodeStrokeWidth={3}
          />
        ) : null}
        <Controls showInteractive={false} fitViewOptions={{ padding: fitPadding({ width, height }), maxZoom: 1.1 }} />
      </ReactFlow>
      {nodes.length === 0 ? <EmptyState /> : null}
      {menu ? <NodeMenu menu={menu} close={closeMenu} /> : null}
    </div>
  );
}
