"""Reads about sharing. Each takes the actor, asks the policy and audits what it shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models

from beststart.accounts.actors import Actor
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families.models import (
    Address,
    ChronologyEvent,
    Family,
    FamilyMember,
    Involvement,
    Person,
    Relationship,
)
from beststart.sharing.access import SharingGate, audit_decision, audit_shown
from beststart.sharing.policy import (
    Decision,
    Subject,
    may_query_audit,
    may_see_address,
    may_use_records,
)
from beststart.sharing.subject_access import (
    ExportRow,
    PersonalDataModel,
    Scope,
    personal_data_models,
    rows_about,
    serialise,
)

# Consent, who can see the family and why, access logs


# Break-glass, safeguarding shares, information-sharing agreements, privacy officer reviews


# Subject access and record exports

# What a practitioner's export of a family holds: the family record as its page shows it.
FAMILY_RECORD: frozenset[type[models.Model]] = frozenset(
    {Family, Person, FamilyMember, Relationship, Address, Involvement, ChronologyEvent}
)
# The data category of rows that are not entries with a category of their own.
SECTION_CATEGORIES = {"sharing.SafeguardingShare": DataCategory.SAFEGUARDING}
# What is left of an address withheld from the actor: that there was one, and when.
WITHHELD_ADDRESS_KEEPS = (
    "id",
    "family",
    "moved_in",
    "moved_out",
    "is_withheld",
    "recorded_by_team",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class ExportSection:
    label: str  # the model, "families.Address"
    title: str  # "Addresses"
    item_name: str  # "Address"
    is_log: bool  # read as a table
    rows: list[ExportRow]

    @property
    def anchor(self) -> str:
        return self.label.lower().replace(".", "-")

    def as_json(self) -> dict[str, Any]:
        return {
            "model": self.label,
            "title": self.title,
            "rows": [row.as_json() for row in self.rows],
        }


@dataclass(frozen=True)
class RecordExport:
    """Everything one actor may export about a person or a family, as data."""

    subject: dict[str, int]  # {"person_id": 12} or {"family_id": 4}
    exported_at: dt.datetime
    exported_by: Actor
    sections: list[ExportSection]
    person: Person | None = None

    @property
    def filename(self) -> str:
        kind, pk = next(iter(self.subject.items()))
        return f"best-start-{kind.removesuffix('_id')}-{pk}.json"

    def as_json(self) -> dict[str, Any]:
        actor = self.exported_by
        return {
            "export": {
                **self.subject,
                "exported_at": self.exported_at.isoformat(),
                "exported_by": {
                    "username": actor.user.username,
                    "name": actor.user.get_full_name(),
                    "role": {"value": actor.role, "label": actor.role_label},
                    "team": {"id": actor.team.pk, "name": actor.team.name},
                },
            },
            "sections": [section.as_json() for section in self.sections],
        }


class _Exporter:
    """The rows of personal-data models about a scope that the actor's EXPORT decisions allow,
    each decided through the gate of the row's family, so that every decision is audited and
    the export never holds what the actor could not open."""

    def __init__(self, actor: Actor, scope: Scope, gates: dict[int, SharingGate]) -> None:
        self.actor = actor
        self.scope = scope
        self.gates = gates
        self.default_family_id = min(gates)
        self.described = personal_data_models()

    def sections(self, only: frozenset[type[models.Model]] | None = None) -> list[ExportSection]:
        """A section for each personal-data model (or each of `only`), in the registry's order."""
        return [
            self._section(info) for info in self.described if only is None or info.model in only
        ]

    def _section(self, info: PersonalDataModel) -> ExportSection:
        rows = [self._exported(info, row) for row in rows_about(info, self.scope, self.described)]
        shown = [row for row in rows if row is not None]
        return ExportSection(info.label, info.title, info.item_name, info.is_log, shown)

    def _exported(self, info: PersonalDataModel, row: models.Model) -> ExportRow | None:
        subject, category = self._subject(info, row)
        if not self._gate(subject.family_id).decide(subject, category, AccessAction.EXPORT):
            return None
        exported = serialise(row)
        if isinstance(row, Address) and not may_see_address(self.actor, row):
            return exported.redact(WITHHELD_ADDRESS_KEEPS)
        return exported

    def _subject(self, info: PersonalDataModel, row: models.Model) -> tuple[Subject, str]:
        if info.is_entry:
            return Subject.of_entry(row), row.category  # type: ignore[arg-type, attr-defined]
        if isinstance(row, Family):
            family_ids = [row.pk]
        else:
            family_ids = info.link_ids(row, info.family_links) or [self.default_family_id]
        people = [row.pk] if isinstance(row, Person) else info.link_ids(row, info.person_links)
        person_id = next((pk for pk in people if pk in self.scope.person_ids), None)
        category = SECTION_CATEGORIES.get(info.label, DataCategory.IDENTITY)
        return Subject(family_ids[0], person_id), category

    def _gate(self, family_id: int) -> SharingGate:
        """The gate of a family, opened once: a row may be about a family outside the scope
        (an entry about the person in a family they have left)."""
        if family_id not in self.gates:
            self.gates[family_id] = SharingGate(self.actor, Family.objects.get(pk=family_id))
        return self.gates[family_id]


def _refuse_unless(
    actor: Actor, decision: Decision, *, family_ids: frozenset[int], person_id: int | None
) -> None:
    """A refusal of the actor's role, recorded against each family it kept closed."""
    if decision:
        return
    for family_id in sorted(family_ids):
        audit_decision(
            actor,
            decision,
            family_id=family_id,
            person_id=person_id,
            category=DataCategory.IDENTITY,
            action=AccessAction.EXPORT,
        )
    raise NotFoundOrNotAllowed


def _may_answer_subject_access(actor: Actor) -> Decision:
    """Subject access requests are the privacy officer's to answer: the policy's decision for
    the privacy officer's pages (the audit's), so that every other role gets a 404."""
    return may_query_audit(actor)


def require_subject_access(actor: Actor) -> Decision:
    decision = _may_answer_subject_access(actor)
    if not decision:
        raise NotFoundOrNotAllowed
    return decision


def find_subject(actor: Actor, *, nhs_number: str = "", person_id: int | None = None) -> int | None:
    """The id of the person a subject access request is about, found by NHS number or person
    ID anywhere on the register; the look-up is audited against each of their families."""
    decision = require_subject_access(actor)
    found_by: dict[str, str | int | None] = (
        {"nhs_number": nhs_number} if nhs_number else {"pk": person_id}
    )
    person = Person.objects.filter(**found_by).first()
    if person is None:
        return None
    audit_shown(
        actor,
        ((family_id, person.pk) for family_id in sorted(Scope.of_person(person).family_ids)),
        category=DataCategory.IDENTITY,
        action=AccessAction.SEARCH,
        basis=decision.basis,
    )
    return person.pk


def subject_access_export(actor: Actor, person_id: int) -> RecordExport:
    """Everything held about a person, for a subject access request: every personal-data
    model, found by introspection. The privacy officer's role decides first, then each of the
    person's families' gates (the policy's subject-access rule), then every row."""
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise NotFoundOrNotAllowed
    scope = Scope.of_person(person)
    _refuse_unless(
        actor, _may_answer_subject_access(actor), family_ids=scope.family_ids, person_id=person.pk
    )
    gates: dict[int, SharingGate] = {}
    for family in Family.objects.filter(pk__in=scope.family_ids):
        gates[family.pk] = SharingGate(actor, family)
        subject = Subject(family.pk, person.pk)
        if not gates[family.pk].decide(subject, DataCategory.IDENTITY, AccessAction.EXPORT):
            raise NotFoundOrNotAllowed
    if not gates:  # someone in no family: no policy decision can open them
        raise NotFoundOrNotAllowed
    return RecordExport(
        subject={"person_id": person.pk},
        exported_at=clock.now(),
        exported_by=actor,
        sections=_Exporter(actor, scope, gates).sections(),
        person=person,
    )


def family_export(actor: Actor, family_id: int) -> RecordExport:
    """A practitioner's download of a family's record: members, relationships, addresses
    (withheld ones redacted), involvements and the chronology, each row only if the policy
    lets the practitioner export it, as the record page would let them see it."""
    family = Family.objects.filter(pk=family_id).first()
    if family is None:
        raise NotFoundOrNotAllowed
    _refuse_unless(actor, may_use_records(actor), family_ids=frozenset({family.pk}), person_id=None)
    gate = SharingGate.open(
        actor, family.pk, category=DataCategory.IDENTITY, action=AccessAction.EXPORT
    )
    return RecordExport(
        subject={"family_id": family.pk},
        exported_at=clock.now(),
        exported_by=actor,
        sections=_Exporter(actor, Scope.of_family(family), {family.pk: gate}).sections(
            FAMILY_RECORD
        ),
    )
