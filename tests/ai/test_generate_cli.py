"""`flowza generate` end to end: the file it writes runs with `flowza run --data-dir <its folder>`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowza.ai.errors import GenerationRefused
from flowza.ai.generate import find_dataset, generate
from flowza.cli import app
from flowza.config import Settings

runner = CliRunner()


@pytest.fixture()
def folder(shared_datasets: Path, tmp_path: Path) -> Path:
    for name in ("titanic.csv", "iris.csv", "tips.csv"):
        shutil.copy(shared_datasets / name, tmp_path / name)
    return tmp_path


def test_generate_writes_a_workflow_that_runs(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "wf.json"
    prompt = "Predict who survived the Titanic with XGBoost and show me the F1 score"
    generated = runner.invoke(app, ["generate", prompt, "--dataset", str(folder / "titanic.csv"), "-o", str(out)])
    assert generated.exit_code == 0, generated.output
    assert "workflow from the planner" in generated.stderr
    assert "leaks the target" in generated.stderr
    workflow = json.loads(out.read_text())
    assert workflow["nodes"][0]["params"]["dataset"] == "titanic.csv"
    ran = runner.invoke(app, ["run", str(out), "--data-dir", str(folder), "--json", "--no-cache"])
    assert ran.exit_code == 0, ran.output
    result = json.loads(ran.stdout.strip().splitlines()[-1])
    assert result["status"] == "succeeded" and "f1" in result["metrics"]["eval"]


def test_generate_json_picks_the_dataset_named_in_the_prompt(folder: Path) -> None:
    result = runner.invoke(app, ["generate", "classify iris species", "--data-dir", str(folder), "--json", "--offline"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert set(document) == {"workflow", "explanation", "source", "warnings"}
    assert document["source"] == "planner"
    assert document["workflow"]["nodes"][0]["params"]["dataset"] == "iris.csv"


def test_generate_refusal_is_a_clear_error(folder: Path) -> None:
    result = runner.invoke(app, ["generate", "regression on species", "--dataset", str(folder / "iris.csv")])
    assert result.exit_code == 2
    assert "regression needs a numeric target" in result.stderr
    result = runner.invoke(app, ["generate", "predict something", "--data-dir", str(folder)])
    assert result.exit_code == 2
    assert "name one dataset" in result.stderr


def test_find_dataset(folder: Path) -> None:
    assert find_dataset("predict the tip", None, folder).name == "tips.csv"  # 'tip' is close to 'tips'
    assert find_dataset("anything", folder / "iris.csv", None).name == "iris.csv"
    assert find_dataset("anything", Path("iris.csv"), folder).name == "iris.csv"
    with pytest.raises(GenerationRefused, match="not found"):
        find_dataset("x", folder / "nope.csv", None)


def test_empty_or_huge_prompt_is_refused(folder: Path) -> None:
    with pytest.raises(GenerationRefused, match="empty"):
        generate("  ", dataset=folder / "iris.csv")
    with pytest.raises(GenerationRefused, match="longer"):
        generate("predict species " * 500, dataset=folder / "iris.csv")


def test_without_llm_settings_the_planner_answers(folder: Path) -> None:
    result = generate("classify iris species", dataset=folder / "iris.csv", settings=Settings(llm_model="m"))
    assert result["source"] == "planner" and result["warnings"] == []


def test_cli_reads_the_llm_settings_from_the_environment(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.ai.fake_llm import FakeLLM, Reply
    from tests.ai.test_llm import answer, titanic_workflow

    with FakeLLM([Reply(answer(titanic_workflow()))]) as server:
        monkeypatch.setenv("FLOWZA_LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("FLOWZA_LLM_MODEL", "env-model")
        monkeypatch.setenv("FLOWZA_LLM_API_KEY", "env-key")
        monkeypatch.setenv("FLOWZA_LLM_TIMEOUT", "5")
        result = runner.invoke(
            app, ["generate", "predict survived", "--dataset", str(folder / "titanic.csv"), "--json"]
        )
        offline = runner.invoke(
            app, ["generate", "predict survived", "--dataset", str(folder / "titanic.csv"), "--offline"]
        )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["source"] == "llm"
    assert server.requests[0]["model"] == "env-model" and server.headers[0]["authorization"] == "Bearer env-key"
    assert len(server.requests) == 1  # --offline did not call it
    assert offline.exit_code == 0 and "workflow from the planner" in offline.stderr


def test_unwritable_output_is_a_clear_error(folder: Path) -> None:
    target = folder / "missing-dir" / "wf.json"
    result = runner.invoke(
        app, ["generate", "classify iris species", "--dataset", str(folder / "iris.csv"), "-o", str(target)]
    )
    assert result.exit_code == 2 and "cannot write" in result.stderr
