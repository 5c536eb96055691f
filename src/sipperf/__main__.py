"""`python -m sipperf`: the same as the `sipperf` command."""

from sipperf.command import main

main()
