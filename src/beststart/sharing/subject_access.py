"""Where personal data lives, found by introspection, so that a subject access export (and a
family record export) cannot miss a model added later.

A model holds data about people if it is `Person` or `Family`, if it links to one of them by a
foreign key, one-to-one or many-to-many field, if it links to a model that does (a note on a
chronology event), or if it names a person or a family by a plain id column declared in
`ID_COLUMNS` (the audit, which outlives any change to the record). Every other model of the
project is declared in `NO_FAMILY_DATA` with its reason; a test fails for a model in neither.

This module only finds and describes rows. Which of them an actor may see is the policy's
decision, taken by the selectors (`sharing.selectors`) through `SharingGate`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from functools import reduce
from operator import or_
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import dateformat, timezone
from django.utils.text import capfirst

from beststart.accounts.models import OrganisationType, Role
from beststart.core.categories import DataCategory
from beststart.core.models import AppendOnlyModel
from beststart.families.models import Family, FamilyMember, Person

Model = type[models.Model]


@dataclass(frozen=True)
class IdColumns:
    """Plain columns that name a person or a family without a foreign key."""

    person: tuple[str, ...] = ()
    family: tuple[str, ...] = ()


# Models that point at a person or family by id rather than by a foreign key.
ID_COLUMNS: dict[str, IdColumns] = {
    "audit.AuditEvent": IdColumns(person=("person_id",), family=("family_id",)),
}

# Every other model of the project, and why it holds nothing about families.
NO_FAMILY_DATA: dict[str, str] = {
    "accounts.Organisation": "the organisations that provide services",
    "accounts.Team": "the teams practitioners work in",
    "accounts.User": "staff who sign in; named in records as they were recorded",
    "accounts.Membership": "a member of staff's role in a team",
    "places.LocalAuthority": "published geography",
    "places.Locality": "published geography",
    "places.ReachArea": "a children's centre's area, published geography",
    "places.Ward": "published geography",
    "places.Lsoa": "published geography with its deprivation decile",
    "places.Postcode": "the postcode directory: which area a postcode is in",
    "sharing.SharingAgreement": "agreements between organisations, about no one in particular",
    "activities.Programme": "what a children's centre runs",
    "activities.Session": "when and where a programme meets; who attends is kept apart",
    "activities.Meeting": "when two teams met; what was said about families is kept apart",
    "referrals.ReferralService": "a service that takes referrals, its team and its target",
    "referrals.RoutingRule": "which team's queue referrals of a kind go to",
    "api.ApiClient": "partner systems' keys (a hash only) and the system account each acts as",
    "assessments.CutoffSet": "a licensed instrument's cut-offs, loaded as configuration",
}

PROJECT_PACKAGE = "beststart."

SECTION_TITLES = {
    "families.Person": "People",
    "audit.AuditEvent": "Access log (the audit)",
}

# Choice values kept in fields that do not declare their choices (JSON lists, the audit's
# copy of the role), by field name, so that they are labelled like declared choices.
UNDECLARED_CHOICES: dict[str, type[models.TextChoices]] = {
    "categories": DataCategory,
    "recipient_types": OrganisationType,
    "party_types": OrganisationType,
    "role": Role,
}

# The fields that make a model an entry of the record in the policy's sense (`policy.Entry`):
# recorded by a team, in a data category, perhaps sealed to that team.
ENTRY_FIELDS = frozenset({"family", "team"})
ENTRY_TRAITS = ("person_id", "category", "is_sealed")

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class PersonalDataModel:
    """A model holding data about people, and how its rows point at a person or a family."""

    model: Model
    person_links: tuple[str, ...] = ()  # lookups whose value is a person's id
    family_links: tuple[str, ...] = ()  # lookups whose value is a family's id
    record_links: tuple[tuple[str, Model], ...] = ()  # fields to other personal-data models

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def title(self) -> str:
        return SECTION_TITLES.get(self.label, capfirst(str(self.model._meta.verbose_name_plural)))

    @property
    def item_name(self) -> str:
        return capfirst(str(self.model._meta.verbose_name))

    @property
    def is_entry(self) -> bool:
        """Recorded about a family by a team, in a category and perhaps sealed (as fields, or
        fixed for the whole model, like a review's health category): decided entry by entry."""
        names = {field.name for field in self.model._meta.get_fields()}
        return names >= ENTRY_FIELDS and all(hasattr(self.model, name) for name in ENTRY_TRAITS)

    @property
    def is_log(self) -> bool:
        """A log written once and never changed (the chronology, the audit): read as a table."""
        return issubclass(self.model, AppendOnlyModel)

    def about_no_one(self) -> Q:
        """Its rows that name no person (all of them, if it has no link to a person; none, if
        a link to a person is required)."""
        fields = [_field_named(self.model, link) for link in self.person_links]
        if not all(field.null or field.many_to_many for field in fields):
            return NOTHING
        return Q(**{f"{link}__isnull": True for link in self.person_links})

    def link_ids(self, row: models.Model, links: Iterable[str]) -> list[int]:
        """The ids a row names through `links` (many-to-many links left out)."""
        fields = [_field_named(self.model, link) for link in links]
        values = [getattr(row, field.attname) for field in fields if not field.many_to_many]
        return [value for value in values if value is not None]


def _field_named(model: Model, name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


# ---------------------------------------------------------------------------------------------
# Finding the models


ROOTS: tuple[Model, ...] = (Person, Family)


def _forward_links(model: Model) -> list[models.Field[Any, Any]]:
    """Fields by which a model points at another: foreign keys, one-to-ones (a multi-table
    child's link to its parent too) and many-to-manys declared on it."""
    return [
        field
        for field in model._meta.get_fields()
        if isinstance(field, models.Field)
        and field.is_relation
        and (field.many_to_one or field.one_to_one or field.many_to_many)
        and field.related_model is not None
    ]


def _describe(model: Model, personal: set[Model]) -> PersonalDataModel | None:
    declared = ID_COLUMNS.get(model._meta.label, IdColumns())
    person_links, family_links = list(declared.person), list(declared.family)
    record_links: list[tuple[str, Model]] = []
    for field in _forward_links(model):
        target = field.related_model
        if target is Person:
            person_links.append(field.name)
        elif target is Family:
            family_links.append(field.name)
        elif target in personal and isinstance(target, type):
            record_links.append((field.name, target))
    if not (person_links or family_links or record_links):
        return None
    return PersonalDataModel(model, tuple(person_links), tuple(family_links), tuple(record_links))


def _concrete(candidates: Iterable[Model]) -> list[Model]:
    return [
        model
        for model in candidates
        if not model._meta.abstract and not model._meta.proxy and not model._meta.auto_created
    ]


def personal_data_models(candidates: Iterable[Model] | None = None) -> list[PersonalDataModel]:
    """Every model holding data about people, Person and Family first, then in the order of
    the registry. `candidates` defaults to every installed model."""
    candidates = _concrete(apps.get_models() if candidates is None else candidates)
    personal: set[Model] = set(ROOTS)
    found = True
    while found:  # until no model links to one already found (links through links)
        found = False
        for model in candidates:
            if model not in personal and _describe(model, personal) is not None:
                personal.add(model)
                found = True
    described = [PersonalDataModel(root) for root in ROOTS]
    for model in candidates:
        if model in personal and model not in ROOTS:
            info = _describe(model, personal)
            assert info is not None
            described.append(info)
    return described


def unclassified_models(candidates: Iterable[Model] | None = None) -> list[str]:
    """The project's models that are neither found to hold personal data nor declared as
    holding none: each needs a decision."""
    candidates = _concrete(apps.get_models() if candidates is None else candidates)
    personal = {info.label for info in personal_data_models(candidates)}
    return [
        model._meta.label
        for model in candidates
        if model.__module__.startswith(PROJECT_PACKAGE)
        and model._meta.label not in personal
        and model._meta.label not in NO_FAMILY_DATA
    ]


# ---------------------------------------------------------------------------------------------
# Finding the rows


@dataclass(frozen=True)
class Scope:
    """Whose data: one person (with their families' rows about the family as a whole), or one
    family (with every row of the family, and its members' rows held outside any family)."""

    person_ids: frozenset[int]
    family_ids: frozenset[int]
    whole_families: bool

    @classmethod
    def of_person(cls, person: Person) -> Scope:
        families = FamilyMember.objects.filter(person=person).values_list("family_id", flat=True)
        return cls(frozenset({person.pk}), frozenset(families), whole_families=False)

    @classmethod
    def of_family(cls, family: Family) -> Scope:
        members = FamilyMember.objects.filter(family=family).values_list("person_id", flat=True)
        return cls(frozenset(members), frozenset({family.pk}), whole_families=True)


def _any(lookups: Iterable[str], ids: frozenset[int]) -> Q:
    return reduce(or_, (Q(**{f"{lookup}__in": ids}) for lookup in lookups), NOTHING)


def _condition(
    info: PersonalDataModel,
    scope: Scope,
    described: dict[Model, PersonalDataModel],
    within: frozenset[Model],
) -> Q:
    if info.model is Person:
        return Q(pk__in=scope.person_ids)
    if info.model is Family:
        return Q(pk__in=scope.family_ids)
    about_people = _any(info.person_links, scope.person_ids)
    about_families = _any(info.family_links, scope.family_ids)
    if not info.family_links:
        condition = about_people
    elif scope.whole_families:
        condition = about_families
    else:  # the person's own rows, and their families' rows about no one in particular
        condition = about_people | (about_families & info.about_no_one())
    for field_name, target in info.record_links:
        if target not in within:  # a link back to a model being worked out already
            inner = described[target]
            ids = _pks(inner, _condition(inner, scope, described, within | {target}))
            condition |= Q(**{f"{field_name}__in": ids})
    return condition


def _pks(info: PersonalDataModel, condition: Q) -> QuerySet[Any]:
    return info.model._default_manager.filter(condition).values("pk")


def rows_about(
    info: PersonalDataModel, scope: Scope, described: Iterable[PersonalDataModel]
) -> QuerySet[Any]:
    """The model's rows about the scope, each once, in the model's order (or by id), with the
    rows they name loaded alongside. `described` is what `personal_data_models` found."""
    by_model = {each.model: each for each in described}
    condition = _condition(info, scope, by_model, frozenset({info.model}))
    rows = info.model._default_manager.filter(pk__in=_pks(info, condition))
    rows = rows.select_related(
        *(
            field.name
            for field in _forward_links(info.model)
            if not field.many_to_many and field.concrete
        )
    ).prefetch_related(*(field.name for field in _auto_many_to_many(info.model)))
    if info.is_entry:
        rows = rows.select_related("team__organisation")
    return rows if info.model._meta.ordering else rows.order_by("pk")


def _auto_many_to_many(model: Model) -> list[models.ManyToManyField[Any, Any]]:
    """Many-to-many fields whose link table holds nothing else (an explicit `through` model
    is a model of its own, exported in its own right)."""
    return [
        field
        for field in model._meta.many_to_many
        if isinstance(field, models.ManyToManyField) and _plain_link_table(field)
    ]


def _plain_link_table(field: models.ManyToManyField[Any, Any]) -> bool:
    through = field.remote_field.through
    return through is not None and bool(through._meta.auto_created)


# ---------------------------------------------------------------------------------------------
# Rows as data


@dataclass(frozen=True)
class ExportField:
    name: str
    label: str
    value: Any  # as JSON: ids, ISO 8601 dates, {"value", "label"} for choices
    text: str  # as a person reads it
    is_withheld: bool = False

    def withheld(self) -> ExportField:
        return ExportField(self.name, self.label, None, WITHHELD, is_withheld=True)


WITHHELD = "Withheld"


@dataclass(frozen=True)
class ExportRow:
    pk: int
    fields: list[ExportField]
    redacted: bool = False

    def as_json(self) -> dict[str, Any]:
        data = {field.name: field.value for field in self.fields}
        if self.redacted:
            data["redacted"] = True
        return data

    def redact(self, keep: Iterable[str]) -> ExportRow:
        """The row with every field but `keep` withheld."""
        kept = set(keep)
        return ExportRow(
            self.pk,
            [field if field.name in kept else field.withheld() for field in self.fields],
            redacted=True,
        )


def serialise(row: models.Model) -> ExportRow:
    """Every field of the row: its own columns, the rows it names (id and name), and the
    organisations or other reference rows of its plain many-to-many fields."""
    fields = [_field(row, field) for field in row._meta.concrete_fields]
    for field in _auto_many_to_many(type(row)):
        named = list(getattr(row, field.name).all())
        fields.append(
            ExportField(
                field.name,
                _label(field),
                [_reference(each) for each in named],
                ", ".join(str(each) for each in named) or "None",
            )
        )
    return ExportRow(row.pk, fields)


def _label(field: models.Field[Any, Any]) -> str:
    """The field's name for people: a link named after the model it points at takes that
    model's own spelling ("LSOA", not "Lsoa")."""
    if field.name == "id":
        return "ID"
    label = str(field.verbose_name)
    target = field.related_model
    if isinstance(target, type) and label == str(target._meta.verbose_name).lower():
        label = str(target._meta.verbose_name)
    return capfirst(label)


def _reference(row: models.Model) -> dict[str, Any]:
    """A row another row names: its id, and its name where it has one (staff as recorded)."""
    if type(row).__str__ is models.Model.__str__:
        return {"id": row.pk}
    return {"id": row.pk, "name": str(row)}


def _field(row: models.Model, field: models.Field[Any, Any]) -> ExportField:
    label = _label(field)
    if field.is_relation:
        named = getattr(row, field.name)
        if named is None:
            return ExportField(field.name, label, None, "Not recorded")
        reference = _reference(named)
        text = f"{reference['name']} (ID {named.pk})" if "name" in reference else f"ID {named.pk}"
        return ExportField(field.name, label, reference, text)
    value = getattr(row, field.attname)
    labels = _choice_labels(field)
    if labels and isinstance(value, list):
        labelled = [_labelled(each, labels) for each in value]
        text = ", ".join(each["label"] for each in labelled) or "None"
        return ExportField(field.name, label, labelled, text)
    if labels and value not in (None, ""):
        labelled_value = _labelled(value, labels)
        return ExportField(field.name, label, labelled_value, labelled_value["label"])
    return ExportField(field.name, label, _json(value), _text(value))


def _choice_labels(field: models.Field[Any, Any]) -> dict[Any, str]:
    if field.choices:
        return {value: str(label) for value, label in field.flatchoices}
    choices = UNDECLARED_CHOICES.get(field.name)
    return {choice.value: str(choice.label) for choice in choices} if choices else {}


def _labelled(value: Any, labels: dict[Any, str]) -> dict[str, Any]:
    return {"value": value, "label": labels.get(value, str(value))}


def _json(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _text(value: Any) -> str:
    if value is None or value == "":
        return "Not recorded"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return dateformat.format(timezone.localtime(value), "j M Y, H:i:s")
    if isinstance(value, dt.date):
        return dateformat.format(value, "j F Y")
    if isinstance(value, list):
        return ", ".join(str(each) for each in value) or "None"
    return str(value)
