"""The synthetic county's Family Matters meetings.

Every family hub team meets the health visiting team of its locality every four weeks: a
year of meetings behind, and the next one a week from the reference date, so the demo's
family hub worker and health visitor find a live agenda. A few of the families both teams
work with are discussed at each meeting; most actions agreed are done, some are still open
and overdue and carry over. Each note and action is on the family's chronology, as the
pages would have written it.

Drawn from a generator of its own (the families stay the same as without it), after the
families and their involvements exist; written in bulk, in well under a second."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from beststart.accounts.models import Membership, OrganisationType, Team, User
from beststart.activities.actions import action_summary, done_summary, note_summary, on_the_day
from beststart.activities.models import Meeting, MeetingAction, MeetingNote
from beststart.core.categories import DataCategory
from beststart.families.models import ChronologyEvent, EventKind, Involvement

MEETINGS_BEHIND = 12
EVERY = dt.timedelta(days=28)
NEXT_MEETING_IN = dt.timedelta(days=7)
FAMILIES_DISCUSSED = (2, 5)  # at each meeting, at most
ACTION_CHANCE = 0.7
DONE_WHEN_DUE_CHANCE = 0.92  # most actions due by now are done; the rest are overdue
DONE_EARLY_CHANCE = 0.3

NOTES = (
    "Coming to stay and play most weeks; settling in well",
    "Mum spoke about low mood; a listening visit to be offered",
    "Missed the 12-month review; the centre will encourage them to rebook",
    "Interested in the healthy lifestyle course",
    "Moving house soon; the new address still to be confirmed",
    "Breastfeeding going well with the support group",
    "Speech a concern at the 2-year review; the group discussed a referral",
    "Money is tight; signposted to the welfare rights drop-in",
    "Dad would like to join the parenting course",
    "Immunisations behind; a reminder agreed",
)
ACTIONS = (
    "Offer a place at stay and play",
    "Book a listening visit",
    "Invite to the speech and language group",
    "Rebook the 12-month review",
    "Share the parenting course dates with the family",
    "Confirm the family's new address",
    "Refer to the welfare rights drop-in",
    "Remind the family about immunisations at the surgery",
)


@dataclass
class Partners:
    centre: Team
    health: Team
    members: dict[int, list[User]]  # by team id


@dataclass
class Drafts:
    notes: list[MeetingNote] = field(default_factory=list)
    actions: list[MeetingAction] = field(default_factory=list)
    events: list[ChronologyEvent] = field(default_factory=list)


def _weekday(day: dt.date) -> dt.date:
    """The day itself, or the Monday after a weekend: teams meet on working days."""
    return day + dt.timedelta(days=7 - day.weekday() if day.weekday() >= 5 else 0)


def _partnerships() -> list[Partners]:
    teams = Team.objects.filter(
        organisation__type__in=[
            OrganisationType.FAMILY_HUB,
            OrganisationType.HEALTH_VISITING_SERVICE,
        ]
    ).select_related("organisation")
    health = {
        team.locality_id: team
        for team in teams
        if team.organisation.type == OrganisationType.HEALTH_VISITING_SERVICE
    }
    members: dict[int, list[User]] = defaultdict(list)
    for membership in (
        Membership.objects.filter(team__in=teams, is_active=True)
        .select_related("user")
        .order_by("pk")
    ):
        members[membership.team_id].append(membership.user)
    return [
        Partners(team, health[team.locality_id], members)
        for team in sorted(teams, key=lambda team: team.pk)
        if team.organisation.type == OrganisationType.FAMILY_HUB
        and team.locality_id in health
        and members[team.pk]
        and members[health[team.locality_id].pk]
    ]


def _shared_families(
    partners: list[Partners], today: dt.date
) -> dict[tuple[int, int], list[tuple[int, dt.date]]]:
    """For each pair of teams, the families both still work with, and since when both have."""
    team_ids = {team.pk for pair in partners for team in (pair.centre, pair.health)}
    since: dict[int, dict[int, dt.date]] = defaultdict(dict)  # team -> family -> started
    for team_id, family_id, started_on in (
        Involvement.objects.filter(team_id__in=team_ids, started_on__lte=today)
        .exclude(ended_on__lt=today)
        .values_list("team_id", "family_id", "started_on")
    ):
        earliest = since[team_id].get(family_id)
        since[team_id][family_id] = min(started_on, earliest) if earliest else started_on
    shared = {}
    for pair in partners:
        centre, health = since[pair.centre.pk], since[pair.health.pk]
        shared[(pair.centre.pk, pair.health.pk)] = sorted(
            (family_id, max(centre[family_id], health[family_id]))
            for family_id in centre.keys() & health.keys()
        )
    return shared


class MeetingsFactory:
    def __init__(self, seed: int, today: dt.date) -> None:
        self.rng = random.Random(seed * 1_000_003 + 41)
        self.today = today

    def write(self) -> int:
        partners = _partnerships()
        shared = _shared_families(partners, self.today)
        upcoming = _weekday(self.today + NEXT_MEETING_IN)
        dates = [upcoming - EVERY * behind for behind in range(MEETINGS_BEHIND, -1, -1)]
        meetings = Meeting.objects.bulk_create(
            Meeting(
                centre_team=pair.centre,
                health_team=pair.health,
                held_on=day,
                created_by=self.rng.choice(pair.members[pair.centre.pk]),
            )
            for pair in partners
            for day in dates
        )
        drafts = Drafts()
        for index, pair in enumerate(partners):
            held = meetings[index * len(dates) : (index + 1) * len(dates)]
            families = shared[(pair.centre.pk, pair.health.pk)]
            for meeting in held[:-1]:  # the next meeting has nothing recorded yet
                last = meeting is held[-2]
                self._discuss(pair, meeting, families, drafts, open_overdue=last)
        MeetingNote.objects.bulk_create(drafts.notes)
        MeetingAction.objects.bulk_create(drafts.actions)
        ChronologyEvent.objects.bulk_create(drafts.events)
        return len(meetings)

    def _discuss(
        self,
        pair: Partners,
        meeting: Meeting,
        families: list[tuple[int, dt.date]],
        drafts: Drafts,
        *,
        open_overdue: bool,
    ) -> None:
        """Notes and actions about a few of the families both teams worked with by then.
        At the last meeting before the next, the first action is left open past its due
        date, recorded by the health visitors, so the next agenda carries one over."""
        rng = self.rng
        known = [family_id for family_id, since in families if since <= meeting.held_on]
        count = min(len(known), rng.randint(*FAMILIES_DISCUSSED))
        for position, family_id in enumerate(rng.sample(known, count)):
            forced = open_overdue and position == 0
            team = pair.health if forced else rng.choice((pair.centre, pair.health))
            author = rng.choice(pair.members[team.pk])
            text = rng.choice(NOTES)
            drafts.notes.append(
                MeetingNote(
                    meeting=meeting, family_id=family_id, text=text, written_by=author, team=team
                )
            )
            drafts.events.append(
                self._event(
                    family_id,
                    EventKind.DISCUSSED,
                    note_summary(text),
                    meeting.held_on,
                    author,
                    team,
                )
            )
            if forced or rng.random() < ACTION_CHANCE:
                self._action(
                    meeting, family_id, team, author, pair.members[team.pk], drafts, forced
                )

    def _action(
        self,
        meeting: Meeting,
        family_id: int,
        team: Team,
        author: User,
        members: list[User],
        drafts: Drafts,
        forced_open: bool,
    ) -> None:
        rng, today = self.rng, self.today
        owner = rng.choice(members)  # in the recording team: the action is theirs to see
        description = rng.choice(ACTIONS)
        due_on = meeting.held_on + dt.timedelta(days=rng.choice((7, 14, 21, 28, 42)))
        if forced_open:
            due_on = min(due_on, today - dt.timedelta(days=1))
        latest = today - dt.timedelta(days=1)
        done_on = None
        chance = DONE_WHEN_DUE_CHANCE if due_on < today else DONE_EARLY_CHANCE
        if not forced_open and meeting.held_on <= latest and rng.random() < chance:
            finish_by = min(due_on + dt.timedelta(days=10), latest)
            done_on = meeting.held_on + dt.timedelta(
                days=rng.randint(0, max(0, (finish_by - meeting.held_on).days))
            )
        drafts.actions.append(
            MeetingAction(
                meeting=meeting,
                family_id=family_id,
                description=description,
                owner=owner,
                due_on=due_on,
                done_on=done_on,
                team=team,
            )
        )
        drafts.events.append(
            self._event(
                family_id,
                EventKind.MEETING_ACTION,
                action_summary(owner, due_on, description),
                meeting.held_on,
                author,
                team,
            )
        )
        if done_on:
            drafts.events.append(
                self._event(
                    family_id,
                    EventKind.MEETING_ACTION,
                    done_summary(description),
                    done_on,
                    owner,
                    team,
                )
            )

    @staticmethod
    def _event(
        family_id: int, kind: str, summary: str, day: dt.date, user: User, team: Team
    ) -> ChronologyEvent:
        return ChronologyEvent(
            family_id=family_id,
            kind=kind,
            category=DataCategory.FAMILY_SUPPORT,
            summary=summary,
            occurred_at=on_the_day(day),
            recorded_by=user,
            team=team,
        )


def build_meetings(seed: int, today: dt.date) -> int:
    """Write the county's meetings; how many there are."""
    return MeetingsFactory(seed, today).write()
