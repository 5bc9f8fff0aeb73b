"""Demo data: interviews arrive as InterviewScheduled events on the bus, exactly as from an ATS."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import requests

RECRUITER = {"person_id": "rec-1", "name": "Chen Jing", "email": "chen.jing@company.example.com"}
MANAGER = {"person_id": "mgr-1", "name": "Sam Smith", "email": "sam.smith@company.example.com"}
INTERVIEWER = {"person_id": "int-park", "name": "Jun Park", "email": "jun.park@company.example.com"}
# Each gets a calendar on the local CalDAV server (local_runtime/calendars.py); the tests' interviewer is Jun Park too.
INTERVIEWERS = [INTERVIEWER]
JOB = {"job_id": "job-be-2", "title": "Backend Engineer", "level": "L2", "department": "Engineering",
       "recruiter": RECRUITER, "department_manager": MANAGER,
       "description_url": "https://careers.example.com/jobs/backend-engineer-l2",
       "company_intro_url": "https://careers.example.com/files/company-introduction.pdf"}


def interview(interview_id: str, candidate: dict, starts_in: timedelta, job: dict = JOB) -> dict:
    starts_at = (datetime.now(timezone.utc) + starts_in).replace(microsecond=0)
    return {
        "interview_id": interview_id, "candidate": candidate, "job": job, "interviewer": INTERVIEWER,
        "slot_id": f"slot-{interview_id}", "starts_at": starts_at.isoformat(), "duration_minutes": 45,
        "ai_interview_url": f"https://ai-interview.example.com/session/{interview_id}",
        "completed_parts": ["self-introduction"],
    }


CANDIDATES = [
    {"candidate_id": "cand-li", "name": "Li Wei", "email": "li.wei@mail.example.com", "locale": "zh-CN",
     "timezone": "Asia/Shanghai", "source": "referral", "resume_url": "https://files.example.com/resume/li-wei.pdf"},
    {"candidate_id": "cand-alex", "name": "Alex Morgan", "email": "alex.morgan@mail.example.com", "locale": "en",
     "timezone": "Europe/London", "source": "job_board"},
]


def scheduled_interviews() -> list[dict]:
    li, alex = CANDIDATES
    return [
        interview("int-li-1", li, timedelta(days=3)),      # schedule conflict here is approved automatically
        interview("int-li-2", li, timedelta(hours=10)),    # short notice: goes to the recruiter
        interview("int-alex-1", alex, timedelta(days=2)),
        interview("int-alex-2", alex, timedelta(days=5)),  # for a company-initiated cancellation
    ]


def open_slots(system, job_id: str = JOB["job_id"], days: tuple[int, ...] = (4, 6, 8)) -> list[dict]:
    """Free slots of the job (mornings, UTC) to move interviews to, opened through the staff API."""
    base = datetime.now(timezone.utc).replace(hour=9, minute=0, second=0, microsecond=0)
    response = requests.post(f"{system.base_url}/api/staff/jobs/{job_id}/slots",
                             json={"starts_at": [(base + timedelta(days=d)).isoformat() for d in days]},
                             headers={"Authorization": f"Bearer {system.staff_token('recruiter')}"}, timeout=30)
    response.raise_for_status()
    return response.json()


def seed(system, timeout_seconds: float = 30) -> list[dict]:
    """Put the demo interviews on the bus, wait until every invitation is in the outbox, then open free slots
    (as the job's recruiter: the job's registered interviews name her)."""
    interviews = scheduled_interviews()
    for item in interviews:
        system.put_event("InterviewScheduled", item)
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        sent = requests.get(f"{system.base_url}/_local/outbox.json", timeout=10).json()
        if sum("/portal/" in m["text"] for m in sent) >= len(interviews):
            open_slots(system)
            return interviews
        time.sleep(0.3)
    raise TimeoutError("demo interviews were not registered in time")
