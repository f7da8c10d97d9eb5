// A paged table for dataset previews and node outputs.
import { formatValue } from "../editor/looks";
import type { TablePage } from "../api/types";

export function Pager({ offset, limit, total, onPage }: { offset: number; limit: number; total: number; onPage: (offset: number) => void }) {
  const last = Math.max(0, Math.ceil(total / limit) - 1) * limit;
  return (
    <div className="pager" data-testid="pager">
      <button className="btn small" disabled={offset === 0} onClick={() => onPage(0)} aria-label="First page">«</button>
      <button className="btn small" disabled={offset === 0} onClick={() => onPage(Math.max(0, offset - limit))} aria-label="Previous page">‹ Prev</button>
      <span className="pager-text">
        rows {total ? (offset + 1).toLocaleString() : 0}–{Math.min(offset + limit, total).toLocaleString()} of {total.toLocaleString()}
      </span>
      <button className="btn small" disabled={offset + limit >= total} onClick={() => onPage(offset + limit)} aria-label="Next page">Next ›</button>
      <button className="btn small" disabled={offset + limit >= total} onClick={() => onPage(last)} aria-label="Last page">»</button>
    </div>
  );
}

export function DataTable({ page, highlight, dtypes }: { page: TablePage; highlight?: string[]; dtypes?: Record<string, string> }) {
  if (!page.columns.length) return <div className="empty small">This table has no columns.</div>;
  const hl = new Set(highlight ?? []);
  return (
    <div className="table-wrap">
      <table className="data-table" data-testid="data-table">
        <thead>
          <tr>
            <th className="rownum">#</th>
            {page.columns.map((c) => (
              <th key={c} className={hl.has(c) ? "hl" : ""} title={dtypes?.[c]}>
                {c}
                {dtypes?.[c] ? <span className="dtype">{dtypes[c]}</span> : null}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {page.rows.map((row, i) => (
            <tr key={i}>
              <td className="rownum">{page.offset + i + 1}</td>
              {row.map((v, j) => (
                <td key={j} className={`${v === null ? "null" : typeof v === "number" ? "num" : ""}${hl.has(page.columns[j]) ? " hl" : ""}`}>
                  {v === null ? "∅" : formatValue(v)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
