"""Synthetic people: names from several of England's communities, and NHS numbers from the
range reserved for testing."""

from __future__ import annotations

import random
from collections.abc import Iterator

from faker import Faker

from beststart.core.identifiers import TEST_RANGE_PREFIX, nhs_check_digit

# Locales and their shares, roughly the mix of births in an English county.
NAME_LOCALES = [
    ("en_GB", 0.76),
    ("en_PK", 0.06),
    ("en_IN", 0.04),
    ("pl_PL", 0.04),
    ("ro_RO", 0.03),
    ("yo_NG", 0.03),
    ("tw_GH", 0.02),
    ("en_NG", 0.02),
]
POOL_SIZE = 400
# Faker's English given names lean to older generations; children born in the 2020s in
# England are more often given these (common names in recent years' birth registrations).
RECENT_GIRLS = [
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Lily",
    "Freya",
    "Florence",
    "Ivy",
    "Mia",
    "Isabella",
    "Sophia",
    "Grace",
    "Evie",
    "Poppy",
    "Ella",
    "Willow",
    "Rosie",
    "Sienna",
    "Daisy",
    "Elsie",
    "Harper",
    "Evelyn",
    "Phoebe",
    "Matilda",
    "Emily",
    "Ruby",
    "Esme",
    "Sofia",
    "Maya",
    "Eva",
    "Aria",
    "Hallie",
    "Luna",
    "Margot",
    "Aurora",
]
RECENT_BOYS = [
    "Muhammad",
    "Noah",
    "Oliver",
    "George",
    "Leo",
    "Arthur",
    "Oscar",
    "Theo",
    "Theodore",
    "Freddie",
    "Archie",
    "Henry",
    "Alfie",
    "Jack",
    "Charlie",
    "Finley",
    "Lucas",
    "Jacob",
    "Thomas",
    "Arlo",
    "Teddy",
    "Isaac",
    "Harry",
    "Luca",
    "Albie",
    "Tommy",
    "Reggie",
    "Hudson",
    "Rory",
    "Ezra",
    "Jude",
    "Elijah",
    "Louie",
    "Roman",
    "Max",
]


class NamePools:
    """Pools of names drawn once per locale, then picked from with the county's random
    generator: fast enough for a million people, and deterministic for a seed."""

    def __init__(self, seed: int) -> None:
        self.locales = [locale for locale, _ in NAME_LOCALES]
        self.weights = [weight for _, weight in NAME_LOCALES]
        self.female: dict[str, list[str]] = {}
        self.male: dict[str, list[str]] = {}
        self.family: dict[str, list[str]] = {}
        for index, locale in enumerate(self.locales):
            faker = Faker(locale)
            faker.seed_instance(seed * 100 + index)
            self.female[locale] = sorted({faker.first_name_female() for _ in range(POOL_SIZE)})
            self.male[locale] = sorted({faker.first_name_male() for _ in range(POOL_SIZE)})
            self.family[locale] = sorted({faker.last_name() for _ in range(POOL_SIZE)})

    def locale(self, rng: random.Random) -> str:
        return rng.choices(self.locales, self.weights)[0]

    def given(self, rng: random.Random, locale: str, sex: str) -> str:
        pool = self.female[locale] if sex == "female" else self.male[locale]
        return rng.choice(pool)

    def child_given(self, rng: random.Random, locale: str, sex: str) -> str:
        if locale == "en_GB" and rng.random() < 0.8:
            return rng.choice(RECENT_GIRLS if sex == "female" else RECENT_BOYS)
        return self.given(rng, locale, sex)

    def surname(self, rng: random.Random, locale: str) -> str:
        return rng.choice(self.family[locale])


def reserved_range_nhs_numbers(rng: random.Random) -> Iterator[str]:
    """Valid NHS numbers in the 999 test range, each once, in a seeded order.

    Steps through the million 6-digit middles with a stride coprime to a million, skipping
    those with no valid check digit: about 909,000 numbers before it runs out."""
    space = 1_000_000
    stride = 700_001  # coprime to 1,000,000
    position = rng.randrange(space)
    for _ in range(space):
        position = (position + stride) % space
        first_nine = f"{TEST_RANGE_PREFIX}{position:06d}"
        check = nhs_check_digit(first_nine)
        if check is not None:
            yield f"{first_nine}{check}"
