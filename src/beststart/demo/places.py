"""The synthetic county's geography: Wealdshire, three localities, nine reach areas.

Every name and code is invented. Postcodes use the area letters XW, which no real UK postcode
uses, so a demo address can never be a real one."""

from __future__ import annotations

import random
from dataclasses import dataclass

from beststart.places.models import LocalAuthority, Locality, Lsoa, Postcode, ReachArea, Ward

UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters Royal Mail uses in the inward code

LOCALITIES = {
    "Ashby Marsh": ["Ashby Marsh Family Hub", "Fenwick Family Hub", "Salter's Green Family Hub"],
    "Kingsford": ["Kingsford Family Hub", "Old Mill Family Hub", "Brackley Heath Family Hub"],
    "Wrenfield": ["Wrenfield Family Hub", "Hollins Cross Family Hub", "Larkmoor Family Hub"],
}
WARDS_PER_LOCALITY = 4
LSOAS_PER_WARD = 8
POSTCODES_PER_LSOA = 12


@dataclass
class County:
    local_authority: LocalAuthority
    localities: list[Locality]
    reach_areas: list[ReachArea]
    postcodes: list[Postcode]
    # How likely a family is to live at each postcode: more families in more deprived areas,
    # as in most English counties' under-five populations.
    postcode_weights: list[float]


def build_places(rng: random.Random) -> County:
    authority = LocalAuthority.objects.create(code="E10999001", name="Wealdshire County Council")
    localities: list[Locality] = []
    reach_areas: list[ReachArea] = []
    lsoas: list[Lsoa] = []
    district = 0
    for locality_index, (locality_name, hub_names) in enumerate(LOCALITIES.items()):
        locality = Locality.objects.create(local_authority=authority, name=locality_name)
        localities.append(locality)
        areas = [
            ReachArea.objects.create(locality=locality, name=name.removesuffix(" Family Hub"))
            for name in hub_names
        ]
        reach_areas.extend(areas)
        for ward_index in range(WARDS_PER_LOCALITY):
            district += 1
            ward = Ward.objects.create(
                locality=locality,
                code=f"E05999{district:03d}",
                name=f"{locality_name} {['North', 'South', 'East', 'West'][ward_index]}",
            )
            for lsoa_index in range(LSOAS_PER_WARD):
                # Deprivation clusters: Ashby Marsh is the most deprived locality.
                centre = 3 + 3 * locality_index + (ward_index % 2)
                decile = min(10, max(1, round(rng.gauss(centre, 2))))
                lsoas.append(
                    Lsoa(
                        code=f"E01999{len(lsoas) + 1:03d}",
                        name=f"{ward.name} {lsoa_index + 1:03d}",
                        ward=ward,
                        reach_area=areas[(ward_index + lsoa_index) % len(areas)],
                        imd_decile=decile,
                    )
                )
    Lsoa.objects.bulk_create(lsoas)
    postcodes = []
    for index, lsoa in enumerate(Lsoa.objects.order_by("code")):
        district_number = index // LSOAS_PER_WARD + 1
        for unit in range(POSTCODES_PER_LSOA):
            sector = (index % LSOAS_PER_WARD) + 1
            letters = UNIT_LETTERS[unit % 20] + UNIT_LETTERS[(index * 7 + unit * 3) % 20]
            postcodes.append(Postcode(postcode=f"XW{district_number} {sector}{letters}", lsoa=lsoa))
    Postcode.objects.bulk_create(postcodes)
    saved = list(Postcode.objects.select_related("lsoa").order_by("postcode"))
    weights = [1.0 + (10 - postcode.lsoa.imd_decile) * 0.25 for postcode in saved]
    return County(authority, localities, reach_areas, saved, weights)
