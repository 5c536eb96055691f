"""`python -m sipperf`: the same as the `sipperf` command."""

from sipperf.cli import main

main()
