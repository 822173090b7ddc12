"""Account writes: sign-up's trust, invitations, sessions. Each is one transaction."""

from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from people.models import Trust, TrustEmailDomain, User

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
    return f"{settings.BASE_URL}{path}"


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


def unregistered_domains(emails) -> set[str]:
    """The domains of `emails` that no trust has registered (admin → Sign-up email domains):
    a personal address such as @gmail.com, or a typing slip such as @nhs.nte."""
    domains = {email_domain(email) for email in emails} - {""}
    registered = set(
        TrustEmailDomain.objects.filter(domain__in=domains).values_list("domain", flat=True)
    )
    return domains - registered


def unregistered_domain_warning(email: str) -> str | None:
    """What an administrator is told before inviting an address outside every registered
    domain. Such invitations are allowed (a trust may not have registered its domain yet,
    or invites a partner organisation's staff) but never sent without a second look: the
    person's trust, name and learning records go wherever the link goes."""
    domain = email_domain(email)
    if not domain or domain not in unregistered_domains([email]):
        return None
    return (
        f"No trust has registered @{domain} addresses. Invitations usually go to a work "
        "email address. Check that this is the person's own address, and that they should "
        "use it for Tandem, before you send the invitation."
    )


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


def account_invitation_create(*, person: User, invited_by) -> Invitation:
    """Invite someone whose account an administrator has just made (the programmes import
    creates accounts so that it can enrol them at once): the link lets them set their
    password and sign in, as any invitation does (invitation_accept). Only for an account no
    one can sign in to yet, and never beside another waiting invitation. The email is sent
    after commit, through the outbox."""
    if person.has_usable_password() or person.last_login is not None:
        raise ValidationError({"email": ["This person can already sign in to Tandem."]})
    if Invitation.objects.pending().filter(email__iexact=person.email).exists():
        raise ValidationError({"email": ["This person already has an invitation waiting."]})
    invitation = Invitation(
        email=person.email,
        first_name=person.first_name,
        last_name=person.last_name,
        trust=person.trust,
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.full_clean()
    from .tasks import send_invitation

    with transaction.atomic():
        invitation.save()
        send_invitation.delay_on_commit(invitation.pk)
    return invitation


def _account_awaiting(invitation: Invitation) -> User | None:
    """The account an administrator made for this invitation's person (account_invitation_
    create), locked: in the invitation's trust, active, and never signed in to, with no
    password. Any other account at that address refuses the link, as before."""
    return (
        User.objects.select_for_update()
        .filter(
            email__iexact=invitation.email,
            trust_id=invitation.trust_id,
            is_active=True,
            last_login__isnull=True,
            password__startswith=UNUSABLE_PASSWORD_PREFIX,
        )
        .first()
    )


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, first_name: str, last_name: str, password: str
) -> User:
    """Create the invited person's account in the invitation's trust — or, when an
    administrator already made it for them (an import that enrolled them), give it its
    password. The email is verified: the link reached that inbox. Locks the invitation so a
    double submit cannot use it twice."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != "pending":
        raise InvitationInvalid
    user = None
    if User.objects.filter(email__iexact=invitation.email).exists():
        user = _account_awaiting(invitation)
        if user is None:
            raise InvitationInvalid
        user.first_name, user.last_name = first_name, last_name
    else:
        user = User(
            email=invitation.email,
            first_name=first_name,
            last_name=last_name,
            trust=invitation.trust,
        )
    user.set_password(password)
    user.full_clean()
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


# --- bulk invitations from CSV / XLSX ---------------------------------------------------------

INVITEE_COLUMNS = ("email", "first_name", "last_name")
MAX_INVITEE_ROWS = 2000
MAX_INVITEE_FILE_BYTES = 2 * 1024 * 1024
# Blank rows among or after the people are skipped (spreadsheets keep them), up to this many.
MAX_INVITEE_BLANK_ROWS = 1000
# Columns read from each row, and the longest cell accepted: far beyond any real invitee
# (an email address is at most 254 characters), and a bound on what one row can cost.
MAX_INVITEE_COLUMNS = 50
MAX_INVITEE_CELL_CHARACTERS = 1000


@dataclass
class InviteeRow:
    number: int  # as a spreadsheet user counts: the header is row 1
    email: str
    first_name: str
    last_name: str
    errors: list[str] = field(default_factory=list)
    outside_domains: bool = False  # no trust registered its domain: confirm before sending


@dataclass
class InviteeCheck:
    rows: list[InviteeRow]
    file_errors: list[str] = field(default_factory=list)
    # Set by invitees_import when rows are outside every registered domain and the
    # administrator has not confirmed them: nothing was imported.
    needs_confirmation: bool = False

    @property
    def bad_rows(self) -> list[InviteeRow]:
        return [row for row in self.rows if row.errors]

    @property
    def outside_domain_rows(self) -> list[InviteeRow]:
        return [row for row in self.rows if row.outside_domains and not row.errors]

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.bad_rows and bool(self.rows)


def _invitee_rows(uploaded) -> list[InviteeRow]:
    """The people in the file, read row by row; stops (TableRefused) at the first limit."""
    from people.spreadsheets import TableRefused, table_rows

    most_rows = 1 + MAX_INVITEE_ROWS + MAX_INVITEE_BLANK_ROWS
    table = table_rows(
        uploaded,
        max_rows=most_rows + 1,  # one more than allowed, to know there are too many
        max_columns=MAX_INVITEE_COLUMNS,
        max_cell_characters=MAX_INVITEE_CELL_CHARACTERS,
    )
    index, rows = None, []
    for number, cells in table:
        if index is None:
            header = [cell.strip().lower().replace(" ", "_") for cell in cells]
            missing = [column for column in INVITEE_COLUMNS if column not in header]
            if missing:
                raise TableRefused(
                    f"The first row must name the columns; missing: {', '.join(missing)}."
                )
            index = {column: header.index(column) for column in INVITEE_COLUMNS}
            continue
        if number > most_rows:
            raise TableRefused(
                f"The file has more than {most_rows} rows, counting blank ones. Upload at most "
                f"{MAX_INVITEE_ROWS} people at a time, without blank rows between them."
            )
        if not any(cell.strip() for cell in cells):
            continue  # blank lines at the end of a spreadsheet are not mistakes
        if len(rows) == MAX_INVITEE_ROWS:
            raise TableRefused(f"Upload at most {MAX_INVITEE_ROWS} people at a time.")

        def cell(column, cells=cells, index=index):
            position = index[column]
            return (cells[position] if position < len(cells) else "").strip()

        rows.append(
            InviteeRow(number, cell("email").lower(), cell("first_name"), cell("last_name"))
        )
    if index is None:
        raise TableRefused("The file is empty.")
    if not rows:
        raise TableRefused("The file has a header but no people.")
    return rows


def _field_problems(error: ValidationError) -> list[str]:
    """Model validation errors as sentences a person fixing a spreadsheet can act on."""
    labels = {"email": "email address", "first_name": "first name", "last_name": "last name"}
    problems = []
    for name, errors in error.error_dict.items():
        label = labels.get(name, name.replace("_", " "))
        for item in errors:
            if name == "email" and item.code in ("invalid", "blank"):
                continue  # already said, in the words invitation_problems uses
            if item.code is None:
                problems.extend(item.messages)  # our own refusals are sentences already
            elif item.code == "max_length":
                params = item.params or {}
                problems.append(
                    f"The {label} is too long: at most {params.get('limit_value')} characters "
                    f"(it has {params.get('show_value')})."
                )
            else:
                problems.extend(f"{label[0].upper()}{label[1:]}: {m}" for m in item.messages)
    return problems


def _email_refusals(emails: set[str]) -> dict[str, str]:
    """The refusals invitation_problems gives, for a whole file in two queries rather than
    two per row."""
    refusals = {}
    pending = (
        Invitation.objects.pending()
        .annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .values_list("email_lower", flat=True)
    )
    refusals.update(dict.fromkeys(pending, "This person already has an invitation waiting."))
    accounts = (
        User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .values_list("email_lower", flat=True)
    )
    refusals.update(dict.fromkeys(accounts, "This person already has a Tandem account."))
    return refusals


def invitees_check(uploaded) -> InviteeCheck:
    """Check every row and say what is wrong with each; changes nothing.

    Each row is validated exactly as the import will save it (the Invitation's own
    full_clean), so a row that passes the check cannot fail the import.
    """
    from people.spreadsheets import TableRefused

    if uploaded.size is not None and uploaded.size > MAX_INVITEE_FILE_BYTES:
        return InviteeCheck(
            rows=[], file_errors=["The file is larger than 2 MB. Split it into smaller files."]
        )
    try:
        rows = _invitee_rows(uploaded)
    except TableRefused as refusal:
        return InviteeCheck(rows=[], file_errors=[refusal.message])
    except Exception:  # noqa: BLE001 - a corrupt file is the uploader's problem to fix, not a 500
        return InviteeCheck(
            rows=[], file_errors=["The file could not be read. Save it as CSV or XLSX."]
        )
    refusals = _email_refusals({row.email for row in rows if row.email})
    outside = unregistered_domains(row.email for row in rows if row.email)
    expires_at = timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)
    seen = {}
    for row in rows:
        if not row.email:
            row.errors.append("The email address is missing.")
        else:
            try:
                validate_email(row.email)
            except ValidationError:
                row.errors.append("This is not a valid email address.")
            else:
                if row.email in refusals:
                    row.errors.append(refusals[row.email])
                row.outside_domains = email_domain(row.email) in outside
            if row.email in seen:
                row.errors.append(f"The same email address is also on row {seen[row.email]}.")
            seen.setdefault(row.email, row.number)
        if not row.first_name or not row.last_name:
            row.errors.append("First and last name are both needed.")
        invitation = Invitation(
            email=row.email,
            first_name=row.first_name,
            last_name=row.last_name,
            expires_at=expires_at,
        )
        try:
            # The trust and inviter are the same for every row and chosen in the form.
            invitation.full_clean(
                exclude=["trust", "invited_by", "accepted_by"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            row.errors.extend(
                problem for problem in _field_problems(error) if problem not in row.errors
            )
    return InviteeCheck(rows=rows)


class _ImportRefused(Exception):
    pass


def invitees_import(
    *, uploaded, trust: Trust, invited_by, outside_domains_confirmed: bool = False
) -> tuple[InviteeCheck, list[Invitation]]:
    """Import every row, or none: checks again, and creates nothing unless all rows are good
    and, when some addresses are outside every registered domain, the administrator has
    confirmed them (`outside_domains_confirmed`; otherwise `check.needs_confirmation`).

    Should a row still be refused when saved (someone invited the same person a moment ago),
    everything is rolled back, no email is sent, and the row says why.
    """
    check = invitees_check(uploaded)
    if not check.ok:
        return check, []
    if check.outside_domain_rows and not outside_domains_confirmed:
        check.needs_confirmation = True
        return check, []
    invitations = []
    try:
        with transaction.atomic():
            for row in check.rows:
                try:
                    invitations.append(
                        invitation_create(
                            email=row.email,
                            first_name=row.first_name,
                            last_name=row.last_name,
                            trust=trust,
                            invited_by=invited_by,
                        )
                    )
                except ValidationError as error:
                    row.errors.extend(
                        _field_problems(error) if hasattr(error, "error_dict") else error.messages
                    )
                    raise _ImportRefused from error
    except _ImportRefused:
        return check, []
    return check, invitations
