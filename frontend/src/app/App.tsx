// The editor's layout (DESIGN.md §11): top bar, palette/datasets on the left, canvas, inspector on
// the right, results drawer at the bottom.
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api, ApiError, auth } from "../api/client";
import { Canvas } from "../editor/Canvas";
import { isDirty, useEditor } from "../editor/store";
import { DatasetDialog, DatasetsPanel } from "../panels/DatasetsPanel";
import { ConfirmDialog, GenerateDialog, LoginDialog, ShortcutsDialog, TemplatesDialog, Toasts, VersionsDialog, WorkflowsDialog } from "../panels/Dialogs";
import { Inspector } from "../panels/Inspector";
import { PanelBoundary } from "../panels/PanelBoundary";
import { Palette } from "../panels/Palette";
import { ResultsDrawer } from "../panels/ResultsDrawer";
import { restoreSession, saveDraft } from "./actions";
import { keys } from "./query";
import { useShortcuts } from "./shortcuts";
import { TopBar } from "./TopBar";
import { useUi } from "./ui";

function SidePanel({ loading, error }: { loading: boolean; error: string | null }) {
  const tab = useUi((s) => s.sideTab);
  const setTab = useUi((s) => s.setSideTab);
  return (
    <aside className="side">
      <div className="side-tabs">
        <button className={tab === "nodes" ? "on" : ""} onClick={() => setTab("nodes")} data-testid="tab-nodes">Nodes</button>
        <button className={tab === "datasets" ? "on" : ""} onClick={() => setTab("datasets")} data-testid="tab-datasets">Datasets</button>
      </div>
      {/* both stay mounted, so an upload in progress survives switching tabs */}
      <div className="side-pane" hidden={tab !== "nodes"}>
        <PanelBoundary name="nodes">
          <Palette loading={loading} error={error} />
        </PanelBoundary>
      </div>
      <div className="side-pane" hidden={tab !== "datasets"}>
        <PanelBoundary name="datasets">
          <DatasetsPanel />
        </PanelBoundary>
      </div>
    </aside>
  );
}

function Dialogs() {
  const dialog = useUi((s) => s.dialog);
  return (
    <>
      {dialog === "workflows" ? <WorkflowsDialog /> : null}
      {dialog === "templates" ? <TemplatesDialog /> : null}
      {dialog === "versions" ? <VersionsDialog /> : null}
      {dialog === "generate" ? <GenerateDialog /> : null}
      {dialog === "shortcuts" ? <ShortcutsDialog /> : null}
      {dialog === "dataset" ? <DatasetDialog /> : null}
      <ConfirmDialog />
      <LoginDialog />
    </>
  );
}

/** Asks the server to check the workflow as it is edited (POST /validate saves nothing), so that
 * markers on the nodes and messages beside the fields follow the edits without pressing Save. */
function useLiveValidation(ready: boolean): void {
  useEffect(() => {
    if (!ready) return;
    let timer: number | undefined;
    let lastChecked = "";
    let seq = 0;
    const check = async () => {
      const s = useEditor.getState();
      // positions do not change validity: leave them out of what triggers a check
      const doc = s.toDocument();
      const key = JSON.stringify({ n: doc.nodes.map((n) => [n.id, n.type, n.params]), e: doc.edges });
      if (key === lastChecked || !doc.nodes.length) return;
      lastChecked = key;
      const mine = ++seq;
      try {
        const report = await api.validate(doc);
        if (mine === seq) useEditor.getState().setValidation(report);
      } catch {
        lastChecked = ""; // a server without /validate, or offline: the save still validates
      }
    };
    const unsubscribe = useEditor.subscribe((s, prev) => {
      if (s.nodes === prev.nodes && s.edges === prev.edges) return;
      window.clearTimeout(timer);
      timer = window.setTimeout(() => void check(), 500);
    });
    return () => {
      unsubscribe();
      window.clearTimeout(timer);
    };
  }, [ready]);
}

/** Autosaves the draft to localStorage and guards against leaving with unsaved changes. */
function useDraftGuard(ready: boolean): void {
  useEffect(() => {
    if (!ready) return;
    let timer: number | undefined;
    const unsubscribe = useEditor.subscribe((s, prev) => {
      if (s.nodes === prev.nodes && s.edges === prev.edges && s.name === prev.name && s.description === prev.description && s.savedSignature === prev.savedSignature) return;
      window.clearTimeout(timer);
      timer = window.setTimeout(saveDraft, 300);
    });
    const beforeUnload = (e: BeforeUnloadEvent) => {
      saveDraft();
      if (isDirty(useEditor.getState())) {
        e.preventDefault();
        e.returnValue = "";
      }
    };
    window.addEventListener("beforeunload", beforeUnload);
    return () => {
      unsubscribe();
      window.removeEventListener("beforeunload", beforeUnload);
      window.clearTimeout(timer);
    };
  }, [ready]);
}

auth.onUnauthorized(() => useUi.getState().setLogin(true));

export function App() {
  const nodes = useQuery({ queryKey: keys.nodes, queryFn: api.nodes, staleTime: Infinity });
  const [ready, setReady] = useState(false);
  useShortcuts();
  useDraftGuard(ready);
  useLiveValidation(ready);
  useEffect(() => {
    if (!nodes.data || ready) return;
    useEditor.getState().setCatalog(nodes.data);
    void restoreSession().finally(() => setReady(true));
  }, [nodes.data, ready]);
  return (
    <div className="app" data-ready={ready ? "true" : "false"}>
      <TopBar />
      <div className="main">
        <SidePanel loading={nodes.isLoading} error={nodes.error ? (nodes.error as Error).message : null} />
        <div className="center">
          {nodes.error && !(nodes.error instanceof ApiError && nodes.error.status === 401) ? (
            <div className="canvas-empty">
              <div className="canvas-empty-card">
                <h2>Cannot reach the Flowza server</h2>
                <p>{(nodes.error as Error).message}</p>
                <button className="btn primary" onClick={() => void nodes.refetch()}>Try again</button>
              </div>
            </div>
          ) : (
            <PanelBoundary name="canvas" className="canvas">
              <Canvas />
            </PanelBoundary>
          )}
          <PanelBoundary name="results" className="drawer">
            <ResultsDrawer />
          </PanelBoundary>
        </div>
        <aside className="inspector">
          <PanelBoundary name="inspector">
            <Inspector />
          </PanelBoundary>
        </aside>
      </div>
      <Dialogs />
      <Toasts />
    </div>
  );
}
