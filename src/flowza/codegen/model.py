"""Source for the training nodes: the same estimator fitted on the same rows, and its holdout predictions.

Mirrors `flowza.nodes.train.common.fit_model`: features are every column but the target, the
estimator fits on the train rows in the split's order, XGBoost classifiers learn class indexes
into the sorted labels, and the model is one Pipeline of the fitted steps plus the estimator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flowza.codegen.helpers import INFER_TASK, MAKE_PIPELINE
from flowza.codegen.snippet import NP, PD, Helper, Import, ModelRef, Names, Snippet, indent, lit


@dataclass(frozen=True)
class Estimator:
    """How to build one estimator: its class (imported from `module`) and keyword arguments as source."""

    module: str
    cls: str
    kwargs: str


def training_snippet(
    names: Names,
    *,
    param_target: str | None,
    task: str,  # "classification", "regression" or "auto"
    estimator: Callable[[str], Estimator],
    encode_labels: bool = False,
    title: str,
) -> Snippet:
    data = names.data()
    target = data.target or param_target
    if not target:
        raise ValueError(f"node {names.node_id!r}: no target column (place a train_test_split before it)")
    v = {
        role: names.var(role)
        for role in (
            "X", "y", "X_train", "y_train", "task", "estimator", "classes", "label_encoded", "pipeline",
            "feature_names", "input_columns", "step_names", "X_holdout", "y_holdout", "y_true", "y_pred", "y_score",
        )
    }  # fmt: skip
    imports: list[Import] = [PD, NP]
    helpers: list[Helper] = [MAKE_PIPELINE]
    lines = [
        f"{v['X']} = {data.frame}.drop(columns=[{lit(target)}])",
        f"{v['y']} = {data.frame}[{lit(target)}]",
    ]
    if data.train_rows is not None:
        lines.append(
            f"{v['X_train']}, {v['y_train']} = {v['X']}.iloc[{data.train_rows}], {v['y']}.iloc[{data.train_rows}]"
        )
    else:
        lines.append(
            f"{v['X_train']}, {v['y_train']} = {v['X']}, {v['y']}  # no split: the model learns from every row"
        )
    if task == "auto":
        helpers.append(INFER_TASK)
        lines.append(f"{v['task']} = infer_task({v['y']})")
    else:
        lines.append(f"{v['task']} = {lit(task)}")

    def fit(kind: str) -> str:
        made = estimator(kind)
        imports.append(Import(made.module, made.cls))
        build = f"{v['estimator']} = {made.cls}({made.kwargs})"
        if kind == "regression":
            return f"{build}\n{v['estimator']}.fit({v['X_train']}, {v['y_train']})\n{v['classes']} = None\n{v['label_encoded']} = False"
        if encode_labels:
            return "\n".join(
                [
                    "# the classifier learns indexes into the sorted class labels",
                    f"{v['classes']} = sorted(pd.unique({v['y_train']}).tolist())",
                    build,
                    f"{v['estimator']}.fit({v['X_train']}, np.searchsorted(np.asarray({v['classes']}, dtype=object), "
                    f"{v['y_train']}.to_numpy(dtype=object)))",
                    f"{v['label_encoded']} = True",
                ]
            )
        return f"{build}\n{v['estimator']}.fit({v['X_train']}, {v['y_train']})\n{v['classes']} = list({v['estimator']}.classes_)\n{v['label_encoded']} = False"

    if task == "auto":
        lines.append(
            f'if {v["task"]} == "classification":\n{indent(fit("classification"))}\nelse:\n{indent(fit("regression"))}'
        )
    else:
        lines.append(fit(task))
    steps = data.steps
    rows = data.test_rows if data.test_rows is not None else data.train_rows
    part = "test" if data.test_rows is not None else "train"
    holdout = f"{v['X']}.iloc[{rows}], {v['y']}.iloc[{rows}]" if rows is not None else f"{v['X']}, {v['y']}"
    lines += [
        "# one pipeline of the fitted preprocessing steps and the model: it scores raw rows",
        f"{v['pipeline']} = make_pipeline({steps}, {lit(names.node_id)}, {v['estimator']})",
        f"{v['feature_names']} = [str(c) for c in {v['X']}.columns]",
        f"{v['input_columns']} = [str(c) for c in {steps}[0][1].feature_names_in_] if {steps} else {v['feature_names']}",
        f"{v['step_names']} = [name for name, _ in {steps}]",
        f"# predictions on the held-out {part} rows",
        f"{v['X_holdout']}, {v['y_holdout']} = {holdout}",
        f"{v['y_true']} = {v['y_holdout']}.reset_index(drop=True)",
        f"{v['y_pred']} = np.asarray({v['estimator']}.predict({v['X_holdout']}))",
    ]
    if encode_labels:
        lines += [
            f"if {v['label_encoded']}:  # back from class indexes to the labels",
            f"    {v['y_pred']} = np.asarray({v['classes']})[{v['y_pred']}.astype(int)]",
        ]
    proba = f"np.asarray({v['estimator']}.predict_proba({v['X_holdout']}))"
    if task == "classification":
        lines.append(f"{v['y_score']} = {proba}")
    elif task == "regression":
        lines.append(f"{v['y_score']} = None")
    else:
        lines.append(f'{v["y_score"]} = {proba} if {v["task"]} == "classification" else None')
    ref = ModelRef(
        node_id=names.node_id,
        target=target,
        task=None if task == "auto" else task,
        task_var=v["task"],
        pipeline=v["pipeline"],
        estimator=v["estimator"],
        classes=v["classes"],
        label_encoded=v["label_encoded"],
        feature_names=v["feature_names"],
        input_columns=v["input_columns"],
        step_names=v["step_names"],
        y_true=v["y_true"],
        y_pred=v["y_pred"],
        y_score=v["y_score"],
        part=part,
    )
    learns = "every row (no split)" if data.train_rows is None else "the train rows"
    return Snippet(
        code="\n".join(lines),
        imports=tuple(imports),
        helpers=tuple(helpers),
        outputs={"model": ref},
        explanation=f"Trains {title} to predict {target!r} from {learns}.",
    )
