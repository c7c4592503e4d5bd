"""Madoguchi (窓口): the product's command line, configuration and shared infrastructure.

- ``madoguchi.api``: Python code generated from ``protos/`` (do not edit).
- ``madoguchi.eventstream``: Avro event framing, the outbox relay and Kafka consumers.
- ``madoguchi.rpc``: gRPC server bootstrap (health, reflection) and rich error statuses.
- ``madoguchi.storage``: database URLs and SQL connections for SQLite and PostgreSQL.
"""
