"""Public datasets `flowza serve` adds beside the samples when they are on this machine.

titanic.csv is the table the product is demonstrated on (the binary-classification template).
It is not shipped with Flowza: its source (github.com/mwaskom/seaborn-data) has no licence.
`serve` reads it from FLOWZA_SHARED_DATASETS (by default ../shared/datasets next to a source
checkout) and otherwise says where to download it.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flowza.datasets.service import DatasetService

log = logging.getLogger(__name__)

SHARED_SEEDS = ("titanic.csv",)
SOURCE_URL = "https://raw.githubusercontent.com/mwaskom/seaborn-data/master/{name}"


def checkout_shared_datasets() -> Path | None:
    """../shared/datasets next to the source checkout Flowza runs from; None for an installed package."""
    checkout = Path(__file__).resolve().parents[3]
    if not (checkout / "pyproject.toml").is_file():
        return None
    return checkout.parent / "shared" / "datasets"


@dataclass
class SeedOutcome:
    added: list[str]
    missing: list[str]  # seeds the user does not have and the folder does not hold


def missing_notice(name: str, folder: Path | None) -> str:
    where = f"not found in {folder}" if folder is not None else "no shared datasets folder"
    return (
        f"{name} was not added ({where}): download {SOURCE_URL.format(name=name)} and upload it, "
        "or set FLOWZA_SHARED_DATASETS to the folder that holds it"
    )


def add_shared_datasets(store: DatasetService, owner_id: str, folder: Path | None) -> SeedOutcome:
    """Upload each of SHARED_SEEDS from `folder` for `owner_id` unless the user has it already;
    log one line for each seed that is neither there nor in `folder`."""
    outcome = SeedOutcome([], [])
    for name in SHARED_SEEDS:
        if store.exists(owner_id, name):
            continue
        source = folder / name if folder is not None else None
        if source is None or not source.is_file():
            outcome.missing.append(name)
            log.warning(missing_notice(name, folder))
            continue
        from flowza.datasets.checks import BadFile
        from flowza.datasets.service import DatasetExists

        with store.scratch(owner_id) as scratch:
            copy = scratch / name
            shutil.copyfile(source, copy)
            try:
                store.import_file(owner_id, copy, name, name)
                outcome.added.append(name)
            except DatasetExists:  # added meanwhile by another server process
                pass
            except BadFile as exc:
                log.warning("%s was not added: %s", source, exc)
    return outcome
