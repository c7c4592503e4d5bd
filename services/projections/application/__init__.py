"""Use cases of projections: consume topics into read models."""
