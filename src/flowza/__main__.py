"""`python -m flowza`: the same as the `flowza` command."""

from flowza.launcher import main

main()
