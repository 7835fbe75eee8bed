"""The assessment pages, driven as a health visitor and a nursery would: starting an integrated
review at two (and being told it was done recently), saving a draft with a mistake in it and
keeping what was typed, completing it in two agencies, the results, the history with its
progress chart, discarding a draft, the team's work and the instruments. Refusals are 404s."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings

from beststart.accounts.actors import Actor
from beststart.accounts.models import Role
from beststart.accounts.tests.factories import TeamFactory, make_actor
from beststart.assessments import actions, instruments
from beststart.assessments.models import Assessment, AssessmentStatus
from beststart.assessments.tests.conftest import TODAY, TwoAgencies, star_answers, start_review
from beststart.assessments.tests.factories import (
    SAMPLE_ASQ3_CUTOFFS,
    CutoffSetFactory,
    PlanFactory,
)
from beststart.families.tests.factories import InvolvementFactory
from beststart.families.tests.test_views import (
    assert_error,
    checked,
    date_parts,
    error_summary,
    input_value,
    page,
)

pytestmark = pytest.mark.django_db

ClientFor = Callable[[Actor], Client]
REVIEW = "integrated-two-year-review"
STAR = "family-outcomes-scale"

HEALTH = {
    "health-asq3_used": "yes",
    "health-growth": "no_concern",
    "health-hearing_vision": "no_concern",
    "health-immunisations": "up_to_date",
    "health-findings": "Growing well",
    "parents-took_part": "in_person",
    "parents-views": "Chatty and happy",
}
SETTING = {
    "setting-communication": "less_than_expected",
    "setting-personal": "on_track",
    "setting-physical": "on_track",
    "setting-findings": "Few words yet",
    "shared-summary": "Well, but talking late",
    "shared-next_steps": "Speech and language group",
    "shared-parents_agree": "yes",
}


def start_data(world: TwoAgencies, instrument: str = REVIEW, **changes: str) -> dict[str, str]:
    return {
        "person": str(world.child.pk),
        "instrument": instrument,
        "partner_team": str(world.setting.team.pk),
        **date_parts("assessed_on", TODAY),
        **changes,
    }


def start_url(world: TwoAgencies) -> str:
    return f"/families/{world.family.pk}/assessments/new/"


def started_review(world: TwoAgencies) -> Assessment:
    return start_review(world)


def completed_star(world: TwoAgencies, on: dt.date, *scores: int) -> Assessment:
    hv = world.health_visitor
    star = actions.start_assessment(
        actor=hv, family=world.family, person=world.parent, instrument_code=STAR, assessed_on=on
    )
    actions.save_answers(actor=hv, assessment=star, answers=star_answers(*scores), complete=True)
    return star


def post(client: Client, url: str, data: dict[str, Any], intent: str = "draft") -> Any:
    return client.post(url, {**data, "intent": intent})


# ---------------------------------------------------------------------------------------------
# Starting


def test_the_start_page_offers_the_familys_people_and_the_instruments(
    two_agencies: TwoAgencies, client_for: ClientFor
) -> None:
    response = client_for(two_agencies.health_visitor).get(
        start_url(two_agencies), {"person": two_agencies.child.pk}
    )

    text = page(response)
    assert response.status_code == 200
    assert f"{two_agencies.child.full_name}, 2 years" in text
    assert "ASQ-3 results (results only)" in text
    assert "The health visitor&#x27;s review and the setting&#x27;s progress check" in text
    assert "For the integrated review at two only" in text
    assert "Little Acorns Nursery" in text
    assert checked(response, "person") == [str(two_agencies.child.pk)]
    assert input_value(response, "assessed_on_day") == str(TODAY.day)


def test_starting_an_integrated_review_goes_on_to_answering_it(
    two_agencies: TwoAgencies, client_for: ClientFor
) -> None:
    client = client_for(two_agencies.health_visitor)

    response = client.post(start_url(two_agencies), start_data(two_agencies))

    review = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/assessments/{review.pk}/edit/"
    assert review.partner_team == two_agencies.setting.team
    assert review.status == AssessmentStatus.DRAFT
    assert "Integrated review at two started" in page(client.get(response["Location"]))


def test_the_actions_refusal_shows_beside_the_field_with_everything_kept(
    two_agencies: TwoAgencies, client_for: ClientFor
) -> None:
    client = client_for(two_agencies.health_visitor)
    data = start_data(two_agencies, partner_team="")

    response = client.post(start_url(two_agencies), data)

    assert_error(
        response,
        "partner_team",
        "Choose the early years setting completing the review with you",
    )
    assert checked(response, "instrument") == [REVIEW]
    assert checked(response, "person") == [str(two_agencies.child.pk)]
    assert not Assessment.objects.exists()


def test_a_form_left_empty_says_what_to_choose(
    two_agencies: TwoAgencies, client_for: ClientFor
) -> None:
    response = client_for(two_agencies.health_visitor).post(start_url(two_agencies), {})

    assert_error(response, "person", "Select who the assessment is about", anchor="id_person_0")
    assert ("id_instrument_0", "Select which assessment to start") in error_summary(response)
    assert 'id="id_instrument_0"' in page(response)


def test_a_recent_assessment_is_shown_before_starting_another_and_can_be_overridden(
    two_agencies: TwoAgencies, client_for: ClientFor
) -> None:
    first = started_review(two_agencies)
    client = client_for(two_agencies.health_visitor)
    data = start_data(two_agencies)

    response = client.post(start_url(two_agencies), data)

    text = page(response)
    assert response.status_code == 200
    assert "Already assessed recently" in text
    assert f'href="/assessments/{first.pk}/"' in text
    assert "Health Visiting North (Hana Visitor), 15 September 2026: draft" in text
    assert Assessment.objects.count() == 1
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', text))
    assert hidden["confirmed"] == "1"
    assert {name: hidden[name] for name in data} == data, "nothing typed is lost"

    response = client.post(start_url(two_agencies), {**data, "confirmed": "1"})

    assert response.status_code == 302
    assert Assessment.objects.count() == 2


# ---------------------------------------------------------------------------------------------
# Answering: drafts, mistakes, completing


def test_a_draft_with_an_impossible_score_keeps_what_was_typed(
    two_agencies: TwoAgencies, client_for: ClientFor
) -> None:
    hv = two_agencies.health_visitor
    star = actions.start_assessment(
        actor=hv,
        family=two_agencies.family,
        person=two_agencies.parent,
        instrument_code=STAR,
        assessed_on=TODAY,
    )
    client = client_for(hv)
    url = f"/assessments/{star.pk}/edit/"

    form_page = page(client.get(url))
    assert 'inputmode="decimal"' in form_page
    assert "From 1 to 10 in steps of 1" in form_page
    assert "Copy the scores agreed with the family" in form_page  # the licence note

    response = post(client, url, {"areas-physical_health": "12", "areas-wellbeing": "4"})

    assert_error(response, "areas-physical_health", "Physical health must be between 1 and 10")
    assert input_value(response, "areas-physical_health") == "12"
    assert input_value(response, "areas-wellbeing") == "4"
    assert not star.contributions.exists()


def test_a_draft_is_saved_resumed_and_completed_by_both_agencies(
    two_agencies: TwoAgencies, client_for: ClientFor
) -> None:
    review = started_review(two_agencies)
    hv_client = client_for(two_agencies.health_visitor)
    url = f"/assessments/{review.pk}/edit/"

    response = post(hv_client, url, {"health-findings": "Growing well"})
    assert response.status_code == 302
    assert response["Location"] == url
    resumed = hv_client.get(url)
    assert "Draft saved. You can come back to it from Assessments and plans" in page(resumed)
    assert "Growing well</textarea>" in page(resumed)
    assert "Not written yet by Little Acorns Nursery" in page(resumed)

    response = post(hv_client, url, HEALTH, intent="complete")
    assert ("", "It cannot be completed yet: the setting's progress check still to be written") in (
        error_summary(response)
    )
    assert input_value(response, "health-findings") is None  # a textarea: its text is kept
    assert "Chatty and happy</textarea>" in page(response)
    assert post(hv_client, url, HEALTH).status_code == 302

    nursery = client_for(two_agencies.setting)
    work = page(nursery.get("/assessments/"))
    assert "Integrated reviews waiting for your team" in work
    assert f'href="/assessments/{review.pk}/edit/"' in work
    assert two_agencies.family.name in work
    nursery_page = page(nursery.get(url))
    assert "Written by Health Visiting North (Hana Visitor)" in nursery_page
    assert 'name="setting-communication"' in nursery_page
    assert 'name="health-growth"' not in nursery_page
    assert "Discard this draft" not in nursery_page

    response = post(nursery, url, {**SETTING, "setting-physical": ""}, intent="complete")
    assert_error(
        response,
        "setting-physical",
        "Select an answer for Physical development",
        anchor="id_setting-physical_0",
    )
    assert checked(response, "setting-communication") == ["less_than_expected"]

    response = post(nursery, url, SETTING, intent="complete")

    assert response.status_code == 302
    assert response["Location"] == f"/assessments/{review.pk}/"
    review.refresh_from_db()
    assert review.status == AssessmentStatus.COMPLETED
    detail = page(nursery.get(response["Location"]))
    assert "Integrated review at two completed for" in detail
    assert "Progress less than expected" in detail
    assert "Communication and language (The setting&#x27;s progress check)" in detail
    assert hv_client.get(url)["Location"] == f"/assessments/{review.pk}/", "completed: no edit"


def test_the_detail_page_shows_results_zones_and_the_way_to_a_plan(
    two_agencies: TwoAgencies, client_for: ClientFor
) -> None:
    hv = two_agencies.health_visitor
    asq = actions.start_assessment(
        actor=hv,
        family=two_agencies.family,
        person=two_agencies.child,
        instrument_code="asq-3",
        assessed_on=TODAY,
    )
    answers = {"interval": "27", "communication": "30", "gross_motor": "50"}
    answers |= {"fine_motor": "45", "problem_solving": "45", "personal_social": "50"}
    actions.save_answers(actor=hv, assessment=asq, answers={"result": answers}, complete=True)
    plan = PlanFactory(
        family=two_agencies.family, assessment=asq, team=hv.team, practitioner=hv.user
    )

    text = page(client_for(hv).get(f"/assessments/{asq.pk}/"))

    assert "ASQ-3 results, version 1" in text
    assert "No zones: no cut-offs were loaded when this was completed" in text
    assert "No needs identified." in text
    assert "Written by Health Visiting North (Hana Visitor)" in text
    assert f'href="/families/{two_agencies.family.pk}/plans/new/?assessment={asq.pk}"' in text
    assert f'href="/plans/{plan.pk}/"' in text


def test_zones_from_the_cut_offs_loaded_are_shown_with_their_name(
    two_agencies: TwoAgencies, client_for: ClientFor
) -> None:
    hv = two_agencies.health_visitor
    actions.load_cutoffs(instrument_code="asq-3", text=SAMPLE_ASQ3_CUTOFFS, loaded_by="tester")
    asq = actions.start_assessment(
        actor=hv,
        family=two_agencies.family,
        person=two_agencies.child,
        instrument_code="asq-3",
        assessed_on=TODAY,
    )
    answers = {"interval": "24", "communication": "15", "gross_motor": "50"}
    answers |= {"fine_motor": "45", "problem_solving": "45", "personal_social": "50"}
    actions.save_answers(actor=hv, assessment=asq, answers={"result": answers}, complete=True)

    text = page(client_for(hv).get(f"/assessments/{asq.pk}/"))

    assert "<strong>Below the cut-off: further assessment may be needed</strong>" in text
    assert "Above the cut-off: on schedule" in text
    assert "Cut-offs: Sample cut-offs for tests (invented, not the publisher&#x27;s)" in text


# ---------------------------------------------------------------------------------------------
# History and progress


def test_history_shows_progress_as_a_chart_beside_its_table(
    two_agencies: TwoAgencies, client_for: ClientFor
) -> None:
    first = completed_star(two_agencies, TODAY - dt.timedelta(days=120), 3, 4, 5, 5, 5, 5, 5, 5)
    latest = completed_star(two_agencies, TODAY, 6, 4, 5, 5, 5, 5, 5, 7)
    family = two_agencies.family

    text = page(
        client_for(two_agencies.health_visitor).get(
            f"/families/{family.pk}/people/{two_agencies.parent.pk}/assessments/"
        )
    )

    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in text
    assert "style=" not in text.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "Physical health: 3 (First, 18 May 2026), 6 (Latest, 15 September 2026)" in text
    assert 'fill="#505a5f"' in text
    assert 'fill="#1d70b8"' in text
    assert "Change since first" in text
    assert ">+3</td>" in text
    assert ">+2</td>" in text
    assert f'href="/assessments/{first.pk}/"' in text
    assert f'href="/assessments/{latest.pk}/"' in text
    assert f'href="/families/{family.pk}/"' in text, "back to the family's record"


def test_one_assessment_has_a_table_and_no_chart(
    two_agencies: TwoAgencies, client_for: ClientFor
) -> None:
    completed_star(two_agencies, TODAY, 6, 4, 5, 5, 5, 5, 5, 7)

    text = page(
        client_for(two_agencies.health_visitor).get(
            f"/families/{two_agencies.family.pk}/assessments/"
        )
    )

    assert "Family outcomes scale (Star-style)" in text
    assert "<svg" not in text
    assert "Change since first" not in text
    assert "Start an assessment" in text
    person_page = f"/families/{two_agencies.family.pk}/people/{two_agencies.child.pk}/assessments/"
    assert f'href="{person_page}"' in text


# ---------------------------------------------------------------------------------------------
# Discarding


def test_the_team_that_started_a_draft_can_discard_it_after_asking(
    two_agencies: TwoAgencies, client_for: ClientFor
) -> None:
    review = started_review(two_agencies)
    client = client_for(two_agencies.health_visitor)
    url = f"/assessments/{review.pk}/discard/"

    assert "Discard the draft Integrated review at two?" in page(client.get(url))
    assert client_for(two_agencies.setting).get(url).status_code == 404

    response = client.post(url)

    assert response["Location"] == f"/families/{two_agencies.family.pk}/assessments/"
    assert not Assessment.objects.exists()
    assert "Draft Integrated review at two for" in page(client.get(response["Location"]))


# ---------------------------------------------------------------------------------------------
# Who sees what


def test_a_team_with_no_involvement_gets_404_everywhere(
    two_agencies: TwoAgencies, client_for: ClientFor
) -> None:
    review = started_review(two_agencies)
    stranger = client_for(make_actor(Role.HEALTH_VISITOR))
    family = two_agencies.family

    for url in (
        f"/assessments/{review.pk}/",
        f"/assessments/{review.pk}/edit/",
        f"/assessments/{review.pk}/discard/",
        f"/families/{family.pk}/assessments/",
        f"/families/{family.pk}/people/{two_agencies.child.pk}/assessments/",
        start_url(two_agencies),
    ):
        assert stranger.get(url).status_code == 404, url
    assert stranger.post(f"/assessments/{review.pk}/edit/", HEALTH).status_code == 404
    assert not review.contributions.exists()


def test_a_draft_is_only_for_its_teams_a_completed_one_for_the_team_around(
    two_agencies: TwoAgencies, client_for: ClientFor
) -> None:
    draft = started_review(two_agencies)
    star = completed_star(two_agencies, TODAY, 6, 4, 5, 5, 5, 5, 5, 7)
    colleague_team = TeamFactory(
        organisation=two_agencies.health_visitor.organisation, name="Health Visiting South"
    )
    InvolvementFactory(family=two_agencies.family, team=colleague_team)
    third = client_for(make_actor(Role.HEALTH_VISITOR, colleague_team))

    assert third.get(f"/assessments/{draft.pk}/").status_code == 404
    assert third.get(f"/assessments/{draft.pk}/edit/").status_code == 404
    assert third.get(f"/assessments/{star.pk}/").status_code == 200
    assert third.get(f"/assessments/{star.pk}/edit/").status_code == 404
    history = page(third.get(f"/families/{two_agencies.family.pk}/assessments/"))
    assert f'href="/assessments/{star.pk}/"' in history
    assert f"/assessments/{draft.pk}/" not in history


def test_the_teams_work_says_when_there_is_nothing(
    two_agencies: TwoAgencies, client_for: ClientFor
) -> None:
    text = page(client_for(two_agencies.health_visitor).get("/assessments/"))

    assert "No drafts: every assessment your team started is completed or discarded." in text
    assert "No integrated reviews are waiting for your team." in text
    assert "No plans your team leads are due for review in the next 14 days." in text
    assert "Your team has no open plan actions." in text


def test_the_teams_work_lists_its_drafts_and_overdue_plans(
    two_agencies: TwoAgencies, client_for: ClientFor
) -> None:
    hv = two_agencies.health_visitor
    review = started_review(two_agencies)
    PlanFactory(
        family=two_agencies.family,
        team=hv.team,
        practitioner=hv.user,
        next_review_on=TODAY - dt.timedelta(days=1),
    )

    text = page(client_for(hv).get("/assessments/"))

    assert f'href="/assessments/{review.pk}/edit/"' in text
    assert f'href="/families/{two_agencies.family.pk}/"' in text
    assert '14 Sep 2026 <strong class="govuk-tag govuk-tag--red">Overdue</strong>' in text


# ---------------------------------------------------------------------------------------------
# The instruments


def test_the_instruments_page_says_whether_cut_offs_are_loaded(
    actor: Actor, client_for: ClientFor
) -> None:
    loaded = CutoffSetFactory(instrument="asq-3", name="Our licence 2026")

    text = page(client_for(actor).get("/assessments/instruments/"))

    assert "Integrated review at two" in text
    assert f"Our licence 2026, loaded on {loaded.created_at:%-d %B %Y}" in text
    assert "No cut-offs loaded: zones are not shown" in text  # ASQ:SE-2 has none
    assert "Yes: results only" in text


def test_the_instruments_page_is_not_for_commissioners(client_for: ClientFor, db: None) -> None:
    commissioner = make_actor(Role.COMMISSIONER)

    assert client_for(commissioner).get("/assessments/instruments/").status_code == 404
    assert client_for(commissioner).get("/assessments/").status_code == 404


def test_the_instruments_page_lists_the_older_versions_still_in_use(
    actor: Actor, client_for: ClientFor, tmp_path: Path
) -> None:
    shipped = (instruments.SHIPPED / "early-help-assessment@1.yaml").read_text(encoding="utf-8")
    newer = shipped.replace("version: 1", "version: 2").replace(
        "title: Early Help Assessment", "title: Early Help Assessment (our area)"
    )
    (tmp_path / "early-help-assessment@2.yaml").write_text(newer, encoding="utf-8")
    try:
        with override_settings(INSTRUMENTS_DIR=str(tmp_path)):
            instruments.reload()
            text = page(client_for(actor).get("/assessments/instruments/"))
    finally:
        instruments.reload()

    assert "Early Help Assessment (our area)" in text
    assert "Version 1: Early Help Assessment<br>" in text
