"""A participant's own data: ask for a copy, watch it being prepared, download it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

import audit
from people.permissions import get_visible_or_404

from . import registry, services
from .models import SubjectAccessRequest, SubjectAccessStatus
from .retention import retention_days

RECENT_REQUESTS = 5


def _own_request_or_404(request, public_id) -> SubjectAccessRequest:
    """The signed-in person's own request, or 404. Someone else's is refused with a 404 too
    (so its existence is not confirmed), and the attempt is audited."""
    try:
        return get_visible_or_404(
            request.user, SubjectAccessRequest.objects.select_related("person"), public_id=public_id
        )
    except Http404:
        sar = (
            SubjectAccessRequest.objects.select_related("person")
            .filter(public_id=public_id)
            .first()
        )
        if sar is None:
            raise
        audit.record(
            action=audit.Action.REFUSED,
            actor=request.user,
            request=request,
            target=sar,
            subject=sar.person,
            detail={"view": "subject access download"},
        )
        raise


def _status_message(sar: SubjectAccessRequest) -> str:
    if sar.status == SubjectAccessStatus.READY:
        return "Your data is ready to download."
    if sar.status == SubjectAccessStatus.FAILED:
        return "Something went wrong preparing your data. Please ask again."
    if sar.is_stalled:
        return "This is taking longer than it should. Ask again to restart it."
    if sar.status == SubjectAccessStatus.PENDING:
        return "Your request is waiting to start."
    return f"Your data is being prepared: {sar.progress}% done."


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def my_data(request):
    if request.method == "POST":
        _, created = services.sar_request(person=request.user, request=request)
        if created:
            messages.success(request, "Thank you. We are preparing a copy of your data.")
        else:
            messages.info(request, "Your earlier request is still being prepared.")
        # Post/redirect/get: reloading the page does not ask again.
        return redirect("privacy:my_data")
    requests = list(
        SubjectAccessRequest.objects.filter(person=request.user).order_by("-created_at", "-id")[
            :RECENT_REQUESTS
        ]
    )
    latest = requests[0] if requests else None
    return render(
        request,
        "privacy/my_data.html",
        {
            "latest": latest,
            "latest_message": _status_message(latest) if latest else "",
            "earlier": requests[1:],
            "may_request": latest is None or not latest.is_active or latest.is_stalled,
            "sources": registry.sources(),
            "archive_days": retention_days("subject_access_archive_days"),
            "now": timezone.now(),
        },
    )


@never_cache
@login_required
@require_GET
def my_data_status(request, public_id):
    """JSON for the progress bar's script (privacy/static/privacy/my-data.js)."""
    sar = _own_request_or_404(request, public_id)
    return JsonResponse(
        {
            "status": sar.status,
            "progress": sar.progress,
            "message": _status_message(sar),
            "finished": not sar.is_active or sar.is_stalled,
        }
    )


@never_cache
@login_required
@require_GET
def my_data_download(request, public_id):
    sar = _own_request_or_404(request, public_id)
    if not sar.is_downloadable:
        raise Http404("This archive has expired or is not ready.")
    audit.record(
        action=audit.Action.SUBJECT_ACCESS_DOWNLOADED,
        actor=request.user,
        request=request,
        target=sar,
        subject=request.user,
    )
    # never_cache (above) marks it no-store/private, so no shared cache keeps a copy.
    return FileResponse(
        sar.file.open("rb"),
        as_attachment=True,
        filename=f"tandem-my-data-{timezone.localtime(sar.finished_at):%Y-%m-%d}.zip",
        content_type="application/zip",
    )
