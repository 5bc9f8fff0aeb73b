"""Domain errors. Each maps to one HTTP status in the handlers; the message is safe to show to the caller."""


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class NotFoundError(DomainError):
    status = 404
    title = "Not found"


class ConflictError(DomainError):
    status = 409
    title = "Conflict"


class PolicyViolationError(DomainError):
    status = 409
    title = "Not allowed by the cancellation policy"


class ForbiddenError(DomainError):
    status = 403
    title = "Forbidden"


class UnauthorizedError(DomainError):
    status = 401
    title = "Unauthorized"


class LinkInvalidError(DomainError):
    status = 403
    title = "This link is not valid"


class LinkExpiredError(DomainError):
    status = 410
    title = "This link has expired or was already used"


class ServiceUnavailableError(DomainError):
    status = 503
    title = "Temporarily unavailable"
