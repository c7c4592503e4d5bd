"""SQL, Kafka, gRPC, webhook and e-mail adapters of the SLA monitor."""
