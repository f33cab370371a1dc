"""Instants as tests write them."""

from __future__ import annotations

from datetime import UTC, datetime


def at(text: str) -> datetime:
    """An instant written in UTC, e.g. ``at("2026-11-30T17:00")``."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
