"""Who sees and changes cohorts, enrolments and their history (programmes.permissions, through
people.permissions)."""

import pytest
from django.http import Http404

from people.access import AccessRole
from people.models import User
from people.permissions import changeable, get_visible_or_404, visible
from programmes import services
from programmes.models import Cohort, CohortFacilitator, Enrolment, EnrolmentEvent, Programme
from tests.factories import (
    ClinicianFactory,
    CohortFacilitatorFactory,
    CohortFactory,
    EnrolmentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(trust_a, trust_b):
    """A cohort at each trust; in trust A's, a participant from trust B (a shared programme)."""
    ours = CohortFactory(host_trust=trust_a)
    theirs = CohortFactory(host_trust=trust_b)
    visitor = ClinicianFactory(trust=trust_b)
    local = ClinicianFactory(trust=trust_a)
    return {
        "ours": ours,
        "theirs": theirs,
        "visitor": visitor,
        "visitor_enrolment": services.enrolment_create(person=visitor, cohort=ours, by=visitor),
        "local_elsewhere": services.enrolment_create(person=local, cohort=theirs, by=local),
    }


def test_a_host_administrator_sees_their_cohorts_enrolments_and_history(administrator, world):
    assert list(visible(administrator, Cohort)) == [world["ours"]]
    assert list(visible(administrator, Enrolment)) == [world["visitor_enrolment"]]
    assert set(visible(administrator, EnrolmentEvent)) == set(
        world["visitor_enrolment"].events.all()
    )
    with pytest.raises(Http404):
        get_visible_or_404(administrator, Cohort, pk=world["theirs"].pk)


def test_a_host_administrator_sees_the_people_enrolled_from_other_trusts(administrator, world):
    people = visible(administrator, User)
    assert world["visitor"] in people
    # A person of another trust enrolled elsewhere stays out of sight.
    assert not people.filter(pk=world["local_elsewhere"].person_id).exclude(
        trust=administrator.trust
    )
    # Reach opens the person, not their role history.
    from people.models import RoleAppointment

    assert not visible(administrator, RoleAppointment).filter(person=world["visitor"]).exists()


def test_another_trusts_staff_do_not_see_the_cohort(other_trust_lead, world):
    assert world["ours"] not in visible(other_trust_lead, Cohort)
    assert not visible(other_trust_lead, Enrolment).filter(cohort=world["ours"]).exists()


def test_a_participant_sees_only_their_own(world):
    visitor = world["visitor"]
    assert list(visible(visitor, Enrolment)) == [world["visitor_enrolment"]]
    assert list(visible(visitor, Cohort)) == [world["ours"]]
    assert list(visible(visitor, User)) == [visitor]
    assert not changeable(visitor, Enrolment).exists()


def test_a_facilitator_sees_their_cohorts_participants_while_they_hold_the_role(world):
    link = CohortFacilitatorFactory(cohort=world["ours"])
    facilitator = link.person
    assert list(visible(facilitator, Cohort)) == [world["ours"]]
    assert list(visible(facilitator, Enrolment)) == [world["visitor_enrolment"]]
    assert world["visitor"] in visible(facilitator, User)
    assert list(visible(facilitator, CohortFacilitator)) == [link]
    assert not changeable(facilitator, Enrolment).exists()
    assert not changeable(facilitator, Cohort).exists()

    from people.services import access_grant_revoke

    access_grant_revoke(grant=facilitator.access_grants.get(), by=None)
    facilitator = User.objects.get(pk=facilitator.pk)  # grants are cached per instance
    assert not visible(facilitator, Enrolment).exists()
    assert world["visitor"] not in visible(facilitator, User)


def test_being_named_facilitator_without_the_role_shows_nothing(world):
    link = CohortFacilitatorFactory(cohort=world["ours"], person=ClinicianFactory())
    assert not visible(link.person, Enrolment).exists()


def test_only_the_host_trusts_administrators_change_its_cohorts(
    administrator, other_trust_lead, superuser, world, trust_b
):
    assert list(changeable(administrator, Cohort)) == [world["ours"]]
    assert list(changeable(administrator, Enrolment)) == [world["visitor_enrolment"]]
    assert not changeable(other_trust_lead, Cohort).exists()
    # An administrator who also reports on trust B still changes only trust A's cohorts.
    both = UserFactory(trust=administrator.trust, roles=[AccessRole.PROGRAMME_ADMINISTRATOR])
    from people.services import access_grant_create

    access_grant_create(person=both, role=AccessRole.TRUST_REPORTING_LEAD, trust=trust_b, by=None)
    both = User.objects.get(pk=both.pk)
    assert list(changeable(both, Cohort)) == [world["ours"]]
    assert set(changeable(superuser, Cohort)) == {world["ours"], world["theirs"]}


def test_programmes_are_seen_by_anyone_signed_in_and_changed_by_superusers(
    participant, administrator, superuser, world
):
    assert set(visible(participant, Programme)) == set(Programme.objects.all())
    assert not changeable(administrator, Programme).exists()
    assert changeable(superuser, Programme).count() == Programme.objects.count()


def test_an_inactive_account_sees_nothing(administrator, world):
    administrator.is_active = False
    assert not visible(administrator, Cohort).exists()
    assert not visible(administrator, Enrolment).exists()


def test_a_listing_never_repeats_a_cohort(administrator, trust_a):
    cohort = CohortFactory(host_trust=trust_a)
    EnrolmentFactory.create_batch(3, cohort=cohort)
    CohortFacilitatorFactory(cohort=cohort, person=administrator)
    assert list(visible(administrator, Cohort)) == [cohort]
