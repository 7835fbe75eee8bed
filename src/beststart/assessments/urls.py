from django.urls import path

from beststart.assessments import views

app_name = "assessments"

urlpatterns = [
    path("assessments/", views.team_work, name="team-work"),
    path("assessments/instruments/", views.instrument_list, name="instruments"),
    path("families/<int:family_id>/assessments/", views.family_history, name="family-history"),
    path(
        "families/<int:family_id>/people/<int:person_id>/assessments/",
        views.person_history,
        name="person-history",
    ),
    path("families/<int:family_id>/assessments/new/", views.start, name="start"),
    path("assessments/<int:assessment_id>/", views.detail, name="detail"),
    path("assessments/<int:assessment_id>/edit/", views.edit, name="edit"),
    path("assessments/<int:assessment_id>/discard/", views.discard, name="discard"),
    path("families/<int:family_id>/plans/new/", views.new_plan, name="new-plan"),
    path("plans/<int:plan_id>/", views.plan, name="plan"),
    path("plans/<int:plan_id>/actions/new/", views.add_action, name="add-action"),
    path(
        "plans/<int:plan_id>/actions/<int:plan_action_id>/done/",
        views.action_done,
        name="action-done",
    ),
    path("plans/<int:plan_id>/review/", views.review, name="review-plan"),
]
