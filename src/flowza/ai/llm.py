"""Asking an OpenAI-compatible chat-completions endpoint for a workflow, validated and repaired.

The answer is parsed as JSON (never evaluated), checked against the node catalog and the dataset
by the engine's own validation, and sent back with the errors for a repair, at most MAX_TRIES
times. Provider failures raise ProviderError so the caller can fall back to the offline planner.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import openai

from flowza.ai.errors import ProviderError
from flowza.ai.llm_prompt import repair_prompt, system_prompt, user_prompt
from flowza.ai.profile import DatasetProfile
from flowza.config import Settings
from flowza.engine.validate import validate

MAX_TRIES = 3
MAX_RATE_LIMIT_WAIT = 10.0
MAX_ANSWER_CHARS = 100_000
MAX_NODES = 40
MAX_EXPLANATION_LINES = 30
FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


class AnswerRejected(Exception):
    """The model's answer is not an acceptable workflow; the problems go back to it."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class ModelRefused(Exception):
    """The model answered with a refusal instead of a workflow."""


@dataclass
class LLMResult:
    workflow: dict[str, Any]
    explanation: list[str]
    warnings: list[str] = field(default_factory=list)
    tries: int = 1


class ChatClient:
    """One chat-completions call per `complete`, with Flowza's own retry policy (the SDK's is off)."""

    def __init__(self, settings: Settings) -> None:
        if not settings.llm_base_url or not settings.llm_model:
            raise ProviderError("no LLM configured (set FLOWZA_LLM_BASE_URL and FLOWZA_LLM_MODEL)")
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
        self.model = settings.llm_model
        self.client = openai.OpenAI(
            base_url=settings.llm_base_url, api_key=key, timeout=settings.llm_timeout, max_retries=0
        )

    def complete(self, messages: list[dict[str, str]]) -> str:
        response = self.client.chat.completions.create(
            model=self.model,
            messages=cast(Any, messages),
            response_format=cast(Any, {"type": "json_object"}),
            temperature=0,
        )
        if not response.choices:
            return ""
        content = response.choices[0].message.content
        return content if isinstance(content, str) else ""


def parse_answer(text: str) -> dict[str, Any]:
    """The JSON object in the answer (a ```json fence is allowed); AnswerRejected otherwise."""
    if len(text) > MAX_ANSWER_CHARS:
        raise AnswerRejected([f"the answer is longer than {MAX_ANSWER_CHARS} characters"])
    fenced = FENCE.match(text)
    body = fenced.group(1) if fenced else text.strip()
    try:
        value = json.loads(body)
    except json.JSONDecodeError as exc:
        raise AnswerRejected([f"the answer is not valid JSON ({exc.msg} at line {exc.lineno})"]) from None
    if not isinstance(value, dict):
        raise AnswerRejected([f"the answer must be a JSON object, not {type(value).__name__}"])
    return value


def check_answer(answer: dict[str, Any], dataset: str, data_dir: Path) -> tuple[dict[str, Any], list[str], list[str]]:
    """(workflow, explanation, warnings) when the answer holds a valid workflow on `dataset`."""
    if "workflow" not in answer and isinstance(answer.get("refusal"), str):
        raise ModelRefused(answer["refusal"][:500])
    workflow = answer.get("workflow", answer if "nodes" in answer else None)
    if not isinstance(workflow, dict):
        raise AnswerRejected(['the answer needs a "workflow" object with "nodes" and "edges"'])
    problems = []
    nodes = workflow.get("nodes")
    if not isinstance(nodes, list) or not nodes:
        raise AnswerRejected(['"workflow.nodes" must be a non-empty list'])
    if len(nodes) > MAX_NODES:
        problems.append(f"the workflow has {len(nodes)} nodes; at most {MAX_NODES} are allowed")
    loads = [n for n in nodes if isinstance(n, dict) and n.get("type") == "load_csv"]
    if not loads:
        problems.append("the workflow must start with a load_csv node")
    for node in loads:
        params = node.get("params")
        if not isinstance(params, dict) or params.get("dataset") != dataset:
            problems.append(f'node {node.get("id")!r}: load_csv must read "dataset": {json.dumps(dataset)}')
    report, _, _ = validate(workflow, data_dir)
    problems += [str(issue) for issue in report.errors]
    if problems:
        raise AnswerRejected(problems)
    raw = answer.get("explanation")
    lines = [str(line)[:300] for line in raw if isinstance(line, str | int | float)] if isinstance(raw, list) else []
    return workflow, lines[:MAX_EXPLANATION_LINES], [str(issue) for issue in report.warnings]


def _retry_after(exc: openai.APIStatusError) -> float:
    header = exc.response.headers.get("retry-after") if exc.response is not None else None
    try:
        return min(max(float(header), 0.0), MAX_RATE_LIMIT_WAIT) if header else 1.0
    except ValueError:
        return 1.0


def ask_llm(
    prompt: str,
    profile: DatasetProfile,
    data_dir: Path,
    settings: Settings,
    hints: list[str] | None = None,
    client: ChatClient | None = None,
) -> LLMResult:
    """A validated workflow from the LLM, or ProviderError saying why there is none."""
    chat = client or ChatClient(settings)
    messages = [
        {"role": "system", "content": system_prompt(profile, hints or [])},
        {"role": "user", "content": user_prompt(prompt)},
    ]
    last = "no answer"
    for attempt in range(1, MAX_TRIES + 1):
        try:
            text = chat.complete(messages)
        except openai.RateLimitError as exc:
            last = "rate limited (HTTP 429)"
            if attempt < MAX_TRIES:
                time.sleep(_retry_after(exc))
            continue
        except openai.APITimeoutError:
            raise ProviderError(f"the LLM did not answer within {settings.llm_timeout:g} s") from None
        except openai.APIConnectionError as exc:
            raise ProviderError(f"cannot reach the LLM at {settings.llm_base_url}: {exc}") from None
        except openai.APIStatusError as exc:
            if exc.status_code >= 500:
                last = f"the LLM endpoint failed (HTTP {exc.status_code})"
                continue
            raise ProviderError(f"the LLM endpoint refused the request (HTTP {exc.status_code})") from None
        except openai.OpenAIError as exc:
            raise ProviderError(f"the LLM call failed: {exc}") from None
        except (ValueError, TypeError, AttributeError) as exc:  # a body that is not chat-completions JSON
            raise ProviderError(f"the LLM endpoint's response is not chat-completions JSON ({exc})") from None
        try:
            workflow, explanation, warnings = check_answer(parse_answer(text), profile.name, data_dir)
        except ModelRefused as exc:
            raise ProviderError(f"the LLM declined: {exc}") from None
        except AnswerRejected as exc:
            last = f"its answer was not a valid workflow ({'; '.join(exc.problems[:3])})"
            messages.append({"role": "assistant", "content": text[:MAX_ANSWER_CHARS]})
            messages.append({"role": "user", "content": repair_prompt(exc.problems)})
            continue
        lines = [f"generated by the LLM {chat.model!r} in {attempt} tr{'y' if attempt == 1 else 'ies'}", *explanation]
        return LLMResult(workflow, lines, warnings, attempt)
    raise ProviderError(f"no valid workflow after {MAX_TRIES} tries: {last}")
