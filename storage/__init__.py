"""What is kept: SQLModel tables, async sessions, queries and Alembic migrations."""
