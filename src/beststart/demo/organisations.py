"""The synthetic county's services: an organisation of every type, their teams, and staff.

One demo sign-in per role, all in Ashby Marsh so they meet the same families."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from faker import Faker

from beststart.accounts.models import Membership, Organisation, OrganisationType, Role, Team, User
from beststart.demo.places import County
from beststart.places.models import Locality

DEMO_PASSWORD = "best-start-demo"  # noqa: S105 - printed at start; synthetic accounts only

T = OrganisationType


@dataclass
class Services:
    """Teams by what they do, keyed by locality name where they serve one locality."""

    health_visiting: dict[str, Team] = field(default_factory=dict)
    midwifery: dict[str, Team] = field(default_factory=dict)
    family_hubs: dict[str, Team] = field(default_factory=dict)  # by reach area name
    gp_practices: dict[str, list[Team]] = field(default_factory=dict)
    early_years: dict[str, list[Team]] = field(default_factory=dict)
    schools: dict[str, list[Team]] = field(default_factory=dict)
    voluntary: Team | None = None
    triage: Team | None = None
    practitioners: dict[int, list[User]] = field(default_factory=dict)  # by team id
    sign_ins: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, team


def _organisation(name: str, kind: str, ods_code: str = "") -> Organisation:
    return Organisation.objects.create(name=name, type=kind, ods_code=ods_code)


def _team(organisation: Organisation, name: str, locality: Locality | None = None) -> Team:
    return Team.objects.create(organisation=organisation, name=name, locality=locality)


def _staff(services: Services, team: Team, role: str, count: int, faker: Faker) -> None:
    users: list[User] = []
    for _ in range(count):
        first, last = faker.first_name(), faker.last_name()
        username = (
            f"{first}.{last}.{team.pk}.{len(users)}".lower().replace("'", "").replace(" ", "")
        )
        user = User(username=username, first_name=first, last_name=last)
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users)
    Membership.objects.bulk_create(Membership(user=user, team=team, role=role) for user in users)
    services.practitioners.setdefault(team.pk, []).extend(users)


def build_services(county: County, rng: random.Random, faker: Faker) -> Services:
    services = Services()
    maternity = _organisation(
        "Wealdshire Hospitals Maternity Service", T.MATERNITY_SERVICE, "RXW01"
    )
    health_visiting = _organisation(
        "Wealdshire Community Health Visiting", T.HEALTH_VISITING_SERVICE, "RXW02"
    )
    hubs = _organisation("Wealdshire Family Hubs", T.FAMILY_HUB)
    for locality in county.localities:
        services.midwifery[locality.name] = _team(
            maternity, f"Community Midwives {locality.name}", locality
        )
        services.health_visiting[locality.name] = _team(
            health_visiting, f"Health Visiting {locality.name}", locality
        )
        for area in county.reach_areas:
            if area.locality_id == locality.pk:
                services.family_hubs[area.name] = _team(hubs, f"{area.name} Family Hub", locality)
        services.gp_practices[locality.name] = [
            _team(
                _organisation(f"{name} Surgery", T.GP_PRACTICE, f"X9{rng.randrange(10000):04d}"),
                f"{name} Surgery practice team",
                locality,
            )
            for name in (f"{locality.name} Road", f"{locality.name} Park")
        ]
        services.early_years[locality.name] = [
            _team(
                _organisation(f"{name} Nursery", T.EARLY_YEARS_SETTING),
                f"{name} Nursery staff",
                locality,
            )
            for name in (f"Little Acorns {locality.name}", f"{locality.name} Day")
        ]
        services.schools[locality.name] = [
            _team(
                _organisation(f"{locality.name} Primary School", T.SCHOOL),
                f"{locality.name} Primary School reception team",
                locality,
            )
        ]
    services.voluntary = _team(
        _organisation("Little Steps Volunteers", T.VOLUNTARY_ORGANISATION),
        "Little Steps family befrienders",
    )
    council = _organisation("Wealdshire County Council Children's Services", T.LOCAL_AUTHORITY_TEAM)
    services.triage = _team(council, "Early Help Single Point of Contact")
    commissioning = _team(council, "Early Years Commissioning")
    governance = _team(council, "Information Governance")

    staffing = [
        *((team, Role.MIDWIFE, 3) for team in services.midwifery.values()),
        *((team, Role.HEALTH_VISITOR, 5) for team in services.health_visiting.values()),
        *((team, Role.FAMILY_HUB_WORKER, 3) for team in services.family_hubs.values()),
        *(
            (team, Role.GP_PRACTICE_STAFF, 2)
            for teams in services.gp_practices.values()
            for team in teams
        ),
        *(
            (team, Role.EARLY_YEARS_PRACTITIONER, 2)
            for teams in services.early_years.values()
            for team in teams
        ),
        *((team, Role.SCHOOL_STAFF, 2) for teams in services.schools.values() for team in teams),
        (services.voluntary, Role.VOLUNTARY_SECTOR_WORKER, 3),
        (services.triage, Role.TRIAGE_OFFICER, 2),
    ]
    for team, role, count in staffing:
        _staff(services, team, role, count, faker)

    first = county.localities[0].name
    demo_accounts = [
        ("midwife", Role.MIDWIFE, services.midwifery[first]),
        ("health.visitor", Role.HEALTH_VISITOR, services.health_visiting[first]),
        ("gp.staff", Role.GP_PRACTICE_STAFF, services.gp_practices[first][0]),
        ("family.hub", Role.FAMILY_HUB_WORKER, services.family_hubs[county.reach_areas[0].name]),
        ("early.years", Role.EARLY_YEARS_PRACTITIONER, services.early_years[first][0]),
        ("school", Role.SCHOOL_STAFF, services.schools[first][0]),
        ("voluntary", Role.VOLUNTARY_SECTOR_WORKER, services.voluntary),
        ("triage", Role.TRIAGE_OFFICER, services.triage),
        ("manager", Role.TEAM_MANAGER, services.health_visiting[first]),
        ("commissioner", Role.COMMISSIONER, commissioning),
        ("privacy", Role.PRIVACY_OFFICER, governance),
    ]
    for username, role, team in demo_accounts:
        first_name, last_name = faker.first_name(), faker.last_name()
        user = User(
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=f"{username}@wealdshire.example",  # a reserved domain: mail goes nowhere
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        Membership.objects.create(user=user, team=team, role=role)
        if role not in {Role.COMMISSIONER, Role.PRIVACY_OFFICER, Role.TEAM_MANAGER}:
            services.practitioners.setdefault(team.pk, []).insert(0, user)
        services.sign_ins.append((username, Role(role).label, team.name))
    return services
