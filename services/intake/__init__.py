"""Intake: inquiries, contacts, escalations and satisfaction, taken over gRPC."""
