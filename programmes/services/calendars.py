"""A participant's private calendar feed (programmes.models.CalendarFeed) and what it lists.

The feed's address carries a random token because calendar apps cannot sign in; whoever
holds the address sees the owner's sessions, so the owner can replace it, and the old
address stops working the moment the new token is saved (the feed view looks the token up
on every fetch; nothing caches it).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from people.models import User

from ..models import SEATED, CalendarFeed, Enrolment, Session
from ..models.attendance import new_feed_token

# How far back a feed reaches: a term's past sessions stay in the calendar, older ones
# drop out of the feed (the apps keep what they already have or drop it, as they choose).
FEED_PAST = datetime.timedelta(days=60)


def calendar_feed_get_or_create(*, person: User) -> CalendarFeed:
    """The person's feed, made on first asking. Two first visits at once make one feed (the
    person is unique on the table; get_or_create retries the read after a clash)."""
    with transaction.atomic():
        feed, _ = CalendarFeed.objects.get_or_create(person=person)
    return feed


def calendar_feed_replace(*, person: User) -> CalendarFeed:
    """Give the person's feed a new token: the old address stops working at once."""
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(person=person).first()
        if feed is None:
            return CalendarFeed.objects.create(person=person)
        feed.token = new_feed_token()
        feed.created_at = timezone.now()
        feed.save(update_fields=["token", "created_at"])
    return feed


def feed_sessions(person: User, *, now: datetime.datetime | None = None) -> QuerySet:
    """The sessions a person's feed lists: every session, cancelled ones included, of the
    cohorts where they hold a place (enrolled, completed or not completed), from FEED_PAST
    ago on. One query. A subset of what ``sessions_visible_to(person)`` allows: a person
    sees the cohorts they are enrolled in."""
    now = now or timezone.now()
    cohorts = Enrolment.objects.filter(person=person, status__in=SEATED).values("cohort_id")
    return (
        Session.objects.filter(cohort_id__in=cohorts, ends_at__gte=now - FEED_PAST)
        .select_related("cohort__programme")
        .order_by("starts_at", "pk")
    )
