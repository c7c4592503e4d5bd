"""Errors of the intake domain: the shared kinds, re-exported for intake's code."""

from madoguchi.errors import (
    DomainError,
    IdempotencyKeyReused,
    InvalidField,
    NotFound,
    TransitionNotAllowed,
    VersionConflict,
)

__all__ = [
    "DomainError",
    "IdempotencyKeyReused",
    "InvalidField",
    "NotFound",
    "TransitionNotAllowed",
    "VersionConflict",
]
