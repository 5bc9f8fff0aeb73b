"""What an identifier (interview, candidate, job, slot, request) may look like, in one place: the API's path
parameters, the event models and the schemas all refuse anything else."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

ID_PATTERN = r"^[A-Za-z0-9_.:-]+$"
ID_MAX_LENGTH = 64

Identifier = Annotated[str, Field(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]

# A person (recruiter, manager, interviewer, approver) may be named by an e-mail-like id from the directory.
PERSON_ID_PATTERN = r"^[A-Za-z0-9_.:@-]+$"
PersonId = Annotated[str, Field(min_length=1, max_length=ID_MAX_LENGTH, pattern=PERSON_ID_PATTERN)]
