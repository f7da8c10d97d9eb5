// Metric cards and the charts of an evaluate node: confusion matrix, ROC curve, feature importances,
// predicted-vs-actual and residuals.
import { ConfusionMatrix, HBars, PredictedVsActual, Residuals, RocCurve } from "../charts/Charts";
import { formatValue } from "../editor/looks";
import { useEditor } from "../editor/store";
import type { Issue, Metrics } from "../api/types";

const CARDS: [string, string, string][] = [
  ["accuracy", "Accuracy", "share of test rows predicted right"],
  ["precision", "Precision", "of the rows predicted positive, how many are"],
  ["recall", "Recall", "of the positive rows, how many were found"],
  ["f1", "F1", "balance of precision and recall"],
  ["roc_auc", "ROC AUC", "how well scores rank positives first (0.5 = chance)"],
  ["mae", "MAE", "mean absolute error"],
  ["rmse", "RMSE", "root mean squared error"],
  ["r2", "R²", "share of variance explained (1 = perfect)"],
];

const asNumbers = (v: unknown): number[] | null => (Array.isArray(v) && v.every((x) => typeof x === "number") ? (v as number[]) : null);

function predictions(m: Metrics): { actual: number[]; predicted: number[] } | null {
  for (const key of ["predictions", "predicted_vs_actual", "residuals"]) {
    const p = m[key] as Record<string, unknown> | undefined;
    if (p && typeof p === "object") {
      const actual = asNumbers(p.actual ?? p.y_true);
      const predicted = asNumbers(p.predicted ?? p.y_pred);
      if (actual && predicted && actual.length === predicted.length) return { actual, predicted };
    }
  }
  return null;
}

/** The run's ML lint warnings beside its results: a column that gives the target away makes a
 * perfect score meaningless, so the warning belongs next to the score, not only on a node. */
export function RunWarnings({ warnings }: { warnings: Issue[] }) {
  if (!warnings.length) return null;
  return (
    <div className="callout warn run-warnings" role="status" data-testid="run-warnings">
      <b>⚠ {warnings.length === 1 ? "Check this before trusting these results" : `Check these ${warnings.length} points before trusting these results`}</b>
      <ul>
        {warnings.map((w, i) => (
          <li key={i} data-code={w.code}>
            {w.node_id ? (
              <button className="link-btn" onClick={() => useEditor.getState().select([w.node_id!])} title="Select this node">
                {w.node_id}
              </button>
            ) : null}
            {w.node_id ? ": " : null}
            {w.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function MetricCards({ metrics, compact }: { metrics: Metrics; compact?: boolean }) {
  const cards = CARDS.filter(([k]) => typeof metrics[k] === "number");
  return (
    <div className={`metric-cards${compact ? " compact" : ""}`}>
      {cards.map(([key, label, hint]) => {
        const v = metrics[key] as number;
        const pct = ["accuracy", "precision", "recall", "f1", "roc_auc"].includes(key);
        return (
          <div key={key} className="metric-card" data-testid={`metric-${key}`} title={hint}>
            <div className="metric-label">{label}</div>
            <div className="metric-value">{pct ? `${(v * 100).toFixed(1)}%` : formatValue(v)}</div>
            {pct ? (
              <div className="metric-bar">
                <span style={{ width: `${Math.max(0, Math.min(1, v)) * 100}%` }} />
              </div>
            ) : (
              <div className="metric-hint">{hint}</div>
            )}
          </div>
        );
      })}
      {!compact && typeof metrics.rows === "number" ? (
        <div className="metric-card muted-card">
          <div className="metric-label">Evaluated on</div>
          <div className="metric-value small">{(metrics.rows as number).toLocaleString()} rows</div>
          <div className="metric-hint">{String(metrics.evaluated_on ?? "test")} part{metrics.positive_class != null ? ` · positive class ${String(metrics.positive_class)}` : ""}</div>
        </div>
      ) : null}
    </div>
  );
}

export function MetricsView({ metrics }: { metrics: Metrics }) {
  const cm = metrics.confusion_matrix as { labels?: unknown[]; matrix?: number[][] } | undefined;
  const roc = metrics.roc_curve as { fpr?: number[]; tpr?: number[] } | null | undefined;
  const fi = metrics.feature_importances as Record<string, number> | null | undefined;
  const pred = predictions(metrics);
  const regression = metrics.task === "regression" || typeof metrics.rmse === "number";
  const other = Object.entries(metrics).filter(
    ([k, v]) =>
      !CARDS.some(([c]) => c === k) &&
      !["confusion_matrix", "roc_curve", "feature_importances", "predictions", "predicted_vs_actual", "residuals", "rows", "evaluated_on", "positive_class"].includes(k) &&
      (typeof v !== "object" || v === null),
  );
  return (
    <div className="metrics-view" data-testid="metrics-view">
      {metrics.evaluated_on === "train" ? (
        <div className="callout warn">These metrics were measured on the training rows, so they are optimistic. Add a Train/test split before the model.</div>
      ) : null}
      <MetricCards metrics={metrics} />
      <div className="charts-row">
        {cm?.labels && cm.matrix ? (
          <figure className="chart-card">
            <figcaption>Confusion matrix</figcaption>
            <ConfusionMatrix labels={cm.labels} matrix={cm.matrix} />
          </figure>
        ) : null}
        {roc?.fpr && roc.tpr ? (
          <figure className="chart-card">
            <figcaption>ROC curve</figcaption>
            <RocCurve fpr={roc.fpr} tpr={roc.tpr} auc={typeof metrics.roc_auc === "number" ? metrics.roc_auc : null} />
          </figure>
        ) : null}
        {pred ? (
          <>
            <figure className="chart-card">
              <figcaption>Predicted vs actual</figcaption>
              <PredictedVsActual actual={pred.actual} predicted={pred.predicted} />
            </figure>
            <figure className="chart-card">
              <figcaption>Residuals</figcaption>
              <Residuals actual={pred.actual} predicted={pred.predicted} />
            </figure>
          </>
        ) : regression ? (
          <div className="chart-card note">
            <p>
              For a predicted-vs-actual chart, add a <b>Predict</b> node fed by the model and the split data, run, and select it.
            </p>
          </div>
        ) : null}
        {fi && Object.keys(fi).length ? (
          <figure className="chart-card wide" data-testid="feature-importances">
            <figcaption>Feature importance {Object.keys(fi).length > 15 ? "(top 15)" : ""}</figcaption>
            <HBars items={Object.entries(fi).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))} />
          </figure>
        ) : null}
      </div>
      {other.length ? (
        <dl className="kv">
          {other.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{formatValue(v)}</dd>
            </div>
          ))}
        </dl>
      ) : null}
    </div>
  );
}
