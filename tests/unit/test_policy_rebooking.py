"""Rebooking in the policy file: every candidate reason and no company reason by default, a company's own list, and
misspelt reasons refused on load."""

from __future__ import annotations

import pytest

from functions.core.models import CandidateReason
from functions.domain.policy import PolicyError
from functions.domain.policy_source import load_policy, parse_policy

CATCH_ALL = "rules:\n  - name: all\n    then:\n      auto_approve: true\n"


def test_the_shipped_policy_allows_rebooking_after_every_candidate_reason_and_no_company_reason():
    # GIVEN the shipped policy WHEN asked about each reason THEN candidate reasons allow it, company reasons do not
    rebooking = load_policy().rebooking
    assert all(rebooking.allows("candidate", reason.value) for reason in CandidateReason)
    assert not any(rebooking.allows("company", code) for code in ("screening_failed", "position_paused",
                                                                    "scheduling_error", "other"))


def test_a_policy_without_a_rebooking_section_gets_the_same_defaults():
    # GIVEN a policy that says nothing about rebooking WHEN loaded THEN it has the default answer
    rebooking = parse_policy(CATCH_ALL).rebooking
    assert rebooking.allows("candidate", "illness") and not rebooking.allows("company", "screening_failed")


def test_a_policy_may_allow_a_company_reason_and_forbid_a_candidate_one():
    # GIVEN a policy listing the company's scheduling error and only two candidate reasons
    rebooking = parse_policy("rebooking:\n  candidate: [illness, emergency]\n  company: [scheduling_error]\n"
                             + CATCH_ALL).rebooking
    # THEN exactly those allow rebooking
    assert rebooking.allows("company", "scheduling_error") and not rebooking.allows("company", "position_paused")
    assert rebooking.allows("candidate", "illness") and not rebooking.allows("candidate", "job_mismatch")


@pytest.mark.parametrize("section", ["rebooking:\n  company: [screening_faild]\n",
                                     "rebooking:\n  candidate: [position_paused]\n",
                                     "rebooking:\n  companies: []\n"])
def test_a_misspelt_reason_or_key_is_refused_naming_the_field(section):
    # GIVEN a rebooking section with an unknown reason, a reason of the other initiator, or a misspelt key
    # WHEN the policy is loaded THEN it is refused and the problem names rebooking
    with pytest.raises(PolicyError) as refused:
        parse_policy(section + CATCH_ALL)
    assert all(line.startswith("rebooking.") for line in refused.value.problems), refused.value.problems
