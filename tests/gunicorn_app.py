"""The WSGI application tests/live_gunicorn.py serves with gunicorn: Tandem's own (Django's
WSGI handler with the test settings), in another process, so the test can only reach it as a
browser would, over HTTP.

Two switches let a race test and its control differ only by the cohort's row lock, as
tests/programmes/test_concurrency.py does in-process with monkeypatch:

- ``TANDEM_TEST_SEAT_COUNT_DELAY`` (seconds, read from the environment at start-up): the
  enrolment services sleep after counting the seated people, widening the window between the
  count and the write; with ``TANDEM_TEST_SEAT_COUNT_DELAY_WHEN_LEFT=n``, only when the count
  finds 1 to n seats left, the last seats, where a race would overbook. (Under the lock every
  sleep holds up the whole queue, so slowing all of a hundred requests would cost the test a
  hundred sleeps.)
- the request header ``X-Tandem-Test-Without-Row-Locks: 1``: ``select_for_update`` does
  nothing while this request is served (the control). A header rather than a second server,
  so one server (about 15 s to start on a busy 2-core machine) serves a test and its control.

Only tests start this; production serves config.wsgi, and nothing else imports this module.
"""

import os
import threading
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

from django.core.wsgi import get_wsgi_application

django_application = get_wsgi_application()
_this_request = threading.local()  # gthread workers serve one request per thread at a time


def application(environ, start_response):
    _this_request.without_row_locks = environ.get("HTTP_X_TANDEM_TEST_WITHOUT_ROW_LOCKS") == "1"
    try:
        # Django's responses are complete when its handler returns (Tandem streams none).
        return django_application(environ, start_response)
    finally:
        _this_request.without_row_locks = False


def _widen_the_seat_count_window(seconds: float, *, when_left: int | None) -> None:
    from programmes.services import enrolments

    count = enrolments.cohort_seats

    def slow_count(*args, **kwargs):
        seats = count(*args, **kwargs)
        if when_left is None or 0 < seats.left <= when_left:
            time.sleep(seconds)
        return seats

    # The services call cohort_seats from their own module, so that is where to widen it.
    enrolments.cohort_seats = slow_count


def _row_locks_switchable_per_request() -> None:
    from django.db.models import QuerySet

    select_for_update = QuerySet.select_for_update

    def maybe_select_for_update(self, *args, **kwargs):
        if getattr(_this_request, "without_row_locks", False):
            return self
        return select_for_update(self, *args, **kwargs)

    QuerySet.select_for_update = maybe_select_for_update


if delay := float(os.environ.get("TANDEM_TEST_SEAT_COUNT_DELAY") or 0):
    when_left = os.environ.get("TANDEM_TEST_SEAT_COUNT_DELAY_WHEN_LEFT")
    _widen_the_seat_count_window(delay, when_left=int(when_left) if when_left else None)
_row_locks_switchable_per_request()

# gunicorn --preload loads this in the master before forking: no worker may inherit a socket.
from django.db import connections  # noqa: E402

connections.close_all()
