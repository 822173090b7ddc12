"""REST API benchmarks for `make bench`: paging through 10,000 attendance marks.

- ``api-attendance-pages``: one cohort of 100 people with 100 held sessions, every person
  marked at every session (10,000 marks, bulk_create), seen by the host trust's programme
  administrator through a personal API token (``Authorization: Bearer …``). Every page of
  ``GET /api/v1/attendance/?page_size=100`` is walked by its ``next`` links, counting each
  page's queries: cursor pagination has no COUNT and no OFFSET, so every page must cost the
  same (the first may have one more: the token's ``last_used_at``, written at most once a
  minute). Then one page of 100 from the middle of the walk is timed against a plain
  hello-world view through the same test client, URLconf and middleware, taking turns
  (``measure_alternating``), and the ratio of their requests per second is noted.

The hello view is ``bench.http_urls.hello``, the baseline of ``manage.py bench_http``, served
in-process here (ROOT_URLCONF is bench.http_urls: the site's URLs plus /bench/hello/). The
rate limit stays on, raised so the timed requests are never refused: its cache round trip is
part of every API request's cost.
"""

import datetime

from bench.runner import benchmark

from .attendance import _administrator
from .programmes import _cohort, _people, _trust

PEOPLE, SESSIONS, PAGE = 100, 100, 100
MARKS = ("present", "present", "late", "present", "absent", "present", "excused", "left_early")


def _marked_cohort(ods_code: str, *, people: int, sessions: int):
    """A cohort of ``people`` seated participants, ``sessions`` held sessions and a mark for
    each person at each session; returns its host trust."""
    from django.utils import timezone

    from programmes.models import Attendance, Enrolment, Programme, Session

    now = timezone.now()
    trust = _trust(ods_code)
    programme = Programme.objects.create(title="Bench API", slug=f"bench-api-{ods_code.lower()}")
    cohort = _cohort(programme, trust, name=f"{people * sessions:,} marks", capacity=people)
    first = now - datetime.timedelta(days=sessions + 1)
    held = Session.objects.bulk_create(
        Session(
            cohort=cohort,
            title=f"Workshop {n + 1}",
            kind="workshop",
            starts_at=first + datetime.timedelta(days=n),
            ends_at=first + datetime.timedelta(days=n, hours=3),
            place="Education Centre",
        )
        for n in range(sessions)
    )
    seated = first - datetime.timedelta(days=30)
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(
            person=person,
            cohort=cohort,
            status="enrolled",
            trust=trust,
            professional_group=person.professional_group,
            seated_at=seated,
        )
        for person in _people(trust, people, prefix=f"api.{ods_code.lower()}")
    )
    Attendance.objects.bulk_create(
        (
            Attendance(
                session=session,
                enrolment=enrolment,
                mark=MARKS[(p + s) % len(MARKS)],
                source="register",
                marked_at=session.ends_at,
            )
            for p, enrolment in enumerate(enrolments)
            for s, session in enumerate(held)
        ),
        batch_size=1000,
    )
    return trust


def _token(person) -> str:
    from django.utils import timezone

    from api.services import api_token_create

    _, token = api_token_create(
        owner=person,
        name="Bench",
        scope="read",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    return token


def walk_pages(client, url: str, connection) -> list[tuple[str, int, int]]:
    """Every page from ``url`` by its ``next`` links: (page's url, marks on it, queries)."""
    from django.test.utils import CaptureQueriesContext

    pages = []
    while url:
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        if response.status_code != 200:
            raise AssertionError(f"GET {url} answered {response.status_code}")
        body = response.json()
        pages.append((url, len(body["results"]), len(captured.captured_queries)))
        url = body["next"]
    return pages


def attendance_pages_body(
    ctx, *, people=PEOPLE, sessions=SESSIONS, page_size=PAGE, ods_code="RBX"
) -> list[int]:
    """The benchmark's work, for ``make bench`` and (with fewer marks) its test; returns the
    queries of each page."""
    from django.test import override_settings

    from programmes.models import Attendance

    with override_settings(ROOT_URLCONF="bench.http_urls", API_RATE_LIMIT="1000000/minute"):
        trust = _marked_cohort(ods_code, people=people, sessions=sessions)
        admin = _administrator(trust)
        marks = Attendance.objects.filter(session__cohort__host_trust=trust).count()
        if marks != people * sessions:
            raise AssertionError(f"seeded {marks} marks, expected {people * sessions}")
        api = ctx.client(HTTP_AUTHORIZATION=f"Bearer {_token(admin)}")

        pages = walk_pages(api, f"/api/v1/attendance/?page_size={page_size}", ctx.connection)
        seen = sum(n for _, n, _ in pages)
        if seen != marks or any(n != page_size for _, n, _ in pages[:-1]):
            raise AssertionError(f"the pages held {seen} marks of {marks}")
        per_page = [q for _, _, q in pages]
        first, rest = per_page[0], set(per_page[1:]) or {per_page[0]}
        # Constant: every page after the first alike, the first the same or one more.
        constant = len(rest) == 1 and first - min(rest) in (0, 1)
        extra = " (one more: the token's last_used_at)" if first == min(rest) + 1 else ""
        ctx.note(
            f"walked {len(pages)} pages of {page_size} ({seen:,} marks) by their next links: "
            f"{first} queries on the first page{extra}, "
            f"{'/'.join(map(str, sorted(rest)))} on each of the others — "
            f"{'constant' if constant else 'NOT constant'}"
        )
        if not constant:
            raise AssertionError(f"queries per page vary: {per_page}")

        middle = pages[len(pages) // 2][0]
        hello = ctx.client()

        def page():
            response = api.get(middle)
            if response.status_code != 200 or len(response.json()["results"]) != page_size:
                raise AssertionError(f"GET {middle} answered {response.status_code}")

        def hello_world():
            if hello.get("/bench/hello/").content != b"Hello, world":
                raise AssertionError("/bench/hello/ did not say hello")

        timed = ctx.measure_alternating({f"page-of-{page_size}": page, "hello": hello_world})
        page_ms, hello_ms = timed[f"page-of-{page_size}"].median_ms, timed["hello"].median_ms
        ctx.note(
            f"a page of {page_size}: {1000 / page_ms:,.0f} requests/s, hello "
            f"{1000 / hello_ms:,.0f} requests/s — {hello_ms / page_ms:.3f}x hello's rate "
            "(medians, test client)"
        )
        return per_page


@benchmark("api-attendance-pages", group="api")
def attendance_pages(ctx):
    """GET /api/v1/attendance/ page by page over 10,000 marks with a token: queries per page
    (constant) and a page of 100 against the hello-world view."""
    attendance_pages_body(ctx)
