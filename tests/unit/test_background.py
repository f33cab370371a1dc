"""A service's background jobs run while its lifespan does and have all ended when it leaves."""

from __future__ import annotations

import asyncio

from shared.background import in_background


async def test_every_job_runs_until_the_lifespan_ends_then_is_cancelled_and_awaited() -> None:
    started: list[str] = []
    cleaned_up: list[str] = []

    async def job(name: str) -> None:
        started.append(name)
        try:
            await asyncio.Event().wait()
        finally:
            await asyncio.sleep(0)  # a clean-up that itself awaits must finish before the exit
            cleaned_up.append(name)

    async with in_background({"a": job("a"), "b": job("b")}):
        await asyncio.sleep(0.01)
        assert sorted(started) == ["a", "b"]
        assert cleaned_up == []
    assert sorted(cleaned_up) == ["a", "b"]
    assert not [t for t in asyncio.all_tasks() if t.get_name() in {"a", "b"}]
