// @vitest-environment happy-dom
// The editor's panels sit in error boundaries: one panel's crash shows a message and "Reload panel"
// in its place, and the rest of the page stays (issue 23: a crash in the results drawer blanked it).
import { act, useEffect, useState, type ReactNode } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PanelBoundary } from "../src/panels/PanelBoundary";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let container: HTMLDivElement;
let root: Root;
let caught: unknown[];

beforeEach(() => {
  container = document.createElement("div");
  document.body.appendChild(container);
  caught = [];
  root = createRoot(container, { onCaughtError: (error) => void caught.push(error) });
});

afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

const render = (ui: ReactNode) => act(() => root.render(ui));
const byTestId = (id: string) => container.querySelector(`[data-testid="${id}"]`);

let shouldThrow = true;

function Fragile() {
  if (shouldThrow) throw new Error("cannot read the run");
  return <p data-testid="fragile">the panel's content</p>;
}

function Layout({ children }: { children: ReactNode }) {
  return (
    <div>
      <header data-testid="topbar">top bar</header>
      {children}
    </div>
  );
}

describe("PanelBoundary", () => {
  it("shows the crash in the panel's place and keeps the rest of the page", () => {
    shouldThrow = true;
    render(
      <Layout>
        <PanelBoundary name="results" className="drawer">
          <Fragile />
        </PanelBoundary>
      </Layout>,
    );
    const crash = byTestId("panel-crash");
    expect(crash).not.toBeNull();
    expect(crash!.getAttribute("data-panel")).toBe("results");
    expect(crash!.classList.contains("drawer")).toBe(true);
    expect(crash!.textContent).toContain("The results panel stopped working.");
    expect(crash!.textContent).toContain("cannot read the run");
    expect(byTestId("topbar")?.textContent).toBe("top bar");
    expect(byTestId("fragile")).toBeNull();
    expect(caught).toHaveLength(1);
  });

  it("mounts the panel afresh when Reload panel is pressed", () => {
    shouldThrow = true;
    render(
      <PanelBoundary name="inspector">
        <Fragile />
      </PanelBoundary>,
    );
    expect(byTestId("panel-crash")).not.toBeNull();
    shouldThrow = false;
    act(() => (byTestId("panel-reload") as HTMLButtonElement).click());
    expect(byTestId("panel-crash")).toBeNull();
    expect(byTestId("fragile")?.textContent).toBe("the panel's content");
  });

  it("catches an effect that returns something other than a cleanup function", () => {
    // the shape of the Log tab's bug: the returned value is called as the cleanup on the next change
    let bump: () => void = () => undefined;
    function BadEffect() {
      const [n, setN] = useState(0);
      bump = () => setN((v) => v + 1);
      useEffect(() => Promise.resolve(n) as unknown as () => void, [n]);
      return <p data-testid="bad-effect">{n}</p>;
    }
    render(
      <Layout>
        <PanelBoundary name="results">
          <BadEffect />
        </PanelBoundary>
      </Layout>,
    );
    expect(byTestId("bad-effect")?.textContent).toBe("0");
    act(() => bump());
    expect(byTestId("panel-crash")?.textContent).toContain("stopped working");
    expect(byTestId("topbar")).not.toBeNull();
    expect(caught.length).toBeGreaterThan(0);
    expect(caught.every((e) => e instanceof TypeError)).toBe(true);
  });

  it("renders its children untouched while nothing fails", () => {
    shouldThrow = false;
    render(
      <PanelBoundary name="canvas">
        <Fragile />
      </PanelBoundary>,
    );
    expect(byTestId("fragile")).not.toBeNull();
    expect(byTestId("panel-crash")).toBeNull();
    expect(caught).toEqual([]);
  });
});
