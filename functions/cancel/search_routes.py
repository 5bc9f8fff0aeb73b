"""The staff console's search over interviews and requests (any age), a page at a time or as a CSV file of
everything the same search finds. Scoped as every staff route is: recruiters their jobs, department managers
their department's, admins everything (functions/domain/scopes.py)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from functions.domain.workplace import search
from functions.web.responses import staff_from_claims, staff_problem_responses

router = APIGatewayRouter()

Day = Annotated[str | None, Query(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description="UTC day, YYYY-MM-DD (included)")]
Text = Annotated[str | None, Query(max_length=200)]
Status = Annotated[str | None, Query(max_length=40)]
Cursor = Annotated[str | None, Query(max_length=1000, description="next_cursor of the previous page")]
Limit = Annotated[int, Query(ge=1, le=search.MAX_LIMIT)]

_CSV_RESPONSE = {200: {"description": "Everything the search finds, as CSV (cells a spreadsheet would run as a "
                                      "formula start with a quote)",
                       "content": {"text/csv": {"schema": {"type": "string"}}}}}


def _scope():
    return staff_from_claims(router.current_event.request_context.authorizer.claims).scope()


def _filters(date_from, date_to, job, department, candidate, status) -> search.SearchFilters:
    return search.filters_of({"date_from": date_from, "date_to": date_to, "job": job, "department": department,
                              "candidate": candidate, "status": status})


def _csv(body: str, name: str) -> Response:
    return Response(status_code=200, content_type="text/csv; charset=utf-8", body=body,
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"', "Cache-Control": "no-store",
                             "X-Content-Type-Options": "nosniff"})


@router.get("/api/staff/interviews", summary="Search interviews", tags=["staff"],
            description="Interviews starting in the date range (default: 30 days ago to 60 days ahead), latest "
                        "first, filtered by job (id or part of the title), department, candidate (id or part of the "
                        "name) and status, within the caller's scope. At most 366 days per search.",
            responses={200: {"description": "A page of interviews and the cursor of the next"},
                       **staff_problem_responses(401, 403, 422)})
def search_interviews(date_from: Day = None, date_to: Day = None, job: Text = None, department: Text = None,
                      candidate: Text = None, status: Status = None, cursor: Cursor = None,
                      limit: Limit = 25) -> search.InterviewPage:
    filters = _filters(date_from, date_to, job, department, candidate, status)
    return search.interviews(filters, _scope(), cursor, limit)


@router.get("/api/staff/interviews/export", summary="Search interviews, as CSV", tags=["staff"],
            responses={**_CSV_RESPONSE, **staff_problem_responses(401, 403, 422)})
def export_interviews(date_from: Day = None, date_to: Day = None, job: Text = None, department: Text = None,
                      candidate: Text = None, status: Status = None):
    filters = _filters(date_from, date_to, job, department, candidate, status)
    return _csv(search.interviews_csv(filters, _scope()), "interviews")


@router.get("/api/staff/request-history", summary="Search requests (any age, any status)", tags=["staff"],
            description="Requests made in the date range (default: the last 90 days), newest first, filtered by "
                        "job, department, candidate and request status, within the caller's scope.",
            responses={200: {"description": "A page of requests and the cursor of the next"},
                       **staff_problem_responses(401, 403, 422)})
def search_requests(date_from: Day = None, date_to: Day = None, job: Text = None, department: Text = None,
                    candidate: Text = None, status: Status = None, cursor: Cursor = None,
                    limit: Limit = 25) -> search.RequestPage:
    filters = _filters(date_from, date_to, job, department, candidate, status)
    return search.requests(filters, _scope(), cursor, limit)


@router.get("/api/staff/request-history/export", summary="Search requests, as CSV", tags=["staff"],
            responses={**_CSV_RESPONSE, **staff_problem_responses(401, 403, 422)})
def export_requests(date_from: Day = None, date_to: Day = None, job: Text = None, department: Text = None,
                    candidate: Text = None, status: Status = None):
    filters = _filters(date_from, date_to, job, department, candidate, status)
    return _csv(search.requests_csv(filters, _scope()), "requests")
