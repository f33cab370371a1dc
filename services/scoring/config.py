"""Scoring's rule files (``rubric.yaml``, ``vanguard.yaml``, ``analysis.yaml``) loaded and checked against
the city, into the domain objects the handlers, the API and the recompute take."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from services.scoring.domain import Rubric
from services.scoring.domain.folding import Ancestry, CityRules
from services.scoring.domain.hotspots import AnalysisRules
from services.scoring.domain.vanguard import VanguardRules
from services.scoring.settings import ScoringSettings
from shared.city import City, load_city


def load_rubric(path: Path) -> Rubric:
    return Rubric.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def load_vanguard(path: Path) -> VanguardRules:
    return VanguardRules.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def load_analysis(path: Path) -> AnalysisRules:
    return AnalysisRules.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def check_categories(city: City, vanguard: VanguardRules, analysis: AnalysisRules) -> None:
    """Refuse rules that name a category the city's catalogue lacks (a typo would count nothing)."""
    known = {category.code for category in city.categories}
    unknown = sorted((set(vanguard.service_tasks) | set(analysis.categories)) - known)
    if unknown:
        raise ValueError(f"vanguard.yaml or analysis.yaml names unknown categories: {', '.join(unknown)}")


def ancestry_in(city: City) -> Ancestry:
    def ancestry(grid_id: str) -> tuple[str, str, str] | None:
        try:
            community, street, district = city.ancestry(grid_id)
        except KeyError:
            return None
        return community.community_id, street.street_id, district.district_id

    return ancestry


def rules_for(city: City, vanguard: VanguardRules) -> CityRules:
    return CityRules(ancestry=ancestry_in(city), service_minutes=vanguard.service_minutes())


def names_in(city: City) -> dict[str, str]:
    """Subject id → the name a bulletin prints (Chinese where the city has it)."""
    names = {person.person_id: person.name for person in city.people}
    names |= {grid.grid_id: grid.name_zh for grid in city.grids}
    names |= {community.community_id: community.name_zh for community in city.communities}
    names |= {street.street_id: street.name_zh for street in city.streets}
    names |= {district.district_id: district.name_zh for district in city.districts}
    names |= {department.department_id: department.name_zh for department in city.departments}
    return names


@dataclass(frozen=True)
class ScoringConfig:
    """The city and scoring's rules over it, checked against each other."""

    city: City
    # The city's clock: which period an instant belongs to.
    timezone: ZoneInfo
    rubric: Rubric
    vanguard: VanguardRules
    analysis: AnalysisRules

    @property
    def rules(self) -> CityRules:
        return rules_for(self.city, self.vanguard)

    @property
    def grid_workers(self) -> tuple[str, ...]:
        """The registry's grid workers: listed for volunteer hours even with none served."""
        return tuple(sorted({p.person_id for p in self.city.people if p.role == "grid_worker"}))


def load_config(settings: ScoringSettings) -> ScoringConfig:
    """The city and the rule files the settings name (each defaults to its file in the city dir)."""
    city = load_city(settings.city_dir)
    config = ScoringConfig(
        city=city,
        timezone=ZoneInfo(settings.timezone or city.timezone),
        rubric=load_rubric(settings.rubric_path or settings.city_dir / "rubric.yaml"),
        vanguard=load_vanguard(settings.vanguard_path or settings.city_dir / "vanguard.yaml"),
        analysis=load_analysis(settings.analysis_path or settings.city_dir / "analysis.yaml"),
    )
    check_categories(city, config.vanguard, config.analysis)
    return config
