"""The one entry point: a prompt and a dataset in, a validated workflow with its explanation out.

The offline planner is the default. With an LLM configured it is asked first, and the planner
takes over (saying so in the warnings) when the LLM fails or never gives a valid workflow.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flowza.ai.errors import GenerationRefused, ProviderError
from flowza.ai.intent import parse_intent
from flowza.ai.leaks import find_leaks
from flowza.ai.llm import ask_llm
from flowza.ai.planner import plan
from flowza.ai.profile import DatasetProfile, profile_csv
from flowza.ai.target import choose_target
from flowza.ai.words import VOCABULARY, similar, words_of
from flowza.config import Settings, get_settings
from flowza.nodes.base import NodeError

MAX_PROMPT_CHARS = 2000


def find_dataset(prompt: str, dataset: Path | None, data_dir: Path | None) -> Path:
    """The CSV file to plan for: the one given, or the one of `data_dir` the prompt names."""
    if dataset is not None:
        path = dataset if dataset.is_file() or data_dir is None else data_dir / dataset
        if not path.is_file():
            raise GenerationRefused(f"dataset file {str(dataset)!r} not found", "no_dataset")
        return path.resolve()
    if data_dir is None or not data_dir.is_dir():
        raise GenerationRefused("give a dataset (--dataset FILE) or a folder of CSV files (--data-dir)", "no_dataset")
    files = sorted(p for p in data_dir.iterdir() if p.is_file() and p.suffix.lower() in (".csv", ".tsv", ".txt"))
    if not files:
        raise GenerationRefused(f"no CSV files in {str(data_dir)!r}", "no_dataset")
    return pick_named(prompt, files)


def pick_named(prompt: str, files: list[Path]) -> Path:
    """The only file, or the one whose name the prompt mentions ('titanic' for titanic.csv)."""
    if not files:
        raise GenerationRefused("there is no dataset to plan for: upload one first", "no_dataset")
    if len(files) == 1:
        return files[0].resolve()
    words = [w.text for w in words_of(prompt)]

    def mentioned(path: Path) -> bool:
        stem = path.stem if path.suffix.lower() in (".csv", ".tsv", ".txt") else path.name
        tokens = [t.text for t in words_of(stem) if len(t.text) >= 3 and not t.text.isdigit()]
        tokens = [t for t in tokens if t not in VOCABULARY] or tokens
        return path.name.lower() in prompt.lower() or any(similar(w, t) for w in words for t in tokens)

    named = [p for p in files if mentioned(p)]
    if len(named) == 1:
        return named[0].resolve()
    choices = ", ".join(p.name for p in (named or files)[:20])
    raise GenerationRefused(f"name one dataset in the prompt or choose one (found: {choices})", "which_dataset")


def _likely_target(prompt: str, profile: DatasetProfile) -> str | None:
    try:
        return choose_target(parse_intent(prompt).text, profile, None).target
    except GenerationRefused:
        return None


def _hints(prompt: str, profile: DatasetProfile) -> list[str]:
    """Findings the planner makes, handed to the LLM so it need not rediscover them."""
    hints = [f"{c.name!r} is identifier-like: drop it" for c in profile.columns if c.identifier_like]
    try:
        choice = choose_target(parse_intent(prompt).text, profile, None)
    except GenerationRefused:
        return hints
    if choice.target is not None:
        others = [c for c in profile.names if c != choice.target]
        hints.append(f"the prompt most likely asks to predict {choice.target!r}")
        hints += [
            f"if {choice.target!r} is the target, drop {leak.column!r}: {leak.reason}"
            for leak in find_leaks(profile, choice.target, others)
        ]
    return hints


def _target_check(workflow: dict[str, Any], expected: str | None) -> list[str]:
    """A warning when the LLM predicts another column than the one the prompt seems to name."""
    targets = {
        node.get("params", {}).get("target")
        for node in workflow.get("nodes", [])
        if node.get("type") == "train_test_split"
    }
    if expected is None or not targets or expected in targets:
        return []
    chosen = ", ".join(repr(t) for t in sorted(str(t) for t in targets))
    return [f"the LLM predicts {chosen}, but the prompt seems to ask for {expected!r}: check the split's target"]


def generate(
    prompt: str,
    *,
    dataset: Path | None = None,
    data_dir: Path | None = None,
    settings: Settings | None = None,
    use_llm: bool = True,
) -> dict[str, Any]:
    """{"workflow", "explanation": [...], "source": "planner"|"llm", "warnings": [...]}; GenerationRefused if impossible.

    The workflow's load_csv names the file inside its folder: run it with `--data-dir` that folder.
    """
    prompt = prompt.strip()
    if not prompt:
        raise GenerationRefused("the prompt is empty: say what to predict (e.g. 'predict survived with XGBoost')")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise GenerationRefused(f"the prompt is longer than {MAX_PROMPT_CHARS} characters", "prompt_too_long")
    path = find_dataset(prompt, dataset, data_dir)
    try:
        profile = profile_csv(path)
    except NodeError as exc:
        raise GenerationRefused(f"cannot read {path.name}: {exc.message}", "bad_dataset") from None
    settings = settings or get_settings()
    warnings: list[str] = []
    if use_llm and settings.llm_configured():
        try:
            answer = ask_llm(prompt, profile, path.parent, settings, hints=_hints(prompt, profile))
            return {
                "workflow": answer.workflow,
                "explanation": answer.explanation,
                "source": "llm",
                "warnings": _target_check(answer.workflow, _likely_target(prompt, profile)) + answer.warnings,
            }
        except ProviderError as exc:
            warnings.append(f"the LLM gave no usable workflow ({exc}); the offline planner made this one instead")
    planned = plan(prompt, profile, path.parent)
    return {
        "workflow": planned.workflow,
        "explanation": planned.explanation,
        "source": "planner",
        "warnings": warnings + planned.warnings,
    }
