"""Pure domain of intake: aggregates, events and rules. No I/O here."""
