"""The register of a session, for its facilitators and the host trust's administrators, and
the list of sessions a person takes registers for ("Sessions I run", /learn/facilitate/).

The register is one form for the whole session, built for a phone at the end of a workshop:
one row per person with five large choices and an optional note, "Mark everyone present"
(which fills the form, unsaved, so the facilitator adjusts the few who were not, then saves)
and one Save, which programmes.services.register_save writes in one transaction. Anyone
else gets a 404, so a session's existence is not confirmed to them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods

from . import services
from .models import AttendanceChange, Enrolment, Mark, Session
from .permissions import attendance_report_cohorts, register_sessions
from .selectors import register_entries


@dataclass
class Row:
    enrolment: Enrolment
    mark: str  # what the form shows chosen ("" for none)
    note: str
    saved_mark: str  # what is recorded ("" for nothing yet)
    source: str
    expected: bool  # False: they got their place after the session ended
    error: str = ""

    @property
    def field(self) -> str:
        return f"mark-{self.enrolment.pk}"

    @property
    def note_field(self) -> str:
        return f"note-{self.enrolment.pk}"


def _session_for(user, session_id: int) -> Session:
    session = (
        register_sessions(user)
        .select_related("cohort__programme", "cohort__host_trust")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise Http404("No such session.")
    return session


def _rows(session: Session) -> list[Row]:
    """Everyone on the register with what is recorded for them: two queries (the people,
    their marks)."""
    return [
        Row(
            enrolment=enrolment,
            mark=mark.mark if mark else "",
            note=mark.note if mark else "",
            saved_mark=mark.mark if mark else "",
            source=mark.source if mark else "",
            expected=enrolment.seated_before(session.ends_at),
        )
        for enrolment, mark in register_entries(session)
    ]


def _read_post(rows: list[Row], data) -> tuple[dict[int, tuple[str, str]], list[str]]:
    """The marks posted (rows left blank are not sent to the service: nothing to record)
    and the problems the form itself can see."""
    marks, problems = {}, []
    for row in rows:
        if not row.expected:
            continue
        row.mark = data.get(row.field, "")
        row.note = data.get(row.note_field, "").strip()
        # The note's length and characters are the service's to check (register_save).
        if row.note and not row.mark:
            row.error = "Choose a mark for this person, or clear the note."
        if row.error:
            problems.append(row)
        elif row.mark:
            marks[row.enrolment.pk] = (row.mark, row.note)
    return marks, problems


@login_required
@require_http_methods(["GET", "POST"])
def register(request, session_id: int):
    session = _session_for(request.user, session_id)
    rows = _rows(session)
    problems: list[Row] = []
    notice = ""
    before_window = timezone.now() < session.checkin_opens_at
    if request.method == "POST":
        if "all_present" in request.POST and not before_window:
            _read_post(rows, request.POST)
            for row in rows:
                if row.expected and not row.mark:
                    row.mark = Mark.PRESENT
            notice = (
                "Everyone not yet marked is now marked present on this form. Change anyone "
                "who was not, then save: nothing is saved until you do."
            )
        else:
            marks, problems = _read_post(rows, request.POST)
            if not problems:
                try:
                    result = services.register_save(session=session, marks=marks, by=request.user)
                except PermissionDenied:
                    raise Http404("No such session.") from None
                except ValidationError as error:
                    by_id = {str(row.enrolment.pk): row for row in rows}
                    for key, messages_ in error.message_dict.items():
                        if key in by_id:
                            by_id[key].error = " ".join(messages_)
                            problems.append(by_id[key])
                        else:
                            notice = " ".join(messages_)
                    if not problems and not notice:
                        notice = "The register could not be saved."
                else:
                    messages.success(
                        request,
                        f"Register saved: {result.created} marked, {result.changed} changed, "
                        f"{result.unchanged} unchanged.",
                    )
                    return redirect("programmes:session_register", session_id=session.pk)
    changes = (
        AttendanceChange.objects.filter(attendance__session=session)
        .select_related("attendance__enrolment__person", "by")
        .order_by("-at", "-pk")[:50]
    )
    response = render(
        request,
        "programmes/register.html",
        {
            "session": session,
            "cohort": session.cohort,
            "rows": rows,
            # Before the session only an apology can be recorded: offer only that.
            "marks": [(Mark.EXCUSED.value, Mark.EXCUSED.label)] if before_window else Mark.choices,
            "problems": problems,
            "notice": notice,
            "changes": changes,
            "counts": _counts(rows),
            "before_window": before_window,
        },
        status=400 if problems else 200,
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


def _counts(rows: list[Row]) -> dict[str, int]:
    counts = {value: 0 for value, _label in Mark.choices}
    for row in rows:
        if row.saved_mark:
            counts[row.saved_mark] += 1
    counts["unmarked"] = sum(1 for row in rows if row.expected and not row.saved_mark)
    return counts


@login_required
def facilitate(request):
    """The sessions whose registers the signed-in person takes: today's and the next ones
    first, then the last few weeks'. Two queries for the lists."""
    now = timezone.now()
    sessions = register_sessions(request.user).select_related("cohort__programme")
    upcoming = list(sessions.filter(ends_at__gt=now).order_by("starts_at", "pk")[:30])
    recent = list(
        sessions.filter(ends_at__lte=now, ends_at__gt=now - timezone.timedelta(days=42)).order_by(
            "-starts_at", "-pk"
        )[:30]
    )
    if not upcoming and not recent and not sessions.exists():
        raise Http404("You do not run any sessions.")
    today = timezone.localdate(now)
    # Whose whole attendance they see (a session's own facilitator sees its register only):
    # one query, so each card links only where the link leads somewhere.
    shown = {s.cohort_id for s in (*upcoming, *recent)}
    reportable = set(
        attendance_report_cohorts(request.user).filter(pk__in=shown).values_list("pk", flat=True)
    )
    response = render(
        request,
        "programmes/facilitate.html",
        {
            "reportable": reportable,
            "today": [s for s in upcoming if timezone.localdate(s.starts_at) == today],
            "upcoming": [s for s in upcoming if timezone.localdate(s.starts_at) != today],
            "recent": recent,
        },
    )
    patch_cache_control(response, private=True, no_cache=True)
    return response
