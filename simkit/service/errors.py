"""What the service answers when it does not do what was asked: an HTTP status, a code and a message.

The code is for programs (the apps choose what to show a person from it); the message is English
and says what to do. Nothing else of the failure (a traceback, a driver's message) leaves the service.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A refusal: ``status`` (HTTP), ``code`` (a stable word) and ``message`` (one English sentence or two)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(status, code, message)
        self.status = status
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def as_json(self) -> dict[str, str]:
        """The body of the error response."""
        return {"error": self.code, "message": self.message}


def bad_request(message: str, code: str = "bad_request") -> ServiceError:
    """The request is malformed or asks for something impossible (400)."""
    return ServiceError(400, code, message)


def forbidden(message: str) -> ServiceError:
    """The caller's hub groups do not allow this (403)."""
    return ServiceError(403, "forbidden", message)


def not_found(code: str, message: str) -> ServiceError:
    """What the request names does not exist (404)."""
    return ServiceError(404, code, message)


def conflict(code: str, message: str) -> ServiceError:
    """The request contradicts what is stored (409)."""
    return ServiceError(409, code, message)


def unavailable(message: str, code: str = "unavailable") -> ServiceError:
    """The evidence store cannot be reached now; the request may be repeated later (503)."""
    return ServiceError(503, code, message)
