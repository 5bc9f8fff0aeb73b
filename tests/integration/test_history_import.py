"""`interviews history import` against the tables (moto): the history rows and the report's back-filled counters
written once per interview, the first model trained from the import, a wrong file writing nothing, and a failure
part-way reported exactly and finished by running the same import again."""

from __future__ import annotations

import csv
import json
import os
import random
import re
from datetime import date, datetime, timedelta, timezone

import boto3

from cli import deployed
from cli.main import main
from functions.analytics import history_store, nightly, report
from functions.analytics.benchmarks import load as load_benchmarks
from functions.integration.data import risk_score_store
from tests.integration import faults as aws_faults

FIRST_DAY = date(2025, 3, 1)
HEADER = ["interview_id", "scheduled_at", "invited_at", "outcome", "source", "viewed_jd", "feature_client"]


def _history_csv(tmp_path, per_class=25, extra_rows=()):
    """Attended and cancelled interviews in March 2025 (cancellations mostly booked at short notice from an
    agency), then the extra rows."""
    rng = random.Random(7)
    rows = []
    for i in range(2 * per_class):
        cancelled = i % 2 == 1
        starts = datetime(2025, 3, 10, 9, tzinfo=timezone(timedelta(hours=8))) + timedelta(days=i % 10, hours=i % 5)
        lead = timedelta(hours=rng.randint(2, 30) if cancelled and rng.random() < 0.8 else rng.randint(40, 200))
        rows.append([f"old-{i}", starts.isoformat(), (starts - lead).isoformat(),
                     "cancelled" if cancelled else "attended",
                     "agency" if cancelled and rng.random() < 0.7 else rng.choice(["referral", "agency"]),
                     rng.choice(["0", "1", ""]), rng.choice(["a", "b"])])
    path = tmp_path / "history.csv"
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(rows + list(extra_rows))
    return path


def _report_of_march() -> dict:
    start, end = FIRST_DAY, date(2025, 3, 31)
    return report.build(start, end, report.collect(start, end), load_benchmarks())


def test_an_import_writes_history_and_counters_and_the_first_model_trains_on_it(system, tmp_path, capsys,
                                                                                 monkeypatch):
    monkeypatch.setenv("REPORT_DIR", str(tmp_path / "reports"))
    # GIVEN no live history at all, and a file of 25 attended and 25 cancelled interviews, one row with a bad
    # outcome and one repeated row
    bad = ["bad-1", "2025-03-12T10:00:00Z", "2025-03-10T10:00:00Z", "maybe", "", "", ""]
    path = _history_csv(tmp_path, extra_rows=[bad])
    with open(path, "a", newline="", encoding="utf-8") as out:
        out.write(path.read_text().splitlines()[1] + "\n")
    assert nightly.retrain_risk_model(datetime.now(timezone.utc))["trained"] is False
    # WHEN it is imported
    assert main(["history", "import", "--csv", str(path), "--progress-every", "20"]) == 0
    out, err = capsys.readouterr()
    # THEN the cleaning report accounts for every row, and progress went to stderr
    assert "rows read   52" in out and "kept        50" in out and "dropped     1" in out
    assert "1  bad_outcome" in out and "duplicates  1 in the file (1 identical" in out
    assert "100 normalised to UTC (100 had an offset" in out and "written     50 history rows" in out
    progress = re.findall(r"history import: (\d+)/50 rows \((\d+) written, 0 already imported\)", err)
    assert len(progress) >= 2 and all(done == written for done, written in progress)
    # and the training history holds the 50 rows, in UTC
    rows = [json.loads(r) for r in history_store.imported_rows()]
    assert len(rows) == 50 and all(r["scheduled_at"].endswith("+00:00") for r in rows)
    # and March's report counts them: 50 booked, 25 cancelled (approved), 25 attended, all back-filled
    march = _report_of_march()
    assert {k: march["volume"][k] for k in ("scheduled", "requested", "approved", "attended", "imported")} == {
        "scheduled": 50, "requested": 25, "approved": 25, "attended": 25, "imported": 50}
    assert march["cancellation_rate"] == 0.5
    assert {r["value"]: r["scheduled"] for r in march["rates"]["source"]} == {
        "agency": sum(r["source"] == "agency" for r in rows), "referral": sum(r["source"] == "referral" for r in rows)}
    # and the nightly retrain now trains the first model on the imported history, stored with its metrics
    result = nightly.retrain_risk_model(datetime.now(timezone.utc))
    assert result["trained"] is True and result["rows"] == 50 and 0 <= result["roc_auc"] <= 1
    assert (tmp_path / "reports" / "models" / "risk-model.json").exists()
    assert risk_score_store.model_summary()["rows"] == 50


def test_importing_the_same_file_again_adds_nothing(system, tmp_path, capsys):
    # GIVEN a file imported once
    path = _history_csv(tmp_path, per_class=5)
    assert main(["history", "import", "--csv", str(path)]) == 0
    before = _report_of_march()
    capsys.readouterr()
    # WHEN the same file is imported again, and then a corrected copy with another outcome for one interview
    assert main(["history", "import", "--csv", str(path)]) == 0
    again = capsys.readouterr().out
    corrected = tmp_path / "corrected.csv"
    corrected.write_text(path.read_text().replace(",attended,", ",no_show,", 1))
    assert main(["history", "import", "--csv", str(corrected)]) == 0
    changed = capsys.readouterr().out
    # THEN nothing was written: every row is reported as already imported, the stored rows and counters stay
    assert "written     0 history rows" in again and "already imported  10 (10 identical, 0 with" in again
    assert "already imported  10 (9 identical, 1 with other values" in changed
    assert _report_of_march() == before
    assert len(history_store.imported_rows()) == 10
    assert not any(json.loads(r)["outcome"] == "no_show" for r in history_store.imported_rows())


def test_a_file_with_a_protected_column_writes_nothing(system, tmp_path, capsys):
    # GIVEN a file that names a protected attribute
    path = tmp_path / "protected.csv"
    path.write_text("interview_id,scheduled_at,invited_at,outcome,feature_marital_status\n"
                    "p-1,2025-03-10,2025-03-08,attended,single\n")
    # WHEN it is imported
    code = main(["history", "import", "--csv", str(path)])
    # THEN it is refused as bad input, says why, and no history row or counter exists
    assert code == 2 and "feature_marital_status" in capsys.readouterr().err
    assert history_store.imported_rows() == [] and _report_of_march()["volume"]["scheduled"] == 0


def test_a_failure_part_way_says_what_was_written_and_the_same_import_finishes_it(system, tmp_path, capsys,
                                                                                  monkeypatch):
    # GIVEN 30 interviews on 10 days (more than one transaction holds), and DynamoDB that accepts the first
    # transaction and then no more
    path = _history_csv(tmp_path, per_class=15)
    faults = aws_faults.install(monkeypatch)
    transactions = []
    faults.fail("dynamodb", "TransactWriteItems", times=None, kind=aws_faults.UNAVAILABLE,
                when=lambda call: transactions.append(call) or len(transactions) > 1)
    # WHEN the file is imported
    code = main(["history", "import", "--csv", str(path)])
    # THEN the import stops, says how many rows it wrote, and exactly those are stored, with their counters
    out, err = capsys.readouterr()
    stored = len(history_store.imported_rows())
    assert code == 1 and 0 < stored < 30
    assert f"written     {stored} history rows" in out and f"{stored} rows were written before it" in err
    assert _report_of_march()["volume"]["scheduled"] == stored
    # WHEN DynamoDB recovers and the same import runs again
    faults.heal()
    assert main(["history", "import", "--csv", str(path)]) == 0
    # THEN it writes the others and reports the first ones as already imported; every booking is counted once
    out = capsys.readouterr().out
    assert f"written     {30 - stored} history rows" in out and f"already imported  {stored} ({stored} identical" in out
    assert len(history_store.imported_rows()) == 30 and _report_of_march()["volume"]["scheduled"] == 30


def _stack(name: str, outputs: dict[str, str]) -> None:
    template = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
                "Outputs": {key: {"Value": value} for key, value in outputs.items()}}
    boto3.client("cloudformation").create_stack(StackName=name, TemplateBody=json.dumps(template))


def test_a_deployed_stack_is_found_by_its_outputs(system, tmp_path, capsys, monkeypatch):
    # GIVEN a stack whose outputs name its tables, bus, bucket and base URL (as infra/stack.py writes them)
    names = system.resources.table_names
    outputs = {f"Table{env[len('TABLE_'):].capitalize()}": name for env, name in names.items()}
    outputs |= {"EventBusName": "bus", "PublicBaseUrl": "https://interviews.example.com",
                "ReportBucket": "reports", "StateMachineArn": "arn:aws:states:us-east-1:1:stateMachine:x"}
    _stack("Interviews-test", outputs)
    _stack("Interviews-old", {"EventBusName": "bus"})
    for variable in list(names) + list(deployed.OUTPUT_ENV.values()):
        monkeypatch.setenv(variable, "unset")  # restored after the test: `use` sets them for the process
    # WHEN the command is pointed at the stack
    assert main(["history", "import", "--csv", str(_history_csv(tmp_path, per_class=2)),
                 "--stack", "Interviews-test"]) == 0
    # THEN it used the stack's tables and wrote there
    assert {env: os.environ[env] for env in names} == names and os.environ["REPORT_BUCKET"] == "reports"
    assert "written     4 history rows" in capsys.readouterr().out
    # and a stack deployed before its tables were outputs is named as the problem, with nothing written
    assert main(["history", "import", "--csv", str(_history_csv(tmp_path, per_class=2)),
                 "--stack", "Interviews-old"]) == 2
    assert "no output(s) PublicBaseUrl, ReportBucket, StateMachineArn, TableAnalytics," in capsys.readouterr().err
    assert len(history_store.imported_rows()) == 4
