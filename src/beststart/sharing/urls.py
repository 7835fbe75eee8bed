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
urlpatterns += []

# Subject access and record exports
urlpatterns += []
