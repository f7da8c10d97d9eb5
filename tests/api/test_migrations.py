"""Alembic migrations match the models on both databases; `flowza db` works from any directory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from flowza.db.migrate import alembic_config, current_revision, head_revision, upgrade
from flowza.db.models import Base
from flowza.db.session import make_engine

FLOWZA = str(Path(sys.executable).parent / "flowza")


def test_models_match_the_migrations(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert differences == []
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_downgrade_and_upgrade_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "base")
    upgrade(url)
    engine = make_engine(url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_flowza_db_commands_from_any_directory(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    done = subprocess.run(
        [FLOWZA, "db", "upgrade", "--database-url", url], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "latest revision" in done.stdout
    env_only = subprocess.run(
        [FLOWZA, "db", "current"], cwd="/", capture_output=True, text=True, env={"FLOWZA_DATABASE_URL": url, "PATH": ""}
    )
    assert env_only.returncode == 0, env_only.stderr
    assert f"current: {head_revision()}" in env_only.stdout
