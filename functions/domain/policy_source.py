"""Where the policy in force comes from (the latest version published with the policy editor, a file, an SSM
parameter, or the shipped policies/default.yaml) and how text becomes a validated Policy: strict, naming the rule
and the field of every error."""

from __future__ import annotations

import os
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from functions.domain.policy import Policy, PolicyError

if TYPE_CHECKING:
    from functions.integration.data.policy_store import PolicyVersion

DEFAULT_POLICY_FILE = Path(__file__).parent / "policies" / "default.yaml"
# How long a policy read from SSM is trusted before it is read again: a change reaches every function within
# this many seconds, without a redeploy.
PARAMETER_MAX_AGE_SECONDS = 300
# How long the latest published version is trusted before it is read again: a version published (or rolled back)
# in the editor reaches every function, and so every new request's route, within this many seconds.
PUBLISHED_MAX_AGE_SECONDS = 60

_published_lock = threading.Lock()
_published: tuple[float, PolicyVersion | None] | None = None  # (monotonic time read, the latest version or none)


def load_policy(path: str | os.PathLike[str] | None = None) -> Policy:
    """The policy in force: `path`; else the latest published version (when this deployment keeps versions and one
    was published; re-read at most every PUBLISHED_MAX_AGE_SECONDS); else $POLICY_FILE; else the SSM parameter
    named by $POLICY_PARAMETER (re-read at most every PARAMETER_MAX_AGE_SECONDS); else the shipped default. Parsed
    once per distinct content."""
    if path is None and (version := published_version()) is not None:
        return parse_policy(version.text, source=f"published version {version.number}")
    return fallback_policy(path)


def fallback_policy(path: str | os.PathLike[str] | None = None) -> Policy:
    """The policy when nothing was published: `path`, $POLICY_FILE, the SSM parameter or the shipped default."""
    path = path or os.environ.get("POLICY_FILE") or None
    if path is None and (parameter := os.environ.get("POLICY_PARAMETER")):
        return _policy_from_parameter(parameter)
    return _policy_from_file(Path(path) if path else DEFAULT_POLICY_FILE)


def fallback_text() -> tuple[str, str]:
    """The text of the policy in force when nothing was published, and where it came from: what the editor stores
    as the first version, verbatim (comments included)."""
    path = os.environ.get("POLICY_FILE") or None
    if path is None and (parameter := os.environ.get("POLICY_PARAMETER")):
        from aws_lambda_powertools.utilities.parameters import get_parameter

        text = get_parameter(parameter, max_age=PARAMETER_MAX_AGE_SECONDS)
        if not isinstance(text, str):
            raise PolicyError(f"ssm:{parameter}", ["the parameter is not a string"])
        return text, f"ssm:{parameter}"
    file = Path(path) if path else DEFAULT_POLICY_FILE
    try:
        return file.read_text(encoding="utf-8"), file.name if file == DEFAULT_POLICY_FILE else str(file)
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(str(file), [f"cannot read the file: {exc}"]) from None


def published_version() -> PolicyVersion | None:
    """The latest published version (read at most every PUBLISHED_MAX_AGE_SECONDS), or None when this deployment
    keeps no versions (TABLE_POLICIES unset: unit tests, the CLI) or none was published yet."""
    global _published
    if not os.environ.get("TABLE_POLICIES"):
        return None
    with _published_lock:
        if _published is not None and time.monotonic() - _published[0] < PUBLISHED_MAX_AGE_SECONDS:
            return _published[1]
    # Imported here: the data access needs the deployment's settings, which the CLI and unit tests do not have.
    from functions.integration.data import policy_store

    latest = policy_store.latest()
    with _published_lock:
        _published = (time.monotonic(), latest)
    return latest


def forget_published() -> None:
    """Read the published version again on next use (after this process published one)."""
    global _published
    with _published_lock:
        _published = None


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
