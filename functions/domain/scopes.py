"""Which interviews a staff member may see and act on.

A staff member's reach comes from the interviews' own job data, keyed by the person id their identity carries
(the user pool's `custom:person_id` attribute): a recruiter reaches the interviews of the jobs they recruit for,
a department manager the interviews whose job names them as its department's manager, an HR admin everything.
Only the roles that allow the action count: someone who is both recruiter and department manager starts a company
cancellation only for their own jobs, never for a department they merely decide for.

Whatever is out of reach answers exactly like a missing item (NotFoundError): nobody learns it exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from functions.core.errors import NotFoundError
from functions.core.models import StaffRole
from functions.integration.data import interview_store

if TYPE_CHECKING:  # stored items are read here, never built: the data access builds them
    from functions.integration.tables import InterviewItem


@dataclass(frozen=True)
class StaffScope:
    person_id: str | None
    roles: frozenset[StaffRole]  # the caller's roles that allow the action at hand

    @property
    def everything(self) -> bool:
        return StaffRole.ADMIN in self.roles

    def covers(self, interview: InterviewItem | None) -> bool:
        """True if the interview is within reach. A missing interview is reached by an admin only."""
        if self.everything:
            return True
        if interview is None or not self.person_id:
            return False
        return ((StaffRole.RECRUITER in self.roles and interview.recruiter.person_id == self.person_id)
                or (StaffRole.DEPARTMENT_MANAGER in self.roles
                    and interview.department_manager.person_id == self.person_id))

    def require_job(self, job_id: str) -> None:
        """A job is within reach if its latest registered interview is. A job this service holds no interview of
        has no known recruiter or department: only an admin may act on it (everyone else: no such job)."""
        if self.everything:
            return
        if not self.covers(interview_store.latest_interview_of_job(job_id)):
            raise NotFoundError("No such job.")

