"""Applying as a pair (PRODUCT.md §3): a clinician invites a manager colleague to a cohort, or
the reverse, and the two are enrolled together or waitlisted together.

Nothing is enrolled until the colleague accepts: the inviter's answers wait on the
``PairApplication``. Acceptance then makes both enrolments in one transaction under the
cohort's row lock (the locking of programmes.services.enrolments): both seated if a seat fits
each, else both on the waiting list at the same moment, so the queue reaches them together;
in a cohort that needs sponsor approval, both wait for their sponsors. From then on the
enrolment services keep them together (a waiting pair is promoted together or not at all).
Either may still withdraw alone; the other keeps their place.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from people.models import User

from ..models import Cohort, Enrolment, PairApplication, PairStatus, is_clinical_group
from .enrolments import (
    AlreadyEnrolled,
    EnrolmentError,
    NotAllowed,
    ProfileIncomplete,
    Status,
    _listing_changed,
    _lock_cohort,
    _refuse_to_enrol,
    _save_new_enrolment,
    clean_sponsor,
    cohort_seats,
    remember_sponsor,
    seats_fit,
)

# What the enrolment form asks (programmes.forms.EnrolForm), kept for the inviter until the
# colleague accepts.
ANSWER_FIELDS = (
    "goals",
    "baseline_relationship",
    "baseline_outlook",
    "current_role",
    "sponsor_name",
    "sponsor_email",
)


class PairRefused(EnrolmentError):
    pass


def _answers(answers: dict) -> dict:
    unknown = set(answers) - set(ANSWER_FIELDS)
    if unknown:
        raise ValueError(f"Unknown answers: {sorted(unknown)}")
    return {
        name: answers.get(name) for name in ANSWER_FIELDS if answers.get(name) not in (None, "")
    }


def _check_pair(inviter: User, colleague: User) -> None:
    """The two must be on opposite sides of the joint mix."""
    if is_clinical_group(inviter.professional_group) == is_clinical_group(
        colleague.professional_group
    ):
        raise PairRefused(
            f"A pair is one clinician and one manager: {inviter.get_full_name()} and "
            f"{colleague.get_full_name()} are both "
            f"{'clinicians' if is_clinical_group(inviter.professional_group) else 'managers'}."
        )


def pair_invite(
    *,
    inviter: User,
    cohort: Cohort,
    invitee_email: str,
    answers: dict,
    message: str = "",
) -> PairApplication:
    """``inviter`` asks the colleague at ``invitee_email`` to apply with them; the colleague
    is emailed (through the outbox, after commit). ``answers`` are the inviter's enrolment
    answers (ANSWER_FIELDS). Refused, with nothing written, when the inviter could not enrol
    (closed window, incomplete profile, already applied) or the colleague, if they have an
    account, is on the same side or already applied."""
    email = (invitee_email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise PairRefused("Enter your colleague's email address, like name@nhs.net.") from None
    if email == (inviter.email or "").lower():
        raise PairRefused("Name a colleague, not yourself.")
    answers = _answers(answers)
    if cohort.requires_sponsor_approval:  # the rule of enrolment_create, for each of the two
        answers["sponsor_name"], answers["sponsor_email"] = clean_sponsor(
            inviter, name=answers.get("sponsor_name", ""), email=answers.get("sponsor_email", "")
        )
    with transaction.atomic():
        cohort = _lock_cohort(cohort.pk)
        now = timezone.now()
        _refuse_to_enrol(inviter, cohort, now)
        if Enrolment.objects.live().filter(person=inviter, cohort=cohort).exists():
            raise AlreadyEnrolled("You already have a place or an application in this cohort.")
        if PairApplication.objects.open().filter(inviter=inviter, cohort=cohort).exists():
            raise PairRefused(
                "You have already invited a colleague to this cohort: cancel that invitation "
                "in My learning first."
            )
        colleague = User.objects.filter(email__iexact=email).first()
        if colleague is not None:
            # Said only about someone the inviter names by address: that they have an account
            # is told by the reason, which is as much as a colleague's email already says.
            if colleague.professional_group:
                _check_pair(inviter, colleague)
            if Enrolment.objects.live().filter(person=colleague, cohort=cohort).exists():
                raise AlreadyEnrolled(
                    "Your colleague has already applied for this cohort, so you cannot apply "
                    "together."
                )
        try:
            with transaction.atomic():
                application = PairApplication.objects.create(
                    cohort=cohort,
                    inviter=inviter,
                    invitee_email=email,
                    inviter_answers=answers,
                    message=(message or "").strip()[:1000],
                    invited_at=now,
                )
        except IntegrityError:
            raise PairRefused("You have already invited a colleague to this cohort.") from None
        from ..tasks import send_pair_invitation  # tasks import services: imported on use

        send_pair_invitation.delay(application.pk)
    return application


def _locked_application(application: PairApplication) -> tuple[Cohort, PairApplication]:
    cohort = _lock_cohort(application.cohort_id)
    fresh = PairApplication.objects.select_related("inviter").get(pk=application.pk)
    fresh.cohort = cohort
    return cohort, fresh


def _refuse_unless_open(application: PairApplication) -> None:
    if application.status == PairStatus.ACCEPTED:
        raise PairRefused("This invitation has already been accepted.")
    if application.status == PairStatus.DECLINED:
        raise PairRefused("This invitation was declined.")
    if application.status == PairStatus.CANCELLED:
        raise PairRefused(f"{application.inviter.get_full_name()} cancelled this invitation.")


def _refuse_unless_addressed_to(application: PairApplication, person: User) -> None:
    if (person.email or "").lower() != application.invitee_email:
        raise NotAllowed("This invitation was sent to someone else.")


def pair_accept(*, application: PairApplication, person: User, answers: dict):
    """The colleague accepts: both enrolments are made together (see the module docstring).
    Returns (the inviter's enrolment, the colleague's)."""
    answers = _answers(answers)
    if application.cohort.requires_sponsor_approval:
        answers["sponsor_name"], answers["sponsor_email"] = clean_sponsor(
            person, name=answers.get("sponsor_name", ""), email=answers.get("sponsor_email", "")
        )
    with transaction.atomic():
        cohort, application = _locked_application(application)
        now = timezone.now()
        _refuse_unless_addressed_to(application, person)
        _refuse_unless_open(application)
        inviter = application.inviter
        _refuse_to_enrol(person, cohort, now)
        try:
            _refuse_to_enrol(inviter, cohort, now)
        except ProfileIncomplete as error:
            raise PairRefused(
                f"{inviter.get_full_name()} cannot enrol now ({error}): ask them to check "
                "their profile."
            ) from None
        _check_pair(inviter, person)
        if Enrolment.objects.live().filter(person=person, cohort=cohort).exists():
            raise AlreadyEnrolled("You already have a place or an application in this cohort.")
        if Enrolment.objects.live().filter(person=inviter, cohort=cohort).exists():
            raise PairRefused(
                f"{inviter.get_full_name()} has since applied for this cohort on their own, "
                "so you cannot apply together: you can still enrol on your own."
            )
        if cohort.requires_sponsor_approval:
            status = Status.PENDING_APPROVAL
            for who, given in ((inviter, application.inviter_answers), (person, answers)):
                if not given.get("sponsor_email"):
                    raise ProfileIncomplete(
                        f"This cohort needs a sponsor's approval: {who.get_full_name()} must "
                        "name their sponsor."
                    )
        else:
            seats = cohort_seats(cohort, now=now)
            both = seats_fit(seats, inviter.is_clinical, person.is_clinical)
            status = Status.ENROLLED if both else Status.WAITLISTED
        reason = "Applied as a pair with {}."
        first = _save_new_enrolment(
            person=inviter,
            cohort=cohort,
            status=status,
            by=inviter,
            reason=reason.format(person.get_full_name()),
            now=now,
            pair=application,
            **_enrolment_kwargs(application.inviter_answers),
        )
        second = _save_new_enrolment(
            person=person,
            cohort=cohort,
            status=status,
            by=person,
            reason=reason.format(inviter.get_full_name()),
            now=now,
            pair=application,
            **_enrolment_kwargs(answers),
        )
        for who, enrolment in ((inviter, first), (person, second)):
            if enrolment.sponsor_email:  # kept on each one's profile, as enrolment_create does
                remember_sponsor(who, name=enrolment.sponsor_name, email=enrolment.sponsor_email)
        application.status = PairStatus.ACCEPTED
        application.invitee = person
        application.answered_at = now
        application.inviter_answers = {}  # now on the inviter's enrolment
        application.save(update_fields=["status", "invitee", "answered_at", "inviter_answers"])
        _listing_changed(cohort)
    return first, second


def _enrolment_kwargs(answers: dict) -> dict:
    return {name: answers[name] for name in ANSWER_FIELDS if name in answers}


def pair_decline(
    *, application: PairApplication, person: User, reason: str = ""
) -> PairApplication:
    """The colleague declines; the inviter is told by email and may enrol on their own."""
    with transaction.atomic():
        _cohort, application = _locked_application(application)
        _refuse_unless_addressed_to(application, person)
        _refuse_unless_open(application)
        application.status = PairStatus.DECLINED
        application.invitee = person
        application.answered_at = timezone.now()
        application.reason = (reason or "").strip()[:1000]
        application.inviter_answers = {}
        application.save(
            update_fields=["status", "invitee", "answered_at", "reason", "inviter_answers"]
        )
        from ..tasks import send_pair_declined

        send_pair_declined.delay(application.pk)
    return application


def pair_cancel(*, application: PairApplication, by: User, reason: str = "") -> PairApplication:
    """The inviter withdraws the invitation before it is answered."""
    with transaction.atomic():
        _cohort, application = _locked_application(application)
        if by.pk != application.inviter_id:
            raise NotAllowed("Only the person who sent this invitation can cancel it.")
        _refuse_unless_open(application)
        application.status = PairStatus.CANCELLED
        application.answered_at = timezone.now()
        application.reason = (reason or "").strip()[:1000]
        application.inviter_answers = {}
        application.save(update_fields=["status", "answered_at", "reason", "inviter_answers"])
    return application
