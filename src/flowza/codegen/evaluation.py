"""Source for the evaluate node: Flowza's own metric functions, and the notebook's charts."""

from __future__ import annotations

from flowza.codegen.helpers import FEATURE_IMPORTANCES, METRICS, SCORE, score_call
from flowza.codegen.snippet import NP, Import, MetricsRef, Names, Snippet, lit

PLT = Import("matplotlib.pyplot", alias="plt")


def evaluation_snippet(names: Names) -> Snippet:
    model = names.model()
    data = names.optional_data()
    result, y_true, y_pred, y_score = (
        names.var("metrics"),
        names.var("y_true"),
        names.var("y_pred"),
        names.var("y_score"),
    )
    lines: list[str] = []
    helpers = [METRICS, FEATURE_IMPORTANCES]
    if data is None:
        part = model.part
        lines.append(f"{y_true}, {y_pred}, {y_score} = {model.y_true}, {model.y_pred}, {model.y_score}")
    else:
        helpers.append(SCORE)
        rows = names.var("rows")
        part = "test" if data.test_rows is not None else "train"
        source = f"{data.frame}.iloc[{data.test_rows}]" if data.test_rows is not None else data.frame
        lines += [
            f"{rows} = {source}",
            f"{y_true} = {rows}[{lit(model.target)}].reset_index(drop=True)",
            f"{y_pred}, {y_score} = {score_call(rows, data.steps, model)}",
        ]
    classification = f"classification_metrics({y_true}, {y_pred}, {y_score}, list({model.classes} or []))"
    regression = f"regression_metrics({y_true}, {y_pred})"
    if model.task == "classification":
        lines.append(f"{result} = {classification}")
    elif model.task == "regression":
        lines.append(f"{result} = {regression}")
    else:
        lines.append(
            f'if {model.task_var} == "classification":\n    {result} = {classification}\nelse:\n    {result} = {regression}'
        )
    lines += [
        f'{result}["task"] = {model.task_var}',
        f'{result}["evaluated_on"] = {lit(part)}',
        f'{result}["rows"] = len({y_true})',
        f'{result}["feature_importances"] = feature_importances({model.estimator}, {model.feature_names})',
        f"METRICS[{lit(names.node_id)}] = {result}",
    ]
    summary = names.var("summary")
    lines += [
        f"{summary} = {{k: v for k, v in {result}.items() if isinstance(v, (int, float)) and v is not None}}",
        f"print({summary})",
    ]
    on = "the held-out test rows" if part == "test" else "the training rows (no split: optimistic)"
    return Snippet(
        code="\n".join(lines),
        imports=(NP,),
        helpers=tuple(helpers),
        outputs={"metrics": MetricsRef(result)},
        chart=_chart(result, y_true, y_pred, y_score, model.classes),
        chart_imports=(PLT, NP, Import("sklearn", "metrics", "skm")),
        metrics=result,
        explanation=f"Measures the model on {on}: accuracy, precision, recall, F1 and ROC AUC, or MAE, RMSE and R².",
    )


def _chart(result: str, y_true: str, y_pred: str, y_score: str, classes: str) -> str:
    return f"""fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
if {result}["task"] == "classification":
    matrix = {result}["confusion_matrix"]
    labels = [str(v) for v in matrix["labels"]]
    axes[0].imshow(matrix["matrix"], cmap="Blues")
    axes[0].set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    axes[0].set_yticks(range(len(labels)), labels)
    darkest = max(max(row) for row in matrix["matrix"])
    for i, row in enumerate(matrix["matrix"]):
        for j, count in enumerate(row):
            axes[0].text(j, i, count, ha="center", va="center", color="white" if count > darkest / 2 else "black")
    axes[0].set(title="Confusion matrix", xlabel="predicted", ylabel="actual")
    if {y_score} is not None:
        for index, label in enumerate({classes}):
            if len({classes}) == 2 and index == 0:
                continue  # two classes: one curve, for the positive class
            truth = np.asarray({y_true}) == label
            if truth.any() and not truth.all():
                fpr, tpr, _ = skm.roc_curve(truth, {y_score}[:, index])
                axes[1].plot(fpr, tpr, label=str(label))
        axes[1].plot([0, 1], [0, 1], linestyle="--", color="grey")
        axes[1].legend()
    auc = {result}.get("roc_auc")
    axes[1].set(title="ROC curve" + (f" (AUC {{auc:.3f}})" if auc is not None else ""), xlabel="false positive rate",
                ylabel="true positive rate")
else:
    axes[0].scatter({y_true}, {y_pred}, s=12, alpha=0.6)
    low, high = float(np.min({y_true})), float(np.max({y_true}))
    axes[0].plot([low, high], [low, high], linestyle="--", color="grey")
    axes[0].set(title="Predicted vs actual", xlabel="actual", ylabel="predicted")
    axes[1].hist(np.asarray({y_true}, dtype=float) - np.asarray({y_pred}, dtype=float), bins=30)
    axes[1].set(title="Residuals (actual - predicted)")
fig.tight_layout()
plt.show()"""
