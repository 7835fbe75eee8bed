from django.urls import path

from beststart.care import views

app_name = "care"

urlpatterns = [
    path("reviews/", views.worklist, name="worklist"),
    path(
        "families/<int:family_id>/children/<int:person_id>/health/",
        views.child_health,
        name="child-health",
    ),
    path(
        "families/<int:family_id>/children/<int:person_id>/contacts/new/",
        views.record_contact,
        name="record-contact",
    ),
    path(
        "families/<int:family_id>/children/<int:person_id>/immunisations/new/",
        views.record_immunisation,
        name="record-immunisation",
    ),
    path(
        "families/<int:family_id>/children/<int:person_id>/death/",
        views.record_death,
        name="record-death",
    ),
]
