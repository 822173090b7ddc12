"""What makes a programme's list of open cohorts change, for the caches that hold it.

A programme page lists the cohorts open for enrolment and the places left in each
(cms.selectors.open_cohorts_for_programme), and the anonymous page cache (cms.page_cache)
keeps that page. The list changes in two ways, and each has its answer here:

- by something happening: an enrolment, a withdrawal, a cohort created, edited or cancelled.
  The service that does it calls ``cohort_listing_changed(programme_page_id)``, which bumps
  that programme's version after the transaction commits: its cached page goes stale, no
  other programme's does (nothing flushes the whole site).
- by time passing: an enrolment window opens or closes. ``cohort_listing_changes_at``
  says when the next such moment is, and no cached copy outlives it.

programmes never imports cms: the CMS reads these (cms may import programmes), and refers to
programmes by the page's id alone.
"""

import datetime

from django.db.models import Min, Q
from django.utils import timezone

from core.cache_versions import CacheVersion

from .models import Cohort, CohortStatus


def cohort_listing_version(programme_page_id: int) -> CacheVersion:
    """The version of one programme's cohort listing; anything cached from it records
    ``.current()`` and is stale once that changes."""
    return CacheVersion(f"tandem:cohort-listing:{programme_page_id}:version")


def cohort_listing_changed(programme_page_id: int) -> None:
    """Call whenever what the programme's cohort listing shows changes (an enrolment, a
    withdrawal, a cohort's dates, capacity or status), inside the transaction that changes
    it: the bump happens on commit, so no reader caches the old list under the new version."""
    cohort_listing_version(programme_page_id).bump()


def cohort_listing_changes_at(programme_page_id: int) -> datetime.datetime | None:
    """The next moment the programme's cohort listing changes by itself (an enrolment window
    of one of its published cohorts opens or closes), or None if none is due.

    One query: the earliest future opening and the earliest future closing, aggregated."""
    now = timezone.now()
    times = Cohort.objects.filter(
        programme__page_id=programme_page_id, status=CohortStatus.PUBLISHED
    ).aggregate(
        opens=Min("enrolment_opens_at", filter=Q(enrolment_opens_at__gt=now)),
        closes=Min("enrolment_closes_at", filter=Q(enrolment_closes_at__gt=now)),
    )
    due = [moment for moment in times.values() if moment is not None]
    return min(due) if due else None
