from __future__ import annotations

import pytest

from shared.city import City, load_city
from shared.settings import REPO_ROOT


@pytest.fixture(scope="session")
def city() -> City:
    """The sample city, with its history (people joining and leaving)."""
    return load_city(REPO_ROOT / "city")
