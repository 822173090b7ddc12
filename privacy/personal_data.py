"""Privacy's own data about a person: their subject access requests.

The eraser deletes their archives (a ZIP of everything about an erased person must not
outlive the erasure) and the requests themselves.
"""

from django.utils import timezone

# The data of the apps below privacy (people, accounts, audit) is declared here, since they
# import no feature app; each feature app declares its own in its personal_data.py.
from . import accounts_data, audit_data, people_data, services  # noqa: F401
from .models import SubjectAccessRequest
from .registry import register_source


def _local(value):
    return timezone.localtime(value).isoformat() if value else None


def export_subject_access_requests(person) -> list[dict]:
    return [
        {
            "requested_at": _local(sar.created_at),
            "status": sar.get_status_display(),
            "finished_at": _local(sar.finished_at),
            "available_until": _local(sar.expires_at),
        }
        for sar in SubjectAccessRequest.objects.filter(person=person).order_by("created_at")
    ]


def erase_subject_access_requests(person, *, by, reason) -> None:
    for sar in SubjectAccessRequest.objects.filter(person=person):
        services.sar_delete(sar)


register_source(
    "subject_access_requests",
    label="Your requests for a copy of your data",
    exporter=export_subject_access_requests,
    eraser=erase_subject_access_requests,
)
