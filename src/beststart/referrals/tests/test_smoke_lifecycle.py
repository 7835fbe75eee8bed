from beststart.accounts.models import Role
from beststart.accounts.tests.factories import make_actor
from beststart.referrals import actions
from beststart.referrals.models import Notification, Status
from beststart.referrals.tests.factories import ReferralServiceFactory, referral_details


def test_lifecycle(world, django_capture_on_commit_callbacks):
    service = ReferralServiceFactory()
    worker = make_actor(Role.FAMILY_HUB_WORKER, service.team, email="hub@example.org")
    mother = world.members(world.family)[1]
    with django_capture_on_commit_callbacks(execute=True):
        referral = actions.submit_referral(
            actor=world.actor, details=referral_details(service, family=world.family, person=mother)
        )
    assert referral.team == service.team
    for step in (actions.mark_received, actions.accept, actions.record_contact, actions.start_support):
        referral = step(actor=worker, referral=referral)
    referral = actions.complete(actor=worker, referral=referral, outcome="need_met")
    assert referral.status == Status.COMPLETED
    assert referral.consent is not None
    assert Notification.objects.count() > 0
