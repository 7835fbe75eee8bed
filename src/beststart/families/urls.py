from django.urls import path

from beststart.families import views

app_name = "families"

urlpatterns = [
    path("", views.home, name="home"),
    path("caseload/", views.caseload, name="caseload"),
    path("search/", views.search, name="search"),
    path("families/new/", views.create_family, name="create"),
    path("families/<int:family_id>/", views.family_record, name="record"),
    path("families/<int:family_id>/members/new/", views.add_member, name="add-member"),
    path(
        "families/<int:family_id>/members/<int:person_id>/edit/",
        views.edit_person,
        name="edit-person",
    ),
    path(
        "families/<int:family_id>/members/<int:person_id>/birth/",
        views.record_birth,
        name="record-birth",
    ),
    path("families/<int:family_id>/address/", views.move_address, name="move-address"),
    path(
        "families/<int:family_id>/relationships/new/",
        views.add_relationship,
        name="add-relationship",
    ),
    path(
        "families/<int:family_id>/involvements/<int:involvement_id>/end/",
        views.end_involvement,
        name="end-involvement",
    ),
    path(
        "families/<int:family_id>/involvements/new/", views.add_involvement, name="add-involvement"
    ),
    path("families/<int:family_id>/notes/new/", views.add_note, name="add-note"),
]
