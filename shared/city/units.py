"""Which units a unit lies in: a grid in its community, street, district and the city.

Jurisdictions are answered with it (a district's operator answers for every grid in it), and so is
whether a place on the red map lies in the unit that runs it.
"""

from __future__ import annotations

from shared.city.models import City


def enclosing_units(city: City, unit_id: str) -> tuple[str, ...]:
    """The unit itself and every unit it lies in, up to the city: a grid's community, street, district
    and the city; a department's city. A grid not in force that day gives only itself and the city."""
    kind = city.unit_kind(unit_id)
    units: tuple[str, ...]
    if kind == "grid":
        community, street, district = city.ancestry(unit_id)
        units = (unit_id, community.community_id, street.street_id, district.district_id)
    elif kind == "community":
        street = city.street(city.community(unit_id).street_id)
        units = (unit_id, street.street_id, street.district_id)
    elif kind == "street":
        units = (unit_id, city.street(unit_id).district_id)
    else:
        units = (unit_id,)
    return units if unit_id == city.city_id else (*units, city.city_id)
