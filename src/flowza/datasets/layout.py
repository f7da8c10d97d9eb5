"""Where the server keeps each user's files under its data directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Layout:
    home: Path

    def user_dir(self, owner_id: str) -> Path:
        return self.home / "users" / owner_id

    def datasets_dir(self, owner_id: str) -> Path:
        """The data directory of the owner's runs: each uploaded CSV under its dataset name."""
        path = self.user_dir(owner_id) / "datasets"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def parquet_path(self, owner_id: str, dataset_id: str) -> Path:
        return self.user_dir(owner_id) / "parquet" / f"{dataset_id}.parquet"

    def incoming_dir(self, owner_id: str) -> Path:
        """Scratch space for uploads in progress, on the same disk so the final move is a rename."""
        path = self.user_dir(owner_id) / "incoming"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def run_output_dir(self, owner_id: str, run_id: str) -> Path:
        return self.user_dir(owner_id) / "runs" / run_id
