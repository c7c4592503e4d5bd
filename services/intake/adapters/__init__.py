"""Adapters of intake: gRPC API, Kafka publishing, process wiring."""
