"""What the programmes app holds about a person, for subject access and erasure (found by
privacy's autodiscovery: privacy.registry).

Erasure keeps what reports count — each enrolment's cohort, status, dates, and the trust and
professional group it recorded, and the baseline survey's two scale answers, which the
programme's effect is measured by — and deletes what the person or others wrote about them
(goals, their current role as they typed it, their sponsor's name and email and the secret
of the sponsor's link, the reasons given in the history). Live enrolments in cohorts still
running are
withdrawn, so no seat stays held for someone who can no longer sign in; facilitation of
cohorts ends.
"""

from django.db.models import Q
from django.utils import timezone

from privacy.registry import register_source

from . import services
from .models import CohortFacilitator, Enrolment, EnrolmentEvent, PairApplication, PairStatus


def _local(value):
    return timezone.localtime(value).isoformat() if value else None


# Every model of this app that points at a person, and the source that exports and erases it
# (tests/programmes/test_personal_data.py checks that none is missing).
PERSON_LINKED_MODELS = {
    Enrolment: "enrolments",
    EnrolmentEvent: "enrolment_history",
    CohortFacilitator: "cohorts_facilitated",
    PairApplication: "pair_applications",
}


def export_enrolments(person) -> list[dict]:
    enrolments = Enrolment.objects.filter(person=person).select_related(
        "cohort__programme", "cohort__host_trust", "trust"
    )
    return [
        {
            "programme": enrolment.cohort.programme.title,
            "cohort": enrolment.cohort.name,
            "host_trust": enrolment.cohort.host_trust.name,
            "cohort_starts_on": enrolment.cohort.starts_on,
            "cohort_ends_on": enrolment.cohort.ends_on,
            "status": enrolment.get_status_display(),
            "your_trust_when_you_applied": enrolment.trust.name if enrolment.trust else "",
            "your_professional_group_when_you_applied": enrolment.get_professional_group_display(),
            "goals": enrolment.goals,
            "how_you_saw_the_relationship": enrolment.get_baseline_relationship_display() or "",
            "how_you_expected_it_to_change": enrolment.get_baseline_outlook_display() or "",
            "your_current_role_when_you_applied": enrolment.baseline_current_role,
            "sponsor_name": enrolment.sponsor_name,
            "sponsor_email": enrolment.sponsor_email,
            "sponsor_asked_at": _local(enrolment.sponsor_requested_at),
            "applied_at": _local(enrolment.created_at),
            "status_changed_at": _local(enrolment.status_changed_at),
        }
        for enrolment in enrolments.order_by("created_at", "pk")
    ]


def export_enrolment_history(person) -> list[dict]:
    """The history of their own enrolments. Who made each change is said as "you", "Tandem"
    or "Tandem staff" / "your sponsor", never another person's name."""
    history = EnrolmentEvent.objects.filter(enrolment__person=person).select_related(
        "enrolment__cohort"
    )
    rows = []
    for event in history.order_by("at", "pk"):
        if event.by_id == person.pk:
            by = "you"
        elif event.by_id is None:
            by = "your sponsor" if event.action in ("approve", "decline") else "Tandem"
        else:
            by = "Tandem staff"
        rows.append(
            {
                "cohort": event.enrolment.cohort.name,
                "what": event.get_action_display(),
                "from_status": event.get_from_status_display() if event.from_status else "",
                "to_status": event.get_to_status_display(),
                "by": by,
                "at": _local(event.at),
                "reason": event.reason,
                "emailed_at": _local(event.notified_at),
            }
        )
    return rows


def export_cohorts_facilitated(person) -> list[dict]:
    links = CohortFacilitator.objects.filter(person=person).select_related("cohort__programme")
    return [
        {
            "programme": link.cohort.programme.title,
            "cohort": link.cohort.name,
            "since": _local(link.added_at),
        }
        for link in links.order_by("added_at", "pk")
    ]


def _pair_applications_of(person):
    condition = Q(inviter=person) | Q(invitee=person)
    if person.email:
        condition |= Q(invitee_email__iexact=person.email)
    return PairApplication.objects.filter(condition)


def export_pair_applications(person) -> list[dict]:
    """Invitations to apply together that they sent or received. The other person is named
    as the invitation names them (that is what the person saw), nothing more."""
    rows = []
    applications = _pair_applications_of(person).select_related("cohort", "inviter")
    for application in applications.order_by("invited_at", "pk"):
        sent = application.inviter_id == person.pk
        rows.append(
            {
                "cohort": application.cohort.name,
                "you": "invited a colleague" if sent else "were invited",
                "colleague": application.invitee_email
                if sent
                else application.inviter.get_full_name(),
                "status": application.get_status_display(),
                "message": application.message,
                "reason": application.reason,
                "your_answers_kept_until_accepted": application.inviter_answers if sent else {},
                "invited_at": _local(application.invited_at),
                "answered_at": _local(application.answered_at),
            }
        )
    return rows


def erase_pair_applications(person, *, by, reason) -> None:
    """Open invitations they sent or received are cancelled; what either side wrote, the
    kept answers and the address they were invited at are cleared. An accepted application
    stays (the two enrolments, and later their pairing, point at it), without the text."""
    applications = _pair_applications_of(person)
    applications.filter(status=PairStatus.INVITED).update(
        status=PairStatus.CANCELLED, answered_at=timezone.now()
    )
    applications.update(message="", reason="", inviter_answers={})
    applications.filter(Q(invitee=person) | Q(invitee_email__iexact=person.email or "-")).update(
        invitee_email=""
    )


def erase_enrolments(person, *, by, reason) -> None:
    # Free text first, so the withdrawal's own fixed reason is the only one left.
    # The sponsor's link stops working too: its secret goes with the sponsor.
    Enrolment.objects.filter(person=person).update(
        goals="", baseline_current_role="", sponsor_name="", sponsor_email="", sponsor_nonce=""
    )
    EnrolmentEvent.objects.filter(enrolment__person=person).exclude(reason="").update(reason="")
    services.enrolments_withdraw_for_erasure(person=person, by=by)


def erase_facilitation(person, *, by, reason) -> None:
    CohortFacilitator.objects.filter(person=person).delete()


register_source(
    "enrolments", label="Your enrolments", exporter=export_enrolments, eraser=erase_enrolments
)
# Erased with the enrolments (erase_enrolments clears the reasons): the history's statuses
# and dates are what reports count.
register_source(
    "enrolment_history", label="The history of your enrolments", exporter=export_enrolment_history
)
register_source(
    "pair_applications",
    label="Invitations to apply together",
    exporter=export_pair_applications,
    eraser=erase_pair_applications,
)
register_source(
    "cohorts_facilitated",
    label="Cohorts you facilitate",
    exporter=export_cohorts_facilitated,
    eraser=erase_facilitation,
)
