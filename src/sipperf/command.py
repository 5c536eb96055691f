"""The `sipperf` command's entry point: the cycle collector is off before anything is imported.

Start-up makes some 19,000 objects that live as long as the run (modules, classes, the scenario);
the collector's automatic passes over them while they are made cost about 7 ms of CPU, and the run
freezes them out of its scans anyway (runner.quiet_gc). Commands that never reach a run (-h, -v,
-sd) exit soon after.
"""

import gc


def main() -> None:
    gc.disable()
    from sipperf.cli import main as run_command  # after the collector is off

    run_command()
