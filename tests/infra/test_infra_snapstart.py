"""SnapStart on the functions a person waits on: API Gateway invokes a published version through an alias (SnapStart
never applies to $LATEST), and the queue-driven functions stay as they were."""

from __future__ import annotations

from infra_helpers import api_targets_by_name, functions_by_name, refs

from infra import topology
from infra.constructs.functions import LIVE_ALIAS, SNAPSTART


def test_the_api_facing_functions_snapshot_their_published_versions_and_the_others_do_not(synth):
    functions = functions_by_name(synth)
    for name, logical_id in functions.items():
        snap_start = synth.resources[logical_id]["Properties"].get("SnapStart")
        if name in ("cancel", "approve"):
            assert snap_start == {"ApplyOn": "PublishedVersions"}, name
        else:
            assert snap_start is None, name
    assert SNAPSTART == {"cancel", "approve"}


def test_each_snapstart_function_has_a_live_alias_on_a_version_of_itself(synth):
    functions, targets = functions_by_name(synth), api_targets_by_name(synth)
    versions = synth.of_type("AWS::Lambda::Version")
    for name in SNAPSTART:
        alias = synth.resources[targets[name]]
        assert alias["Type"] == "AWS::Lambda::Alias"
        assert alias["Properties"]["Name"] == LIVE_ALIAS
        (version_id,) = refs(alias["Properties"]["FunctionVersion"])
        assert version_id in versions
        assert refs(versions[version_id]["Properties"]["FunctionName"]) == {functions[name]}


def test_every_api_integration_of_a_snapstart_function_invokes_its_alias_and_only_the_alias_is_permitted(synth):
    functions, targets = functions_by_name(synth), api_targets_by_name(synth)
    routed = {r.function for r in topology.ROUTES}
    assert SNAPSTART <= routed
    by_function = {name: 0 for name in routed}
    for method in synth.of_type("AWS::ApiGateway::Method").values():
        uri_refs = refs(method["Properties"]["Integration"]["Uri"])
        for name in routed:
            if targets[name] in uri_refs:
                by_function[name] += 1
            assert functions[name] not in uri_refs or targets[name] == functions[name], name
    assert by_function == {name: sum(r.function == name for r in topology.ROUTES) for name in routed}
    # API Gateway may invoke the alias; nothing grants it the unpublished function
    for permission in synth.of_type("AWS::Lambda::Permission").values():
        props = permission["Properties"]
        if props["Principal"] == "apigateway.amazonaws.com":
            assert not refs(props["FunctionName"]) & {functions[name] for name in SNAPSTART}
