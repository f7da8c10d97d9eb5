"""The offline planner: a prompt and a dataset profile in, a validated workflow out. No network."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowza.ai.errors import GenerationRefused
from flowza.ai.intent import CLASSIFICATION_METRICS, Intent, parse_intent
from flowza.ai.leaks import find_leaks
from flowza.ai.profile import ColumnProfile, DatasetProfile
from flowza.ai.steps import Chain, file_name
from flowza.ai.target import choose_target
from flowza.engine.validate import validate

MOSTLY_MISSING = 0.6
MANY_CATEGORIES = 50
MAX_CLASSES = 50
MODEL_TITLES = {
    "logistic_regression": "logistic regression",
    "linear_regression": "linear regression",
    "random_forest": "random forest",
    "xgboost": "XGBoost",
}
LINEAR_MODELS = {"logistic_regression", "linear_regression"}
METRIC_TITLES = {
    "f1": "F1",
    "accuracy": "accuracy",
    "roc_auc": "ROC AUC",
    "precision": "precision",
    "recall": "recall",
    "rmse": "RMSE",
    "mae": "MAE",
    "r2": "R²",
}
NUMBER_LIMITS = {"n_estimators": (1, 5000), "max_depth": (1, 64), "seed": (0, 2**31 - 1)}


@dataclass
class Planned:
    workflow: dict[str, Any]
    task: str
    target: str | None
    model: str | None
    explanation: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Draft:
    intent: Intent
    profile: DatasetProfile
    explanation: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        self.explanation.append(line)


def plan(prompt: str, profile: DatasetProfile, data_dir: Path) -> Planned:
    """A workflow for `prompt` on the dataset `profile.name` inside `data_dir`; GenerationRefused if impossible."""
    intent = parse_intent(prompt)
    if intent.unsupported is not None:
        raise GenerationRefused(
            f"Flowza has no node for {intent.unsupported}; it trains logistic regression, linear regression, "
            "random forests and XGBoost (ask for one of them)",
            "unsupported",
        )
    draft = _Draft(intent, profile)
    draft.say(f"dataset: {profile.name} ({profile.rows} rows, {len(profile.columns)} columns)")
    choice = choose_target(intent.text, profile, intent.task)
    if intent.task == "cleaning" or choice.target is None:
        chain = _cleaning(draft, choice.dropped, prompt)
        return _finish(chain, draft, data_dir, "cleaning", None, None)
    target = choice.target
    column = profile.column(target)
    assert column is not None
    if column.identifier_like:
        raise GenerationRefused(
            f"{target!r} is identifier-like ({column.distinct} distinct values in {profile.rows} rows): "
            "there is nothing general to learn about it; choose another target",
            "identifier_target",
        )
    draft.say(f"target: {target!r}, because {choice.reason}")
    task = _task(draft, column)
    model = _model(draft, task, column)
    chain = Chain(name=f"{task.capitalize()} of {target} ({profile.name})", description=f"Generated from: {prompt}")
    chain.add("load", "load_csv", {"dataset": profile.name})
    dropped = _drop_columns(draft, chain, target, model, choice.dropped, choice.only)
    features = [c for c in profile.columns if c.name != target and c.name not in dropped]
    if not features:
        raise GenerationRefused(
            f"no feature columns are left to predict {target!r} from (dropped: {', '.join(dropped) or 'none'})",
            "no_features",
        )
    _rows_with_missing(draft, chain, column, features)
    _split(draft, chain, column, task)
    _impute(draft, chain, features)
    _encode(draft, chain, features, model)
    _scale(draft, chain, model)
    _train(draft, chain, model, task)
    _evaluate(draft, chain, task)
    _export(draft, chain, model, target)
    return _finish(chain, draft, data_dir, task, target, model)


def _task(draft: _Draft, column: ColumnProfile) -> str:
    wanted = draft.intent.task
    if draft.intent.model == "linear_regression":
        wanted = "regression"
    natural = draft.profile.task_of(column.name)
    values = ", ".join(column.examples[:3])
    if wanted == "regression" and column.kind != "numeric":
        raise GenerationRefused(
            f"regression needs a numeric target, but {column.name!r} holds {column.kind} values ({values}); "
            "ask for a classification instead",
            "regression_on_text",
        )
    if wanted == "classification" and natural == "regression" and column.distinct > MAX_CLASSES:
        raise GenerationRefused(
            f"classification needs a target with a few classes, but {column.name!r} has {column.distinct} "
            "distinct numeric values; ask for a regression instead",
            "classification_on_continuous",
        )
    task = wanted or natural
    if wanted is None:
        kind = "text" if column.kind == "text" else f"{column.distinct} distinct values"
        draft.say(f"task: {task}, because {column.name!r} has {kind}")
    else:
        draft.say(f"task: {task}, as asked")
    return task


def _model(draft: _Draft, task: str, column: ColumnProfile) -> str:
    asked = draft.intent.model
    if asked == "linear":
        asked = "logistic_regression" if task == "classification" else "linear_regression"
    if asked == "logistic_regression" and task == "regression":
        raise GenerationRefused(
            f"logistic regression is a classifier, but {column.name!r} is continuous ({column.distinct} values); "
            "ask for linear regression, a random forest or XGBoost",
            "classifier_on_continuous",
        )
    if asked is None:
        draft.say("model: random forest, a strong default on tabular data that needs no scaling (none was named)")
        return "random_forest"
    if asked == "linear_regression" and draft.profile.task_of(column.name) == "classification":
        draft.warnings.append(
            f"{column.name!r} looks categorical ({column.distinct} values); linear regression treats it as a number"
        )
    draft.say(f"model: {MODEL_TITLES[asked]}, as asked")
    return asked


def _drop_columns(draft: _Draft, chain: Chain, target: str, model: str, asked: list[str], only: list[str]) -> list[str]:
    reasons: dict[str, str] = {}
    if only:
        draft.say(f"features: only {', '.join(repr(c) for c in only)}, as the prompt names them")
        for name in draft.profile.names:
            if name not in only and name != target and name not in asked:
                reasons[name] = "not among the features the prompt names"
    for name in asked:
        if name == target:
            draft.warnings.append(f"{name!r} is the target, so it is kept although the prompt says to leave it out")
        else:
            reasons[name] = "the prompt leaves them out"
    profile = draft.profile
    for column in profile.columns:
        if column.name == target or column.name in reasons:
            continue
        if column.identifier_like:
            reasons[column.name] = f"identifier-like ({column.distinct} distinct values in {profile.rows} rows)"
        elif column.distinct <= 1:
            reasons[column.name] = "it holds a single value"
        elif column.missing > MOSTLY_MISSING * profile.rows:
            reasons[column.name] = f"mostly missing ({column.missing} of {profile.rows} rows)"
        elif model in LINEAR_MODELS and column.kind == "text" and column.distinct > MANY_CATEGORIES:
            if draft.intent.encoding != "ordinal":
                reasons[column.name] = f"{column.distinct} categories are too many to one-hot for a linear model"
    candidates = [c for c in profile.names if c != target and c not in reasons]
    for leak in find_leaks(profile, target, candidates):
        reasons[leak.column] = f"it leaks the target: {leak.reason}"
    if not reasons:
        return []
    grouped: dict[str, list[str]] = {}
    for name, why in reasons.items():
        grouped.setdefault(why, []).append(name)
    for why, names in grouped.items():
        listed = ", ".join(repr(n) for n in names)
        draft.say(f"drop column{'s' if len(names) > 1 else ''} {listed}: {why}")
    chain.add("drop", "drop_columns", {"columns": list(reasons)})
    return list(reasons)


def _rows_with_missing(draft: _Draft, chain: Chain, target: ColumnProfile, features: list[ColumnProfile]) -> None:
    if draft.intent.nulls == "drop":
        chain.add("drop_nulls", "drop_nulls", {})
        draft.say("drop rows with missing values, as asked (before the split: it learns nothing)")
        return
    if target.missing:
        chain.add("drop_missing_target", "drop_nulls", {"columns": [target.name]})
        draft.say(f"drop the {target.missing} rows whose target {target.name!r} is missing")


def _split(draft: _Draft, chain: Chain, target: ColumnProfile, task: str) -> None:
    params: dict[str, Any] = {"target": target.name}
    test_size = draft.intent.numbers.get("test_size")
    if test_size is not None and 0 < test_size < 1:
        params["test_size"] = round(test_size, 4)
    share = params.get("test_size", 0.2)
    line = f"split: hold out {share:.0%} of the rows for testing"
    if task == "classification":
        counts = draft.profile.frame[target.name].value_counts()
        rare = counts[counts < 2]
        if len(rare):
            params["stratify"] = False
            line += f"; not stratified, because class {rare.index[0]!r} has a single row"
        else:
            line += ", stratified by class"
    chain.add("split", "train_test_split", params)
    draft.say(line)


def _impute(draft: _Draft, chain: Chain, features: list[ColumnProfile]) -> None:
    if draft.intent.nulls == "drop":
        return
    missing = [c.name for c in features if c.missing]
    if not missing:
        return
    strategy = draft.intent.strategy or "median"
    chain.add("impute", "impute", {"strategy": strategy})
    shown = ", ".join(repr(c) for c in missing[:6]) + (" ..." if len(missing) > 6 else "")
    draft.say(f"impute missing values in {shown}: {strategy} for numbers, most frequent for text, learnt on train rows")


def _encode(draft: _Draft, chain: Chain, features: list[ColumnProfile], model: str | None) -> None:
    text = [c for c in features if c.kind == "text"]
    if not text:
        return
    if draft.intent.encoding is not None:
        groups = {draft.intent.encoding: [c.name for c in text]}
    else:
        few = [c.name for c in text if c.distinct <= MANY_CATEGORIES]
        many = [c.name for c in text if c.distinct > MANY_CATEGORIES]
        groups = {"onehot": few, "ordinal": many} if model not in LINEAR_MODELS else {"onehot": few + many}
    for method, columns in groups.items():
        if not columns:
            continue
        node_id = "encode" if method == "onehot" or "encode" not in {n["id"] for n in chain.nodes} else "encode_codes"
        chain.add(node_id, "encode_categorical", {"columns": columns, "method": method})
        how = "one-hot columns" if method == "onehot" else "integer codes (many categories)"
        draft.say(f"encode text columns {', '.join(repr(c) for c in columns)} as {how}")


def _scale(draft: _Draft, chain: Chain, model: str) -> None:
    method = draft.intent.scale
    if model in LINEAR_MODELS:
        chain.add("scale", "normalize", {"method": method or "standard"})
        draft.say(f"scale numeric columns ({method or 'standard'}): linear models need comparable ranges")
    elif method is not None:
        chain.add("scale", "normalize", {"method": method})
        draft.say(f"scale numeric columns ({method}), as asked (trees do not need it)")


def _train(draft: _Draft, chain: Chain, model: str, task: str) -> None:
    params: dict[str, Any] = {}
    if model == "logistic_regression" and draft.intent.balanced:
        params["class_weight"] = "balanced"
        draft.say("class weights balanced, as asked: rare classes count as much as common ones")
    if model in ("random_forest", "xgboost"):
        params["task"] = task
        for name, (low, high) in NUMBER_LIMITS.items():
            value = draft.intent.numbers.get(name)
            if value is None:
                continue
            if low <= value <= high and value == int(value):
                params[name] = int(value)
            else:
                draft.warnings.append(f"{name} {value:g} is outside {low}..{high}; the default is used")
        if params.keys() - {"task"}:
            draft.say("model settings from the prompt: " + ", ".join(f"{k}={v}" for k, v in params.items()))
    chain.add("model", model, params)


def _evaluate(draft: _Draft, chain: Chain, task: str) -> None:
    chain.add("eval", "evaluate", {})
    metric = draft.intent.metric
    if task == "classification":
        reported = "accuracy, precision, recall, F1, ROC AUC and the confusion matrix"
    else:
        reported = "MAE, RMSE and R²"
    line = f"evaluate on the test rows: {reported}"
    if metric is not None:
        fits = (metric in CLASSIFICATION_METRICS) == (task == "classification")
        if fits:
            line += f" (the {METRIC_TITLES[metric]} you asked for is among them)"
        else:
            draft.warnings.append(f"{METRIC_TITLES[metric]} does not apply to {task}; evaluate reports {reported}")
    draft.say(line)


def _export(draft: _Draft, chain: Chain, model: str, target: str) -> None:
    fmt = draft.intent.export_format
    if fmt is None:
        return
    name = file_name(draft.profile.name.rsplit(".", 1)[0], target, model)
    chain.branch("model", "export", "export_model", {"format": fmt, "name": name})
    draft.say(f"export the trained pipeline as {fmt} ({name})")


def _cleaning(draft: _Draft, asked_drops: list[str], prompt: str) -> Chain:
    profile = draft.profile
    draft.say("task: cleaning only (no model was asked for)")
    chain = Chain(name=f"Clean {profile.name}", description=f"Generated from: {prompt}")
    chain.add("load", "load_csv", {"dataset": profile.name})
    if asked_drops:
        chain.add("drop", "drop_columns", {"columns": asked_drops})
        draft.say(f"drop columns {', '.join(repr(c) for c in asked_drops)}, as asked")
    missing = [c for c in profile.columns if c.missing and c.name not in asked_drops]
    if draft.intent.nulls == "drop":
        chain.add("drop_nulls", "drop_nulls", {})
        draft.say("drop rows with missing values, as asked")
    elif missing:
        strategy = draft.intent.strategy or "median"
        chain.add("impute", "impute", {"strategy": strategy})
        draft.say(f"impute missing values in {len(missing)} columns ({strategy} for numbers, most frequent for text)")
    if draft.intent.encoding is not None or "encod" in prompt.lower():
        method = draft.intent.encoding or "onehot"
        chain.add("encode", "encode_categorical", {"method": method})
        draft.say(f"encode text columns ({method})")
    if draft.intent.scale is not None:
        chain.add("scale", "normalize", {"method": draft.intent.scale})
        draft.say(f"scale numeric columns ({draft.intent.scale})")
    if len(chain.nodes) == 1:
        chain.add("drop_empty", "drop_nulls", {"how": "all"})
        draft.say("nothing else to clean: only rows that are entirely empty are removed")
    return chain


def _finish(chain: Chain, draft: _Draft, data_dir: Path, task: str, target: str | None, model: str | None) -> Planned:
    document = chain.document()
    report, _, _ = validate(document, data_dir)
    if not report.ok:
        errors = "; ".join(str(issue) for issue in report.errors[:5])
        raise GenerationRefused(f"the planned workflow did not pass validation: {errors}", "invalid_plan")
    warnings = draft.warnings + [str(issue) for issue in report.warnings]
    return Planned(document, task, target, model, draft.explanation, warnings)
