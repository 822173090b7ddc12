"""Check-ins per second through the running server, for `manage.py bench_http`.

A crowd at the door: ``CROWD`` people enrolled in a cohort whose session is open for check-in,
each already signed in (a session saved in the throwaway site's store, as a sign-in would
leave it) and holding a CSRF cookie. ``connections`` client threads then POST
``/learn/check-in/`` with the session's code, each request for the next person who has not
checked in, for ``duration`` seconds: every request is a real first check-in (the person's
row lock, one Attendance row, the re-evaluation queued through the outbox), answered 200.
The figure is check-ins per second, reported beside hello-world's requests per second from
the same gunicorn, so the ratio reads like the pages' ones.

The client is Python (a check-in is a POST with cookies, which wrk's command line cannot vary
per request); at tens of check-ins a second it is nowhere near its own limit of about 1,100
requests a second, so the figure is the server's.
"""

from __future__ import annotations

import http.client
import itertools
import json
import threading
import time
from urllib.parse import urlencode

CROWD = 1500  # more than any run on this machine checks in, so each request is a first one
OK_TEXT = b"checked in to"

# Run in the throwaway site (manage.py shell -c): the crowd, their sessions, the code.
SETUP = """
import datetime, json, secrets
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from people.models import ProfessionalGroup, Trust, User
from programmes.models import Cohort, CohortStatus, Enrolment, Programme, Session

crowd = {crowd}
trust = Trust.objects.order_by("pk").first()
now = timezone.now()
programme = Programme.objects.create(title="Bench check-in", slug="bench-check-in")
cohort = Cohort.objects.create(
    programme=programme, name="The door", host_trust=trust,
    starts_on=timezone.localdate(), ends_on=timezone.localdate() + datetime.timedelta(days=30),
    enrolment_opens_at=now - datetime.timedelta(days=30),
    enrolment_closes_at=now - datetime.timedelta(days=1),
    capacity=crowd, status=CohortStatus.PUBLISHED,
)
password = make_password(None)
people = User.objects.bulk_create(
    User(email=f"door.{{n}}@bench.tandem.example", password=password, first_name="Door",
         last_name=str(n), trust=trust, professional_group=ProfessionalGroup.MANAGEMENT,
         job_title="Service manager")
    for n in range(crowd)
)
Enrolment.objects.bulk_create(
    Enrolment(person=p, cohort=cohort, status="enrolled", trust=trust,
              professional_group=p.professional_group, seated_at=now - datetime.timedelta(days=2))
    for p in people
)
session = Session.objects.create(
    cohort=cohort, title="Bench workshop", kind="workshop",
    starts_at=now - datetime.timedelta(minutes=2), ends_at=now + datetime.timedelta(hours=3),
    place="Education Centre",
)
store = import_module(settings.SESSION_ENGINE).SessionStore
keys = []
for person in people:
    s = store()
    s[SESSION_KEY] = str(person.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = person.get_session_auth_hash()
    s.save()
    keys.append(s.session_key)
print(json.dumps({{"code": session.checkin_code, "keys": keys,
                  "session_cookie": settings.SESSION_COOKIE_NAME,
                  "csrf_cookie": settings.CSRF_COOKIE_NAME}}))
"""


def prepare(run_manage, env) -> dict:
    """Make the crowd in the throwaway site; returns the code, session keys and cookie names."""
    out = run_manage(env, "shell", "-c", SETUP.format(crowd=CROWD))
    return json.loads(out.strip().splitlines()[-1])


def check_ins_per_second(port: int, crowd: dict, *, duration: float, connections: int) -> float:
    """POST check-ins for distinct people from ``connections`` threads for ``duration`` s."""
    people = iter(crowd["keys"])
    lock = threading.Lock()
    done, failures = [0], []
    stop_at = time.monotonic() + duration
    csrf = "b" * 32  # a CSRF secret sent as the cookie and the form field, as a script would
    body_for = {"code": crowd["code"], "csrfmiddlewaretoken": csrf}

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop_at:
            with lock:
                key = next(people, None)
            if key is None:
                failures.append("the crowd ran out: raise CROWD")
                return
            cookie = f"{crowd['session_cookie']}={key}; {crowd['csrf_cookie']}={csrf}"
            conn.request(
                "POST",
                "/learn/check-in/",
                body=urlencode(body_for),
                headers={
                    "Host": "127.0.0.1",
                    "Cookie": cookie,
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
            response = conn.getresponse()
            page = response.read()
            if response.status != 200 or OK_TEXT not in page:
                failures.append(f"{response.status}: {page[:200]!r}")
                return
            with lock:
                done[0] += 1
        conn.close()

    start = time.monotonic()
    threads = [threading.Thread(target=client) for _ in itertools.repeat(None, connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    if failures:
        raise RuntimeError(f"a check-in failed: {failures[0]}")
    return done[0] / elapsed
