from django.urls import URLPattern, path

from beststart.sharing import views

app_name = "sharing"

urlpatterns: list[URLPattern] = []

# Consent, who can see the family and why, access logs
urlpatterns += [
    path("families/<int:family_id>/sharing/", views.sharing_overview, name="overview"),
    path("families/<int:family_id>/consents/new/", views.record_consent, name="record-consent"),
    path("families/<int:family_id>/consents/<int:consent_id>/", views.consent, name="consent"),
    path(
        "families/<int:family_id>/consents/<int:consent_id>/recorded/",
        views.consent_recorded,
        name="consent-recorded",
    ),
    path(
        "families/<int:family_id>/consents/<int:consent_id>/withdraw/",
        views.withdraw_consent,
        name="withdraw-consent",
    ),
    path(
        "families/<int:family_id>/people/<int:person_id>/access-log/",
        views.access_log,
        name="access-log",
    ),
]

# Break-glass, safeguarding shares, information-sharing agreements, privacy officer reviews
urlpatterns += [
    path("families/<int:family_id>/break-glass/", views.break_glass, name="break-glass"),
    path(
        "families/<int:family_id>/safeguarding-shares/new/",
        views.new_safeguarding_share,
        name="new-safeguarding-share",
    ),
    path("privacy/", views.privacy_home, name="privacy-home"),
    path(
        "privacy/break-glass/<int:access_id>/",
        views.review_break_glass,
        name="review-break-glass",
    ),
    path("privacy/agreements/", views.agreements, name="agreements"),
    path("privacy/agreements/new/", views.new_agreement, name="new-agreement"),
    path("privacy/agreements/<int:agreement_id>/", views.agreement, name="agreement"),
]

# Subject access and record exports
urlpatterns += [
    path("privacy/subject-access/", views.subject_access, name="subject-access"),
    path(
        "privacy/subject-access/<int:person_id>/",
        views.subject_access_person,
        name="subject-access-person",
    ),
    path(
        "privacy/subject-access/<int:person_id>.json",
        views.subject_access_json,
        name="subject-access-json",
    ),
    path("families/<int:family_id>/export.json", views.family_export, name="family-export"),
]
