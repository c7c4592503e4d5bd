"""Use cases of the SLA monitor."""
