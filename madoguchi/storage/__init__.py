"""Database URLs and SQL connections shared by the services (SQLite and PostgreSQL)."""
