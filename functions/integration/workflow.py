"""The cancellation workflow (Step Functions) as the domain sees it: start it, and hand it a decision."""

from __future__ import annotations

import json

from functions.integration.aws import client
from functions.core.settings import get_settings


class DecisionTooLateError(Exception):
    """The workflow no longer waits for this decision (its wait timed out and it moved on)."""


def start(request_id: str, workflow_input: dict) -> None:
    """Start the execution named after the request. Starting it twice is harmless: the name is the guard."""
    sfn = client("stepfunctions")
    try:
        sfn.start_execution(
            stateMachineArn=get_settings().state_machine_arn, name=request_id, input=json.dumps(workflow_input)
        )
    except sfn.exceptions.ExecutionAlreadyExists:
        pass


def send_decision(task_token: str, decision: dict) -> None:
    sfn = client("stepfunctions")
    try:
        sfn.send_task_success(taskToken=task_token, output=json.dumps(decision))
    except (sfn.exceptions.TaskTimedOut, sfn.exceptions.InvalidToken, sfn.exceptions.TaskDoesNotExist) as exc:
        raise DecisionTooLateError(str(exc)) from exc


def stop(request_id: str, cause: str) -> None:
    """Stop the request's execution (a request closed without its approver). Stopping a finished one is harmless."""
    sfn = client("stepfunctions")
    arn = get_settings().state_machine_arn.replace(":stateMachine:", ":execution:") + f":{request_id}"
    try:
        sfn.stop_execution(executionArn=arn, cause=cause)
    except sfn.exceptions.ExecutionDoesNotExist:
        pass
