from __future__ import annotations

import pytest

from beststart.assessments import actions, selectors
from beststart.assessments.models import AssessmentStatus
from beststart.assessments.tests.conftest import TODAY, TwoAgencies


@pytest.mark.django_db
def test_integrated_review_by_two_agencies(two_agencies: TwoAgencies) -> None:
    hv, setting = two_agencies.health_visitor, two_agencies.setting
    review = actions.start_assessment(
        actor=hv,
        family=two_agencies.family,
        person=two_agencies.child,
        instrument_code="integrated-two-year-review",
        assessed_on=TODAY,
        partner_team=setting.team,
    )
    actions.save_answers(
        actor=hv,
        assessment=review,
        answers={
            "health": {"asq3_used": "yes", "growth": "no_concern", "hearing_vision": "no_concern",
                       "immunisations": "up_to_date", "findings": "Growing well"},
            "parents": {"took_part": "in_person", "views": "Chatty and happy"},
        },
        complete=False,
    )
    work = selectors.team_work(setting)
    assert [each.pk for each in work.awaiting] == [review.pk]
    view = selectors.assessment_for_editing(setting, review.pk)
    assert {s.section.code for s in view.sections if s.writable} == {"setting", "shared"}
    actions.save_answers(
        actor=setting,
        assessment=review,
        answers={
            "setting": {"communication": "less_than_expected", "personal": "on_track",
                        "physical": "on_track", "findings": "Few words yet"},
            "shared": {"summary": "Well, but talking late", "next_steps": "Speech group",
                       "parents_agree": "yes"},
        },
        complete=True,
    )
    review.refresh_from_db()
    assert review.status == AssessmentStatus.COMPLETED
    assert review.results["sections"]["setting"]["band"] == "less_than_expected"
    assert [n["item"] for n in review.results["needs"]] == ["Communication and language"]
