"""Reads of children's centre activity. Each takes the actor, asks the sharing policy and
audits what it shows, in the request's transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from beststart.accounts.actors import Actor
from beststart.accounts.models import OrganisationType, Role, Team, User
from beststart.activities.models import Meeting, MeetingAction, MeetingNote
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families.models import Family, Person, PersonKind
from beststart.sharing.access import SharingGate, audit_decision, audit_shown
from beststart.sharing.policy import (
    ALLOW_INVOLVEMENT,
    Decision,
    families_both_teams_work_with,
    may_use_records,
    visible_families,
)

# Family Matters meetings

# Who holds them: the practitioners of a children's centre (family hub) team and of a health
# visiting team, and their managers. Anyone else, a GP or a school included, gets the 404.
MEETING_ROLES = frozenset({Role.HEALTH_VISITOR, Role.FAMILY_HUB_WORKER, Role.TEAM_MANAGER})
# Each meeting is between one team of each kind: the partner of one kind is the other.
PARTNER_TYPE: dict[str, str] = {
    OrganisationType.FAMILY_HUB: OrganisationType.HEALTH_VISITING_SERVICE,
    OrganisationType.HEALTH_VISITING_SERVICE: OrganisationType.FAMILY_HUB,
}

ALLOW_ACTION_OWNER = Decision(True, "action_owner", "the owner of a Family Matters action")
ALLOW_ACTION_TEAM = Decision(
    True, "action_team", "a member of the team that recorded a Family Matters action"
)
DENY_ACTION_NOT_OWNER = Decision(
    False,
    "not_action_owner",
    "only the owner of a Family Matters action or the team that recorded it marks it done",
)


def takes_part_in_meetings(actor: Actor) -> bool:
    """Whether the actor's role and team take part in Family Matters meetings at all (for
    the navigation, which must not count as a page's policy decision)."""
    return actor.role in MEETING_ROLES and actor.organisation.type in PARTNER_TYPE


def may_hold_meetings(actor: Actor) -> bool:
    """The same, for a page: a practitioner role, as the policy decides, of the two kinds."""
    return may_use_records(actor).allowed and takes_part_in_meetings(actor)


def require_meetings(actor: Actor) -> None:
    if not may_hold_meetings(actor):
        raise NotFoundOrNotAllowed


def attends(actor: Actor, meeting: Meeting) -> bool:
    """Only the members of the two teams see a meeting."""
    return actor.team.pk in (meeting.centre_team_id, meeting.health_team_id)


def may_mark_done(actor: Actor, action: MeetingAction) -> Decision:
    """The action's owner, whichever of the two teams they are in, or anyone in the team
    that recorded it (for a colleague who is away). Marking done changes nothing that was
    recorded: the date and who marked it go on the chronology, as the marker's team's line."""
    if action.owner_id == actor.user.pk:
        return ALLOW_ACTION_OWNER
    if action.team_id == actor.team.pk:
        return ALLOW_ACTION_TEAM
    return DENY_ACTION_NOT_OWNER


def partner_teams(actor: Actor) -> QuerySet[Team]:
    """The teams the actor's team may hold meetings with: those of the other kind."""
    kind = PARTNER_TYPE.get(actor.organisation.type)
    return Team.objects.filter(organisation__type=kind).select_related("organisation")


def owners_for(meeting: Meeting) -> QuerySet[User]:
    """Who may own an action: an active member of either team."""
    return (
        User.objects.filter(
            memberships__team__in=(meeting.centre_team_id, meeting.health_team_id),
            memberships__is_active=True,
        )
        .distinct()
        .order_by("first_name", "last_name", "pk")
    )


def partner_of(actor: Actor, meeting: Meeting) -> Team:
    return meeting.health_team if actor.team.pk == meeting.centre_team_id else meeting.centre_team


def carried_over_to(meeting: Meeting) -> QuerySet[MeetingAction]:
    """Actions agreed at earlier meetings of the same two teams that were still open when
    this one met: carried over by the query, never copied."""
    return MeetingAction.objects.filter(
        Q(done_on__isnull=True) | Q(done_on__gte=meeting.held_on),
        meeting__centre_team_id=meeting.centre_team_id,
        meeting__health_team_id=meeting.health_team_id,
        meeting__held_on__lt=meeting.held_on,
    )


@dataclass
class MeetingRow:
    meeting: Meeting
    partner: Team
    open_actions: int


@dataclass
class Meetings:
    upcoming: list[MeetingRow]
    past: list[MeetingRow]


def meetings(actor: Actor) -> Meetings:
    """The actor's team's meetings, the next first, then the past, the latest first. Dates,
    teams and counts: nobody's personal data."""
    require_meetings(actor)
    today = clock.today()
    found = (
        Meeting.objects.filter(Q(centre_team=actor.team) | Q(health_team=actor.team))
        .select_related("centre_team", "health_team")
        .annotate(open_actions=Count("actions", filter=Q(actions__done_on__isnull=True)))
        .order_by("-held_on", "-pk")  # a grouped query ignores the model's ordering
    )
    rows = [
        MeetingRow(meeting, partner_of(actor, meeting), meeting.open_actions) for meeting in found
    ]
    upcoming = sorted(
        (row for row in rows if row.meeting.held_on >= today), key=lambda row: row.meeting.held_on
    )
    return Meetings(upcoming=upcoming, past=[row for row in rows if row.meeting.held_on < today])


def meeting_for(actor: Actor, meeting_id: int) -> Meeting:
    """A meeting of the actor's team; any other answers 404, as a missing one does."""
    require_meetings(actor)
    meeting = (
        Meeting.objects.select_related("centre_team", "health_team").filter(pk=meeting_id).first()
    )
    if meeting is None or not attends(actor, meeting):
        raise NotFoundOrNotAllowed
    return meeting


def agenda_families(actor: Actor, meeting: Meeting) -> QuerySet[Family]:
    """The families both teams may see today, as the policy's queries say, and that the
    actor may list: nobody either team could not open."""
    both = families_both_teams_work_with(meeting.centre_team, meeting.health_team)
    return (
        (both & visible_families(actor))
        .prefetch_related(
            Prefetch(
                "members",
                queryset=Person.objects.filter(
                    kind__in=[PersonKind.CHILD, PersonKind.UNBORN]
                ).order_by("date_of_birth", "pk"),
                to_attr="children",
            )
        )
        .order_by("name", "pk")
    )


def audit_listed(actor: Actor, families: list[Family]) -> None:
    audit_shown(
        actor,
        ((family.pk, None) for family in families),
        category=DataCategory.IDENTITY,
        action=AccessAction.LIST,
        basis=ALLOW_INVOLVEMENT.basis,
    )


def listed_agenda(actor: Actor, meeting: Meeting) -> list[Family]:
    """The agenda's families, audited as listed (for the forms that offer them)."""
    families = list(agenda_families(actor, meeting))
    audit_listed(actor, families)
    return families


@dataclass
class ActionView:
    action: MeetingAction
    carried_from: dt.date | None  # the earlier meeting it was agreed at, if carried over
    overdue: bool
    may_mark_done: bool


@dataclass
class AgendaItem:
    family: Family
    carried_over: list[ActionView] = field(default_factory=list)
    notes: list[MeetingNote] = field(default_factory=list)
    actions: list[ActionView] = field(default_factory=list)

    @property
    def has_business(self) -> bool:
        return bool(self.carried_over or self.notes or self.actions)


@dataclass
class Agenda:
    meeting: Meeting
    partner: Team
    is_upcoming: bool
    to_discuss: list[AgendaItem]  # carried-over actions, or notes or actions at this meeting
    others: list[AgendaItem]  # the other families both teams work with


def agenda(actor: Actor, meeting_id: int) -> Agenda:
    """The meeting's page: every family both teams may see (each listed one audited), with
    the open actions carried over, and this meeting's notes and actions, each entry shown as
    far as the policy lets the actor see the other team's family support data (audited)."""
    meeting = meeting_for(actor, meeting_id)
    families = listed_agenda(actor, meeting)
    by_family = {family.pk: AgendaItem(family) for family in families}
    related = ("team__organisation", "owner", "meeting")
    listed = list(by_family)
    carried = carried_over_to(meeting).filter(family__in=listed).select_related(*related)
    agreed = meeting.actions.filter(family__in=listed).select_related(*related)
    notes = meeting.notes.filter(family__in=listed).select_related(
        "team__organisation", "written_by"
    )
    entries: dict[int, list[MeetingNote | MeetingAction]] = {}
    recorded: list[MeetingNote | MeetingAction] = [*carried, *agreed, *notes]
    for entry in recorded:
        entries.setdefault(entry.family_id, []).append(entry)
    today = clock.today()
    for family_id, found in entries.items():
        item = by_family[family_id]
        for entry in SharingGate(actor, item.family).entries(found, AccessAction.VIEW):
            if isinstance(entry, MeetingNote):
                item.notes.append(entry)
                continue
            view = ActionView(
                action=entry,
                carried_from=entry.meeting.held_on if entry.meeting_id != meeting.pk else None,
                overdue=entry.done_on is None and entry.due_on < today,
                may_mark_done=entry.done_on is None and may_mark_done(actor, entry).allowed,
            )
            (item.carried_over if view.carried_from else item.actions).append(view)
    items = list(by_family.values())
    return Agenda(
        meeting=meeting,
        partner=partner_of(actor, meeting),
        is_upcoming=meeting.held_on >= today,
        to_discuss=[item for item in items if item.has_business],
        others=[item for item in items if not item.has_business],
    )


def action_for_update(actor: Actor, meeting_id: int, action_id: int) -> tuple[Meeting, ActionView]:
    """An action of this meeting, or carried over to it, that the actor may see and mark
    done (audited either way); anything else answers 404."""
    meeting = meeting_for(actor, meeting_id)
    action = (
        MeetingAction.objects.filter(
            Q(meeting=meeting) | Q(pk__in=carried_over_to(meeting).values("pk")), pk=action_id
        )
        .select_related("team__organisation", "owner", "meeting", "family")
        .first()
    )
    if action is None:
        raise NotFoundOrNotAllowed
    if not SharingGate(actor, action.family).entries([action], AccessAction.VIEW):
        raise NotFoundOrNotAllowed
    decision = may_mark_done(actor, action)
    audit_decision(
        actor,
        decision,
        family_id=action.family_id,
        person_id=None,
        category=DataCategory.FAMILY_SUPPORT,
        action=AccessAction.UPDATE,
    )
    if not decision:
        raise NotFoundOrNotAllowed
    return meeting, ActionView(
        action=action,
        carried_from=action.meeting.held_on if action.meeting_id != meeting.pk else None,
        overdue=action.done_on is None and action.due_on < clock.today(),
        may_mark_done=action.done_on is None,
    )
