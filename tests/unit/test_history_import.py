"""The history import's cleaning: every row of an import CSV kept, dropped with a reason, or found to repeat an
earlier one; times normalised to UTC; a wrong file refused whole; rows grouped into transactions. Writing is
tested with moto in tests/integration/test_history_import.py."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import datetime, timezone

import pytest

from cli.main import main
from functions.analytics.history_import import writing
from functions.analytics.history_import.cleaning import DROP_REASONS, clean_file
from functions.analytics.risk_rows import HistoryFormatError

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)
HEADER = ["interview_id", "scheduled_at", "invited_at", "outcome", "viewed_jd", "prior_cancellations", "source"]
GOOD = ["g-1", "2025-06-02T10:00:00+08:00", "2025-05-30T09:00:00+08:00", "attended", "1", "0", "referral"]


def _write(tmp_path, rows, header=HEADER, name="history.csv"):
    path = tmp_path / name
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_each_bad_row_is_dropped_with_its_reason_and_the_good_ones_are_kept(tmp_path):
    # GIVEN a file with two good rows and one row for each way a row can be wrong
    bad = {
        "cell_count": ["c-1", "2025-06-02", "2025-06-01", "attended"],
        "missing_id": ["", "2025-06-02", "2025-06-01", "attended", "", "", ""],
        "reserved_id": ["r-1@48h", "2025-06-02", "2025-06-01", "attended", "", "", ""],
        "bad_timestamp": ["t-1", "02/06/2025", "2025-06-01", "attended", "", "", ""],
        "mixed_offsets": ["m-1", "2025-06-02T10:00:00Z", "2025-06-01T10:00:00", "attended", "", "", ""],
        "invited_after_start": ["i-1", "2025-06-02T10:00:00Z", "2025-06-03T10:00:00Z", "attended", "", "", ""],
        "missing_outcome": ["o-1", "2025-06-02", "2025-06-01", "", "", "", ""],
        "bad_outcome": ["o-2", "2025-06-02", "2025-06-01", "maybe", "", "", ""],
        "bad_flag": ["f-1", "2025-06-02", "2025-06-01", "attended", "yes", "", ""],
        "bad_count": ["n-1", "2025-06-02", "2025-06-01", "attended", "", "two", ""],
        "not_yet_held": ["y-1", "2026-02-01T10:00:00Z", "2026-01-10T10:00:00Z", "attended", "", "", ""],
    }
    good_2 = ["g-2", "2025-06-03", "2025-06-01", "Cancelled", "", "", ""]
    path = _write(tmp_path, [GOOD, *bad.values(), good_2])
    # WHEN it is cleaned
    cleaned = clean_file(path, now=NOW)
    # THEN every row read is accounted for: the good ones kept, each bad one dropped once under its own reason
    assert cleaned.rows_read == 13
    assert [k.interview_id for k in cleaned.kept] == ["g-1", "g-2"]
    assert cleaned.dropped_by_reason() == {reason: 1 for reason in bad}
    assert set(DROP_REASONS) == set(bad)  # no reason goes untested
    # and each drop names its line (the header is line 1) with the parser's message
    by_reason = {d.reason: d for d in cleaned.dropped}
    assert by_reason["cell_count"].line == 3 and "4 cells, the header has 7" in by_reason["cell_count"].detail
    assert "column 'outcome'" in by_reason["bad_outcome"].detail and by_reason["bad_outcome"].line == 10
    assert cleaned.kept[1].row["outcome"] == "cancelled"


def test_a_repeated_interview_is_a_duplicate_and_the_first_row_is_kept(tmp_path):
    # GIVEN a file where g-1 appears three times: the same row again, then with another outcome
    changed = GOOD[:3] + ["no_show"] + GOOD[4:]
    path = _write(tmp_path, [GOOD, GOOD, changed])
    # WHEN it is cleaned
    cleaned = clean_file(path, now=NOW)
    # THEN the first row is kept and the other two are duplicates, one identical and one with other values
    assert [k.row["outcome"] for k in cleaned.kept] == ["attended"]
    assert [(d.line, d.first_line, d.identical) for d in cleaned.duplicates] == [(3, 2, True), (4, 2, False)]
    assert cleaned.dropped == []


def test_a_duplicate_of_a_dropped_row_is_kept_as_the_first_good_one(tmp_path):
    # GIVEN g-1 first with a bad outcome, then correctly
    path = _write(tmp_path, [GOOD[:3] + ["maybe"] + GOOD[4:], GOOD])
    # WHEN it is cleaned
    cleaned = clean_file(path, now=NOW)
    # THEN the bad row is dropped and the good one kept, not called a duplicate
    assert [k.line for k in cleaned.kept] == [3] and cleaned.duplicates == []


def test_times_are_normalised_to_utc_and_bare_dates_stay_dates(tmp_path):
    # GIVEN times with an offset, in UTC, without an offset (the earlier system's zone), and as bare dates
    rows = [
        ["off", "2025-06-02T01:30:00+08:00", "2025-05-30T09:00:00+08:00", "attended", "", "", ""],
        ["utc", "2025-06-02T10:00:00Z", "2025-06-01T10:00:00Z", "attended", "", "", ""],
        ["naive", "2025-06-02T10:00:00", "2025-06-01T23:30:00", "no_show", "", "", ""],
        ["dates", "2025-06-07", "2025-06-01", "attended", "", "", ""],
        ["date-and-time", "2025-06-07", "2025-06-01T22:00:00", "attended", "", "", ""],
    ]
    path = _write(tmp_path, rows)
    # WHEN it is cleaned with times without an offset read in Asia/Kolkata (+05:30)
    cleaned = clean_file(path, zone="Asia/Kolkata", now=NOW)
    kept = {k.interview_id: k for k in cleaned.kept}
    # THEN every time with a time of day is stored in UTC
    assert kept["off"].row["scheduled_at"] == "2025-06-01T17:30:00+00:00"
    assert kept["utc"].row["scheduled_at"] == "2025-06-02T10:00:00+00:00"
    assert kept["naive"].row["scheduled_at"] == "2025-06-02T04:30:00+00:00"
    assert kept["naive"].row["invited_at"] == "2025-06-01T18:00:00+00:00"
    # and a row with a bare date keeps both its times as dates (no invented midnight, no mixed kinds)
    assert (kept["dates"].row["scheduled_at"], kept["dates"].row["invited_at"]) == ("2025-06-07", "2025-06-01")
    assert kept["date-and-time"].row["invited_at"] == "2025-06-01"
    # and the counters' days are the UTC days, while the slot's hour and weekday are the local ones, as written
    assert (kept["off"].outcome_day, kept["off"].hour, kept["off"].weekday) == ("2025-06-01", 1, 0)
    assert (kept["dates"].hour, kept["dates"].weekday) == (None, 5)
    # and the report counts how each time was written
    assert cleaned.times == {"converted_from_offset": 2, "already_utc": 2, "read_in_zone": 2, "date_only": 4}


def test_only_the_import_formats_columns_are_kept(tmp_path):
    # GIVEN an export with a name and an e-mail column beside the format's columns and a feature_ column
    header = HEADER + ["candidate_name", "email", "feature_client"]
    path = _write(tmp_path, [GOOD + ["Li Wei", "li.wei@mail.example.com", "hospira"]], header=header)
    # WHEN it is cleaned
    cleaned = clean_file(path, now=NOW)
    # THEN the stored row has no name or address, and the report names the ignored columns
    assert set(cleaned.kept[0].row) == set(HEADER) | {"feature_client"}
    assert cleaned.ignored_columns == ["candidate_name", "email"]


@pytest.mark.parametrize("header, why", [
    (["interview_id", "scheduled_at", "outcome"], "missing required column(s) invited_at"),
    (HEADER + ["feature_gender"], "feature_gender name protected attributes"),
])
def test_a_file_with_a_wrong_header_is_refused_whole(tmp_path, header, why):
    # GIVEN a file whose header misses a required column, or names a protected attribute
    path = _write(tmp_path, [GOOD[:len(header)] + [""] * (len(header) - len(GOOD))], header=header)
    # WHEN it is cleaned
    with pytest.raises(HistoryFormatError) as refused:
        clean_file(path, now=NOW)
    # THEN nothing is kept and the error says why
    assert why in str(refused.value)


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    # GIVEN a file in Latin-1 with a non-ASCII character
    path = tmp_path / "latin1.csv"
    path.write_bytes(",".join(HEADER).encode() + b"\ng-1,2025-06-02,2025-06-01,attended,,,M\xfcnchen\n")
    # WHEN it is cleaned THEN it is refused as not UTF-8
    with pytest.raises(HistoryFormatError, match="not UTF-8"):
        clean_file(path, now=NOW)


def test_cleaning_the_same_file_twice_gives_the_same_rows(tmp_path):
    # GIVEN a file with a good row, a duplicate and a bad row
    path = _write(tmp_path, [GOOD, GOOD, GOOD[:3] + ["maybe"] + GOOD[4:]])
    # WHEN it is cleaned twice
    first, second = clean_file(path, now=NOW), clean_file(path, now=NOW)
    # THEN both give the same kept rows, drops and duplicates (what is written is decided by the file alone)
    assert first == second


def test_rows_are_grouped_into_transactions_of_at_most_100_items_without_losing_a_count(tmp_path):
    # GIVEN 300 interviews on 60 days from three sources, each outcome
    outcomes = ("attended", "cancelled", "no_show")
    rows = [[f"b-{i}", f"2025-0{1 + i % 6}-{10 + i % 10}T{8 + i % 9:02d}:00:00Z", "2024-12-01T08:00:00Z",
             outcomes[i % 3], "", "", ("agency", "referral", "")[i % 3]] for i in range(300)]
    kept = clean_file(_write(tmp_path, rows), now=NOW).kept
    # WHEN they are grouped for writing
    batches = list(writing.batches(kept))
    # THEN every row is in one batch, in order, and no batch's rows and merged counters exceed DynamoDB's 100
    assert [k for batch in batches for k in batch] == kept and len(batches) > 1
    assert all(len(batch) + len(writing.merged(batch)) <= 100 for batch in batches)
    # and merging adds up to exactly what the rows add one by one
    one_by_one, together = Counter(), Counter()
    for k in kept:
        one_by_one.update({(i.day, i.metric): i.n for i in writing.increments_of(k)})
    for batch in batches:
        together.update({(i.day, i.metric): i.n for i in writing.merged(batch)})
    assert together == one_by_one and together[("2024-12-01", "imported")] == 300
    assert together[("2024-12-01", "scheduled#source#-")] == 100  # no source: not recorded


def test_without_tables_the_command_says_which_settings_are_missing_and_writes_nothing(tmp_path, capsys,
                                                                                       monkeypatch):
    # GIVEN no --local-info, no --stack and no analytics table in the environment
    monkeypatch.delenv("TABLE_ANALYTICS")
    # WHEN a good file is imported
    code = main(["history", "import", "--csv", str(_write(tmp_path, [GOOD]))])
    # THEN it stops before writing, naming what is missing
    assert code == 2
    assert "TABLE_ANALYTICS not set: give --local-info or --stack" in capsys.readouterr().err
