"""The CDK app: `npx cdk synth` / `npx cdk deploy` run this through cdk.json.

It builds one InterviewCancellationsStack from the context (see infra/stack.py) and applies cdk-nag's
AwsSolutions checks: an unsuppressed finding is an error annotation, which fails `cdk synth` and the infra
tests.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __name__ == "__main__":
    # Run as a script, Python puts infra/ first on sys.path, where infra/constructs would shadow the
    # `constructs` library. Import from the repository root instead.
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "infra"]
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "1")

import aws_cdk as cdk  # noqa: E402
from cdk_nag import AwsSolutionsChecks  # noqa: E402

from infra.stack import DeploymentConfig, InterviewCancellationsStack  # noqa: E402


def build(app: cdk.App, *, nag_reports: bool = True) -> InterviewCancellationsStack:
    """Add the stack for the app's context, with the cdk-nag checks, and return it."""
    config = DeploymentConfig.from_context(app.node.try_get_context)
    stack = InterviewCancellationsStack(app, config.stack_name, config=config)
    cdk.Aspects.of(app).add(AwsSolutionsChecks(verbose=True, reports=nag_reports))
    return stack


def main() -> None:
    app = cdk.App()
    build(app)
    app.synth()


if __name__ == "__main__":
    main()
