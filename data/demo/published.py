"""Figures the Weihai civil-affairs bureau published for the city.

The demo data set is generated to reproduce them exactly; the API never reads them, it
counts the tables.  Tests compare what the API counts with these.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PublishedFigures:
    elder_care_institutions: int = 171
    beds: int = 40_581
    nursing_beds: int = 33_319
    medical_elder_care_institutions: int = 40
    dementia_care_units: int = 13
    township_elder_centers: int = 76
    community_elder_facilities: int = 1_033
    elder_dining_tables: int = 1_094
    assistance_stations: int = 72
    red_place_names: int = 21
    heritage_place_names: int = 10
    protected_place_names: int = 36
    min_named_village_roads: int = 800

    @property
    def nursing_bed_share(self) -> float:
        return self.nursing_beds / self.beds


PUBLISHED = PublishedFigures()
