// @vitest-environment happy-dom
// The run's lint warnings are shown with its results (issue 23: titanic's `alive` column gave the
// target away, the score was 100%, and the warning was only a small badge on the model node).
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Issue } from "../src/api/types";
import { useEditor } from "../src/editor/store";
import { RunWarnings } from "../src/panels/MetricsView";
import { freshStore } from "./helpers";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let container: HTMLDivElement;
let root: Root;

beforeEach(() => {
  freshStore();
  container = document.createElement("div");
  document.body.appendChild(container);
  root = createRoot(container);
});

afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

const leak: Issue = {
  level: "warning",
  code: "target_leak",
  message: "column 'alive' is identical to or derived from the target 'survived': it gives the answer away - drop it",
  node_id: "logistic_regression",
  field: null,
};

describe("RunWarnings", () => {
  it("lists each warning with its node, and selects the node on a click", () => {
    useEditor.getState().addNode("logistic_regression", { x: 0, y: 0 });
    useEditor.getState().select([]);
    act(() => root.render(<RunWarnings warnings={[leak]} />));
    const box = container.querySelector('[data-testid="run-warnings"]');
    expect(box?.textContent).toContain("Check this before trusting these results");
    expect(box?.textContent).toContain("logistic_regression: column 'alive' is identical to or derived from the target 'survived'");
    expect(box?.querySelector("li")?.getAttribute("data-code")).toBe("target_leak");
    act(() => (box!.querySelector("button") as HTMLButtonElement).click());
    expect(useEditor.getState().nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(["logistic_regression"]);
  });

  it("counts several warnings and shows nothing without any", () => {
    const id: Issue = { code: "identifier_feature", message: "column 'name' has a different value on every row", node_id: null };
    act(() => root.render(<RunWarnings warnings={[leak, id]} />));
    expect(container.textContent).toContain("Check these 2 points");
    expect(container.querySelectorAll("li")).toHaveLength(2);
    act(() => root.render(<RunWarnings warnings={[]} />));
    expect(container.querySelector('[data-testid="run-warnings"]')).toBeNull();
  });
});
