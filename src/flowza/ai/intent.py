"""What a prompt asks for, apart from the columns: model, task, metric, export and step options."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MODEL_PATTERNS: list[tuple[str, str]] = [
    ("xgboost", r"\bxg\s*-?\s*boost\w*|\bxgb\b|gradient[\s-]*boost\w*|boosted\s+trees?|\bgbm\b|\bboosting\b"),
    ("random_forest", r"random[\s-]*forests?|\bforests?\b|\brf\b|decision\s+trees?|\btree[\s-]*based\b|\bbagging\b"),
    ("logistic_regression", r"logistic(?:\s+regress\w*)?|\blogit\b"),
    ("linear_regression", r"linear\s+regress\w*|\bols\b|least\s+squares"),
    ("linear", r"\blinear\s+(?:model|classifier)\b|\blinear\b"),
]
UNSUPPORTED_MODELS: list[tuple[str, str]] = [
    ("a neural network", r"\bneural\b|\bmlp\b|\bdeep\s+learning\b|\bperceptron\b"),
    ("a support vector machine", r"\bsvm\b|\bsvc\b|\bsvr\b|support\s+vector"),
    ("k-nearest neighbours", r"\bknn\b|nearest\s+neighbou?rs?"),
    ("naive Bayes", r"\bnaive\s+bayes\b"),
    ("LightGBM", r"\blight\s*gbm\b"),
    ("CatBoost", r"\bcat\s*boost\b"),
]
UNSUPERVISED_WORDS = r"\bcluster\w*|\bk-?means\b|\bunsupervised\b|\bdbscan\b|\banomaly\s+detect\w*|\bpca\b"
REGRESSION_WORDS = r"\bregress\w*|\bhow\s+(?:much|many)\b|\bcontinuous\b|\bamount\b"
CLASSIFICATION_WORDS = r"\bclassif\w*|\bcategori[sz]\w*|\bwhether\b|\byes\s*/\s*no\b|\bbinary\b|\bmulti-?class\b"
CLEANING_WORDS = (
    r"\bclean\w*|\btidy\b|\bimput\w*|\bfill\w*|\bprepar\w*|\bpre-?process\w*|\bmissing\b|\bnulls?\b|\bencod\w*"
)
MODELLING_WORDS = (
    r"\bpredict\w*|\bforecast\w*|\bclassif\w*|\bregress\w*|\bmodel\w*|\btrain\w*|\bfit\b|\bevaluat\w*|\baccuracy\b"
    r"|\bf1\b|\bscore\b|\bwho\b|\bwhether\b|\bestimat\w*|\bguess\w*"
)
METRICS = {
    "f1": r"\bf1\b|\bf-?score\b|\bf\s*-?\s*measure\b",
    "accuracy": r"\baccura\w*",
    "roc_auc": r"\bauc\b|\broc\b",
    "precision": r"\bprecision\b",
    "recall": r"\brecall\b|\bsensitivity\b",
    "rmse": r"\brmse\b|root\s+mean\s+squared?",
    "mae": r"\bmae\b|mean\s+absolute",
    "r2": r"\br2\b|\br\^?2\b|r[\s-]*squared",
}
CLASSIFICATION_METRICS = {"f1", "accuracy", "roc_auc", "precision", "recall"}
EXPORT_WORDS = r"\bexport\w*|\bsave\b|\bsaved\b|\bdownload\w*|\bonnx\b|\bjoblib\b|\bskops\b|\bpickle\w*|\bserializ\w*"
EXPORT_FORMATS = {"onnx": r"\bonnx\b", "joblib": r"\bjoblib\b|\bpickle\w*", "skops": r"\bskops\b"}
DROP_NULL_WORDS = (
    r"\b(?:drop|remove|delete|discard|exclude)\w*\s+(?:the\s+|all\s+|any\s+)?(?:rows?\s+(?:with|that\s+have|having)\s+)?"
    r"(?:missing|null|nan|na|empty|incomplete)"
)
IMPUTE_WORDS = r"\bimput\w*|\bfill\w*"
STRATEGIES = {"median": r"\bmedian\b", "most_frequent": r"\bmost\s+frequent\b|\bmode\b", "mean": r"\bmean\b(?!\s+abs)"}
SCALE_WORDS = {
    "minmax": r"\bmin[\s-]*max\b",
    "robust": r"\brobust\b",
    "standard": r"\bscal\w*|\bnormali[sz]\w*|\bstandardi[sz]\w*",
}
ENCODINGS = {"ordinal": r"\bordinal\b|\blabel[\s-]*encod\w*", "onehot": r"\bone[\s-]*hot\b|\bdumm(?:y|ies)\b"}
NUMBER_PARAMS = {
    "test_size": r"(?:\btest(?:[\s_]+(?:size|set|part|split))?|\bhold(?:ing)?[\s-]*out)\s*(?:of|=|:|at|is)?\s*"
    r"(\d{1,2}(?:\.\d+)?\s*%|0?\.\d+)"
    r"|(\d{1,2})\s*%\s*(?:of\s+(?:the\s+)?(?:data|rows)\s+)?(?:for\s+|as\s+)?(?:the\s+)?(?:test|hold)\w*"
    r"|\b(\d{2})\s*/\s*(\d{2})\s+split",
    "n_estimators": r"(\d{1,5})\s+(?:trees|estimators|rounds|boosting\s+rounds)|(?:number\s+of\s+trees|n_estimators)"
    r"\s*(?:of|=|:)?\s*(\d{1,5})",
    "max_depth": r"(?:max(?:imum)?[\s_]+)?depth\s*(?:of|=|:)?\s*(\d{1,3})",
    "seed": r"(?:random[\s_]+)?(?:seed|state)\s*(?:of|=|:)?\s*(\d{1,9})",
}


@dataclass
class Intent:
    model: str | None = None
    unsupported: str | None = None  # a model or task Flowza has no node for, in words
    task: str | None = None  # "classification" | "regression" | "cleaning"
    metric: str | None = None
    export_format: str | None = None
    nulls: str | None = None  # "drop" | "impute"
    strategy: str | None = None
    scale: str | None = None
    encoding: str | None = None
    balanced: bool = False  # reweight rare classes (logistic regression's class_weight)
    numbers: dict[str, float] = field(default_factory=dict)
    text: str = ""  # the prompt with model names and number settings blanked out


def _blank(text: str, pattern: str) -> str:
    return re.sub(pattern, lambda m: " " * len(m.group()), text, flags=re.IGNORECASE)


def _search(pattern: str, text: str) -> re.Match[str] | None:
    return re.search(pattern, text, flags=re.IGNORECASE)


def parse_numbers(text: str) -> tuple[dict[str, float], str]:
    numbers: dict[str, float] = {}
    for name, pattern in NUMBER_PARAMS.items():
        match = _search(pattern, text)
        if not match:
            continue
        groups = [g for g in match.groups() if g is not None]
        if name == "test_size" and len(groups) == 2:
            numbers[name] = float(groups[1]) / 100
        elif name == "test_size":
            raw = groups[0].replace(" ", "")
            numbers[name] = float(raw.rstrip("%")) / 100 if raw.endswith("%") or float(raw) >= 1 else float(raw)
        else:
            numbers[name] = float(groups[0])
        text = text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]
    return numbers, text


def parse_intent(prompt: str) -> Intent:
    intent = Intent()
    intent.numbers, text = parse_numbers(prompt)
    for title, pattern in UNSUPPORTED_MODELS:
        if _search(pattern, text):
            intent.unsupported = title
    if _search(UNSUPERVISED_WORDS, text):
        intent.unsupported = "unsupervised learning (clustering, anomaly detection, PCA)"
    for model, pattern in MODEL_PATTERNS:
        if _search(pattern, text):
            intent.model = model
            text = _blank(text, pattern)
            break
    for metric, pattern in METRICS.items():
        if _search(pattern, text):
            intent.metric = metric
            break
    export = _search(EXPORT_WORDS, text)
    if export:
        intent.export_format = next((f for f, p in EXPORT_FORMATS.items() if _search(p, text)), "skops")
    if _search(DROP_NULL_WORDS, text):
        intent.nulls = "drop"
    elif _search(IMPUTE_WORDS, text):
        intent.nulls = "impute"
    intent.strategy = next((s for s, p in STRATEGIES.items() if _search(p, text)), None)
    intent.scale = next((s for s, p in SCALE_WORDS.items() if _search(p, text)), None)
    intent.encoding = next((e for e, p in ENCODINGS.items() if _search(p, text)), None)
    intent.balanced = _search(r"\bbalanc\w*|\bimbalanc\w*|\bclass[\s_]+weights?\b", text) is not None
    intent.task = _task(text, intent)
    intent.text = text
    return intent


def _task(text: str, intent: Intent) -> str | None:
    if intent.model == "logistic_regression":
        return "classification"
    if intent.model == "linear_regression":
        return "regression"
    if _search(REGRESSION_WORDS, text):
        return "regression"
    if _search(CLASSIFICATION_WORDS, text):
        return "classification"
    modelling = intent.model is not None or _search(MODELLING_WORDS, text) is not None
    if not modelling and (_search(CLEANING_WORDS, text) or _search(DROP_NULL_WORDS, text)):
        return "cleaning"
    if intent.metric is not None:
        return "classification" if intent.metric in CLASSIFICATION_METRICS else "regression"
    return None
