"""Where the policy in force comes from (a file, an SSM parameter, or the shipped policies/default.yaml) and how
text becomes a validated Policy: strict, naming the rule and the field of every error."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from functions.domain.policy import Policy, PolicyError

DEFAULT_POLICY_FILE = Path(__file__).parent / "policies" / "default.yaml"
# How long a policy read from SSM is trusted before it is read again: a change reaches every function within
# this many seconds, without a redeploy.
PARAMETER_MAX_AGE_SECONDS = 300


def load_policy(path: str | os.PathLike[str] | None = None) -> Policy:
    """The policy in force: `path`; else $POLICY_FILE; else the SSM parameter named by $POLICY_PARAMETER (re-read
    at most every PARAMETER_MAX_AGE_SECONDS); else the shipped default. Parsed once per distinct content."""
    path = path or os.environ.get("POLICY_FILE") or None
    if path is None and (parameter := os.environ.get("POLICY_PARAMETER")):
        return _policy_from_parameter(parameter)
    return _policy_from_file(Path(path) if path else DEFAULT_POLICY_FILE)


def _policy_from_file(path: Path) -> Policy:
    try:
        stat = path.stat()
    except OSError as exc:
        raise PolicyError(str(path), [f"cannot read the file: {exc.strerror or exc}"]) from None
    return _cached_file(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _cached_file(path: str, _mtime_ns: int, _size: int) -> Policy:  # the stat in the key: an edit is re-read
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(path, [f"cannot read the file: {exc}"]) from None
    return parse_policy(text, source=path)


def _policy_from_parameter(name: str) -> Policy:
    # Imported here: only the cloud configuration needs boto3's SSM client. Powertools caches the value.
    from aws_lambda_powertools.utilities.parameters import get_parameter

    text = get_parameter(name, max_age=PARAMETER_MAX_AGE_SECONDS)
    if not isinstance(text, str):
        raise PolicyError(f"ssm:{name}", ["the parameter is not a string"])
    return parse_policy(text, source=f"ssm:{name}")


@lru_cache(maxsize=16)
def parse_policy(text: str, source: str = "<policy>") -> Policy:
    """A policy from YAML text, or PolicyError naming every problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise PolicyError(source, [f"{where}not valid YAML: {getattr(exc, 'problem', None) or exc}"]) from None
    return validate_policy(data, source=source)


def validate_policy(data: Any, source: str = "<policy>") -> Policy:
    """A policy from already parsed data (a mapping), or PolicyError naming every problem."""
    if not isinstance(data, dict):
        raise PolicyError(source, ["the policy must be a mapping with `rules` (and optionally `defaults`)"])
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(source, [line for error in exc.errors() for line in _describe(error, data)]) from None


def _describe(error: Any, data: dict) -> list[str]:
    """One pydantic error as lines like "rules[2] 'short-notice': then.sla_hours: Input should be ..."."""
    loc = list(error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    where = ""
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        index = loc[1]
        rules = data.get("rules")
        rule = rules[index] if isinstance(rules, list) and index < len(rules) else None
        name = rule.get("name") if isinstance(rule, dict) else None
        shown = name.splitlines()[0][:64] if isinstance(name, str) and name.strip() else None  # one line, short
        where = f"rules[{index}]" + (f" '{shown}'" if shown else "")
        loc = loc[2:]
    field = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")
    if not where and not field:  # a whole-policy check: its lines already name their rules
        return message.splitlines()
    return [": ".join(part for part in (where, field, message) if part)]
