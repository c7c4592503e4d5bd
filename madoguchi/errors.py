"""Shared kernel of error kinds every service's domain raises (pure; no gRPC here).

Each kind maps to one gRPC status code in ``madoguchi.rpc.errors``.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base class of every rule a domain enforces."""


class InvalidField(DomainError):
    """A caller's value breaks a documented rule (INVALID_ARGUMENT)."""

    def __init__(self, violations: list[tuple[str, str]]) -> None:
        self.violations = violations
        super().__init__("; ".join(f"{field}: {message}" for field, message in violations))


class NotFound(DomainError):
    """No such aggregate or read-model row (NOT_FOUND)."""


class TransitionNotAllowed(DomainError):
    """The current state forbids the command (FAILED_PRECONDITION)."""


class VersionConflict(DomainError):
    """The caller's expected version is stale, or a write raced (ABORTED)."""


class IdempotencyKeyReused(DomainError):
    """The idempotency key was used for a different request (ALREADY_EXISTS)."""


class Unauthenticated(DomainError):
    """The call carries no identity where one is required (UNAUTHENTICATED)."""
