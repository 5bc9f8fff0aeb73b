"""cfn-lint on the synthesized template: no errors."""

from __future__ import annotations

from cfnlint.api import ManualArgs, lint_file

# Warnings cfn-lint raises on what CDK generates by design, and nothing we can change in the app:
# W3005 "dependency already enforced by a GetAtt" (CDK adds an explicit DependsOn on each function's role
# and its policy).
CDK_GENERATED_WARNINGS = {"W3005"}


def _lint(template_file, region: str):
    return lint_file(template_file, config=ManualArgs(regions=[region]))


def test_cfn_lint_finds_no_errors_in_the_synthesized_template(synth):
    # Given the template of the in-process synth
    # When cfn-lint checks it for the stack's region
    matches = _lint(synth.template_file, synth.stack.config.region)
    # Then it finds no error, and no warning beyond the ones CDK's own output causes
    errors = [f"{m.rule.id} {m.path_string}: {m.message}" for m in matches if m.rule.id.startswith("E")]
    assert errors == []
    warnings = [
        f"{m.rule.id} {m.path_string}: {m.message}"
        for m in matches
        if m.rule.id.startswith("W") and m.rule.id not in CDK_GENERATED_WARNINGS
    ]
    assert warnings == []
