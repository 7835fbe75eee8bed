from django.urls import path

from beststart.portal import views

app_name = "portal"

urlpatterns = [
    path("refer-yourself/", views.self_referral, name="self-referral"),
    path("refer-yourself/sent/", views.self_referral_sent, name="self-referral-sent"),
    path("referral-status/<str:token>/", views.referral_status, name="referral-status"),
]
