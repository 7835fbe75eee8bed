from django.urls import path

from beststart.activities import views

app_name = "activities"

# Programmes, sessions, bookings and registers

urlpatterns = [
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/new/", views.new_session, name="new-session"),
    path("programmes/new/", views.new_programme, name="new-programme"),
    path("sessions/<int:session_id>/", views.session, name="session"),
    path("sessions/<int:session_id>/book/", views.book_family, name="book"),
    path(
        "sessions/<int:session_id>/bookings/<int:booking_id>/cancel/",
        views.cancel_booking,
        name="cancel-booking",
    ),
    path("sessions/<int:session_id>/register/", views.take_register, name="register"),
    path("sessions/<int:session_id>/register/walk-in/", views.walk_in, name="walk-in"),
    path("centre/families/", views.registered_families, name="registered-families"),
    path("families/<int:family_id>/sessions/", views.family_sessions, name="family-sessions"),
    path(
        "families/<int:family_id>/centre-registrations/new/",
        views.register_family,
        name="register-family",
    ),
    path(
        "families/<int:family_id>/centre-registrations/<int:registration_id>/end/",
        views.end_registration,
        name="end-registration",
    ),
]

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
