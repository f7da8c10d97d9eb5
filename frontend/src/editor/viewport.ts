// Where the graph sits in the canvas. The minimap and the zoom controls float over the canvas's
// bottom corners, and the results drawer takes height from the canvas when it opens: fitting keeps
// the nodes above that bottom band, the minimap is shown only when the canvas has room for it, and
// a canvas that shrinks under a graph that was in view brings the graph back into view.
import { useReactFlow, useStoreApi, type FitViewOptions, type Rect, type Viewport } from "@xyflow/react";
import { useCallback } from "react";

/** The minimap's size and its distance from the canvas's edges (React Flow's panel margin). */
export const MINIMAP = { width: 170, height: 110, margin: 15 } as const;
/** The zoom controls (three buttons) in the bottom-left corner, with their margin. */
const CONTROLS_HEIGHT = 95;
/** Below this canvas size the minimap would crowd the graph: it is hidden. */
const MINIMAP_MIN = { width: 600, height: 420 } as const;
const GAP = 12;

export interface Size {
  width: number;
  height: number;
}

export function showMinimap(canvas: Size): boolean {
  return canvas.width >= MINIMAP_MIN.width && canvas.height >= MINIMAP_MIN.height;
}

/** How many pixels at the bottom of the canvas the floating minimap and controls take. */
export function overlayBand(canvas: Size): number {
  return (showMinimap(canvas) ? MINIMAP.height + MINIMAP.margin : CONTROLS_HEIGHT) + GAP;
}

/** Padding for fitView: a little air on every side, and the bottom band left free. */
export function fitPadding(canvas: Size): NonNullable<FitViewOptions["padding"]> {
  const side = (length: number) => Math.round(Math.max(24, length * 0.07));
  return {
    top: `${side(canvas.height)}px`,
    left: `${side(canvas.width)}px`,
    right: `${side(canvas.width)}px`,
    bottom: `${Math.max(side(canvas.height), overlayBand(canvas))}px`,
  };
}

/** Whether the nodes' bounds (flow coordinates), seen through the viewport, lie inside the canvas
 * and, when `band` is given, above the bottom band where the minimap and controls float. */
export function graphInView(bounds: Rect, viewport: Viewport, canvas: Size, band = 0): boolean {
  const left = bounds.x * viewport.zoom + viewport.x;
  const top = bounds.y * viewport.zoom + viewport.y;
  const right = left + bounds.width * viewport.zoom;
  const bottom = top + bounds.height * viewport.zoom;
  return left >= 0 && top >= 0 && right <= canvas.width && bottom <= canvas.height - band;
}

/** Fits the graph into the canvas, above the minimap and controls. */
export function useFitGraph(): (options?: { maxZoom?: number; duration?: number }) => void {
  const { fitView } = useReactFlow();
  const store = useStoreApi();
  return useCallback(
    ({ maxZoom = 1.1, duration = 250 } = {}) => {
      const { width, height } = store.getState();
      void fitView({ padding: fitPadding({ width, height }), maxZoom, duration });
    },
    [fitView, store],
  );
}
