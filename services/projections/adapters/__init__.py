"""Adapters of projections: SQL read-model store and gRPC query API."""
