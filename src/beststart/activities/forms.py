"""Forms for children's centre activity, in GOV.UK patterns. Validation messages say what to
do."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from beststart.accounts.models import Membership, Team, User
from beststart.activities.models import Meeting
from beststart.core import clock
from beststart.core.forms import DateField, GovukFormMixin
from beststart.families.models import Family

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
