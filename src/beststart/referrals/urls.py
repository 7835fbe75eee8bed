from django.urls import path

from beststart.referrals import views

app_name = "referrals"

urlpatterns = [
    path("referrals/", views.queue, name="queue"),
    path("referrals/new/", views.new_referral, name="new"),
    path(
        "families/<int:family_id>/referrals/new/",
        views.new_referral_for_family,
        name="new-for-family",
    ),
    path("referrals/dashboard/", views.dashboard, name="dashboard"),
    path("referrals/routing/", views.routing_rules, name="routing"),
    path("referrals/routing/new/", views.new_rule, name="new-rule"),
    path("referrals/routing/<int:rule_id>/remove/", views.remove_rule, name="remove-rule"),
    path("referrals/<int:referral_id>/", views.referral, name="referral"),
    path("referrals/<int:referral_id>/match/", views.match, name="match"),
    path("referrals/<int:referral_id>/<slug:step>/", views.take_step, name="step"),
]
