"""Use cases of intake: validated commands applied to aggregates and saved atomically."""
