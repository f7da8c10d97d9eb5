import { describe, expect, it } from "vitest";
import { fitPadding, graphInView, MINIMAP, overlayBand, showMinimap } from "../src/editor/viewport";

const px = (v: unknown) => Number(String(v).replace("px", ""));

describe("canvas viewport", () => {
  it("shows the minimap only on a canvas with room for it", () => {
    expect(showMinimap({ width: 1300, height: 700 })).toBe(true);
    expect(showMinimap({ width: 1300, height: 380 })).toBe(false); // a tall results drawer
    expect(showMinimap({ width: 500, height: 700 })).toBe(false);
  });

  it("fits the graph above the band where the minimap floats", () => {
    const canvas = { width: 1300, height: 700 };
    const padding = fitPadding(canvas) as Record<string, string>;
    expect(px(padding.bottom)).toBeGreaterThanOrEqual(MINIMAP.height + MINIMAP.margin);
    expect(px(padding.bottom)).toBe(overlayBand(canvas));
    expect(px(padding.top)).toBeLessThan(px(padding.bottom));
    // without the minimap only the zoom controls need room
    expect(overlayBand({ width: 1300, height: 380 })).toBeLessThan(overlayBand(canvas));
  });

  it("tells whether the nodes are in view, above the bottom band", () => {
    const bounds = { x: 0, y: 0, width: 1000, height: 100 };
    const viewport = { x: 100, y: 500, zoom: 1 }; // the nodes span y 500..600 on screen
    expect(graphInView(bounds, viewport, { width: 1300, height: 700 })).toBe(true);
    // the drawer opened: the canvas is 560 high, the nodes' bottom edge is hidden
    expect(graphInView(bounds, viewport, { width: 1300, height: 560 })).toBe(false);
    // still inside the canvas, but under the minimap's band
    expect(graphInView(bounds, viewport, { width: 1300, height: 650 }, overlayBand({ width: 1300, height: 650 }))).toBe(false);
    expect(graphInView(bounds, { ...viewport, zoom: 0.5, y: 100 }, { width: 1300, height: 650 }, 137)).toBe(true);
    expect(graphInView(bounds, { x: -10, y: 0, zoom: 1 }, { width: 1300, height: 700 })).toBe(false);
  });
});
