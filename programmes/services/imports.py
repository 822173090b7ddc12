"""Importing participants and their enrolments from a CSV or XLSX file: a host trust's
programme administrator's list of people, each row one person in one cohort.

The shape is the invitation import's (accounts.services.invitees_check / invitees_import)
and so are the limits: the file is read row by row within bounds fixed before it is opened
(people.spreadsheets), **the check lists every bad row with its reason and writes
nothing**, and **the import checks again and writes everything in one transaction or
nothing**. Each row is checked as the import will write it: a new person's account is
validated by the model's own rules, and the outcome the check predicts (enrolled,
waitlisted, waiting for sponsor approval) is the seats as they are now, taken in file order.

What a row may do, for an administrator `by` of trust A:

- a **new person** (no account at that address) gets an account in the row's trust, which
  must be one `by` may put people in (people.permissions.assignable_trusts), made through
  people.services.person_save, and an invitation to set their password, emailed after
  commit through the outbox (accounts.services.account_invitation_create);
- an **existing account** is enrolled as it is: the file never changes it (the columns
  other than email, trust code and cohort are not used), and its trust must be the one the
  row gives. It may be of any trust: anyone may enrol in a published cohort, so an
  administrator may enrol another trust's person in a cohort their own trust hosts;
- the **cohort** must be one `by` may change (their trusts' hosted cohorts; any for a
  superuser); any other id is an "unknown cohort", whether or not it exists.

Enrolments are made by programmes.services.enrolment_create (by=the administrator), one row
after another, so capacity, the joint mix and the waiting list hold exactly as they do for
people enrolling themselves; ``outside_window`` lets an administrator enrol people in a
published cohort before its enrolment opens or after it closes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import Invitation
from accounts.services import account_invitation_create
from people.models import (
    CLINICAL_GROUPS,
    REGISTRATION_BODY_FOR_GROUP,
    AccessGrant,
    ProfessionalGroup,
    Trust,
    User,
)
from people.permissions import assignable_trusts
from people.services import person_save
from people.validators import normalise_code

from ..models import SEATED, Cohort, CohortStatus, Enrolment, EnrolmentStatus
from ..permissions import importable_cohorts
from .enrolments import EnrolmentError, enrolment_create
from .import_file import (
    COHORT_ID,
    COLUMNS,
    FileRefused,
    ImportCheck,
    ImportRow,
    group_value,
    read_rows,
)

IMPORT_REASON = "Imported from a file by a programme administrator."

# --- checking ---------------------------------------------------------------------------------

_LABELS = {
    "email": "email address",
    "first_name": "first name",
    "last_name": "last name",
    "job_title": "job title",
    "registration_number": "registration number",
    "professional_group": "professional group",
}


def _problems(error: ValidationError) -> list[str]:
    """Validation errors as sentences a person fixing a spreadsheet can act on."""
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    problems = []
    for name, errors in error.error_dict.items():
        label = _LABELS.get(name, name.replace("_", " "))
        for item in errors:
            if name == "email" and item.code in ("invalid", "blank"):
                continue  # already said, in the words the check uses
            if item.code == "max_length":
                params = item.params or {}
                problems.append(
                    f"The {label} is too long: at most {params.get('limit_value')} characters "
                    f"(it has {params.get('show_value')})."
                )
            elif item.code is None or name == "__all__":
                problems.extend(item.messages)  # the model's own refusals are sentences
            else:
                problems.extend(f"{label[0].upper()}{label[1:]}: {m}" for m in item.messages)
    return problems


def _new_person(row: ImportRow, trust: Trust | None, group: str) -> User:
    number = normalise_code(row.registration_number)
    return User(
        email=row.email,
        first_name=row.first_name,
        last_name=row.last_name,
        trust=trust,
        professional_group=group,
        job_title=row.job_title,
        registration_body=REGISTRATION_BODY_FOR_GROUP.get(group, "") if number else "",
        registration_number=number,
    )


def _missing_profile(person: User) -> list[str]:
    """User.missing_profile_fields, without its queries (grants, permissions) for the usual
    case of a profile that has everything a participant gives."""
    complete = person.first_name and person.last_name and person.professional_group
    if complete and person.job_title and (person.registration_number or not person.is_clinical):
        return []
    return person.missing_profile_fields


@dataclass
class _World:
    """What the rows refer to, read for the whole file in a fixed number of queries."""

    cohorts: dict[int, Cohort]
    trusts: dict[str, Trust]
    assignable: set[int]
    accounts: dict[str, User]
    invited: set[str]
    enrolled: set[tuple[int, int]]  # (person, cohort) holding a live enrolment
    registrations: set[tuple[str, str]]  # (register, number) some account already has
    seated: dict[int, dict]

    @classmethod
    def read(cls, rows: list[ImportRow], by) -> _World:
        emails = {row.email for row in rows if row.email}
        ids = {int(m.group(1)) for row in rows if (m := COHORT_ID.match(row.cohort))}
        cohorts = importable_cohorts(by).filter(pk__in=ids).select_related("programme")
        cohorts = {cohort.pk: cohort for cohort in cohorts}
        codes = {normalise_code(row.trust_code) for row in rows} - {""}
        trusts = {trust.ods_code: trust for trust in Trust.objects.filter(ods_code__in=codes)}
        assignable = set(
            assignable_trusts(by, User)
            .filter(pk__in=[trust.pk for trust in trusts.values()])
            .values_list("pk", flat=True)
        )
        accounts = {
            person.email.lower(): person
            for person in User.objects.annotate(email_lower=Lower("email")).filter(
                email_lower__in=emails
            )
        }
        invited = set(
            Invitation.objects.pending()
            .annotate(email_lower=Lower("email"))
            .filter(email_lower__in=emails - set(accounts))
            .values_list("email_lower", flat=True)
        )
        enrolled = set(
            Enrolment.objects.live()
            .filter(person__in=list(accounts.values()), cohort_id__in=list(cohorts))
            .values_list("person_id", "cohort_id")
        )
        numbers = {normalise_code(row.registration_number) for row in rows} - {""}
        registrations = set(
            User.objects.filter(registration_number__in=numbers).values_list(
                "registration_body", "registration_number"
            )
        )
        seated = {
            counts["cohort_id"]: counts
            for counts in Enrolment.objects.filter(cohort_id__in=list(cohorts), status__in=SEATED)
            .values("cohort_id")
            .annotate(
                clinicians=Count("pk", filter=Q(professional_group__in=CLINICAL_GROUPS)),
                managers=Count("pk", filter=~Q(professional_group__in=CLINICAL_GROUPS)),
            )
        }
        return cls(cohorts, trusts, assignable, accounts, invited, enrolled, registrations, seated)


def _sponsor_of(row: ImportRow, person: User | None) -> tuple[str, str]:
    """The sponsor the row gives, or else an existing account's own (from its profile)."""
    if row.sponsor_name or row.sponsor_email or person is None:
        return row.sponsor_name.strip(), row.sponsor_email.strip().lower()
    return person.sponsor_name.strip(), person.sponsor_email.strip().lower()


def _sponsor_problem(row: ImportRow, person: User | None, cohort: Cohort) -> str | None:
    """enrolment_create's sponsor rule (clean_sponsor), in words for the one fixing the file."""
    name, email = _sponsor_of(row, person)
    if not name or not email:
        return (
            f"Cohort {cohort.pk} needs each person's sponsor to approve their place: give the "
            "sponsor name and sponsor email columns (their line manager, or the supervising "
            "consultant of a doctor in training)."
        )
    try:
        validate_email(email)
    except ValidationError:
        return "The sponsor email is not a valid email address."
    if len(name) > 200 or len(email) > 254:
        return "The sponsor's name or email address is too long (200 and 254 characters at most)."
    if email == row.email:
        return "The sponsor cannot be the person themselves."
    return None


def _cohort_problem(row: ImportRow, world: _World, today) -> tuple[Cohort | None, str | None]:
    if not row.cohort:
        return None, "The cohort is missing: give the cohort's id."
    match = COHORT_ID.match(row.cohort)
    cohort = world.cohorts.get(int(match.group(1))) if match else None
    if cohort is None:
        # The same words whether or not another trust has such a cohort.
        return None, (
            f"Unknown cohort “{row.cohort}”. Give the id of a cohort your trust hosts "
            "(they are listed on the import page)."
        )
    row.cohort_label = f"{cohort.pk}: {cohort}"
    if cohort.status == CohortStatus.DRAFT:
        return None, f"Cohort {cohort.pk} is a draft: publish it before enrolling people."
    if cohort.status == CohortStatus.CANCELLED:
        return None, f"Cohort {cohort.pk} has been cancelled."
    if cohort.ends_on < today:
        return None, f"Cohort {cohort.pk} ended on {date_format(cohort.ends_on, 'j F Y')}."
    return cohort, None


def _existing_problems(person: User, trust: Trust | None) -> list[str]:
    problems = []
    if trust is not None and person.trust_id != trust.pk:
        problems.append(
            "This person already has a Tandem account, with another trust than "
            f"{trust.ods_code}. The import does not move people between trusts: correct the "
            "trust code, or leave the row out."
        )
    if not person.is_active:
        problems.append("This account is not active.")
    elif missing := _missing_profile(person):
        fields = ", ".join(_LABELS.get(name, name).replace("_", " ") for name in missing)
        problems.append(
            f"Their profile is not complete (missing: {fields}). They are asked for it when "
            "they next sign in; enrol them once it is complete."
        )
    return problems


def _new_person_problems(row, trust, group, world, registrations_seen) -> list[str]:
    problems = []
    if trust is not None and trust.pk not in world.assignable:
        problems.append(
            f"You can add people only to a trust you administer, and {trust.ods_code} is not "
            "one of them."
        )
    if row.email in world.invited:
        problems.append(
            "This person already has an invitation waiting. Once they have accepted it, "
            "import them again."
        )
    if not row.first_name or not row.last_name:
        problems.append("First and last name are both needed.")
    if not row.job_title:
        problems.append("The job title is missing.")
    if group is None:
        return problems  # the group decides what else the account needs
    if row.registration_number and group not in CLINICAL_GROUPS:
        problems.append(
            "Only clinicians give a registration number: leave it blank for management and "
            "administration staff."
        )
        return problems
    candidate = _new_person(row, trust, group)
    try:
        candidate.full_clean(
            exclude=["password", "trust"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        problems.extend(problem for problem in _problems(error) if problem not in problems)
    registration = (candidate.registration_body, candidate.registration_number)
    if candidate.registration_number:
        if registration in world.registrations:
            problems.append("Another person already has this registration number.")
        elif registration in registrations_seen:
            problems.append(
                f"The same registration number is also on row {registrations_seen[registration]}."
            )
        registrations_seen.setdefault(registration, row.number)
    return problems


def _identity(row: ImportRow) -> tuple:
    return (
        row.first_name,
        row.last_name,
        normalise_code(row.trust_code),
        group_value(row.professional_group),
        row.job_title,
        normalise_code(row.registration_number),
    )


def _check(rows: list[ImportRow], by) -> ImportCheck:
    for row in rows:
        row.email = row.email.lower()  # addresses are case-insensitive (UserManager)
    world = _World.read(rows, by)
    now = timezone.now()
    today = timezone.localdate(now)
    pairs, new_people, registrations_seen = {}, {}, {}
    clinical = {}
    for row in rows:
        row.errors, row.outcome, row.new_account, row.same_person_as = [], "", False, None
        errors = row.errors
        if not row.email:
            errors.append("The email address is missing.")
        else:
            try:
                validate_email(row.email)
            except ValidationError:
                errors.append("This is not a valid email address.")
        cohort, problem = _cohort_problem(row, world, today)
        if problem:
            errors.append(problem)
        trust = None
        if not row.trust_code:
            errors.append("The trust code is missing.")
        elif (trust := world.trusts.get(normalise_code(row.trust_code))) is None:
            errors.append(f"Unknown trust code “{row.trust_code}”.")
        if row.email and cohort is not None:
            if (row.email, cohort.pk) in pairs:
                errors.append(
                    f"The same person and cohort are also on row {pairs[(row.email, cohort.pk)]}."
                )
            pairs.setdefault((row.email, cohort.pk), row.number)
        person = world.accounts.get(row.email)
        needs_sponsor = cohort is not None and cohort.requires_sponsor_approval
        if needs_sponsor and (problem := _sponsor_problem(row, person, cohort)):
            errors.append(problem)
        if person is not None:
            errors.extend(_existing_problems(person, trust))
            if cohort is not None and (person.pk, cohort.pk) in world.enrolled:
                errors.append("This person already has a place or an application in this cohort.")
            clinical[row.number] = person.is_clinical
            continue
        row.new_account = True
        group = group_value(row.professional_group)
        if not row.professional_group:
            errors.append("The professional group is missing.")
        elif group is None:
            errors.append(
                f"Unknown professional group “{row.professional_group}”. Use one of: "
                + ", ".join(ProfessionalGroup.labels)
                + "."
            )
        clinical[row.number] = group in CLINICAL_GROUPS
        if row.email in new_people:  # the same new person again, in another cohort
            first = new_people[row.email]
            row.same_person_as = first.number
            if _identity(row) != _identity(first):
                errors.append(
                    f"Row {first.number} gives other details for this person: give the same "
                    "name, trust code, professional group, job title and registration number "
                    "on each of their rows."
                )
            continue
        if row.email:
            new_people[row.email] = row
        errors.extend(_new_person_problems(row, trust, group, world, registrations_seen))
    _predict(rows, world, clinical, now)
    return ImportCheck(rows=rows)


def _predict(rows, world: _World, clinical: dict, now) -> None:
    """What enrolment_create will do with each good row, in file order, from the seats taken
    now (the import may still differ if people enrol meanwhile: it says what it did)."""
    seats = {
        cohort.pk: cohort.seats_from(
            clinicians=world.seated.get(cohort.pk, {}).get("clinicians", 0),
            managers=world.seated.get(cohort.pk, {}).get("managers", 0),
            now=now,
        )
        for cohort in world.cohorts.values()
    }
    for row in rows:
        if row.errors:
            continue
        cohort = world.cohorts[int(COHORT_ID.match(row.cohort).group(1))]
        if cohort.requires_sponsor_approval:
            row.outcome = EnrolmentStatus.PENDING_APPROVAL
        elif seats[cohort.pk].fits(clinical=clinical[row.number]):
            row.outcome = EnrolmentStatus.ENROLLED
            seats[cohort.pk] = seats[cohort.pk].seat(clinical=clinical[row.number])
        else:
            row.outcome = EnrolmentStatus.WAITLISTED


def enrolments_import_check(*, by, uploaded=None, rows: list[dict] | None = None) -> ImportCheck:
    """Check every row of `uploaded` (or of `rows`, the cells of a file checked before:
    ImportCheck.cells) and say what is wrong with each, or what would happen to it; writes
    nothing. Reads the rows' cohorts, trusts, accounts, invitations, enrolments and seats in
    a fixed number of queries, whatever the number of rows."""
    try:
        parsed = [ImportRow(**cells) for cells in rows] if rows is not None else read_rows(uploaded)
    except FileRefused as refusal:
        return ImportCheck(rows=[], file_errors=[refusal.message])
    except TypeError:  # cells kept by an older version of this module
        return ImportCheck(rows=[], file_errors=["Upload the file again."])
    if not parsed:
        return ImportCheck(rows=[], file_errors=["The file has a header but no people."])
    return _check(parsed, by)


# --- importing --------------------------------------------------------------------------------


class _ImportRefused(Exception):
    pass


def _import_row(row: ImportRow, *, by, accounts: dict[str, User], cohorts, trusts) -> None:
    person = accounts.get(row.email)
    if person is None:
        trust = trusts[normalise_code(row.trust_code)]
        person = _new_person(row, trust, group_value(row.professional_group))
        person_save(person=person, by=by)
        person._grants = []  # a new account holds no access role: enrolling need not ask
        account_invitation_create(person=person, invited_by=by)
        accounts[row.email] = person
    cohort = cohorts[int(COHORT_ID.match(row.cohort).group(1))]
    sponsor_name, sponsor_email = (
        _sponsor_of(row, person) if cohort.requires_sponsor_approval else ("", "")
    )
    enrolment = enrolment_create(
        person=person,
        cohort=cohort,
        by=by,
        reason=IMPORT_REASON,
        sponsor_name=sponsor_name,
        sponsor_email=sponsor_email,
        outside_window=True,
    )
    row.outcome = enrolment.status


def enrolments_import(*, by, uploaded=None, rows: list[dict] | None = None) -> ImportCheck:
    """Import every row, or none: checks again (the world may have changed since the check
    the administrator saw), then, only if every row is good, creates the new accounts and
    their invitations and enrols everyone, in file order, in one transaction. A row refused
    while writing (someone took the address a moment ago) rolls everything back, no email is
    sent, and the row says why. `check.imported` says whether it was written."""
    check = enrolments_import_check(by=by, uploaded=uploaded, rows=rows)
    if not check.ok:
        return check
    emails = {row.email for row in check.rows}
    accounts = {
        person.email.lower(): person
        for person in User.objects.annotate(email_lower=Lower("email")).filter(
            email_lower__in=emails
        )
    }
    ids = {int(COHORT_ID.match(row.cohort).group(1)) for row in check.rows}
    cohorts = importable_cohorts(by).filter(pk__in=ids).select_related("programme").in_bulk()
    codes = {normalise_code(row.trust_code) for row in check.rows}
    trusts = {trust.ods_code: trust for trust in Trust.objects.filter(ods_code__in=codes)}
    _prefetch_grants(accounts.values())
    try:
        with transaction.atomic():
            for row in check.rows:
                try:
                    _import_row(row, by=by, accounts=accounts, cohorts=cohorts, trusts=trusts)
                except (ValidationError, PermissionDenied, EnrolmentError, IntegrityError) as error:
                    if isinstance(error, ValidationError):
                        row.errors.extend(_problems(error))
                    elif isinstance(error, IntegrityError):
                        row.errors.append("Someone changed this person or cohort meanwhile.")
                    else:
                        row.errors.append(str(error))
                    raise _ImportRefused from error
    except _ImportRefused:
        for row in check.rows:
            row.outcome = ""  # nothing was written
        return check
    check.imported = True
    return check


def _prefetch_grants(people) -> None:
    """Load the access grants of the existing accounts in one query (enrolment_create asks
    each person's profile, which asks their roles), rather than one per row."""
    people = list(people)
    grants = {person.pk: [] for person in people}
    for person_id, role, trust_id, region_id in AccessGrant.objects.filter(
        person__in=people
    ).values_list("person_id", "role", "trust_id", "region_id"):
        grants[person_id].append((role, trust_id, region_id))
    for person in people:
        person._grants = grants[person.pk]


__all__ = [
    "COLUMNS",
    "ImportCheck",
    "ImportRow",
    "enrolments_import",
    "enrolments_import_check",
]
