// UI-only state: which dialog is open, toasts, the bottom drawer. Kept apart from the graph store so
// that opening a dialog is never an undo step.
import { create } from "zustand";

export type Dialog = "workflows" | "templates" | "versions" | "generate" | "dataset" | "shortcuts" | null;
export type DrawerTab = "output" | "history" | "log";
export type SideTab = "nodes" | "datasets";
export type ToastKind = "info" | "success" | "error" | "warning";

export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
}

interface ConfirmRequest {
  title: string;
  message: string;
  confirmLabel: string;
  danger: boolean;
  resolve: (ok: boolean) => void;
}

export interface LogLine {
  time: string;
  text: string;
  kind: "info" | "error" | "success";
}

interface UiState {
  dialog: Dialog;
  datasetId: string | null;
  drawerOpen: boolean;
  drawerHeight: number;
  drawerTab: DrawerTab;
  sideTab: SideTab;
  toasts: Toast[];
  confirm: ConfirmRequest | null;
  saving: boolean;
  log: LogLine[];
  fitSeq: number;
  loginOpen: boolean;
  /** A prompt typed on the empty canvas, handed to the generate dialog. */
  generatePrompt: string;
  askGenerate(prompt: string): void;
  setLogin(open: boolean): void;
  requestFit(): void;
  openDialog(d: Dialog): void;
  openDataset(id: string): void;
  setDrawer(open: boolean, tab?: DrawerTab): void;
  setDrawerHeight(h: number): void;
  setSideTab(tab: SideTab): void;
  toast(kind: ToastKind, text: string, ms?: number): void;
  dismiss(id: number): void;
  ask(title: string, message: string, confirmLabel?: string, danger?: boolean): Promise<boolean>;
  answer(ok: boolean): void;
  setSaving(v: boolean): void;
  addLog(text: string, kind?: LogLine["kind"]): void;
  clearLog(): void;
}

let nextToast = 1;

export const useUi = create<UiState>()((set, get) => ({
  dialog: null,
  datasetId: null,
  drawerOpen: false,
  drawerHeight: Math.round(Math.min(340, Math.max(200, window.innerHeight * 0.36))),
  drawerTab: "output",
  sideTab: "nodes",
  toasts: [],
  confirm: null,
  saving: false,
  log: [],
  fitSeq: 0,
  loginOpen: false,
  generatePrompt: "",
  askGenerate: (generatePrompt) => set({ generatePrompt, dialog: "generate" }),
  setLogin: (loginOpen) => set({ loginOpen }),
  requestFit: () => set({ fitSeq: get().fitSeq + 1 }),
  openDialog: (dialog) => set({ dialog }),
  openDataset: (datasetId) => set({ dialog: "dataset", datasetId }),
  setDrawer: (drawerOpen, tab) => set(tab ? { drawerOpen, drawerTab: tab } : { drawerOpen }),
  setDrawerHeight: (h) => set({ drawerHeight: Math.max(140, Math.min(h, window.innerHeight - 160)) }),
  setSideTab: (sideTab) => set({ sideTab }),
  toast(kind, text, ms) {
    const id = nextToast++;
    set({ toasts: [...get().toasts.filter((t) => t.text !== text), { id, kind, text }].slice(-4) });
    window.setTimeout(() => get().dismiss(id), ms ?? (kind === "error" ? 9000 : kind === "warning" ? 6000 : 3500));
  },
  dismiss: (id) => set({ toasts: get().toasts.filter((t) => t.id !== id) }),
  ask(title, message, confirmLabel = "Continue", danger = false) {
    return new Promise<boolean>((resolve) => set({ confirm: { title, message, confirmLabel, danger, resolve } }));
  },
  answer(ok) {
    get().confirm?.resolve(ok);
    set({ confirm: null });
  },
  setSaving: (saving) => set({ saving }),
  addLog(text, kind = "info") {
    const time = new Date().toLocaleTimeString();
    set({ log: [...get().log, { time, text, kind }].slice(-500) });
  },
  clearLog: () => set({ log: [] }),
}));
