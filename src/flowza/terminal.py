"""Styled lines on stderr: rich on a terminal, plain text elsewhere (pipes, files, CI logs).

rich is imported only when stderr is a terminal: importing it took 0.05-0.09 s of every `flowza`
command here, a sixth of a fully cached `flowza run`. A line is a list of (text, style) pieces, so
text from the user (node ids, error messages) is never read as rich markup.
"""

from __future__ import annotations

import sys
from typing import Any

Piece = tuple[str, str]


class StderrLines:
    def __init__(self) -> None:
        self._console: Any = None

    def is_terminal(self) -> bool:
        return bool(getattr(sys.stderr, "isatty", lambda: False)())

    def line(self, *pieces: Piece | str) -> None:
        parts = [(p, "") if isinstance(p, str) else p for p in pieces]
        if not self.is_terminal():
            sys.stderr.write("".join(text for text, _ in parts) + "\n")
            sys.stderr.flush()
            return
        from rich.text import Text

        self._rich_console().print(Text.assemble(*parts))

    def _rich_console(self) -> Any:
        """rich's Console on stderr, made on the first line written to a terminal."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=True, highlight=False)
        return self._console
