"""Register benchmarks for `make bench`: the register page of a session with 200 people and
with 20 (render time, and a query count that must not grow with the headcount), and saving a
whole 200-person register through the page, every mark changed on each save (one
transaction: a created or changed row costs its own write, but nothing is read per row)."""

import datetime

from bench.runner import benchmark

from .programmes import _people, _trust

MARKS = ("present", "late", "left_early", "absent", "excused")


def _session_with(size: int, *, code: str):
    """A held session of a cohort with ``size`` people holding a place, its facilitator, and
    every one of them marked present."""
    from django.utils import timezone

    from people.access import AccessRole
    from people.services import access_grant_create
    from programmes.models import (
        Attendance,
        Cohort,
        CohortFacilitator,
        CohortStatus,
        Enrolment,
        Programme,
        Session,
    )

    trust = _trust(code)
    programme = Programme.objects.create(title=f"Registers {code}", slug=f"bench-registers-{code}")
    now = timezone.now()
    cohort = Cohort.objects.create(
        programme=programme,
        name=f"{size} people",
        host_trust=trust,
        starts_on=timezone.localdate() - datetime.timedelta(days=30),
        ends_on=timezone.localdate() + datetime.timedelta(days=150),
        enrolment_opens_at=now - datetime.timedelta(days=60),
        enrolment_closes_at=now - datetime.timedelta(days=31),
        capacity=size,
        status=CohortStatus.PUBLISHED,
    )
    facilitator, *people = _people(trust, size + 1, prefix=f"register{code}")
    access_grant_create(person=facilitator, role=AccessRole.FACILITATOR, by=None)
    CohortFacilitator.objects.create(cohort=cohort, person=facilitator)
    seated_at = now - datetime.timedelta(days=40)
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(
            person=person,
            cohort=cohort,
            status="enrolled",
            trust=trust,
            professional_group=person.professional_group,
            seated_at=seated_at,
        )
        for person in people
    )
    start = now - datetime.timedelta(hours=3)
    session = Session.objects.create(
        cohort=cohort,
        title="Reading a directorate budget",
        kind="workshop",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place="Education Centre",
    )
    Attendance.objects.bulk_create(
        Attendance(session=session, enrolment=e, mark="present", source="register")
        for e in enrolments
    )
    return session, facilitator, enrolments


def _render(ctx, size: int, code: str):
    session, facilitator, _ = _session_with(size, code=code)
    url = f"/learn/facilitate/sessions/{session.pk}/register/"

    def check(response):
        rows = response.content.count(b'class="register-row"')
        if rows != size:
            raise AssertionError(f"the register showed {rows} people, expected {size}")

    ctx.measure_request(ctx.client(user=facilitator), url, check=check)


@benchmark("register-render-20", group="registers")
def register_render_20(ctx):
    """The register page of a 20-person session."""
    _render(ctx, 20, "RR2")


@benchmark("register-render-200", group="registers")
def register_render_200(ctx):
    """The register page of a 200-person session: as many queries as with 20 (the people
    on the register, their marks, the changes are one query each)."""
    _render(ctx, 200, "RR3")


@benchmark("register-save-200", group="registers")
def register_save_200(ctx):
    """Saving a 200-person register through the page, every mark different from the last
    save's (200 changes and their history rows in one transaction), then the redirect."""
    session, facilitator, enrolments = _session_with(200, code="RS2")
    client = ctx.client(user=facilitator)
    url = f"/learn/facilitate/sessions/{session.pk}/register/"
    rounds = iter(range(1, 10_000))

    def save():
        offset = next(rounds)
        data = {f"mark-{e.pk}": MARKS[(i + offset) % len(MARKS)] for i, e in enumerate(enrolments)}
        response = client.post(url, data)
        if response.status_code != 302:
            raise AssertionError(f"the register was not saved: {response.status_code}")

    ctx.measure(save)
