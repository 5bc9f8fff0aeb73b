"""`interviews policy check` and `interviews policy explain`: exit codes and what a person reads."""

from __future__ import annotations

import io
import json

import pytest
import yaml

from cli import policy as policy_cli
from functions.domain.policy_source import DEFAULT_POLICY_FILE

SAMPLE_REQUEST = {"initiator": "candidate", "reason_code": "illness", "job_level": "L2", "department": "Engineering",
                  "candidate_source": "referral", "hours_until": 30}


def _write_default_with(tmp_path, edit):
    data = yaml.safe_load(DEFAULT_POLICY_FILE.read_text())
    edit(data)
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_check_without_a_file_accepts_the_shipped_default(capsys):
    # Given no file / When checked
    code = policy_cli.main(["check"])
    # Then it exits 0 with a one-line summary
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("ok: ") and "4 rules" in out and "catch-all 'candidate-initiated'" in out
    assert len(out.strip().splitlines()) == 1


@pytest.mark.parametrize("edit, named", [
    (lambda d: d["rules"][2]["then"].update(sla_hours=-1),
     "rules[2] 'schedule-conflict-with-notice': then.sla_hours: Input should be greater than 0"),
    (lambda d: d["rules"].pop(),
     "rules[2] 'schedule-conflict-with-notice': when: the last rule must be a catch-all"),
    (lambda d: d["rules"][0]["when"].update(initator="company"),
     "rules[0] 'company-initiated': when.initator: Extra inputs are not permitted"),
])
def test_check_refuses_a_broken_file_naming_the_rule_and_the_field(tmp_path, capsys, edit, named):
    # Given a policy file with one mistake
    path = _write_default_with(tmp_path, edit)
    # When checked
    code = policy_cli.main(["check", str(path)])
    # Then it exits non-zero and the error names the rule and the field
    err = capsys.readouterr().err
    assert code != 0
    assert named in err


def test_explain_prints_the_route_and_why_for_a_sample_request(tmp_path, capsys):
    # Given a request file
    request = tmp_path / "request.json"
    request.write_text(json.dumps(SAMPLE_REQUEST))
    # When explained against the default policy
    code = policy_cli.main(["explain", "--request", str(request)])
    # Then the JSON names the rule, why, and the chain, and nothing else happened
    explained = json.loads(capsys.readouterr().out)
    assert code == 0
    assert explained["rule"] == "candidate-initiated"
    assert explained["escalation_chain"] == ["recruiter", "department_manager"]
    assert explained["why"].startswith("candidate-initiated cancellations are decided by the job's recruiter")
    assert (explained["auto_approve"], explained["default_outcome"], explained["self_service_allowed"]) == \
        (False, "approved", True)


def test_explain_reads_stdin_and_follows_another_policy(tmp_path, capsys, monkeypatch):
    # Given a policy that approves illness automatically, and the request on stdin
    path = _write_default_with(tmp_path, lambda d: d["rules"].insert(0, {
        "name": "illness-auto", "when": {"reason": ["illness"]}, "then": {"auto_approve": True}}))
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(SAMPLE_REQUEST)))
    # When explained with --policy
    code = policy_cli.main(["explain", "--policy", str(path)])
    # Then that policy's rule decides
    explained = json.loads(capsys.readouterr().out)
    assert (code, explained["rule"], explained["auto_approve"]) == (0, "illness-auto", True)


def test_explain_refuses_a_bad_request_naming_the_field(tmp_path, capsys, monkeypatch):
    # Given a request with an unknown initiator / When explained / Then exit 2 naming the field
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({**SAMPLE_REQUEST, "initiator": "robot"})))
    code = policy_cli.main(["explain"])
    assert code == 2
    assert "request: initiator:" in capsys.readouterr().err
