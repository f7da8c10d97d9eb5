"""`python -m flowza`: the same as the `flowza` command."""

from flowza.cli import main

main()
