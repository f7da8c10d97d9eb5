// The bottom drawer: the selected node's output, the run history and the run log; resizable and
// collapsible, with the last run's metrics shown when collapsed.
import { useEffect, useRef } from "react";
import { useUi, type DrawerTab } from "../app/ui";
import { useEditor } from "../editor/store";
import { MetricCards } from "./MetricsView";
import { OutputTab } from "./OutputView";
import { RunHistory } from "./RunHistory";

function LogTab() {
  const log = useUi((s) => s.log);
  const clear = useUi((s) => s.clearLog);
  const end = useRef<HTMLDivElement>(null);
  // A block body: an effect may return only a cleanup function, and scrollIntoView returns a
  // Promise in current Chromium, which React would later call as the cleanup (a blank page).
  useEffect(() => {
    end.current?.scrollIntoView({ block: "end" });
  }, [log.length]);
  if (!log.length) return <div className="empty">Run events appear here.</div>;
  return (
    <div className="log">
      <button className="btn small log-clear" onClick={clear}>Clear</button>
      {log.map((l, i) => (
        <div key={i} className={`log-line log-${l.kind}`}>
          <span className="log-time">{l.time}</span> {l.text}
        </div>
      ))}
      <div ref={end} />
    </div>
  );
}

export function ResultsDrawer() {
  const open = useUi((s) => s.drawerOpen);
  const height = useUi((s) => s.drawerHeight);
  const tab = useUi((s) => s.drawerTab);
  const setDrawer = useUi((s) => s.setDrawer);
  const setHeight = useUi((s) => s.setDrawerHeight);
  const run = useEditor((s) => s.run);
  const metrics = run ? Object.values(run.metrics)[0] : undefined;
  const warnings = run?.warnings.length ?? 0;
  const startDrag = (e: React.PointerEvent) => {
    const startY = e.clientY;
    const startH = height;
    const move = (ev: PointerEvent) => setHeight(startH + (startY - ev.clientY));
    const up = () => {
      window.removeEventListener("pointermove", move);
      window.removeEventListener("pointerup", up);
    };
    window.addEventListener("pointermove", move);
    window.addEventListener("pointerup", up);
  };
  const tabs: [DrawerTab, string][] = [["output", "Results"], ["history", "Run history"], ["log", "Log"]];
  return (
    <section className={`drawer${open ? " open" : ""}`} style={{ height: open ? height : 38, ["--drawer-h" as string]: `${height}px` }} data-testid="results-drawer">
      {open ? <div className="drawer-resize" onPointerDown={startDrag} title="Drag to resize" /> : null}
      <div className="drawer-head">
        {tabs.map(([t, label]) => (
          <button key={t} className={`drawer-tab${open && tab === t ? " on" : ""}`} onClick={() => setDrawer(!(open && tab === t), t)} data-testid={`drawer-tab-${t}`}>
            {label}
          </button>
        ))}
        {metrics && !open ? (
          <span className="drawer-summary">
            <MetricCards metrics={metrics} compact />
          </span>
        ) : null}
        {warnings && !open ? (
          <button className="drawer-warnings" onClick={() => setDrawer(true, "output")} data-testid="drawer-warnings" title="The run's warnings: open the results">
            ⚠ {warnings} warning{warnings > 1 ? "s" : ""}
          </button>
        ) : null}
        <span className="spacer" />
        <button className="icon-btn" onClick={() => setDrawer(!open)} aria-label={open ? "Collapse results" : "Expand results"} title={open ? "Collapse" : "Expand"}>
          {open ? "▾" : "▴"}
        </button>
      </div>
      {open ? (
        <div className="drawer-body">
          {tab === "output" ? <OutputTab /> : tab === "history" ? <RunHistory /> : <LogTab />}
        </div>
      ) : null}
    </section>
  );
}
