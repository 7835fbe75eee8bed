from django.urls import URLPattern, path

from beststart.activities import views

app_name = "activities"

urlpatterns: list[URLPattern] = []

# Family Matters meetings

urlpatterns += [
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/new/", views.plan_meeting, name="plan-meeting"),
    path("meetings/<int:meeting_id>/", views.meeting, name="meeting"),
    path("meetings/<int:meeting_id>/notes/new/", views.add_meeting_note, name="add-meeting-note"),
    path(
        "meetings/<int:meeting_id>/actions/new/",
        views.add_meeting_action,
        name="add-meeting-action",
    ),
    path(
        "meetings/<int:meeting_id>/actions/<int:action_id>/done/",
        views.mark_action_done,
        name="meeting-action-done",
    ),
]
