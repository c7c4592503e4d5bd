"""What operators of microservices expect to see: OpenTelemetry traces across the gRPC
calls and the topics, and logs a log shipper can read (JSON lines with the trace id)."""
