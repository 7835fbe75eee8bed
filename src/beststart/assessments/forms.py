"""Forms of assessments, in GOV.UK patterns: starting one (who, with which instrument, when,
and with which partner team), and answering one, built from the sections of the instrument the
actor's team writes. The rules are the actions'; a form keeps everything typed, so an error
never loses a word."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundWidget

from beststart.accounts.models import Membership, Team, User
from beststart.assessments import instruments
from beststart.assessments.actions import ActionDetails
from beststart.assessments.instruments import CHOICE, SCORE, TEXT, Answers, Instrument, Item
from beststart.assessments.selectors import AssessmentView, ForPlanning, ForStarting, SectionView
from beststart.core import clock
from beststart.core.charts import figure
from beststart.core.forms import DateField, GovukFormMixin
from beststart.families.models import Person

PARTNER_HINT = (
    "For the integrated review at two only: the setting or health visiting team completing it "
    "with you"
)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        if obj.date_of_birth is None and obj.expected_delivery_date:
            return f"{obj.full_name}, due {obj.expected_delivery_date:%-d %B %Y}"
        age = obj.age_on(clock.today())
        return f"{obj.full_name}, {age}" if age else obj.full_name


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Team) -> str:
        return f"{obj.name} ({obj.organisation.get_type_display().lower()})"


class StartForm(GovukFormMixin, forms.Form):
    person = PersonChoiceField(
        label="Who is it about?",
        queryset=Person.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Select who the assessment is about",
            "invalid_choice": "Select who the assessment is about",
        },
    )
    instrument = forms.ChoiceField(
        label="Which assessment?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select which assessment to start",
            "invalid_choice": "Select which assessment to start",
        },
    )
    assessed_on = DateField(
        label="Date of the assessment",
        label_for_errors="Date of the assessment",
        must_be_past=True,
        help_text="For example, 15 9 2026",
    )
    partner_team = TeamChoiceField(
        label="Partner team",
        queryset=Team.objects.none(),
        required=False,
        empty_label="None: not an integrated review",
        help_text=PARTNER_HINT,
        error_messages={"invalid_choice": "Select a team working with the family"},
    )

    def __init__(
        self, *args: Any, starting: ForStarting, person_id: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.instruments = {each.code: each for each in starting.instruments}
        cast(PersonChoiceField, self.fields["person"]).queryset = Person.objects.filter(
            pk__in=[each.pk for each in starting.people]
        ).order_by("date_of_birth", "id")
        cast(forms.ChoiceField, self.fields["instrument"]).choices = [
            (each.code, f"{each.title} (results only)" if each.licensed else each.title)
            for each in starting.instruments
        ]
        integrated = any(each.is_integrated for each in starting.instruments)
        if integrated and starting.partner_teams:
            cast(TeamChoiceField, self.fields["partner_team"]).queryset = Team.objects.filter(
                pk__in=[team.pk for team in starting.partner_teams]
            ).select_related("organisation")
        else:
            del self.fields["partner_team"]
        if not self.is_bound:
            self.initial["assessed_on"] = clock.today()
            if person_id in {str(each.pk) for each in starting.people}:
                self.initial["person"] = int(person_id)

    def instrument_options(self) -> list[tuple[BoundWidget, str]]:
        """Each instrument's radio with its hint: what the instrument is for."""
        return [
            (choice, self.instruments[str(choice.data["value"])].summary)
            for choice in self["instrument"]
        ]

    def chosen(self) -> Instrument:
        """The instrument chosen (the form is valid)."""
        return self.instruments[self.cleaned_data["instrument"]]


# ---------------------------------------------------------------------------------------------
# Answers


@dataclass
class AnswerField:
    field: forms.BoundField
    item: Item


@dataclass
class SectionPart:
    """A section of the page: the fields of a section the team writes, or none (read only)."""

    view: SectionView
    fields: list[AnswerField]


def answer_field(item: Item) -> forms.Field:
    """The question of an item, as its response type asks: text, a choice or a score. Every
    answer is optional here: a draft keeps what is written, and completing checks the rest."""
    label = item.title if item.required else f"{item.title} (optional)"
    if item.type == TEXT:
        return forms.CharField(
            label=label,
            help_text=item.hint,
            required=False,
            max_length=item.max_length,
            widget=forms.Textarea(attrs={"rows": 4}),
            error_messages={
                "max_length": f"{item.title} must be {item.max_length} characters or fewer"
            },
        )
    if item.type == CHOICE:
        return forms.ChoiceField(
            label=label,
            help_text=item.hint,
            required=False,
            choices=[(option.value, option.label) for option in item.options],
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": f"Select one of the options for {item.title}"},
        )
    assert item.type == SCORE
    return forms.CharField(
        label=label,
        help_text=score_hint(item),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"max_length": f"{item.title} must be a number"},
    )


def score_hint(item: Item) -> str:
    """ "From 1 to 10 in steps of 1", and the item's own hint after it."""
    assert item.minimum is not None
    assert item.maximum is not None
    hint = f"From {figure(item.minimum)} to {figure(item.maximum)}"
    if item.step is not None:
        hint += f" in steps of {figure(item.step)}"
    return f"{hint}. {item.hint}" if item.hint else hint


class AnswersForm(GovukFormMixin, forms.Form):
    """The questions of the sections the actor's team writes, named `<section>-<item>` as the
    action's errors are, with the answers saved so far."""

    def __init__(self, *args: Any, view: AssessmentView, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.view = view
        for part in self.writable:
            given = part.contribution.answers if part.contribution else {}
            for item in part.section.items:
                name = instruments.field_name(part.section, item)
                self.fields[name] = answer_field(item)
                self.initial[name] = given.get(item.code, "")

    @property
    def writable(self) -> list[SectionView]:
        return [part for part in self.view.sections if part.writable]

    def parts(self) -> list[SectionPart]:
        """Every section in the instrument's order, with its fields if the team writes it."""
        return [
            SectionPart(
                part,
                [
                    AnswerField(self[instruments.field_name(part.section, item)], item)
                    for item in part.section.items
                ]
                if part.writable
                else [],
            )
            for part in self.view.sections
        ]

    def answers(self) -> Answers:
        """The answers as typed, by section and item (the form is valid)."""
        return {
            part.section.code: {
                item.code: self.cleaned_data.get(instruments.field_name(part.section, item)) or ""
                for item in part.section.items
            }
            for part in self.writable
        }


# ---------------------------------------------------------------------------------------------
# Plans


PLAN_ROWS = 5  # action rows on the "Agree a plan" page; more are added from the plan page
PLAN_ACTION_FIELDS = ("need", "action", "owner", "due_on", "review_on")
PLAN_NEED_LENGTH = 500  # PlanAction.need
PLAN_ACTION_LENGTH = 1000  # PlanAction.action
PLAN_REASON_LENGTH = 500  # Plan.closed_reason
PLAN_ACTION_REQUIRED = {
    "need": "Enter the need this action meets",
    "action": "Enter what will be done",
    "owner": "Select who will do it",
    "due_on": "Enter the due date",
    "review_on": "Enter the review date",
}


class PlanMemberField(forms.ChoiceField):
    """Someone in a team working with the family, shown as "Name — Team", cleaned to the
    user. A person in two of the teams is listed once, with the first."""

    users: dict[int, User]

    def offer(self, around: list[Membership]) -> None:
        """Choose from `around`, the active members of the teams working with the family."""
        self.users = {}
        choices = [("", "Choose someone")]
        for membership in around:
            if membership.user_id not in self.users:
                self.users[membership.user_id] = membership.user
                label = f"{membership.user.get_full_name()} — {membership.team.name}"
                choices.append((str(membership.user_id), label))
        self.choices = choices

    def clean(self, value: Any) -> User | None:
        chosen = super().clean(value)
        return self.users[int(chosen)] if chosen else None


def plan_action_fields(
    around: list[Membership], *, required: bool, number: int | None = None
) -> dict[str, forms.Field]:
    """The fields of one action, by name in PLAN_ACTION_FIELDS. `number` (1, 2...) names the
    row in the date messages of the "Agree a plan" page, where a row is required only once
    something is typed in it."""
    owner = PlanMemberField(
        label="Who will do it",
        required=required,
        error_messages={
            "required": PLAN_ACTION_REQUIRED["owner"],
            "invalid_choice": "Choose someone in a team working with the family",
        },
    )
    owner.offer(around)
    return {
        "need": forms.CharField(
            label="Need",
            max_length=PLAN_NEED_LENGTH,
            required=required,
            error_messages={
                "required": PLAN_ACTION_REQUIRED["need"],
                "max_length": f"The need must be {PLAN_NEED_LENGTH} characters or fewer",
            },
        ),
        "action": forms.CharField(
            label="What will be done",
            max_length=PLAN_ACTION_LENGTH,
            required=required,
            widget=forms.Textarea(attrs={"rows": 2}),
            error_messages={
                "required": PLAN_ACTION_REQUIRED["action"],
                "max_length": f"What will be done must be {PLAN_ACTION_LENGTH} characters or fewer",
            },
        ),
        "owner": owner,
        "due_on": DateField(
            label="Due date",
            label_for_errors=f"Action {number} due date" if number else "Due date",
            required=required,
            help_text="For example, 27 10 2026",
            error_messages={"required": PLAN_ACTION_REQUIRED["due_on"]},
        ),
        "review_on": DateField(
            label="Review date",
            label_for_errors=f"Action {number} review date" if number else "Review date",
            required=required,
            help_text="When to check how it is going",
            error_messages={"required": PLAN_ACTION_REQUIRED["review_on"]},
        ),
    }


@dataclass
class PlanActionRow:
    """One action's bound fields, for the template, where a field named `action-0-need`
    cannot be looked up."""

    number: int
    need: forms.BoundField
    action: forms.BoundField
    owner: forms.BoundField
    due_on: forms.BoundField
    review_on: forms.BoundField


def _plan_action_details(data: dict[str, Any], prefix: str = "") -> ActionDetails:
    return ActionDetails(
        need=data[f"{prefix}need"],
        action=data[f"{prefix}action"],
        owner=data[f"{prefix}owner"],
        due_on=data[f"{prefix}due_on"],
        review_on=data[f"{prefix}review_on"],
    )


def _filled_in(value: Any) -> bool:
    """Whether anything was typed or chosen: a date's parts come as a list."""
    parts = value if isinstance(value, list | tuple) else [value]
    return any(str(part).strip() for part in parts if part is not None)


def need_words(need: dict[str, str]) -> str:
    """A need an assessment found, as a row's need: "section: item — answer"."""
    return f"{need['section']}: {need['item']} — {need['answer']}"[:PLAN_NEED_LENGTH]


class PlanForm(GovukFormMixin, forms.Form):
    """Agree a plan: who it is about, its lead, when it was agreed and how often it is
    reviewed, and up to PLAN_ROWS actions (`action-<n>-need` ...). A row left blank is left
    out; a row partly filled is completed or cleared."""

    person = forms.ChoiceField(
        label="Who is the plan about?", widget=forms.RadioSelect, required=False
    )
    lead_practitioner = PlanMemberField(
        label="Lead practitioner",
        help_text="Who the family contacts about the plan, and who makes sure it happens",
        error_messages={
            "required": "Select the lead practitioner",
            "invalid_choice": "Choose someone in a team working with the family",
        },
    )
    agreed_on = DateField(
        label="Date agreed", label_for_errors="Date agreed", help_text="For example, 15 9 2026"
    )
    review_every_weeks = forms.IntegerField(
        label="Weeks between reviews",
        help_text="From 1 to 26. For example, 6",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter how many weeks between reviews",
            "invalid": "Enter how many weeks between reviews as a number, like 6",
        },
    )

    def __init__(self, *args: Any, planning: ForPlanning, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(person.pk): person for person in planning.people}
        if planning.assessment is not None:  # about whom it assessed: the page says who
            del self.fields["person"]
        else:
            cast(forms.ChoiceField, self.fields["person"]).choices = [
                ("", "The whole family"),
                *((key, person.full_name) for key, person in self.people.items()),
            ]
        lead = cast(PlanMemberField, self.fields["lead_practitioner"])
        lead.offer(planning.around)
        for index in range(PLAN_ROWS):
            fields = plan_action_fields(planning.around, required=False, number=index + 1)
            for name, field in fields.items():
                self.fields[f"action-{index}-{name}"] = field
        self.rows_used: list[int] = []
        if not self.is_bound:
            self.initial.update(
                lead_practitioner=str(user.pk) if user.pk in lead.users else "",
                agreed_on=clock.today(),
                review_every_weeks=6,
            )
            for index, need in enumerate(planning.needs[:PLAN_ROWS]):
                self.initial[f"action-{index}-need"] = need_words(need)

    @property
    def rows(self) -> list[PlanActionRow]:
        return [
            PlanActionRow(
                index + 1, *(self[f"action-{index}-{name}"] for name in PLAN_ACTION_FIELDS)
            )
            for index in range(PLAN_ROWS)
        ]

    def clean_person(self) -> Person | None:
        return self.people.get(self.cleaned_data.get("person") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.rows_used = [
            index
            for index in range(PLAN_ROWS)
            if any(_filled_in(self[f"action-{index}-{name}"].data) for name in PLAN_ACTION_FIELDS)
        ]
        if not self.rows_used:
            self.add_error("action-0-need", "Agree at least one action: fill in Action 1")
        for index in self.rows_used:
            for name in PLAN_ACTION_FIELDS:
                key = f"action-{index}-{name}"
                if key not in self.errors and not data.get(key):
                    self.add_error(key, f"Action {index + 1}: {PLAN_ACTION_REQUIRED[name]}")
        return data

    def plan_actions(self) -> list[ActionDetails]:
        """The actions of the rows filled in, in their order."""
        return [
            _plan_action_details(self.cleaned_data, f"action-{index}-") for index in self.rows_used
        ]

    def by_row(self, error: ValidationError) -> ValidationError:
        """`create_plan`'s error with each action's keys renamed to the row it was typed in
        (blank rows are not sent, so its second action may be the third row), and the row
        named in the message, as the error summary lists every row's errors together."""
        if not hasattr(error, "error_dict"):
            return error
        renamed: dict[str, list[str]] = {}
        for key, messages in error.message_dict.items():
            parts = key.split("-", 2)
            if len(parts) == 3 and parts[0] == "action" and parts[1].isdigit():
                row = self.rows_used[int(parts[1])]
                key = f"action-{row}-{parts[2]}"
                messages = [f"Action {row + 1}: {message}" for message in messages]
            renamed[key] = messages
        return ValidationError(renamed)


class PlanActionForm(GovukFormMixin, forms.Form):
    """One more action, added to a plan from its page."""

    def __init__(self, *args: Any, around: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(plan_action_fields(around, required=True))

    @property
    def row(self) -> PlanActionRow:
        return PlanActionRow(1, *(self[name] for name in PLAN_ACTION_FIELDS))

    def details(self) -> ActionDetails:
        return _plan_action_details(self.cleaned_data)


class PlanActionDoneForm(GovukFormMixin, forms.Form):
    done_on = DateField(label="Date done", label_for_errors="Date done", must_be_past=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("done_on", clock.today())


class PlanReviewForm(GovukFormMixin, forms.Form):
    """A review: how it is going, and the next review, or closing the plan with its reason.
    Without JavaScript the reason is always shown, with a hint that it is only for closing."""

    reviewed_on = DateField(
        label="Date of the review", label_for_errors="Date of the review", must_be_past=True
    )
    progress = forms.CharField(
        label="How is the plan going?",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What has changed for the family, in their words where you can",
        error_messages={"required": "Enter how the plan is going"},
    )
    next_review_on = DateField(
        label="Date of the next review",
        label_for_errors="Date of the next review",
        required=False,
        help_text="Not needed if you are closing the plan",
    )
    close = forms.BooleanField(label="Close the plan", required=False)
    closed_reason = forms.CharField(
        label="Why is the plan closing?",
        max_length=PLAN_REASON_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only if closing. For example, the needs are met, or the family moved away",
        error_messages={
            "max_length": f"The reason must be {PLAN_REASON_LENGTH} characters or fewer"
        },
    )

    def __init__(self, *args: Any, review_every_weeks: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            today = clock.today()
            self.initial.setdefault("reviewed_on", today)
            self.initial.setdefault(
                "next_review_on", today + dt.timedelta(weeks=review_every_weeks)
            )
