"""Reading a prompt: words with positions, fuzzy word equality, and column mentions."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

WORD = re.compile(r"[A-Za-z0-9]+")
UNITS = {"mm", "cm", "m", "km", "g", "kg", "lb", "lbs", "in", "usd", "pct"}
# words about the task itself: they must never be read as a column name, however close
VOCABULARY = {
    "predict",
    "predicts",
    "predicting",
    "prediction",
    "predictions",
    "classify",
    "classifies",
    "classifier",
    "classification",
    "classified",
    "regression",
    "regressor",
    "regress",
    "model",
    "models",
    "train",
    "training",
    "trained",
    "data",
    "dataset",
    "datasets",
    "table",
    "file",
    "column",
    "columns",
    "feature",
    "features",
    "target",
    "using",
    "with",
    "from",
    "show",
    "score",
    "scores",
    "forest",
    "random",
    "boost",
    "boosted",
    "boosting",
    "xgboost",
    "logistic",
    "linear",
    "export",
    "save",
    "evaluate",
    "evaluation",
    "accuracy",
    "split",
    "test",
    "clean",
    "cleaning",
    "missing",
    "values",
    "value",
    "rows",
    "encode",
    "scale",
    "normalize",
    "estimate",
    "whether",
    "which",
    "what",
    "when",
    "where",
    "that",
    "this",
    "these",
    "those",
    "then",
    "than",
    "about",
    "into",
    "onto",
    "over",
    "under",
    "only",
    "also",
    "please",
    "each",
    "every",
    "their",
    "there",
    "based",
}
QUESTION_WORDS = {"who", "what", "which", "whether", "when", "where", "how", "if", "why"}
SYNONYMS = {
    "gender": ["sex"],
    "survival": ["survived"],
    "survive": ["survived"],
    "survivors": ["survived"],
    "cost": ["price", "fare"],
    "costs": ["price", "fare"],
    "worth": ["price", "value"],
    "expensive": ["price"],
    "fuel": ["mpg"],
    "efficiency": ["mpg"],
    "consumption": ["mpg"],
    "mileage": ["mpg"],
    "weight": ["body_mass_g", "weight", "mass"],
    "tipping": ["tip"],
    "gratuity": ["tip"],
    "kind": ["species"],
    "discovered": ["method"],
    "discovery": ["method"],
    "technique": ["method"],
    "techniques": ["method"],
    "paid": ["payment"],
    "pays": ["payment"],
    "card": ["payment"],
    "cash": ["payment"],
}


@dataclass(frozen=True)
class Word:
    text: str  # lower case
    start: int  # character offset in the prompt
    quoted: bool


@dataclass(frozen=True)
class Mention:
    column: str
    first: int  # index of the first word
    last: int  # index of the last word
    exact: bool


def words_of(text: str) -> list[Word]:
    result = []
    for match in WORD.finditer(text):
        before = text[match.start() - 1] if match.start() > 0 else ""
        after = text[match.end()] if match.end() < len(text) else ""
        quoted = before in "`'\"" and after in "`'\"" and before != ""
        result.append(Word(match.group().lower(), match.start(), quoted))
    return result


def similar(word: str, name: str) -> bool:
    """Case-folded equality that forgives a plural, a typo or a different ending of the same stem."""
    if word == name:
        return True
    if word in (name + "s", name + "es") or name in (word + "s", word + "es"):
        return True
    if word in VOCABULARY or len(word) < 3:
        return False
    if name.startswith(word) and len(word) >= 0.4 * len(name):  # 'pay' for 'payment', 'dist' for 'distance'
        return True
    if len(word) < 4 or len(name) < 4:
        return False
    prefix = len(_common_prefix(word, name))
    if prefix >= 5 and prefix >= 0.7 * min(len(word), len(name)):
        return True
    return difflib.SequenceMatcher(None, word, name).ratio() >= 0.8


def _common_prefix(a: str, b: str) -> str:
    out = []
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        out.append(x)
    return "".join(out)


def column_tokens(name: str) -> list[str]:
    tokens = [t.lower() for t in WORD.findall(name.replace("_", " "))]
    core = [t for t in tokens if t not in UNITS]
    return core or tokens


def find_mentions(words: list[Word], columns: list[str], ignore: set[str]) -> list[Mention]:
    """Every place a column is named: exactly, as a phrase of its parts, fuzzily, or by a synonym."""
    mentions: list[Mention] = []
    for column in columns:
        tokens = column_tokens(column)
        joined = "".join(tokens)
        for i, word in enumerate(words):
            if word.text in ignore and word.text != column.lower():
                continue
            if word.text in QUESTION_WORDS and not word.quoted:
                continue
            span = _match_at(words, i, tokens, joined, column)
            if span is not None:
                mentions.append(Mention(column, i, i + span - 1, exact=word.text == column.lower()))
    taken = {(m.first, m.column) for m in mentions}
    lowered = {c.lower(): c for c in columns}
    for i, word in enumerate(words):
        if any(m.first <= i <= m.last for m in mentions):
            continue
        for candidate in SYNONYMS.get(word.text, []):
            if candidate in lowered and (i, lowered[candidate]) not in taken:
                mentions.append(Mention(lowered[candidate], i, i, exact=False))
                break
    return _best_per_position(mentions)


def _match_at(words: list[Word], i: int, tokens: list[str], joined: str, column: str) -> int | None:
    """How many words starting at `i` name the column, or None."""
    if words[i].text == column.lower() or words[i].text == joined:
        return 1
    span = _acronym_at(words, i, column.lower())
    if span is not None:
        return span
    if len(tokens) > 1:
        window = [w.text for w in words[i : i + len(tokens)]]
        if len(window) == len(tokens) and all(similar(w, t) for w, t in zip(window, tokens, strict=True)):
            return len(tokens)
        return None
    return 1 if similar(words[i].text, tokens[0]) else None


def _acronym_at(words: list[Word], i: int, name: str) -> int | None:
    """'miles per gallon' for 'mpg': consecutive words whose initials spell a short column name."""
    if not (2 <= len(name) <= 5 and name.isalpha()):
        return None
    window = words[i : i + len(name)]
    if len(window) == len(name) and "".join(w.text[0] for w in window) == name and len(window[0].text) > 1:
        return len(name)
    return None


def _best_per_position(mentions: list[Mention]) -> list[Mention]:
    """Where several columns match the same words, keep the longest, then the exact one."""
    best: dict[int, Mention] = {}
    for mention in mentions:
        current = best.get(mention.first)
        rank = (mention.last - mention.first, mention.exact)
        if current is None or rank > (current.last - current.first, current.exact):
            best[mention.first] = mention
    kept = sorted(best.values(), key=lambda m: m.first)
    result: list[Mention] = []
    for mention in kept:
        if result and mention.first <= result[-1].last:
            continue
        result.append(mention)
    return result
