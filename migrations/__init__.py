"""Alembic migrations. Run them with `crm-bot migrate` (or `alembic upgrade head` from the repo root)."""
