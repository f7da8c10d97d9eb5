// Datasets: upload (drag-and-drop or file picker, with progress), the list, and the dialog with a
// paged preview and the per-column profile.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState, type DragEvent } from "react";
import { api, ApiError } from "../api/client";
import type { ColumnProfile, Dataset } from "../api/types";
import { downloadFile } from "../app/actions";
import { keys } from "../app/query";
import { useUi } from "../app/ui";
import { HBars, MiniBars, histogram } from "../charts/Charts";
import { formatValue } from "../editor/looks";
import { useEditor } from "../editor/store";
import { DataTable, Pager } from "./DataTable";
import { useDatasets } from "./useColumns";

interface Upload {
  name: string;
  progress: number;
  error?: string;
  done?: boolean;
}

function size(bytes: number | undefined): string {
  if (bytes == null) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function DatasetsPanel() {
  const { data: datasets, isLoading, error } = useDatasets();
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const qc = useQueryClient();
  const toast = useUi((s) => s.toast);
  const openDataset = useUi((s) => s.openDataset);

  const upload = (files: FileList | File[]) => {
    for (const file of Array.from(files)) {
      const entry: Upload = { name: file.name, progress: 0 };
      setUploads((u) => [...u.filter((x) => x.name !== file.name), entry]);
      const update = (patch: Partial<Upload>) => setUploads((u) => u.map((x) => (x.name === file.name ? { ...x, ...patch } : x)));
      const handle = api.uploadDataset(file, (p) => update({ progress: p }));
      handle.promise
        .then((ds) => {
          update({ progress: 1, done: true });
          toast("success", `Uploaded ${ds.name}: ${ds.rows.toLocaleString()} rows, ${ds.columns} columns.`);
          void qc.invalidateQueries({ queryKey: keys.datasets });
          window.setTimeout(() => setUploads((u) => u.filter((x) => x.name !== file.name)), 2500);
        })
        .catch((e: unknown) => update({ error: e instanceof ApiError ? e.message : String(e) }));
    }
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (e.dataTransfer.files.length) upload(e.dataTransfer.files);
  };

  return (
    <div className="datasets-panel" data-testid="datasets-panel">
      <div
        className={`dropzone${over ? " over" : ""}`}
        onDragOver={(e) => {
          if (e.dataTransfer.types.includes("Files")) {
            e.preventDefault();
            setOver(true);
          }
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        onClick={() => input.current?.click()}
        role="button"
        tabIndex={0}
        data-testid="dropzone"
      >
        <div className="dz-icon">⇪</div>
        <div><b>Drop a CSV file here</b></div>
        <div className="muted small">or click to choose one</div>
        <input
          ref={input}
          type="file"
          accept=".csv,.tsv,.txt,text/csv"
          multiple
          hidden
          data-testid="file-input"
          onChange={(e) => {
            if (e.target.files?.length) upload(e.target.files);
            e.target.value = "";
          }}
        />
      </div>
      {uploads.map((u) => (
        <div key={u.name} className={`upload${u.error ? " failed" : ""}`} data-testid="upload-row">
          <div className="upload-name">{u.name}</div>
          {u.error ? (
            <div className="error-text small">
              {u.error}{" "}
              <button className="link" onClick={() => setUploads((x) => x.filter((y) => y.name !== u.name))}>dismiss</button>
            </div>
          ) : (
            <div className="progress">
              <span style={{ width: `${Math.round(u.progress * 100)}%` }} />
            </div>
          )}
          {!u.error ? <div className="muted small">{u.done ? "Profiled ✓" : u.progress >= 1 ? "Checking and profiling…" : `${Math.round(u.progress * 100)}%`}</div> : null}
        </div>
      ))}
      {isLoading ? <div className="empty small">Loading datasets…</div> : null}
      {error ? <div className="empty small error-text">{(error as Error).message}</div> : null}
      {datasets && !datasets.length ? <div className="empty small">No datasets yet. Upload a CSV to get started — try titanic.csv or iris.csv.</div> : null}
      <ul className="dataset-list">
        {datasets?.map((d) => (
          <li key={d.id} className="dataset-item" data-testid={`dataset-${d.name}`}>
            <button className="dataset-open" onClick={() => openDataset(d.id)} title="Preview and profile">
              <span className="ds-icon">▤</span>
              <span className="ds-text">
                <span className="ds-name">{d.name}</span>
                <span className="muted small">
                  {d.rows.toLocaleString()} rows · {d.columns} cols {d.size_bytes ? `· ${size(d.size_bytes)}` : ""}
                </span>
              </span>
            </button>
            <UseButton dataset={d} />
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Adds a Load CSV node already pointing at the dataset. */
function UseButton({ dataset }: { dataset: Dataset }) {
  return (
    <button
      className="icon-btn"
      title="Add a Load CSV node for this dataset"
      onClick={() => {
        const s = useEditor.getState();
        const y = s.nodes.length ? Math.max(...s.nodes.map((n) => n.position.y)) + 140 : 0;
        const id = s.addNode("load_csv", { x: 0, y });
        if (id) s.setParam(id, "dataset", dataset.name);
      }}
    >
      +
    </button>
  );
}

function ColumnChart({ col, sample }: { col: ColumnProfile; sample: unknown[] | undefined }) {
  if (col.histogram && col.histogram.counts.length) return <MiniBars counts={col.histogram.counts} />;
  const numeric = col.mean != null || col.min != null;
  if (numeric && sample) {
    const h = histogram(sample.filter((v): v is number => typeof v === "number"));
    return <MiniBars counts={h.counts} labels={[formatValue(h.lo), formatValue(h.hi)]} title={`histogram of ${col.name}`} />;
  }
  if (col.top?.length) return <HBars items={col.top.map((t) => [String(t.value), t.count])} width={230} max={5} color="#19a7a0" title={`top values of ${col.name}`} />;
  return null;
}

export function DatasetDialog() {
  const id = useUi((s) => s.datasetId);
  const close = () => useUi.getState().openDialog(null);
  const [offset, setOffset] = useState(0);
  const [tab, setTab] = useState<"profile" | "rows">("profile");
  const limit = 50;
  const ds = useQuery({ queryKey: keys.dataset(id ?? ""), queryFn: () => api.dataset(id!), enabled: !!id });
  const page = useQuery({ queryKey: keys.preview(id ?? "", offset, limit), queryFn: () => api.datasetPreview(id!, offset, limit), enabled: !!id && tab === "rows", placeholderData: (p) => p });
  // a sample of up to 1000 rows for the histograms of numeric columns
  const sample = useQuery({ queryKey: keys.preview(id ?? "", 0, 1000), queryFn: () => api.datasetPreview(id!, 0, 1000), enabled: !!id, staleTime: 300_000 });
  const qc = useQueryClient();
  const toast = useUi((s) => s.toast);
  const ask = useUi((s) => s.ask);
  if (!id) return null;
  const profile = ds.data?.profile;
  const column = (name: string) => {
    const i = sample.data?.columns.indexOf(name) ?? -1;
    return i >= 0 ? sample.data!.rows.map((r) => r[i]) : undefined;
  };
  const remove = async () => {
    if (!ds.data || !(await ask("Delete dataset?", `Delete ${ds.data.name}? Workflows that load it will stop working.`, "Delete", true))) return;
    try {
      await api.deleteDataset(id);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        if (!(await ask("Dataset in use", `${e.message}. Delete it anyway?`, "Delete anyway", true))) return;
        await api.deleteDataset(id, true);
      } else {
        toast("error", e instanceof Error ? e.message : String(e));
        return;
      }
    }
    void qc.invalidateQueries({ queryKey: keys.datasets });
    toast("success", `Deleted ${ds.data.name}.`);
    close();
  };
  return (
    <div className="modal-back" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div className="modal wide" role="dialog" aria-label="Dataset" data-testid="dataset-dialog">
        <header className="modal-head">
          <div>
            <h2>{ds.data?.name ?? "Dataset"}</h2>
            {ds.data ? <div className="muted small">{ds.data.rows.toLocaleString()} rows · {ds.data.columns} columns · {size(ds.data.size_bytes)}</div> : null}
          </div>
          <span className="spacer" />
          <div className="seg">
            <button className={tab === "profile" ? "on" : ""} onClick={() => setTab("profile")}>Profile</button>
            <button className={tab === "rows" ? "on" : ""} onClick={() => setTab("rows")} data-testid="dataset-rows-tab">Rows</button>
          </div>
          <button className="btn small" onClick={() => void downloadFile(api.datasetDownloadUrl(id), ds.data?.name ?? "dataset.csv")}>⤓ CSV</button>
          <button className="btn small danger" onClick={() => void remove()}>Delete</button>
          <button className="icon-btn" onClick={close} aria-label="Close">✕</button>
        </header>
        <div className="modal-body">
          {ds.isLoading ? <div className="empty">Loading…</div> : null}
          {ds.error ? <div className="empty error-text">{(ds.error as Error).message}</div> : null}
          {tab === "profile" && profile ? (
            <div className="profile-grid" data-testid="profile">
              {profile.columns.map((c) => (
                <div key={c.name} className="col-card">
                  <div className="col-head">
                    <b title={c.name}>{c.name}</b>
                    <span className="dtype">{c.kind ?? c.dtype}</span>
                  </div>
                  <div className="col-stats">
                    <span className={c.missing ? "warn-text" : ""}>missing {c.missing.toLocaleString()}{profile.rows ? ` (${((100 * c.missing) / profile.rows).toFixed(0)}%)` : ""}</span>
                    <span>distinct {c.distinct.toLocaleString()}</span>
                  </div>
                  {c.mean != null ? (
                    <div className="col-stats">
                      <span>min {formatValue(c.min)}</span>
                      <span>mean {formatValue(c.mean)}</span>
                      <span>max {formatValue(c.max)}</span>
                    </div>
                  ) : null}
                  <ColumnChart col={c} sample={column(c.name)} />
                </div>
              ))}
            </div>
          ) : null}
          {tab === "rows" && page.data ? (
            <>
              <DataTable page={page.data} />
              <Pager offset={offset} limit={limit} total={page.data.total} onPage={setOffset} />
            </>
          ) : null}
        </div>
      </div>
    </div>
  );
}
