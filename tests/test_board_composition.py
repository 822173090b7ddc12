"""Board composition (issue 14, part 2): dated snapshots with the executive / non-executive
split, entered by a trust's reporting lead or programme administrator in the admin, with
every misfit a form error; scoped by trust; and the clinician share over time."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from people.access import AccessRole
from people.boards import board_clinician_share, board_snapshot_save
from people.models import BoardSnapshot
from tests.factories import BoardSnapshotFactory, UserFactory, give_totp

pytestmark = pytest.mark.django_db


def split(trust, recorded_on="2025-04-01", **numbers):
    return {
        "trust": trust.pk,
        "recorded_on": recorded_on,
        "executive_members": 7,
        "executive_clinicians": 2,
        "non_executive_members": 7,
        "non_executive_clinicians": 1,
        **numbers,
    }


def signed_in(client, person):
    give_totp(person)
    client.force_login(person)
    return client


@pytest.fixture
def lead_a(trust_a):
    return UserFactory(trust=trust_a, roles=[AccessRole.TRUST_REPORTING_LEAD])


@pytest.mark.parametrize(
    "role", [AccessRole.TRUST_REPORTING_LEAD, AccessRole.PROGRAMME_ADMINISTRATOR]
)
def test_a_reporting_lead_or_administrator_adds_a_snapshot_with_its_split(client, trust_a, role):
    person = UserFactory(trust=trust_a, roles=[role])
    response = signed_in(client, person).post("/admin/boardsnapshot/new/", split(trust_a))
    assert response.status_code == 302, response.content.decode()[:2000]
    snapshot = BoardSnapshot.objects.get(trust=trust_a)
    # The totals are the split's sums.
    assert (snapshot.members, snapshot.clinician_members) == (14, 3)
    assert snapshot.clinician_share == pytest.approx(3 / 14)


def test_a_second_snapshot_on_the_same_date_is_a_form_error(client, lead_a, trust_a):
    BoardSnapshotFactory(trust=trust_a, recorded_on=datetime.date(2025, 4, 1))
    response = signed_in(client, lead_a).post("/admin/boardsnapshot/new/", split(trust_a))
    assert response.status_code == 200
    assert "already has a board snapshot on that date" in response.content.decode()
    assert BoardSnapshot.objects.filter(trust=trust_a).count() == 1


@pytest.mark.parametrize(
    ("numbers", "message"),
    [
        ({"executive_clinicians": 8}, "There are 7 executive members: no more of them"),
        ({"non_executive_clinicians": 9}, "There are 7 non-executive members"),
        ({"executive_members": 0, "non_executive_members": 0, "executive_clinicians": 0,
          "non_executive_clinicians": 0}, "A board has at least one member."),
        ({"executive_members": -1}, "greater than or equal to 0"),
        ({"non_executive_members": ""}, "This field is required."),
        ({"executive_members": "seven"}, "Enter a whole number."),
    ],
)  # fmt: skip
def test_numbers_that_do_not_fit_are_form_errors_and_nothing_is_saved(
    client, lead_a, trust_a, numbers, message
):
    response = signed_in(client, lead_a).post(
        "/admin/boardsnapshot/new/", split(trust_a, **numbers)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BoardSnapshot.objects.exists()


def test_a_snapshot_is_corrected_and_its_totals_follow(client, lead_a, trust_a):
    snapshot = BoardSnapshotFactory(trust=trust_a, members=12, clinician_members=4)
    response = signed_in(client, lead_a).post(
        f"/admin/boardsnapshot/edit/{snapshot.pk}/",
        split(trust_a, recorded_on="2024-04-01", non_executive_clinicians=3),
    )
    assert response.status_code == 302
    snapshot.refresh_from_db()
    assert (snapshot.members, snapshot.clinician_members, snapshot.non_executive_clinicians) == (
        14, 5, 3,
    )  # fmt: skip


def test_another_trusts_snapshot_is_a_404_and_not_a_choice(client, trust_a, trust_b):
    administrator = UserFactory(trust=trust_a, roles=[AccessRole.PROGRAMME_ADMINISTRATOR])
    theirs = BoardSnapshotFactory(trust=trust_b, members=12, clinician_members=4)
    signed_in(client, administrator)
    assert client.get(f"/admin/boardsnapshot/edit/{theirs.pk}/").status_code == 404
    assert client.post(f"/admin/boardsnapshot/edit/{theirs.pk}/", split(trust_b)).status_code == 404
    response = client.post("/admin/boardsnapshot/new/", split(trust_b))
    assert response.status_code == 200  # trust B is not among the choices
    assert BoardSnapshot.objects.get(pk=theirs.pk).members == 12
    assert not BoardSnapshot.objects.filter(trust=trust_b).exclude(pk=theirs.pk).exists()


def test_the_listing_shows_the_trusts_snapshots_only(client, lead_a, trust_a, trust_b):
    BoardSnapshotFactory(trust=trust_a, recorded_on=datetime.date(2023, 4, 1))
    BoardSnapshotFactory(trust=trust_b, recorded_on=datetime.date(2022, 4, 1))
    body = signed_in(client, lead_a).get("/admin/boardsnapshot/").content.decode()
    assert "1 Apr 2023" in body or "April 1, 2023" in body
    assert "2022" not in body


def test_a_participant_may_not_record_a_board(client, participant, trust_a):
    response = signed_in(client, participant).post("/admin/boardsnapshot/new/", split(trust_a))
    assert response.status_code in (302, 403)
    assert not BoardSnapshot.objects.exists()


def test_the_service_refuses_what_the_form_would(trust_a, trust_b, lead_a):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        board_snapshot_save(
            snapshot=BoardSnapshot(trust=trust_b, recorded_on=datetime.date(2025, 1, 1),
                                   executive_members=1, executive_clinicians=0,
                                   non_executive_members=1, non_executive_clinicians=0),
            by=lead_a,
        )  # fmt: skip
    with pytest.raises(ValidationError):
        board_snapshot_save(
            snapshot=BoardSnapshot(trust=trust_a, recorded_on=datetime.date(2025, 1, 1),
                                   executive_members=1, executive_clinicians=0),
            by=lead_a,
        )  # fmt: skip


def test_the_database_holds_the_split_to_the_totals(trust_a):
    with pytest.raises(IntegrityError):
        BoardSnapshot.objects.create(
            trust=trust_a, recorded_on=datetime.date(2025, 1, 1), members=10, clinician_members=3,
            executive_members=5, executive_clinicians=1, non_executive_members=4,
            non_executive_clinicians=2,
        )  # fmt: skip


def test_the_clinician_share_over_time_per_trust(trust_a, trust_b, django_assert_num_queries):
    for day, members, clinicians in ((2024, 10, 2), (2025, 12, 6), (2026, 0, 0)):
        BoardSnapshotFactory(
            trust=trust_a, recorded_on=datetime.date(day, 4, 1), members=members,
            clinician_members=clinicians,
        )  # fmt: skip
    BoardSnapshotFactory(trust=trust_b, members=8, clinician_members=4)
    with django_assert_num_queries(1):
        rows = list(board_clinician_share([trust_a.pk]))
    assert [(r["recorded_on"].year, r["clinician_share"]) for r in rows] == [
        (2024, pytest.approx(0.2)),
        (2025, pytest.approx(0.5)),
        (2026, None),  # an empty board: no share, not a division by zero
    ]
    assert len(board_clinician_share()) == 4
