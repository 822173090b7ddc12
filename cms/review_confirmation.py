"""What a content reviewer is told when they approve a page.

Wagtail approves silently: from the dashboard's "Awaiting your review" the page just leaves the
list, and from the editor the message is "Page … has been updated". A reviewer should know the
approval took and what happens next: published now, or going live at the scheduled time, or
(in a workflow of several steps) waiting for the next step.
"""

from django.contrib import messages
from django.utils import timezone
from django.utils.dateformat import format as format_date
from wagtail.signals import task_approved

from core.csp import current_request


def approval_message(task_state) -> str:
    workflow_state = task_state.workflow_state
    title = workflow_state.content_object.get_admin_display_title()
    if workflow_state.status != workflow_state.STATUS_APPROVED:
        next_task = workflow_state.current_task_state
        step = f": it now waits for {next_task.task.name}" if next_task else ""
        return f"You approved '{title}' at this step{step}."
    revision = type(task_state.revision).objects.get(pk=task_state.revision_id)
    go_live = revision.approved_go_live_at
    if go_live and go_live > timezone.now():
        when = format_date(timezone.localtime(go_live), "j F Y \\a\\t H:i")
        return f"You approved '{title}'. It will go live on {when}."
    return f"You approved '{title}'. It is now published."


def confirm_approval(sender, instance, user, **kwargs):
    request = current_request()
    # Only to the reviewer whose request approved it (never, say, a command's run).
    if request is None or getattr(request, "user", None) != user:
        return
    messages.success(request, approval_message(instance))


def connect() -> None:
    task_approved.connect(confirm_approval, dispatch_uid="cms_confirm_approval")
