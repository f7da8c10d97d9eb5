"""Dataset names: plain file names that load_csv finds inside the owner's dataset directory."""

from __future__ import annotations

import re
from pathlib import Path

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.()\-]{0,199}$")


class BadName(ValueError):
    pass


def dataset_name(requested: str | None, filename: str | None) -> str:
    """The dataset's name: `requested` if given, else the uploaded file's base name."""
    name = (requested or "").strip()
    if not name:
        name = Path((filename or "").replace("\\", "/")).name.strip()
    if not name:
        raise BadName("the upload has no file name; give the dataset a name in the 'name' field")
    if not NAME_PATTERN.match(name) or ".." in name:
        raise BadName(
            f"dataset name {name!r} is not allowed: use letters, digits, spaces and _ . - ( ), "
            "starting with a letter or digit, at most 200 characters"
        )
    return name


def path_in(root: Path, name: str) -> Path:
    """`root/name`, refusing any name that would land outside `root`."""
    root_resolved = root.resolve()
    path = (root_resolved / name).resolve()
    if path.parent != root_resolved:
        raise BadName(f"dataset name {name!r} points outside the dataset directory")
    return path
