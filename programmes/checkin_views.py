"""Self check-in and the facilitator's live view of it, under /learn/ (programmes/urls.py).

- ``/learn/check-in/``: a participant types the code on the screen, or scans the QR code,
  which opens this page with ``?code=`` filled in. A GET only shows the form (a link preview
  or a prefetching browser must not check anyone in); the "Check in" button POSTs it to
  programmes.services.checkin. Refusals are form errors (200); too many wrong codes is a 429
  with Retry-After.
- ``/learn/facilitate/sessions/<id>/live/``: for those who may take the session's register:
  the code and QR code to show at the door, whether check-in is open, and who has arrived.
  The list part is also served alone at ``…/live/checked-in/``, which the page polls every
  5 seconds with htmx; without JavaScript the page has a Refresh link instead.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_http_methods

from . import services
from .checkin_qr import checkin_address, checkin_qr_svg
from .live_checkin import live_register
from .models import Mark, MarkSource, Session, normalise_checkin_code
from .models.sessions import CODE_ALPHABET, CODE_LENGTH
from .permissions import register_sessions

# htmx stops polling when a poll is answered with this status (htmx's documented "stop
# polling" code): the fragment sends it once the session is over, so a forgotten tab stops.
HTMX_STOP_POLLING = 286
# The longest code a person could mean to type ("abc-def" with spaces around): anything longer
# is refused by the form, not looked up.
TYPED_CODE_MAX = 20


def _private(response):
    """Personal data: never stored by a shared cache, nor kept by the browser for back/forward."""
    patch_cache_control(response, private=True, no_store=True)
    return response


class CheckInForm(forms.Form):
    code = forms.CharField(
        label="Check-in code",
        max_length=TYPED_CODE_MAX,
        help_text="The 6 letters and numbers on the screen, for example ABC-123.",
        error_messages={
            "required": "Enter the check-in code shown on the screen.",
            "max_length": "The check-in code is 6 letters and numbers, for example ABC-123.",
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autocorrect": "off",
                "spellcheck": "false",
                "inputmode": "text",
                "class": "checkin-code-input",
            }
        ),
    )

    def clean_code(self) -> str:
        # A mistyped length or a character no code has is the form's to refuse: it is not a
        # guess at a code, so it does not count against the person's attempts.
        code = normalise_checkin_code(self.cleaned_data["code"])
        if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
            raise forms.ValidationError(
                "The check-in code is 6 letters and numbers, for example ABC-123. Check it "
                "against the screen."
            )
        return code


def _outcome(result: services.CheckIn) -> dict:
    """What the page says after a check-in: the heading, the sentence, and whether it is the
    good news it looks like (a register mark of absent or excused is not)."""
    session, attendance = result.session, result.attendance
    local = timezone.localtime
    if not result.already:
        when = local(attendance.checked_in_at)
        late = " You are marked as late." if attendance.mark == Mark.LATE else ""
        return {
            "heading": "You're checked in",
            "text": f"You're checked in to {session.title} at {when:%H:%M}.{late}",
            "ok": True,
        }
    if attendance.source == MarkSource.CHECK_IN:
        when = local(attendance.checked_in_at or attendance.marked_at)
        return {
            "heading": "You're already checked in",
            "text": f"You were already checked in to {session.title} at {when:%H:%M}.",
            "ok": True,
        }
    mark = attendance.get_mark_display().lower()
    if attendance.mark in (Mark.ABSENT, Mark.EXCUSED):
        return {
            "heading": "The register already has a mark for you",
            "text": f"The facilitator has marked you as {mark} for {session.title}. If you are "
            "here, tell the facilitator, who can change it on the register.",
            "ok": False,
        }
    return {
        "heading": "You're already on the register",
        "text": f"The facilitator has already marked you as {mark} for {session.title}.",
        "ok": True,
    }


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request):
    status = 200
    retry_after = None
    outcome = None
    if request.method == "POST":
        form = CheckInForm(request.POST)
        if form.is_valid():
            try:
                result = services.checkin(person=request.user, code=form.cleaned_data["code"])
            except services.CheckInRefused as refusal:
                form.add_error("code", str(refusal))
                if refusal.retry_after:
                    status, retry_after = 429, refusal.retry_after
            else:
                outcome = _outcome(result)
    else:
        # The QR code's link: the code is typed in for them, and nothing is written until
        # they press the button.
        typed = request.GET.get("code", "")[:TYPED_CODE_MAX]
        form = CheckInForm(initial={"code": typed})
    response = render(
        request, "programmes/checkin.html", {"form": form, "outcome": outcome}, status=status
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return _private(response)


def _session_for_register(request, session_id: int) -> Session:
    """The session, if the person may take its register (the scope may_take_register asks);
    404 for everyone else, participants included, so no session is confirmed to exist."""
    session = (
        register_sessions(request.user)
        .filter(pk=session_id)
        .select_related("cohort__programme")
        .first()
    )
    if session is None:
        raise Http404("No such session.")
    return session


@login_required
@require_GET
def session_live(request, session_id: int):
    session = _session_for_register(request, session_id)
    context = {
        "session": session,
        "board": live_register(session),
        "qr_svg": checkin_qr_svg(session),
        "checkin_address": checkin_address(),
    }
    return _private(render(request, "programmes/session_live.html", context))


@login_required
@require_GET
def session_live_fragment(request, session_id: int):
    session = _session_for_register(request, session_id)
    board = live_register(session)
    over = board.has_ended or session.is_cancelled
    # Only htmx's poll is told to stop: a person opening the address gets a plain 200.
    status = HTMX_STOP_POLLING if over and request.headers.get("HX-Request") else 200
    response = render(
        request, "programmes/_session_live_list.html", {"board": board}, status=status
    )
    return _private(response)
