"""Avro event framing, the outbox relay and Kafka consumers."""
