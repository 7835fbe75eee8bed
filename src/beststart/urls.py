from django.urls import include, path

from beststart.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("", include("beststart.accounts.urls")),
    path("", include("beststart.families.urls")),
    path("", include("beststart.audit.urls")),
    path("", include("beststart.sharing.urls")),
    path("", include("beststart.activities.urls")),
    path("", include("beststart.care.urls")),
    path("", include("beststart.referrals.urls")),
    path("", include("beststart.assessments.urls")),
    path("", include("beststart.portal.urls")),
    path("api/v1/", include("beststart.api.urls")),
]

handler404 = "beststart.core.views.not_found"
handler500 = "beststart.core.views.server_error"
