"""Forms for children's centre activity, in GOV.UK patterns. Validation messages say what to
do. Two sections: programmes, sessions, bookings and registers; then Family Matters meetings."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from beststart.accounts.models import Membership, Team, User
from beststart.activities.actions import MAX_CAPACITY, SessionDetails
from beststart.activities.models import Meeting, Programme, ProgrammeKind
from beststart.activities.selectors import Register
from beststart.core import clock
from beststart.core.forms import DateField, GovukFormMixin
from beststart.families.forms import EndDateForm
from beststart.families.models import Family

# Programmes, sessions, bookings and registers


# ---------------------------------------------------------------------------------------------
# Programmes and sessions


class ProgrammeForm(GovukFormMixin, forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="As families know it, for example Stay and Play at the Ashby Marsh hub",
        error_messages={"required": "Enter the name of the programme"},
    )
    kind = forms.ChoiceField(
        label="What kind of programme is it?",
        choices=ProgrammeKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what kind of programme it is"},
    )
    description = forms.CharField(
        label="Description (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"max_length": "Description must be 2,000 characters or fewer"},
    )


TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")


class TimeField(forms.Field):
    """A time of day typed as 10:00, 14:30, 9.15 or 2pm."""

    widget = forms.TextInput(attrs={"maxlength": "8"})

    def __init__(self, *, label_for_errors: str, **kwargs: Any) -> None:
        self.label_for_errors = label_for_errors
        kwargs.setdefault("help_text", "For example, 10:00 or 14:30")
        kwargs.setdefault(
            "error_messages",
            {"required": f"Enter the {label_for_errors.lower()}, like 10:00 or 14:30"},
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.time | None:
        text = str(value or "").strip().lower()
        if not text:
            return None
        match = TIME.match(text)
        if match is None:
            raise forms.ValidationError(
                f"{self.label_for_errors} must be a time, like 10:00 or 14:30", code="invalid"
            )
        hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
        if half and not 1 <= hour <= 12:
            raise forms.ValidationError(
                f"{self.label_for_errors} must be a real time", code="invalid"
            )
        if half:
            hour = hour % 12 + (12 if half == "pm" else 0)
        if hour > 23 or minute > 59:
            raise forms.ValidationError(
                f"{self.label_for_errors} must be a real time", code="invalid"
            )
        return dt.time(hour, minute)


class ProgrammeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Programme) -> str:
        return obj.name


class StaffChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class SessionForm(GovukFormMixin, forms.Form):
    """A session of one of the team's programmes. A date in the past is allowed: centres
    record sessions after the fact."""

    programme = ProgrammeChoiceField(
        label="Programme",
        queryset=Programme.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select the programme the session belongs to"},
    )
    date = DateField(label="Date", label_for_errors="Date", help_text="For example, 27 3 2026")
    starts = TimeField(label="Start time", label_for_errors="Start time")
    ends = TimeField(label="End time", label_for_errors="End time")
    venue = forms.CharField(
        label="Venue",
        max_length=200,
        help_text="Where it happens, for example the main hall at Ashby Marsh Family Hub",
        error_messages={"required": "Enter where the session happens"},
    )
    capacity = forms.IntegerField(
        label="How many families can it take?",
        min_value=1,
        max_value=MAX_CAPACITY,
        widget=forms.TextInput,
        error_messages={
            "required": "Enter how many families the session can take",
            "invalid": "Enter how many families the session can take as a number, like 20",
            "min_value": "The session must take at least 1 family",
            "max_value": f"The session can take at most {MAX_CAPACITY} families",
        },
    )
    staff = StaffChoiceField(
        label="Staff (optional)",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Who from your team runs it",
    )

    def __init__(
        self,
        *args: Any,
        programmes: QuerySet[Programme],
        staff: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(ProgrammeChoiceField, self.fields["programme"]).queryset = programmes
        cast(StaffChoiceField, self.fields["staff"]).queryset = staff

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts and ends and ends <= starts:
            self.add_error("ends", "The end time must be after the start time")
        return cleaned

    def details(self) -> SessionDetails:
        data = self.cleaned_data
        return SessionDetails(
            programme=data["programme"],
            starts_at=_at(data["date"], data["starts"]),
            ends_at=_at(data["date"], data["ends"]),
            venue=data["venue"],
            capacity=data["capacity"],
            staff=list(data["staff"]),
        )


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


# ---------------------------------------------------------------------------------------------
# The register


class RegisterForm:
    """The ticks of a register, posted in one go: `family` for each family there, and
    `children-<family id>` for the children who came. Ticking a child counts their family
    as there. Only families the page listed count; anything else posted is ignored."""

    def __init__(self, register: Register, data: QueryDict | None = None) -> None:
        self.register = register
        self.data = data

    @staticmethod
    def _ids(values: list[str]) -> set[int]:
        return {int(value) for value in values if value.isdigit()}

    @property
    def shown(self) -> set[int]:
        assert self.data is not None
        return self._ids(self.data.getlist("shown")) & self.register.family_ids

    @property
    def attended(self) -> dict[int, set[int]]:
        assert self.data is not None
        ticked = self._ids(self.data.getlist("family"))
        children = {
            line.family.pk: self._ids(self.data.getlist(f"children-{line.family.pk}"))
            & {child.pk for child in line.children}
            for line in self.register.lines
        }
        return {
            family_id: children.get(family_id, set())
            for family_id in self.shown
            if family_id in ticked or children.get(family_id)
        }


# ---------------------------------------------------------------------------------------------
# Walk-ins, bookings, registration


class ChooseFamilyForm(forms.Form):
    """The family picked from a search's results."""

    family = forms.IntegerField(min_value=1)


class WalkInForm(GovukFormMixin, ChooseFamilyForm):
    in_person = forms.BooleanField(
        label="The family is here and wants to register with the centre",
        required=False,
        help_text="Their details match the person found. Registering starts your team's "
        "work with the family.",
    )


class RegistrationForm(GovukFormMixin, forms.Form):
    registered_on = DateField(
        label="Date they registered",
        label_for_errors="Date they registered",
        must_be_past=True,
        help_text="For example, 27 3 2026",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("registered_on", clock.today())


class EndRegistrationForm(EndDateForm):
    """The last day of a family's registration with the centre."""


# Family Matters meetings

NOTE_LENGTH = 450  # with its prefix, the note fits one chronology line
ACTION_LENGTH = 300


class PartnerTeamField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Team) -> str:
        return obj.name


class LabelledChoiceField(forms.ModelChoiceField):
    """Choices labelled from a map the form builds (a family with its children, a person
    with their team), falling back to the object's name."""

    labels: dict[int, str]

    def label_from_instance(self, obj: Any) -> str:
        return getattr(self, "labels", {}).get(obj.pk, str(obj))


class PlanMeetingForm(GovukFormMixin, forms.Form):
    partner = PartnerTeamField(
        label="Which team are you meeting?",
        queryset=Team.objects.none(),
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the team you are meeting",
            "invalid_choice": "Select one of the teams listed",
        },
    )
    held_on = DateField(
        label="Date of the meeting",
        label_for_errors="Date of the meeting",
        help_text="For example, 14 4 2026",
    )

    def __init__(self, *args: Any, partners: QuerySet[Team], own: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partners = partners.order_by("name")
        cast(PartnerTeamField, self.fields["partner"]).queryset = partners
        if not self.is_bound:
            # The team serving the same locality is the usual partner.
            local = [
                team for team in partners if own.locality_id and team.locality_id == own.locality_id
            ]
            if len(local) == 1:
                self.initial.setdefault("partner", local[0].pk)


def family_label(family: Family) -> str:
    children = [child.given_name or "unborn baby" for child in getattr(family, "children", [])]
    return f"{family.name} ({', '.join(children)})" if children else family.name


class AgendaFamilyForm(GovukFormMixin, forms.Form):
    """A form about one of the families on a meeting's agenda."""

    family = LabelledChoiceField(
        label="Family",
        queryset=Family.objects.none(),
        error_messages={
            "required": "Select the family",
            "invalid_choice": "Choose a family on this meeting's agenda",
        },
    )

    def __init__(self, *args: Any, families: list[Family], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(LabelledChoiceField, self.fields["family"])
        field.queryset = Family.objects.filter(pk__in=[family.pk for family in families]).order_by(
            "name", "pk"
        )
        field.labels = {family.pk: family_label(family) for family in families}


class MeetingNoteForm(AgendaFamilyForm):
    text = forms.CharField(
        label="What was discussed",
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="It goes on the family's chronology as family support information, shared "
        "as far as the family's consent allows",
        error_messages={
            "required": "Enter what was discussed",
            "max_length": f"What was discussed must be {NOTE_LENGTH} characters or fewer",
        },
    )


class MeetingActionForm(AgendaFamilyForm):
    description = forms.CharField(
        label="What is to be done",
        max_length=ACTION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter what is to be done",
            "max_length": f"What is to be done must be {ACTION_LENGTH} characters or fewer",
        },
    )
    owner = LabelledChoiceField(
        label="Who will do it",
        queryset=User.objects.none(),
        help_text="Someone in either team",
        error_messages={
            "required": "Select who will do it",
            "invalid_choice": "Choose someone in one of the two teams",
        },
    )
    due_on = DateField(
        label="Due date",
        label_for_errors="Due date",
        help_text="On or after the day of the meeting. For example, 14 4 2026",
    )

    def __init__(
        self,
        *args: Any,
        families: list[Family],
        meeting: Meeting,
        owners: QuerySet[User],
        actor_user: User,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, families=families, **kwargs)
        field = cast(LabelledChoiceField, self.fields["owner"])
        field.queryset = owners
        teams = dict(
            Membership.objects.filter(
                team__in=(meeting.centre_team_id, meeting.health_team_id),
                user__in=owners,
                is_active=True,
            ).values_list("user_id", "team__name")
        )
        field.labels = {
            user.pk: f"{user.get_full_name()} ({teams.get(user.pk, '')})" for user in owners
        }
        if not self.is_bound:
            self.initial.setdefault("owner", actor_user.pk)


class MarkDoneForm(GovukFormMixin, forms.Form):
    done_on = DateField(label="Date done", label_for_errors="Date done", must_be_past=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("done_on", clock.today())
