"""Point this process at a deployed stack, as a function there is: the tables, bus, bucket and base URL named by
the stack's CloudFormation outputs (`Table<Name>`, `EventBusName`, `ReportBucket`, `PublicBaseUrl`) become the
environment functions/core/settings.py reads. The deployed counterpart of cli/local_info.py; AWS credentials and
region come from the usual places (profile, environment)."""

from __future__ import annotations

import os

from infra import topology

OUTPUT_ENV = {"EventBusName": "EVENT_BUS_NAME", "PublicBaseUrl": "PUBLIC_BASE_URL", "ReportBucket": "REPORT_BUCKET",
              "StateMachineArn": "STATE_MACHINE_ARN"}


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


def environment_of(outputs: dict[str, str]) -> dict[str, str]:
    """The environment a stack's outputs give. Raises ValueError naming the outputs a stack lacks (one deployed
    before its tables were outputs: deploy it again)."""
    wanted = {f"Table{_camel(t.name)}": t.env_var for t in topology.TABLES} | OUTPUT_ENV
    missing = sorted(key for key in wanted if key not in outputs)
    if missing:
        raise ValueError(f"the stack has no output(s) {', '.join(missing)}; deploy the current version first")
    return {env: outputs[key] for key, env in wanted.items()}


def use(stack_name: str, cloudformation=None) -> dict[str, str]:
    """Read the stack's outputs and set the environment from them. Returns what was set."""
    if cloudformation is None:
        import boto3

        cloudformation = boto3.client("cloudformation")
    stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    environment = environment_of({o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])})
    os.environ.update(environment)
    return environment
