"""The `flowza` command: an unchanged `flowza run` is answered from its run record, anything else
goes to the command line interface (flowza.cli). Imports nothing heavy before it knows which."""

from __future__ import annotations

import sys


def main() -> None:
    from flowza.engine.run_record import answer

    code = answer(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from flowza.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
