"""Which column the prompt wants predicted, and which columns it asks to leave out."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from flowza.ai.errors import GenerationRefused
from flowza.ai.profile import DatasetProfile
from flowza.ai.words import VOCABULARY, Mention, Word, find_mentions, similar, words_of

TRIGGER = re.compile(r"^(predict\w*|forecast\w*|classif\w*|estimat\w*|regress\w*|guess\w*|determin\w*|model\w*)$")
TASK_NOUNS = {"regression", "classification", "prediction", "predictions", "model", "classifier", "regressor"}
ONLY_WORDS = {"from", "using", "given"}
FEATURE_WORDS = {"from", "using", "use", "uses", "given", "with", "features", "feature", "predictors", "inputs"}
DROP_WORDS = {
    "drop",
    "dropping",
    "remove",
    "removing",
    "without",
    "except",
    "excluding",
    "exclude",
    "ignore",
    "ignoring",
}
CONNECTORS = {
    "and",
    "or",
    "the",
    "a",
    "an",
    "column",
    "columns",
    "variable",
    "variables",
    "field",
    "fields",
    "plus",
    "only",
    "just",
    "both",
}
STOP = {
    "the",
    "a",
    "an",
    "of",
    "for",
    "on",
    "in",
    "to",
    "at",
    "by",
    "is",
    "are",
    "be",
    "it",
    "its",
    "my",
    "me",
    "i",
    "we",
    "our",
    "you",
    "your",
    "and",
    "or",
    "will",
    "would",
    "can",
    "could",
    "should",
    "do",
    "does",
    "did",
    "how",
    "who",
    "what",
    "which",
    "whether",
    "if",
    "when",
    "where",
    "why",
    "them",
    "they",
    "this",
    "that",
    "some",
    "any",
}
GENERIC = {
    "outcome",
    "target",
    "label",
    "result",
    "answer",
    "value",
    "something",
    "stuff",
    "thing",
    "things",
    "type",
    "kind",
    "category",
    "group",
    "y",
    "passenger",
    "passengers",
    "people",
    "person",
    "flower",
    "flowers",
    "car",
    "cars",
    "vehicle",
    "vehicles",
    "penguin",
    "penguins",
    "diamond",
    "diamonds",
    "planet",
    "planets",
    "trip",
    "trips",
    "ride",
    "rides",
    "customer",
    "customers",
    "row",
    "rows",
    "record",
    "records",
    "sample",
    "samples",
    "item",
    "items",
    "bird",
    "birds",
    "titanic",
    "iris",
    "taxi",
    "taxis",
    "restaurant",
    "meal",
    "bill",
    "well",
    "good",
    "best",
    "one",
}
HINT_NAMES = [
    "target",
    "label",
    "labels",
    "outcome",
    "result",
    "survived",
    "species",
    "diagnosis",
    "churn",
    "price",
    "class",
]
EXPLICIT = [
    re.compile(r"\btarget(?:\s+column)?\s*(?:is|=|:|should\s+be)?\s*[`'\"]?([A-Za-z0-9_.\-]+)", re.IGNORECASE),
    re.compile(r"[`'\"]?([A-Za-z0-9_.\-]+)[`'\"]?\s+as\s+(?:the\s+)?(?:target|label)\b", re.IGNORECASE),
    re.compile(r"\bcolumn\s+[`'\"]([A-Za-z0-9_.\-]+)[`'\"]", re.IGNORECASE),
]


@dataclass
class TargetChoice:
    target: str | None
    reason: str
    dropped: list[str] = field(default_factory=list)  # columns the prompt asks to leave out
    only: list[str] = field(default_factory=list)  # "predict X from A and B": the only features wanted


def _marked(words: list[Word], mentions: list[Mention], markers: set[str]) -> set[int]:
    """Indexes (into mentions) of mentions introduced by one of `markers`, directly or in a list."""
    marked: set[int] = set()
    for index, mention in enumerate(mentions):
        i = mention.first - 1
        while i >= 0 and words[i].text in CONNECTORS:
            i -= 1
        if i < 0:
            continue
        if words[i].text in markers:
            marked.add(index)
            continue
        previous = next((k for k, m in enumerate(mentions) if m.last == i), None)
        if previous is not None and previous in marked:
            marked.add(index)
    return marked


def _ignored_words(profile: DatasetProfile) -> set[str]:
    """Words naming the dataset itself (`tips` in tips.csv is the dataset, not the `tip` column)."""
    stem = profile.name.rsplit(".", 1)[0].lower()
    return {stem, stem.rstrip("s")} - {c.lower() for c in profile.names}


def _explicit(prompt: str, profile: DatasetProfile) -> str | None:
    for pattern in EXPLICIT:
        match = pattern.search(prompt)
        if not match:
            continue
        name = match.group(1)
        lowered = {c.lower(): c for c in profile.names}
        if name.lower() in lowered:
            return lowered[name.lower()]
        close = [c for c in profile.names if similar(name.lower(), c.lower())]
        if close:
            return close[0]
        if name.lower() in VOCABULARY | STOP | GENERIC:
            continue
        raise _no_such_column(name, profile)
    return None


def _no_such_column(name: str, profile: DatasetProfile) -> GenerationRefused:
    hint = difflib.get_close_matches(name, profile.names, n=1, cutoff=0.7)
    suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
    columns = ", ".join(profile.names)
    return GenerationRefused(
        f"{profile.name} has no column {name!r} to predict{suggestion} (columns: {columns})", "no_such_column"
    )


def choose_target(prompt: str, profile: DatasetProfile, task: str | None) -> TargetChoice:
    prompt = re.sub(r"\b(?:based\s+on|by\s+means\s+of)\b", "from", prompt, flags=re.IGNORECASE)
    prompt = re.sub(r"\b(?:leav(?:e|ing)\s+out|omit(?:ting)?|skip(?:ping)?)\b", "without", prompt, flags=re.IGNORECASE)
    words = words_of(prompt)
    mentions = find_mentions(words, profile.names, _ignored_words(profile))
    features = _marked(words, mentions, FEATURE_WORDS)
    drops = _marked(words, mentions, DROP_WORDS)
    dropped = [m.column for k, m in enumerate(mentions) if k in drops]
    only = [m.column for k, m in enumerate(mentions) if k in _marked(words, mentions, ONLY_WORDS)]
    explicit = _explicit(prompt, profile)
    if explicit is not None:
        return TargetChoice(explicit, f"the prompt names {explicit!r} as the target", dropped, _without(only, explicit))
    candidates = [m for k, m in enumerate(mentions) if k not in features and k not in drops]
    trigger = next((i for i, w in enumerate(words) if TRIGGER.match(w.text)), None)
    if candidates:
        after = [m for m in candidates if trigger is not None and m.first > trigger]
        before = [m for m in candidates if trigger is not None and m.last == trigger - 1]
        noun = trigger is not None and words[trigger].text in TASK_NOUNS
        chosen = before[0] if noun and before else (after or candidates)[0]
        said = " ".join(w.text for w in words[chosen.first : chosen.last + 1])
        how = "" if said == chosen.column.lower() else f" (you wrote {said!r})"
        reason = f"the prompt asks to predict {chosen.column!r}{how}"
        return TargetChoice(chosen.column, reason, dropped, _without(only, chosen.column))
    if trigger is not None:
        unknown = _named_but_missing(words, trigger, profile)
        if unknown is not None:
            raise _no_such_column(unknown, profile)
    if task == "cleaning":
        return TargetChoice(None, "no target: cleaning only", dropped)
    return _guess(profile, task, dropped)


def _without(columns: list[str], target: str) -> list[str]:
    return [c for c in dict.fromkeys(columns) if c != target]


def _named_but_missing(words: list[Word], trigger: int, profile: DatasetProfile) -> str | None:
    """The noun right after 'predict' when it names no column (e.g. 'predict the wingspan')."""
    ignore = _ignored_words(profile)
    for word in words[trigger + 1 : trigger + 5]:
        if word.text in STOP or word.text in ignore:
            continue
        if word.text in GENERIC or word.text in VOCABULARY or word.text.isdigit() or len(word.text) < 3:
            return None
        return word.text
    return None


def _guess(profile: DatasetProfile, task: str | None, dropped: list[str]) -> TargetChoice:
    usable = [c for c in profile.columns if not c.identifier_like and c.distinct > 1 and c.name not in dropped]
    if not usable:
        raise GenerationRefused(f"{profile.name} has no column that could be a target", "no_target")
    lowered = {c.name.lower(): c.name for c in usable}
    for hint in HINT_NAMES:
        if hint in lowered:
            name = lowered[hint]
            return TargetChoice(name, f"no target named; guessed {name!r}, a usual name for what is predicted", dropped)
    if task == "classification":
        fitting = [c for c in usable if c.kind != "numeric" or (c.integral and c.distinct <= 20)]
    elif task == "regression":
        fitting = [c for c in usable if c.kind == "numeric" and c.distinct > 20]
    else:
        fitting = usable
    chosen = (fitting or usable)[-1]
    return TargetChoice(
        chosen.name, f"no target named; guessed {chosen.name!r}, the last column that fits (name it to choose)", dropped
    )
