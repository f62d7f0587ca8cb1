"""The gateway's data: SQLAlchemy models, the engine, and Alembic migrations."""
