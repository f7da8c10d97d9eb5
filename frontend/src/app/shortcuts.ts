// Keyboard shortcuts of the editor (listed in the "?" dialog).
import { useEffect } from "react";
import { useEditor } from "../editor/store";
import { useFitGraph } from "../editor/viewport";
import { saveWorkflow } from "./actions";
import { runWorkflow } from "./runs";
import { useUi } from "./ui";

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName);
}

export function useShortcuts(): void {
  const fitGraph = useFitGraph();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      const s = useEditor.getState();
      const ui = useUi.getState();
      // Save works everywhere, even while typing in a field.
      if (mod && key === "s") {
        e.preventDefault();
        (document.activeElement as HTMLElement | null)?.blur?.();
        void saveWorkflow();
        return;
      }
      if (mod && key === "enter") {
        e.preventDefault();
        const sel = s.nodes.filter((n) => n.selected);
        void runWorkflow(e.shiftKey && sel.length === 1 ? sel[0].id : null);
        return;
      }
      if (key === "escape") {
        if (ui.confirm) ui.answer(false);
        else if (ui.dialog) ui.openDialog(null);
        else if (!typing(e.target)) s.select([]);
        return;
      }
      if (typing(e.target) || ui.dialog || ui.confirm) return;
      if (mod && key === "z") {
        e.preventDefault();
        if (e.shiftKey) s.redo();
        else s.undo();
      } else if (mod && key === "y") {
        e.preventDefault();
        s.redo();
      } else if (mod && key === "c") {
        s.copy();
      } else if (mod && key === "x") {
        s.copy();
        s.deleteSelected();
      } else if (mod && key === "v") {
        s.paste();
      } else if (mod && key === "d") {
        e.preventDefault();
        s.duplicate();
      } else if (mod && key === "a") {
        e.preventDefault();
        s.selectAll();
      } else if (key === "delete" || key === "backspace") {
        e.preventDefault();
        s.deleteSelected();
      } else if (e.shiftKey && key === "l") {
        s.layout();
        window.setTimeout(() => fitGraph({ duration: 300 }), 30);
      } else if (!mod && key === "f") {
        fitGraph({ duration: 300 });
      } else if (e.key === "?") {
        ui.openDialog("shortcuts");
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [fitGraph]);
}
