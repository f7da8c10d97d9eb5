// Small hand-written SVG charts: no chart library, so the bundle stays small.
import { formatValue } from "../editor/looks";

const fmt = (v: number) => formatValue(Number(v.toPrecision(3)));

/** Vertical bars, e.g. a column's histogram; `labels` under the first and last bar. */
export function MiniBars({ counts, labels, width = 160, height = 44, color = "#6d5efc", title }: { counts: number[]; labels?: [string, string]; width?: number; height?: number; color?: string; title?: string }) {
  const max = Math.max(1, ...counts);
  const w = width / Math.max(1, counts.length);
  return (
    <svg className="chart mini-bars" width={width} height={height + (labels ? 12 : 0)} role="img" aria-label={title ?? "histogram"}>
      {counts.map((c, i) => {
        const h = (c / max) * height;
        return (
          <rect key={i} x={i * w + 0.5} y={height - h} width={Math.max(1, w - 1)} height={Math.max(c > 0 ? 1 : 0, h)} fill={color} rx={1}>
            <title>{c.toLocaleString()}</title>
          </rect>
        );
      })}
      {labels ? (
        <>
          <text x={0} y={height + 10} className="axis-label">{labels[0]}</text>
          <text x={width} y={height + 10} className="axis-label" textAnchor="end">{labels[1]}</text>
        </>
      ) : null}
    </svg>
  );
}

/** Horizontal bars with names, e.g. feature importances or top values. */
export function HBars({ items, width = 420, color = "#6d5efc", max: maxItems = 15, title }: { items: [string, number][]; width?: number; color?: string; max?: number; title?: string }) {
  const shown = items.slice(0, maxItems);
  const max = Math.max(1e-12, ...shown.map(([, v]) => Math.abs(v)));
  const row = 20;
  const labelW = Math.min(170, Math.max(60, ...shown.map(([n]) => n.length * 6.6)));
  const barW = width - labelW - 60;
  return (
    <svg className="chart hbars" width={width} height={shown.length * row + 4} role="img" aria-label={title ?? "bar chart"}>
      {shown.map(([name, v], i) => (
        <g key={name} transform={`translate(0, ${i * row})`}>
          <text x={labelW - 6} y={14} textAnchor="end" className="tick">
            {name.length > 26 ? name.slice(0, 25) + "…" : name}
          </text>
          <rect x={labelW} y={3} width={Math.max(1, (Math.abs(v) / max) * barW)} height={row - 6} fill={color} rx={3} opacity={0.85}>
            <title>{`${name}: ${v}`}</title>
          </rect>
          <text x={labelW + (Math.abs(v) / max) * barW + 5} y={14} className="tick">
            {fmt(v)}
          </text>
        </g>
      ))}
    </svg>
  );
}

/** Confusion matrix as a heatmap: rows are the true class, columns the predicted class. */
export function ConfusionMatrix({ labels, matrix }: { labels: unknown[]; matrix: number[][] }) {
  const n = labels.length;
  const cell = Math.max(34, Math.min(64, 300 / Math.max(1, n)));
  const left = 78; // room for the row labels and the "actual" title
  const top = 40; // room for the "predicted" title and the column labels
  const max = Math.max(1, ...matrix.flat());
  const total = matrix.flat().reduce((a, b) => a + b, 0) || 1;
  const short = (v: unknown) => String(v).slice(0, 10);
  return (
    <svg className="chart confusion" width={left + n * cell + 8} height={top + n * cell + 8} role="img" aria-label="confusion matrix" data-testid="confusion-matrix">
      <text x={left + (n * cell) / 2} y={12} textAnchor="middle" className="axis-title">predicted</text>
      <text transform={`translate(12, ${top + (n * cell) / 2}) rotate(-90)`} textAnchor="middle" className="axis-title">actual</text>
      {labels.map((l, j) => (
        <text key={`c${j}`} x={left + j * cell + cell / 2} y={top - 8} textAnchor="middle" className="tick">{short(l)}</text>
      ))}
      {labels.map((l, i) => (
        <text key={`r${i}`} x={left - 8} y={top + i * cell + cell / 2 + 4} textAnchor="end" className="tick">{short(l)}</text>
      ))}
      {matrix.map((row, i) =>
        row.map((v, j) => {
          const t = v / max;
          const fill = i === j ? `rgba(39, 174, 96, ${0.12 + 0.8 * t})` : `rgba(229, 86, 138, ${0.08 + 0.8 * t})`;
          return (
            <g key={`${i}-${j}`}>
              <rect x={left + j * cell} y={top + i * cell} width={cell - 3} height={cell - 3} rx={5} fill={fill}>
                <title>{`actual ${String(labels[i])}, predicted ${String(labels[j])}: ${v} (${((100 * v) / total).toFixed(1)}%)`}</title>
              </rect>
              <text x={left + j * cell + (cell - 3) / 2} y={top + i * cell + (cell - 3) / 2 + 4} textAnchor="middle" className={`cell-label${t > 0.6 ? " light" : ""}`}>
                {v}
              </text>
            </g>
          );
        }),
      )}
    </svg>
  );
}

interface Axes {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

function Frame({ w, h, axes, xLabel, yLabel, children }: { w: number; h: number; axes: Axes; xLabel: string; yLabel: string; children: React.ReactNode }) {
  const ticks = (a: number, b: number) => [0, 0.25, 0.5, 0.75, 1].map((t) => a + t * (b - a));
  const m = { l: 46, b: 34, t: 10, r: 12 };
  const sx = (v: number) => m.l + ((v - axes.x0) / (axes.x1 - axes.x0 || 1)) * (w - m.l - m.r);
  const sy = (v: number) => h - m.b - ((v - axes.y0) / (axes.y1 - axes.y0 || 1)) * (h - m.t - m.b);
  return (
    <g>
      {ticks(axes.x0, axes.x1).map((t, i) => (
        <g key={`x${i}`}>
          <line x1={sx(t)} x2={sx(t)} y1={m.t} y2={h - m.b} className="grid" />
          <text x={sx(t)} y={h - m.b + 14} textAnchor="middle" className="tick">{fmt(t)}</text>
        </g>
      ))}
      {ticks(axes.y0, axes.y1).map((t, i) => (
        <g key={`y${i}`}>
          <line x1={m.l} x2={w - m.r} y1={sy(t)} y2={sy(t)} className="grid" />
          <text x={m.l - 5} y={sy(t) + 4} textAnchor="end" className="tick">{fmt(t)}</text>
        </g>
      ))}
      <text x={(m.l + w - m.r) / 2} y={h - 4} textAnchor="middle" className="axis-title">{xLabel}</text>
      <text transform={`translate(11, ${(m.t + h - m.b) / 2}) rotate(-90)`} textAnchor="middle" className="axis-title">{yLabel}</text>
      {children}
    </g>
  );
}

export function scaler(w: number, h: number, axes: Axes) {
  const m = { l: 46, b: 34, t: 10, r: 12 };
  return {
    x: (v: number) => m.l + ((v - axes.x0) / (axes.x1 - axes.x0 || 1)) * (w - m.l - m.r),
    y: (v: number) => h - m.b - ((v - axes.y0) / (axes.y1 - axes.y0 || 1)) * (h - m.t - m.b),
  };
}

export function RocCurve({ fpr, tpr, auc, width = 300, height = 260 }: { fpr: number[]; tpr: number[]; auc?: number | null; width?: number; height?: number }) {
  const axes = { x0: 0, x1: 1, y0: 0, y1: 1 };
  const s = scaler(width, height, axes);
  const path = fpr.map((x, i) => `${i ? "L" : "M"}${s.x(x).toFixed(1)},${s.y(tpr[i]).toFixed(1)}`).join("");
  const area = `${path}L${s.x(1)},${s.y(0)}L${s.x(0)},${s.y(0)}Z`;
  return (
    <svg className="chart roc" width={width} height={height} role="img" aria-label="ROC curve" data-testid="roc-curve">
      <Frame w={width} h={height} axes={axes} xLabel="false positive rate" yLabel="true positive rate">
        <line x1={s.x(0)} y1={s.y(0)} x2={s.x(1)} y2={s.y(1)} className="diag" />
        <path d={area} fill="rgba(109, 94, 252, 0.12)" />
        <path d={path} fill="none" stroke="#6d5efc" strokeWidth={2.2} />
        {auc != null ? <text x={s.x(0.97)} y={s.y(0.06)} textAnchor="end" className="chart-note">AUC {auc.toFixed(3)}</text> : null}
      </Frame>
    </svg>
  );
}

function bounds(values: number[]): [number, number] {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (lo === hi) {
    lo -= 1;
    hi += 1;
  }
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

export function PredictedVsActual({ actual, predicted, width = 320, height = 260 }: { actual: number[]; predicted: number[]; width?: number; height?: number }) {
  const [lo, hi] = bounds([...actual, ...predicted]);
  const axes = { x0: lo, x1: hi, y0: lo, y1: hi };
  const s = scaler(width, height, axes);
  return (
    <svg className="chart scatter" width={width} height={height} role="img" aria-label="predicted versus actual" data-testid="pred-vs-actual">
      <Frame w={width} h={height} axes={axes} xLabel="actual" yLabel="predicted">
        <line x1={s.x(lo)} y1={s.y(lo)} x2={s.x(hi)} y2={s.y(hi)} className="diag" />
        {actual.map((a, i) => (
          <circle key={i} cx={s.x(a)} cy={s.y(predicted[i])} r={2.6} fill="#6d5efc" opacity={0.55} />
        ))}
      </Frame>
    </svg>
  );
}

export function Residuals({ actual, predicted, width = 320, height = 260 }: { actual: number[]; predicted: number[]; width?: number; height?: number }) {
  const res = actual.map((a, i) => a - predicted[i]);
  const [x0, x1] = bounds(predicted);
  const m = Math.max(...res.map(Math.abs), 1e-9) * 1.1;
  const axes = { x0, x1, y0: -m, y1: m };
  const s = scaler(width, height, axes);
  return (
    <svg className="chart scatter" width={width} height={height} role="img" aria-label="residuals" data-testid="residuals">
      <Frame w={width} h={height} axes={axes} xLabel="predicted" yLabel="actual − predicted">
        <line x1={s.x(x0)} y1={s.y(0)} x2={s.x(x1)} y2={s.y(0)} className="diag" />
        {predicted.map((p, i) => (
          <circle key={i} cx={s.x(p)} cy={s.y(res[i])} r={2.6} fill="#e5568a" opacity={0.55} />
        ))}
      </Frame>
    </svg>
  );
}

/** Bins numbers into `bins` equal-width buckets. */
export function histogram(values: number[], bins = 16): { counts: number[]; lo: number; hi: number } {
  const finite = values.filter((v) => Number.isFinite(v));
  if (!finite.length) return { counts: [], lo: 0, hi: 0 };
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const n = lo === hi ? 1 : Math.min(bins, new Set(finite).size);
  const counts = new Array<number>(n).fill(0);
  for (const v of finite) counts[Math.min(n - 1, Math.floor(((v - lo) / (hi - lo || 1)) * n))]++;
  return { counts, lo, hi };
}
