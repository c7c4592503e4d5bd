"""Projections: read models built from the event topics, queried over gRPC and SQL."""
