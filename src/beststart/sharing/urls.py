from django.urls import URLPattern, path  # noqa: F401 (until the first page)

from beststart.sharing import views  # noqa: F401

app_name = "sharing"

urlpatterns: list[URLPattern] = []

# Consent, who can see the family and why, access logs
urlpatterns += []

# Break-glass, safeguarding shares, information-sharing agreements, privacy officer reviews
urlpatterns += []

# Subject access and record exports
urlpatterns += []
