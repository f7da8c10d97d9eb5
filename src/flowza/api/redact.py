"""What an error body may say: no secrets, no server paths, no megabyte echoes (issue 23 item 11).

Every error body the API builds goes through `Redactor.body` before it is sent:

* the value of any field named like a secret (password, secret, token, API key, authorization,
  credential) is replaced by "[hidden]", and so is the echoed `input` of a validation error whose
  location names one, or any echoed `input` on the login and user routes;
* absolute paths of the server's own folders (home, data, cache, shared datasets, the temporary
  folder, the account's home) are replaced by a label such as "<data dir>";
* a string longer than MAX_VALUE_CHARS (messages: MAX_MESSAGE_CHARS) is cut, with an ellipsis
  and its original length; an echoed JSON object or list is cut the same way once serialised;
* a lone UTF-16 surrogate, which cannot be encoded as UTF-8, becomes "?".

The shape of the body is kept: {"detail": ..., ...}.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowza.config import Settings

MAX_VALUE_CHARS = 200
MAX_MESSAGE_CHARS = 1000
HIDDEN = "[hidden]"
# "pass" alone or as password/passwd/passphrase, not "passenger_id" or "bypass_cache"
SECRET_NAME = re.compile(
    r"^pass$|pass(word|wd|phrase)|secret|token|api[_-]?key|authorization|credential", re.IGNORECASE
)
MESSAGE_KEYS = {"detail", "msg", "message"}
ECHO_KEY = "input"
SECRET_ROUTES = ("/api/v1/auth/", "/api/v1/users")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_PATH_START = r"(?<![\w.~-])"  # not the tail of another path or word: /srv/data is not in /mnt/srv/data
_PATH_END = r"(?=[/\\'\"\s,;:)\]}]|$)"


def cut(text: str, limit: int) -> str:
    """At most `limit` characters, then an ellipsis and how long the text was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def is_secret_name(name: object) -> bool:
    return isinstance(name, str) and SECRET_NAME.search(name) is not None


@dataclass(frozen=True)
class Redactor:
    folders: tuple[tuple[re.Pattern[str], str], ...] = ()  # (absolute path at a path boundary, label)

    @classmethod
    def for_folders(cls, folders: Iterable[tuple[Path | None, str]]) -> Redactor:
        spelled: dict[str, str] = {}
        for folder, label in folders:
            if folder is None:
                continue
            for path in (folder.expanduser(), folder.expanduser().resolve()):
                text = str(path).rstrip("/\\")
                if path.is_absolute() and len(text) > 1 and text not in spelled:
                    spelled[text] = label
        ordered = sorted(spelled.items(), key=lambda item: len(item[0]), reverse=True)  # data dir before home
        return cls(tuple((re.compile(_PATH_START + re.escape(text) + _PATH_END), label) for text, label in ordered))

    @classmethod
    def for_settings(cls, settings: Settings) -> Redactor:
        return cls.for_folders(
            [
                (settings.resolved_data_dir(), "<data dir>"),
                (settings.server_cache_dir(), "<cache dir>"),
                (settings.resolved_cache_dir(), "<cache dir>"),
                (settings.shared_datasets, "<shared datasets>"),
                (settings.home, "<flowza home>"),
                (Path(tempfile.gettempdir()), "<tmp>"),
                (Path.home(), "<home>"),
            ]
        )

    def text(self, value: str, limit: int = MAX_VALUE_CHARS) -> str:
        for pattern, label in self.folders:
            value = pattern.sub(label, value)
        return cut(LONE_SURROGATE.sub("?", value), limit)

    def body(self, value: Any, path: str = "") -> Any:
        """A copy of an error body that is safe to send; `path` is the request's URL path."""
        hide_echoes = path.startswith(SECRET_ROUTES)
        return self._walk(value, None, hide_echoes)

    def _walk(self, value: Any, key: object, hide_echoes: bool) -> Any:
        if isinstance(value, str):
            return self.text(value, MAX_MESSAGE_CHARS if key in MESSAGE_KEYS else MAX_VALUE_CHARS)
        if isinstance(value, dict):
            return self._walk_dict(value, hide_echoes)
        if isinstance(value, (list, tuple)):
            return [self._walk(item, None, hide_echoes) for item in value]
        return value

    def _walk_dict(self, value: dict[Any, Any], hide_echoes: bool) -> dict[Any, Any]:
        location = value.get("loc")
        secret_location = isinstance(location, (list, tuple)) and any(is_secret_name(part) for part in location)
        safe: dict[Any, Any] = {}
        for key, inner in value.items():
            shown_key = self.text(key) if isinstance(key, str) else key
            if is_secret_name(key) and inner is not None:
                safe[shown_key] = HIDDEN
            elif key == ECHO_KEY and (hide_echoes or secret_location):
                safe[shown_key] = HIDDEN
            elif key == ECHO_KEY and isinstance(inner, (dict, list)):
                safe[shown_key] = self._echo(inner, hide_echoes)
            else:
                safe[shown_key] = self._walk(inner, key, hide_echoes)
        return safe

    def _echo(self, value: dict[Any, Any] | list[Any], hide_echoes: bool) -> Any:
        """An echoed object or list: redacted, then cut to a string when its JSON is long."""
        walked = self._walk(value, None, hide_echoes)
        try:
            spelled = json.dumps(walked, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            return HIDDEN
        return walked if len(spelled) <= MAX_VALUE_CHARS else cut(spelled, MAX_VALUE_CHARS)
