"""All settings, from FLOWZA_* environment variables; CLI flags override them per command."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from flowza.nodes.limits import CsvLimits

ENV_PREFIX = "FLOWZA_"


class Settings(BaseModel):
    """Every field is read from FLOWZA_<FIELD> (any case) unless given as an argument.

    A plain pydantic model rather than pydantic-settings' BaseSettings: importing that package
    took 0.15 s of every `flowza` command here, a third of a cached `flowza run`.
    """

    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _read_environment(cls, values: Any) -> Any:
        given = dict(values) if isinstance(values, dict) else {}
        environment = {key.upper(): value for key, value in os.environ.items()}
        for name in cls.model_fields:
            variable = ENV_PREFIX + name.upper()
            if name not in given and variable in environment:
                given[name] = environment[variable]
        return given

    home: Path = Field(default=Path.home() / ".flowza", description="Where Flowza keeps its own files")
    data_dir: Path | None = Field(default=None, description="Datasets folder (default: HOME/data)")
    cache_dir: Path | None = Field(default=None, description="Node output cache (default: HOME/cache)")
    output_dir: Path = Field(default=Path("flowza-output"), description="Where `flowza run` writes exported files")
    llm_base_url: str | None = Field(
        default=None, description="OpenAI-compatible endpoint for `flowza generate`, e.g. http://localhost:11434/v1"
    )
    llm_api_key: SecretStr | None = Field(default=None, description="API key sent to the LLM endpoint")
    llm_model: str | None = Field(default=None, description="Model name asked for at the LLM endpoint")
    llm_timeout: float = Field(default=60.0, gt=0, description="Seconds to wait for one LLM answer")

    def llm_configured(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)

    # Server (`flowza serve`); its files live in the data directory unless said otherwise.
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL (default: SQLite file DATA_DIR/flowza.db); postgresql+psycopg://…"
    )
    max_upload_mb: float = Field(default=200, gt=0, description="Largest dataset upload accepted, in MB")
    host: str = Field(default="127.0.0.1", description="Address `flowza serve` binds to")
    port: int = Field(default=8000, ge=0, le=65535, description="Port `flowza serve` listens on")
    run_workers: int = Field(default=4, ge=1, le=64, description="Runs executed at once by the inline executor")
    request_threads: int = Field(
        default=16, ge=2, le=64, description="Threads serving API requests at once, each with a pooled connection"
    )
    broker_url: str | None = Field(
        default=None, description="Celery broker (redis://…): when set, `serve` sends runs to `flowza worker` processes"
    )
    # Scale-out (issue 4): Celery workers, the shared artifact store and the run watchdog.
    artifacts_url: str | None = Field(
        default=None,
        description="Shared store of node outputs: a directory or an fsspec URL (s3://bucket/prefix, file:///mnt/x); "
        "default: the cache directory itself",
    )
    queue: str = Field(default="flowza", description="Celery queue the server sends runs to and workers read")
    max_attempts: int = Field(default=3, ge=1, le=20, description="Attempts of a run whose worker died, then failed")
    run_timeout: float = Field(default=3600, gt=0, description="Seconds a run may take on a worker (soft limit)")
    heartbeat_seconds: float = Field(
        default=1, gt=0, description="How often a worker marks a run alive and reads its cancel flag (at most 1 s)"
    )
    heartbeat_timeout: float = Field(
        default=60, gt=0, description="Seconds without heartbeat before a run is re-queued"
    )
    redispatch_seconds: float = Field(
        default=300, gt=0, description="Re-send a still-queued run after this long (a broker may lose messages)"
    )
    worker_max_memory_mb: int = Field(
        default=4096, ge=0, description="A worker child is replaced after a run that left it above this (0: no limit)"
    )
    seed_samples: bool = Field(default=True, description="`serve` adds the sample datasets for the local user")
    shared_datasets: Path | None = Field(
        default=None,
        description="Folder of public CSVs; `serve` adds its titanic.csv for the local user "
        "(default: ../shared/datasets next to a source checkout)",
    )

    # Security (README "Security"): authentication and input limits.
    auth: bool = Field(default=False, description="Require a login/API token on every route but health and login")
    token_days: float = Field(default=30, gt=0, description="Days a token from POST /auth/token stays valid")
    max_columns: int = Field(default=2000, ge=1, description="Most columns an uploaded CSV may have")
    max_rows: int = Field(default=5_000_000, ge=1, description="Most data rows an uploaded CSV may have")
    max_field_kb: float = Field(default=128, gt=0, description="Largest single CSV cell accepted, in KB")
    max_body_mb: float = Field(default=10, gt=0, description="Largest request body other than an upload, in MB")
    max_json_depth: int = Field(default=64, ge=4, le=1000, description="Deepest nesting accepted in a JSON body")

    def resolved_data_dir(self) -> Path:
        return (self.data_dir or self.home / "data").expanduser()

    def resolved_shared_datasets(self) -> Path | None:
        if self.shared_datasets is not None:
            return self.shared_datasets.expanduser()
        from flowza.demo.shared import checkout_shared_datasets

        return checkout_shared_datasets()

    def resolved_cache_dir(self) -> Path:
        return (self.cache_dir or self.home / "cache").expanduser()

    def server_cache_dir(self) -> Path:
        """The server's node cache: FLOWZA_CACHE_DIR when set, else DATA_DIR/cache."""
        return (self.cache_dir or self.resolved_data_dir() / "cache").expanduser()

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.resolved_data_dir() / 'flowza.db').resolve()}"

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def max_body_bytes(self) -> int:
        return int(self.max_body_mb * 1024 * 1024)

    @property
    def max_field_bytes(self) -> int:
        return int(self.max_field_kb * 1024)

    def csv_limits(self) -> CsvLimits:
        return CsvLimits(self.max_columns, self.max_rows, self.max_field_bytes)


def get_settings() -> Settings:
    return Settings()
