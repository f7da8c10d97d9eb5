"""POST /generate: a validated workflow from a sentence, on one of the user's datasets."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from flowza.ai.errors import GenerationRefused
from flowza.ai.generate import MAX_PROMPT_CHARS, generate, pick_named
from flowza.api.deps import SessionDep, StateDep, UserDep
from flowza.api.errors import ApiError, not_found
from flowza.datasets.names import path_in
from flowza.db.repositories import Datasets

router = APIRouter(tags=["generate"])


class GenerateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prompt: str = Field(min_length=1, max_length=MAX_PROMPT_CHARS, description="What to build, in a sentence")
    dataset_id: str | None = Field(
        default=None, description="The dataset to plan for; without it the prompt must name one of your datasets"
    )


class GenerateResponse(BaseModel):
    workflow: dict[str, Any] = Field(description="A workflow document that passed validation")
    explanation: list[str] = Field(description="One line per choice made")
    source: str = Field(description="'planner' (offline) or 'llm'")
    warnings: list[str]


@router.post(
    "/generate",
    summary="Generate a workflow from a prompt (offline planner, or the configured LLM), validated before it returns",
    response_model=GenerateResponse,
    responses={404: {"description": "No such dataset"}, 422: {"description": "The prompt cannot be satisfied"}},
)
def generate_workflow(body: GenerateRequest, session: SessionDep, state: StateDep, user: UserDep) -> dict[str, Any]:
    folder = state.layout.datasets_dir(user)
    try:
        if body.dataset_id is not None:
            row = Datasets(session).get(user, body.dataset_id)
            if row is None:
                raise not_found(f"no dataset {body.dataset_id!r}")
            dataset = path_in(folder, row.name)
        else:
            dataset = pick_named(body.prompt, [path_in(folder, r.name) for r in Datasets(session).for_owner(user)])
        if not dataset.is_file():
            raise not_found(f"the file of dataset {dataset.name!r} is missing from the server's data directory")
        return generate(body.prompt, dataset=dataset, settings=state.settings)
    except GenerationRefused as exc:
        raise ApiError(422, exc.message, code=exc.code) from None
