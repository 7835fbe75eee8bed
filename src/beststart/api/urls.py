from django.urls import path

from beststart.api import views

app_name = "api"

urlpatterns = [
    path("referrals", views.referrals, name="referrals"),
    path("referrals/<str:reference>", views.referral, name="referral"),
    path("referral-services", views.referral_services, name="referral-services"),
    path("openapi.json", views.openapi_document, name="openapi"),
]
