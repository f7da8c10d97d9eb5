"""All settings, from FLOWZA_* environment variables; CLI flags override them per command."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FLOWZA_", extra="ignore")

    home: Path = Field(default=Path.home() / ".flowza", description="Where Flowza keeps its own files")
    data_dir: Path | None = Field(default=None, description="Datasets folder (default: HOME/data)")
    cache_dir: Path | None = Field(default=None, description="Node output cache (default: HOME/cache)")
    output_dir: Path = Field(default=Path("flowza-output"), description="Where `flowza run` writes exported files")

    def resolved_data_dir(self) -> Path:
        return (self.data_dir or self.home / "data").expanduser()

    def resolved_cache_dir(self) -> Path:
        return (self.cache_dir or self.home / "cache").expanduser()


def get_settings() -> Settings:
    return Settings()
