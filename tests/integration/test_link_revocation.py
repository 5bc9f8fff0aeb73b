"""Revoking a candidate's personal links: every link issued before answers 410 on the portal and the API, links
issued afterwards work, and `interviews links revoke` does it from the command line."""

from __future__ import annotations

import json

from cli.main import main
from functions.integration import links
from functions.integration.data import candidate_store, interview_store


def _portal(system, token: str) -> dict:
    return system.http("GET", f"/portal/{token}", resource="/portal/{token}")


def test_a_revoked_candidates_earlier_links_answer_410_and_a_new_link_works(system, scheduled):
    # GIVEN a registered candidate holding a personal link that works on the portal and the API
    scheduled()
    old = links.candidate_token("cand-1")
    assert _portal(system, old)["statusCode"] == 200
    # WHEN their links are revoked
    assert links.revoke_candidate_links("cand-1") == 1
    # THEN the old link answers 410 on the portal and on the API, and the profile carries the new version
    assert _portal(system, old)["statusCode"] == 410
    api = system.http("GET", "/api/candidate/interviews", headers={"Authorization": f"Bearer {old}"})
    assert api["statusCode"] == 410
    assert candidate_store.get_candidate("cand-1").link_version == 1
    # and a link issued now opens the portal and lists their interview, which is unchanged
    new = links.candidate_token("cand-1")
    listed = system.http("GET", "/api/candidate/interviews", headers={"Authorization": f"Bearer {new}"})
    assert listed["statusCode"] == 200 and [i["interview_id"] for i in json.loads(listed["body"])] == ["int-1"]
    assert interview_store.get_interview("int-1").status == "SCHEDULED"


def test_revoking_leaves_other_candidates_links_working(system, scheduled):
    # GIVEN two candidates with links
    scheduled()
    scheduled(interview_id="int-2", candidate_id="cand-2")
    theirs = links.candidate_token("cand-2")
    # WHEN the first one's links are revoked
    links.revoke_candidate_links("cand-1")
    # THEN the second one's link still works and their version is untouched
    assert _portal(system, theirs)["statusCode"] == 200
    assert candidate_store.link_version("cand-2") == 0


def test_the_cli_revokes_a_candidates_links(system, scheduled, capsys):
    # GIVEN a candidate's link
    scheduled()
    old = links.candidate_token("cand-1")
    # WHEN `interviews links revoke --candidate cand-1` runs, twice
    assert main(["links", "revoke", "--candidate", "cand-1"]) == 0
    assert main(["links", "revoke", "--candidate", "cand-1"]) == 0
    # THEN it says so, the version rose once per run, and the old link answers 410
    assert "cand-1: earlier links revoked (links now carry version 2)" in capsys.readouterr().out
    assert candidate_store.link_version("cand-1") == 2
    assert _portal(system, old)["statusCode"] == 410


def test_revoking_an_unknown_candidate_fails_clearly_and_creates_nothing(system, capsys):
    # WHEN the CLI is asked to revoke the links of a candidate that does not exist
    assert main(["links", "revoke", "--candidate", "nobody"]) == 1
    # THEN it says so, and no profile was created for them
    assert "no candidate nobody: nothing revoked" in capsys.readouterr().err
    assert candidate_store.get_candidate("nobody") is None
