"""`cdk synth` through cdk.json with the pinned CLI from package.json, real Lambda assets, the prod stage."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from infra_helpers import ROOT

from infra import topology

CDK = ROOT / "node_modules" / ".bin" / "cdk"
STACK = "InterviewCancellations-prod-ci"


@pytest.fixture(scope="module")
def prod_synth(tmp_path_factory):
    if not CDK.exists():
        pytest.skip(
            "the aws-cdk CLI is not installed: run `npm ci` at the repository root (package.json pins it)"
        )
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    outdir = tmp_path_factory.mktemp("cdk-cli.out")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_"))}
    environment.update(
        {
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "1",
            "CDK_DISABLE_VERSION_CHECK": "1",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )  # no AWS account here: do not probe for one
    result = subprocess.run(
        [
            str(CDK),
            "synth",
            "--quiet",
            "--no-notices",
            "--no-version-reporting",
            "--ci",
            "-c",
            "stage=prod",
            "-c",
            "owner=ci",
            "-o",
            str(outdir),
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return result, outdir


def test_cdk_synth_through_cdk_json_succeeds(prod_synth):
    # Given `cdk synth -c stage=prod -c owner=ci` run from the repository root, as a deployer would
    result, outdir = prod_synth
    # Then it succeeds (cdk-nag findings or a failed asset build would fail it), writing the stack's template
    assert result.returncode == 0, f"stdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr[-5000:]}"
    assert (outdir / f"{STACK}.template.json").is_file()
    report = (
        json.loads((outdir / "validation-report.json").read_text())
        if (outdir / "validation-report.json").exists()
        else {"pluginReports": []}
    )
    assert report["pluginReports"] == []


def test_the_deployable_template_carries_each_functions_real_code(prod_synth):
    # Given the synthesized template and its staged assets
    result, outdir = prod_synth
    assert result.returncode == 0, result.stderr[-3000:]
    template = json.loads((outdir / f"{STACK}.template.json").read_text())
    functions = [
        r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"
    ]
    assert len(functions) == len(topology.FUNCTIONS)
    for function in functions:
        # Then each function's code is a staged asset folder holding its handler and its dependencies
        key = function["Code"]["S3Key"].removesuffix(".zip")
        folder = outdir / f"asset.{key}"
        handler_file = function["Handler"].rsplit(".", 1)[0].replace(".", "/") + ".py"
        assert (folder / handler_file).is_file(), function["Handler"]
        assert (folder / "pydantic").is_dir() and (folder / "pynamodb").is_dir()


def test_prod_keeps_its_data_and_protects_it_from_deletion(prod_synth):
    # Given the prod template
    result, outdir = prod_synth
    assert result.returncode == 0, result.stderr[-3000:]
    resources = json.loads((outdir / f"{STACK}.template.json").read_text())["Resources"]
    tables = [r for r in resources.values() if r["Type"] == "AWS::DynamoDB::GlobalTable"]
    # Then every table is retained with the stack and deletion-protected, and so are the user pool and keys
    assert len(tables) == len(topology.TABLES)
    for table in tables:
        assert table["DeletionPolicy"] == "Retain"
        assert all(r["DeletionProtectionEnabled"] is True for r in table["Properties"]["Replicas"])
    (pool,) = [r for r in resources.values() if r["Type"] == "AWS::Cognito::UserPool"]
    assert pool["DeletionPolicy"] == "Retain" and pool["Properties"]["DeletionProtection"] == "ACTIVE"
    assert all(r["DeletionPolicy"] == "Retain" for r in resources.values() if r["Type"] == "AWS::KMS::Key")


def test_cfn_lint_finds_no_errors_in_the_prod_template(prod_synth):
    # Given the prod template
    from cfnlint.api import ManualArgs, lint_file

    result, outdir = prod_synth
    assert result.returncode == 0, result.stderr[-3000:]
    # When cfn-lint checks it
    matches = lint_file(outdir / f"{STACK}.template.json", config=ManualArgs(regions=["us-east-1"]))
    # Then there is no error
    assert [f"{m.rule.id} {m.path_string}: {m.message}" for m in matches if m.rule.id.startswith("E")] == []
