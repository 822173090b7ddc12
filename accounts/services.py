"""Account writes: sign-up's trust, invitations, sessions. Each is one transaction."""

import csv
import io
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from people.models import Trust, User

from .models import Invitation, UserSession

INVITATION_SALT = "tandem.accounts.invitation"


# --- sessions ---------------------------------------------------------------------------------


def sessions_end_for(user) -> int:
    """End every session of `user` server-side (sign-out everywhere, deactivation, erasure).
    Returns how many were ended.

    With our store (accounts.sessions, SESSION_ENGINE's default here) that is one indexed
    query. Were SESSION_ENGINE set to Django's plain database store, every live session is
    decoded instead. Cache or cookie sessions cannot be listed, but they end anyway: a changed
    password changes the session's auth hash, and an inactive account is refused on its next
    request.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        return 0
    model = store.get_model_class()
    if model is UserSession:
        deleted, _ = UserSession.objects.filter(user_id=user.pk).delete()
        return deleted
    session_keys = [
        session.session_key
        for session in model.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    deleted, _ = model.objects.filter(session_key__in=session_keys).delete()
    return deleted


# --- sign-up by trust domain ------------------------------------------------------------------


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower() if "@" in email else ""


def trusts_for_email(email: str):
    """Open trusts that registered the email's domain (nhs.net may match several)."""
    return Trust.objects.open().filter(email_domains__domain=email_domain(email)).distinct()


class SignupRefused(ValidationError):
    pass


def signup_trust(*, email: str, chosen: Trust | None) -> Trust:
    """The trust a self sign-up joins, or a refusal a person can act on."""
    trusts = list(trusts_for_email(email))
    domain = email_domain(email)
    if not trusts:
        raise SignupRefused(
            f"Tandem is not open to @{domain} addresses. Sign up with your work email address "
            "(one your trust has registered), or ask your programme administrator for an "
            "invitation."
        )
    if chosen is not None:
        if chosen not in trusts:
            raise SignupRefused(
                f"{chosen.name} has not registered @{domain} addresses. Choose your own trust."
            )
        return chosen
    if len(trusts) > 1:
        raise SignupRefused(f"Several trusts use @{domain} addresses: choose yours.")
    return trusts[0]


# --- invitations ------------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return signing.TimestampSigner(salt=INVITATION_SALT).sign(f"{invitation.pk}:{invitation.nonce}")


def invitation_link(invitation: Invitation) -> str:
    path = reverse("accounts:invitation_accept", args=[invitation_token(invitation)])
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{path}"


class InvitationInvalid(Exception):
    """The link is tampered with, expired, used or revoked. One message for all, so a link
    reveals nothing about other people's invitations."""

    message = "This invitation link is not valid. It may have expired or already been used."


def invitation_from_token(token: str) -> Invitation:
    max_age = timedelta(days=settings.INVITATION_VALID_DAYS)
    try:
        value = signing.TimestampSigner(salt=INVITATION_SALT).unsign(token, max_age=max_age)
        pk, nonce = value.split(":", 1)
        invitation = Invitation.objects.select_related("trust").get(pk=int(pk), nonce=nonce)
    except (signing.BadSignature, ValueError, Invitation.DoesNotExist):
        raise InvitationInvalid from None
    if invitation.status != "pending":
        raise InvitationInvalid
    return invitation


def invitation_create(
    *, email: str, trust: Trust, invited_by, first_name="", last_name=""
) -> Invitation:
    """Create and (after commit) email an invitation. Refuses emails that already have an
    account or a pending invitation."""
    email = email.strip().lower()
    problems = invitation_problems(email)
    if problems:
        raise ValidationError({"email": problems})
    invitation = Invitation(
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        trust=trust,
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.full_clean()
    from .tasks import send_invitation

    # The row and its email task (the outbox) commit together or not at all; the email is
    # published after commit, and later by the outbox sweeper if the broker is down.
    with transaction.atomic():
        invitation.save()
        send_invitation.delay_on_commit(invitation.pk)
    return invitation


def invitation_problems(email: str) -> list[str]:
    try:
        validate_email(email)
    except ValidationError:
        return ["This is not a valid email address."]
    if User.objects.filter(email__iexact=email).exists():
        return ["This person already has a Tandem account."]
    if Invitation.objects.pending().filter(email__iexact=email).exists():
        return ["This person already has an invitation waiting."]
    return []


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, first_name: str, last_name: str, password: str
) -> User:
    """Create the invited person's account in the invitation's trust. The email is verified:
    the link reached that inbox. Locks the invitation so a double submit cannot use it twice."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != "pending":
        raise InvitationInvalid
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationInvalid
    user = User(
        email=invitation.email, first_name=first_name, last_name=last_name, trust=invitation.trust
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


# --- bulk invitations from CSV / XLSX ---------------------------------------------------------

INVITEE_COLUMNS = ("email", "first_name", "last_name")


@dataclass
class InviteeRow:
    number: int  # as a spreadsheet user counts: the header is row 1
    email: str
    first_name: str
    last_name: str
    errors: list[str] = field(default_factory=list)


@dataclass
class InviteeCheck:
    rows: list[InviteeRow]
    file_errors: list[str] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[InviteeRow]:
        return [row for row in self.rows if row.errors]

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.bad_rows and bool(self.rows)


MAX_INVITEE_ROWS = 2000


def _read_table(uploaded) -> list[list[str]]:
    name = (uploaded.name or "").lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        workbook = load_workbook(uploaded, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        return [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    if name.endswith(".csv"):
        text = uploaded.read().decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text)))
    raise ValidationError("Upload a .csv or .xlsx file.")


def invitees_check(uploaded) -> InviteeCheck:
    """Check every row and say what is wrong with each; changes nothing."""
    try:
        table = _read_table(uploaded)
    except ValidationError as error:
        return InviteeCheck(rows=[], file_errors=error.messages)
    except Exception:  # noqa: BLE001 - a corrupt file is the uploader's problem to fix, not a 500
        return InviteeCheck(
            rows=[], file_errors=["The file could not be read. Save it as CSV or XLSX."]
        )
    if not table:
        return InviteeCheck(rows=[], file_errors=["The file is empty."])
    header = [cell.strip().lower().replace(" ", "_") for cell in table[0]]
    missing = [column for column in INVITEE_COLUMNS if column not in header]
    if missing:
        return InviteeCheck(
            rows=[],
            file_errors=[f"The first row must name the columns; missing: {', '.join(missing)}."],
        )
    if len(table) - 1 > MAX_INVITEE_ROWS:
        return InviteeCheck(
            rows=[], file_errors=[f"Upload at most {MAX_INVITEE_ROWS} people at a time."]
        )
    index = {column: header.index(column) for column in INVITEE_COLUMNS}
    rows, seen = [], {}
    for number, cells in enumerate(table[1:], start=2):
        if not any((cell or "").strip() for cell in cells):
            continue  # blank lines at the end of a spreadsheet are not mistakes

        def cell(column, cells=cells):
            position = index[column]
            return (cells[position] if position < len(cells) else "").strip()

        row = InviteeRow(number, cell("email").lower(), cell("first_name"), cell("last_name"))
        if not row.email:
            row.errors.append("The email address is missing.")
        else:
            row.errors.extend(invitation_problems(row.email))
            if row.email in seen:
                row.errors.append(f"The same email address is also on row {seen[row.email]}.")
            seen.setdefault(row.email, row.number)
        if not row.first_name or not row.last_name:
            row.errors.append("First and last name are both needed.")
        rows.append(row)
    if not rows:
        return InviteeCheck(rows=[], file_errors=["The file has a header but no people."])
    return InviteeCheck(rows=rows)


@transaction.atomic
def invitees_import(*, uploaded, trust: Trust, invited_by) -> tuple[InviteeCheck, list[Invitation]]:
    """Import every row, or none: checks again, and creates nothing unless all rows are good."""
    check = invitees_check(uploaded)
    if not check.ok:
        return check, []
    invitations = [
        invitation_create(
            email=row.email,
            first_name=row.first_name,
            last_name=row.last_name,
            trust=trust,
            invited_by=invited_by,
        )
        for row in check.rows
    ]
    return check, invitations
