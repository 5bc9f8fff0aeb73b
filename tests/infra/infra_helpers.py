"""Helpers for the infra tests: the synthesized stack, and ways to read its template."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cdk_json_context() -> dict:
    return json.loads((ROOT / "cdk.json").read_text())["context"]


@dataclass
class Synth:
    stack: object  # InterviewCancellationsStack
    template: object  # aws_cdk.assertions.Template
    resources: dict  # logical id -> resource, from the synthesized template
    outputs: dict
    template_file: Path
    nag_findings: list  # unsuppressed AwsSolutions errors and warnings: (level, construct path, message)
    context: dict

    def of_type(self, resource_type: str) -> dict:
        return {k: v for k, v in self.resources.items() if v["Type"] == resource_type}

    def logical_id(self, construct) -> str:
        return self.stack.get_logical_id(construct.node.default_child)


# ---- template helpers -------------------------------------------------------------------------------------


def refs(value) -> set[str]:
    """Logical ids referenced (Ref / Fn::GetAtt) anywhere inside a template value."""
    found: set[str] = set()

    def walk(v) -> None:
        if isinstance(v, dict):
            if set(v) == {"Ref"}:
                found.add(v["Ref"])
            elif set(v) == {"Fn::GetAtt"}:
                found.add(v["Fn::GetAtt"][0])
            else:
                for item in v.values():
                    walk(item)
        elif isinstance(v, list):
            for item in v:
                walk(item)

    walk(value)
    return found


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def iam_statements(resources: dict) -> list[tuple[str, dict]]:
    """Every statement of every identity policy (AWS::IAM::Policy, ManagedPolicy, inline role policies)."""
    statements = []
    for logical_id, resource in resources.items():
        props = resource.get("Properties", {})
        if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            documents = [props["PolicyDocument"]]
        elif resource["Type"] == "AWS::IAM::Role":
            documents = [p["PolicyDocument"] for p in props.get("Policies", [])]
        else:
            continue
        for document in documents:
            statements.extend((logical_id, s) for s in document["Statement"])
    return statements


def functions_by_name(synth: Synth) -> dict[str, str]:
    """topology function name -> logical id of its AWS::Lambda::Function (matched by handler)."""
    from infra import topology

    by_handler = {r["Properties"]["Handler"]: k for k, r in synth.of_type("AWS::Lambda::Function").items()}
    return {f.name: by_handler[f.handler] for f in topology.FUNCTIONS if f.handler in by_handler}


def api_targets_by_name(synth: Synth) -> dict[str, str]:
    """topology function name -> logical id of what API Gateway should invoke: its alias if it has one (SnapStart
    runs only published versions), else the function."""
    functions = functions_by_name(synth)
    aliases = {refs(r["Properties"]["FunctionName"]).pop(): k for k, r in synth.of_type("AWS::Lambda::Alias").items()}
    return {name: aliases.get(function_id, function_id) for name, function_id in functions.items()}
