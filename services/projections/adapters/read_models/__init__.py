"""The SQL read models, one module (or package) each, and the set of one generation."""
