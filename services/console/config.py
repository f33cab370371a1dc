"""The city files the console reads at start: the registry (with its history) and the red map."""

from __future__ import annotations

from dataclasses import dataclass

from services.console.settings import ConsoleSettings
from shared.city import City, load_city
from shared.city.red_map import RED_MAP_FILE, RedMap, load_red_map


@dataclass(frozen=True)
class ConsoleConfig:
    # Today's registry; ``city.as_of(day)`` gives any day's.
    city: City
    red_map: RedMap


def load_config(settings: ConsoleSettings) -> ConsoleConfig:
    """Raises CityDataError naming the file and record of every problem."""
    city = load_city(settings.city_dir)
    red_map = load_red_map(settings.red_map_path or settings.city_dir / RED_MAP_FILE, city)
    return ConsoleConfig(city=city, red_map=red_map)
