from django.urls import include, path

from beststart.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("", include("beststart.accounts.urls")),
    path("", include("beststart.families.urls")),
    path("", include("beststart.audit.urls")),
    path("", include("beststart.sharing.urls")),
    # Children's centre programmes, sessions, registers (and Family Matters meetings)
    path("", include("beststart.activities.urls")),
]

handler404 = "beststart.core.views.not_found"
handler500 = "beststart.core.views.server_error"
