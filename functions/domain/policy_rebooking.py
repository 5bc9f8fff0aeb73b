"""Which cancellations the candidate may follow by booking a new time themselves: part of the policy file.

A candidate who cancelled for their own reasons (illness, a schedule conflict) should find their way back in one
click; a cancellation the company made because the candidate did not pass screening, or because the position was
paused, must not be undone from the portal. So by default every candidate-initiated reason allows rebooking and
no company-initiated reason does; a company lists the company reasons it wants to allow (for example
`scheduling_error`: our mistake, the candidate should not suffer for it). The same answer is shown on the portal,
in the cancellation e-mail and enforced by the API. Pure: no database, no clock.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from functions.core.models import CandidateReason, CompanyReason, Initiator


class Rebooking(BaseModel):
    """`rebooking:` in the policy file: the reasons, per initiator, after which "book a new time" is offered."""

    # A misspelt key or an unknown reason is refused on load (pydantic names it), never silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)

    candidate: list[CandidateReason] = Field(default_factory=lambda: list(CandidateReason),
                                             description="candidate-initiated reasons that allow rebooking")
    company: list[CompanyReason] = Field(default_factory=list,
                                         description="company-initiated reasons that allow rebooking")

    def allows(self, initiator: str, reason_code: str) -> bool:
        allowed = self.candidate if initiator == Initiator.CANDIDATE else self.company
        return reason_code in {reason.value for reason in allowed}
