"""Alembic migrations of the scoring schema (a package so that installs carry them)."""
