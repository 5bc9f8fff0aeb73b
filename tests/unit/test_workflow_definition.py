"""The ASL file: every state reachable, every failure leads somewhere visible, every placeholder substituted."""

from __future__ import annotations

import json
import re
from pathlib import Path

from infra import topology
from local_runtime.resources import asl_definition

ASL = json.loads((Path(__file__).resolve().parents[2] / topology.STATE_MACHINE_ASL).read_text())


def _targets(state: dict) -> set[str]:
    found = {state.get("Next"), state.get("Default")}
    found |= {c["Next"] for c in state.get("Choices", [])} | {c["Next"] for c in state.get("Catch", [])}
    return {t for t in found if t}


def test_every_state_is_reachable_from_the_start():
    seen, todo = set(), [ASL["StartAt"]]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(_targets(ASL["States"][name]))
    assert seen == set(ASL["States"])


def test_every_service_task_retries_and_catches_into_needs_attention():
    for name, state in ASL["States"].items():
        if state["Type"] != "Task" or name.endswith("NeedsAttention"):
            continue
        assert state.get("Retry"), name
        assert any(c["Next"] == "MarkNeedsAttention" and "States.ALL" in c["ErrorEquals"] for c in state["Catch"]), name


def test_the_wait_times_out_after_the_routes_sla_and_escalates():
    wait = ASL["States"]["AwaitDecision"]
    assert wait["Resource"].endswith(".waitForTaskToken")
    assert wait["TimeoutSecondsPath"] == "$.route.sla_seconds"
    assert wait["Catch"][0] == {"ErrorEquals": ["States.Timeout"], "ResultPath": "$.timeout", "Next": "NextApprover"}


def test_the_task_token_only_travels_in_the_event_detail():
    detail = ASL["States"]["AwaitDecision"]["Parameters"]["Entries"][0]["Detail"]
    assert detail["task_token.$"] == "$$.Task.Token"


def test_substitution_leaves_no_placeholder():
    names = {spec.env_var: f"x-{spec.name}" for spec in topology.TABLES}
    assert not re.search(r"\$\{\w+\}", asl_definition(names, "bus"))
