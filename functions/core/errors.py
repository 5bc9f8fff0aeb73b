"""Domain errors. Each maps to one HTTP status in the handlers; the message is safe to show to the caller.

Each carries a stable machine-readable `code` (the class's, or a more precise one where raised) and the values its
text needs: the reader sees the catalog's `problem.<code>` in their language (web/responses.py); `detail` is the
English text, for logs and for callers that read no language."""


class DomainError(Exception):
    status = 400
    title = "Bad request"
    code = "bad_request"

    def __init__(self, detail: str, code: str | None = None, **values):
        super().__init__(detail)
        self.detail = detail
        self.code = code or type(self).code
        self.values = values


class NotFoundError(DomainError):
    status = 404
    title = "Not found"
    code = "not_found"


class ConflictError(DomainError):
    status = 409
    title = "Conflict"
    code = "conflict"


class PolicyViolationError(DomainError):
    status = 409
    title = "Not allowed by the cancellation policy"
    code = "policy_violation"


class ForbiddenError(DomainError):
    status = 403
    title = "Forbidden"
    code = "forbidden"


class UnauthorizedError(DomainError):
    status = 401
    title = "Unauthorized"
    code = "unauthorized"


class LinkInvalidError(DomainError):
    status = 403
    title = "This link is not valid"
    code = "link_invalid"


class LinkExpiredError(DomainError):
    status = 410
    title = "This link has expired or was already used"
    code = "link_expired"


class ServiceUnavailableError(DomainError):
    status = 503
    title = "Temporarily unavailable"
    code = "unavailable"
