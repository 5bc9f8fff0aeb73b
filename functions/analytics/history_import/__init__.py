"""History import (`interviews history import --csv F`): interviews from an earlier system, in the risk model's
import format, cleaned (cleaning.py: every row kept or dropped with a reason, duplicates found, times in UTC)
and written as training history with the report's counters back-filled, once per interview (writing.py).

Why here: the rows are the analytics' training history and counters; the command-line tool (cli/history.py) only
finds the tables, shows progress and prints the cleaning report.
"""
