"""Everything a person or a program reads: the screens, the statistics CSV and the trace files."""
