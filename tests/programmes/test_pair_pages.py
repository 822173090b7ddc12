"""The pages of applying as a pair: naming a colleague on the enrolment page, the invitation's
page for the colleague (accept or decline) and for the inviter (cancel), and "My learning".
The rules are programmes.services.pairs' (tests/programmes/test_pairs.py)."""

import pytest
from bs4 import BeautifulSoup

from programmes import services
from programmes.models import Enrolment, EnrolmentStatus, PairApplication, PairStatus
from tests.factories import ClinicianFactory, CohortFactory, EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db

S = EnrolmentStatus
ANSWERS = {
    "baseline_relationship": "2",
    "baseline_outlook": "1",
    "current_role": "Specialty registrar in anaesthetics",
    "goals": "Understand how the theatre budget is set.",
}


def text(response):
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


@pytest.fixture
def doctor(trust_a):
    return ClinicianFactory(trust=trust_a, first_name="Priya", last_name="Shah")


@pytest.fixture
def manager(trust_a):
    return UserFactory(trust=trust_a, first_name="Tom", last_name="Evans")


@pytest.fixture
def invitation(cohort, doctor, manager):
    return services.pair_invite(
        inviter=doctor,
        cohort=cohort,
        invitee_email=manager.email,
        answers={k: v for k, v in ANSWERS.items() if k in ("goals", "current_role")},
        message="Shall we do this together?",
    )


def page(application, action=""):
    return f"/learn/pairs/{application.pk}/{action}"


def test_the_enrolment_page_offers_to_name_a_colleague_of_the_other_side(client, cohort, doctor):
    client.force_login(doctor)
    response = client.get(f"/learn/enrol/{cohort.pk}/")
    assert "Apply together with a manager colleague (optional)" in text(response)


def test_naming_a_colleague_invites_them_instead_of_enrolling(
    client, cohort, doctor, manager, django_capture_on_commit_callbacks
):
    client.force_login(doctor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/learn/enrol/{cohort.pk}/",
            {**ANSWERS, "partner_email": manager.email, "partner_message": "Join me?"},
            follow=True,
        )
    application = PairApplication.objects.get()
    assert (application.inviter, application.invitee_email) == (doctor, manager.email)
    assert application.inviter_answers["goals"] == ANSWERS["goals"]
    assert application.inviter_answers["baseline_relationship"] == 2
    assert not Enrolment.objects.exists()
    assert f"We have invited {manager.email} to apply with you" in text(response)
    assert "Invitations to apply together" in text(response)


def test_naming_a_colleague_on_the_same_side_is_refused_on_the_page(client, cohort, doctor):
    other = ClinicianFactory()
    client.force_login(doctor)
    response = client.post(f"/learn/enrol/{cohort.pk}/", {**ANSWERS, "partner_email": other.email})
    assert response.status_code == 400
    assert "A pair is one clinician and one manager" in text(response)
    assert not PairApplication.objects.exists() and not Enrolment.objects.exists()


def test_the_colleague_accepts_from_the_invitation_page(client, invitation, doctor, manager):
    client.force_login(manager)
    response = client.get(page(invitation))
    assert response.status_code == 200
    body = text(response)
    assert "Priya Shah invites you to apply together" in body
    assert "Shall we do this together?" in body
    response = client.post(page(invitation), ANSWERS, follow=True)
    assert "You and your colleague are enrolled together" in text(response)
    statuses = dict(Enrolment.objects.values_list("person_id", "status"))
    assert statuses == {doctor.pk: S.ENROLLED, manager.pk: S.ENROLLED}
    assert "Applied with Priya Shah" in text(client.get("/learn/"))


def test_an_incomplete_answer_is_shown_and_nothing_is_enrolled(client, invitation, manager):
    client.force_login(manager)
    response = client.post(page(invitation), {**ANSWERS, "goals": ""})
    assert response.status_code == 400
    assert "Enter what you want to get from the programme." in text(response)
    assert not Enrolment.objects.exists()


def test_the_colleague_may_decline_with_a_reason(client, invitation, manager):
    client.force_login(manager)
    response = client.post(page(invitation, "decline/"), {"reason": "Too busy"}, follow=True)
    assert "You declined Priya Shah's invitation" in text(response)
    invitation.refresh_from_db()
    assert (invitation.status, invitation.reason) == (PairStatus.DECLINED, "Too busy")
    # Accepting afterwards is refused with a reason, and writes nothing.
    response = client.post(page(invitation), ANSWERS)
    assert response.status_code == 400
    assert "can no longer be accepted" in text(response)
    assert not Enrolment.objects.exists()


def test_the_inviter_sees_where_it_stands_and_may_cancel(client, invitation, doctor):
    client.force_login(doctor)
    body = text(client.get(page(invitation)))
    assert "Waiting for the colleague to accept" in body and "Cancel the invitation" in body
    assert client.post(page(invitation, "decline/")).status_code == 404  # not theirs to decline
    client.post(page(invitation, "cancel/"))
    invitation.refresh_from_db()
    assert invitation.status == PairStatus.CANCELLED


def test_the_inviter_cannot_accept_their_own_invitation(client, invitation, doctor):
    client.force_login(doctor)
    response = client.post(page(invitation), ANSWERS)
    assert response.status_code == 400
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize("action", ["", "decline/", "cancel/"])
def test_anyone_else_gets_404_and_changes_nothing(client, invitation, action, administrator):
    for outsider in (UserFactory(), administrator):  # staff are not a party to it either
        client.force_login(outsider)
        assert client.get(page(invitation)).status_code == 404
        assert client.post(page(invitation, action), ANSWERS).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == PairStatus.INVITED


def test_signing_in_is_required(client, invitation):
    response = client.get(page(invitation))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_my_learning_lists_invitations_both_ways(client, invitation, doctor, manager):
    client.force_login(manager)
    assert "Priya Shah invites you to" in text(client.get("/learn/"))
    client.force_login(doctor)
    assert f"You invited {manager.email} to" in text(client.get("/learn/"))


def test_my_learning_queries_stay_bounded_with_pairs_and_invitations(
    client, doctor, django_assert_max_num_queries
):
    for index in range(10):
        cohort = CohortFactory()
        if index % 2:
            application = PairApplication.objects.create(
                cohort=cohort,
                inviter=doctor,
                invitee_email=f"partner{index}@northshire.nhs.uk",
                status=PairStatus.ACCEPTED,
            )
            EnrolmentFactory(person=doctor, cohort=cohort, pair=application)
            EnrolmentFactory(person=UserFactory(), cohort=cohort, pair=application)
        else:
            EnrolmentFactory(person=doctor, cohort=cohort)
    for _ in range(3):  # open invitations to the doctor, in other cohorts
        services.pair_invite(
            inviter=UserFactory(), cohort=CohortFactory(), invitee_email=doctor.email, answers={}
        )
    client.force_login(doctor)
    client.get("/learn/")
    # Those of test_enrolment_pages' pin (session, person, groups, site, navigation, the
    # enrolments, module marks and reflections), plus the partners' names (one query for
    # all pairs) and the open invitations (one). Not one per enrolment or pair.
    with django_assert_max_num_queries(16):
        response = client.get("/learn/")
    body = text(response)
    assert body.count("Applied with") == 5
    assert body.count("invites you to") == 3
