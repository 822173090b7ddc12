"""One demo login per role, and a superuser, with the account security staff roles need:
verified addresses, sign-up domains and a shared authenticator secret."""

from dataclasses import dataclass

from django.contrib.auth.models import Group

from people.access import REGION_SCOPED_ROLES, TRUST_SCOPED_ROLES, AccessRole
from people.models import AccessGrant, ProfessionalGroup, Region, RegistrationBody, User
from people.services import access_grant_create

from .run import DEMO_EMAIL_DOMAIN, PersonSpec, SeedError, SeedRun
from .totp import DEMO_TOTP_SECRET
from .trusts import FIRST_TRUST

G = ProfessionalGroup


@dataclass(frozen=True)
class DemoLogin:
    role: AccessRole | None  # None: the superuser
    person: PersonSpec

    @property
    def role_label(self) -> str:
        return self.role.label if self.role else "Superuser"


def _login(local_part, role, first, last, trust, group, title, band, directorate, *registration):
    email = f"{local_part}@{DEMO_EMAIL_DOMAIN}"
    person = PersonSpec(email, first, last, trust, group, title, band, directorate, *registration)
    return DemoLogin(role, person)


DEMO_LOGINS = (
    _login(
        "superuser", None, "Sam", "Superuser", None, "",
        "Tandem platform administrator", "", "Tandem",
    ),
    _login(
        "participant", AccessRole.PARTICIPANT, "Priya", "Shah", FIRST_TRUST, G.MEDICAL,
        "Specialty registrar", "ST4", "General surgery", RegistrationBody.GMC, "7240318",
    ),
    _login(
        "editor", AccessRole.EDITOR, "Eleanor", "Hughes", None, G.MANAGEMENT,
        "Learning content editor", "Band 6", "Leadership and organisational development",
    ),
    _login(
        "reviewer", AccessRole.CONTENT_REVIEWER, "Marcus", "Bell", None, G.MANAGEMENT,
        "Head of leadership development", "Band 8b", "Leadership and organisational development",
    ),
    _login(
        "admin", AccessRole.PROGRAMME_ADMINISTRATOR, "Fatima", "Hussain", FIRST_TRUST, G.MANAGEMENT,
        "Leadership programmes administrator", "Band 5",
        "Workforce and organisational development",
    ),
    _login(
        "facilitator", AccessRole.FACILITATOR, "Niamh", "Gallagher", FIRST_TRUST,
        G.NURSING_MIDWIFERY,
        "Practice development nurse", "Band 7", "Education and practice development",
        RegistrationBody.NMC, "04F2291E",
    ),
    _login(
        "reporting-lead", AccessRole.TRUST_REPORTING_LEAD, "David", "Okonkwo", FIRST_TRUST,
        G.MANAGEMENT, "Head of workforce information", "Band 8b",
        "Workforce and organisational development",
    ),
    _login(
        "regional-lead", AccessRole.REGIONAL_LEAD, "Catherine", "Barnes", None, G.MANAGEMENT,
        "Regional leadership development lead", "Band 8c", "Regional workforce team",
    ),
    _login(
        "national-lead", AccessRole.NATIONAL_LEAD, "Ade", "Adeyemi", None, G.MANAGEMENT,
        "National clinical leadership programme lead", "Band 9", "NHS England workforce team",
    ),
)  # fmt: skip

# Each access role's scope in the demo: the first trust's administrator and reporting lead,
# and the regional lead of the first trust's region (East of England: two of the three trusts).
REGIONAL_LEAD_REGION = "Y61"


def seed_demo_logins(run: SeedRun) -> None:
    groups = {group.name: group for group in Group.objects.filter(name__in=AccessRole.values)}
    missing = set(AccessRole.values) - set(groups)
    if missing:
        raise SeedError(
            f"The role groups {sorted(missing)} are missing: run `manage.py migrate` first."
        )
    for login in DEMO_LOGINS:
        superuser = login.role is None
        user, _ = run.get_or_create(
            User,
            email=login.person.email,
            # The password is set only when the account is created: a rerun neither rehashes
            # it nor undoes a password someone has since changed.
            defaults=lambda login=login, superuser=superuser: {
                **login.person.model_fields(run.trusts),
                "password": run.demo_password_hash,
                # Wagtail admin access comes from the role groups' permissions; only the
                # superuser needs is_staff (for Django's own admin).
                "is_staff": superuser,
                "is_superuser": superuser,
            },
        )
        if login.role is not None:
            _grant(run, user, login.role)
        run.people[user.email] = user
        run.logins.append((login, user))


def _grant(run: SeedRun, user: User, role: AccessRole) -> None:
    """The login's access grant, through the service (which puts them in the role's group and
    audits it); a rerun finds it held and changes nothing."""
    scope = {}
    if role in TRUST_SCOPED_ROLES:
        scope = {"trust": run.trusts[FIRST_TRUST]}
    elif role in REGION_SCOPED_ROLES:
        scope = {"region": Region.objects.get(code=REGIONAL_LEAD_REGION)}
    if not AccessGrant.objects.filter(person=user, role=role, **scope).exists():
        access_grant_create(person=user, role=role, by=None, via="demo data", **scope)
        run.created["access grants"] += 1


# The demo staff logins' shared authenticator secret lives in demo.totp (DEMO_TOTP_SECRET),
# which `manage.py demo_totp_code` reads without starting Django.
SHARED_DOMAIN = "nhs.net"


def seed_account_security(run: SeedRun) -> None:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    from people.models import TrustEmailDomain

    first_trust = run.trusts[FIRST_TRUST]
    run.get_or_create(TrustEmailDomain, trust=first_trust, domain=DEMO_EMAIL_DOMAIN)
    for trust in run.trusts.values():
        run.get_or_create(TrustEmailDomain, trust=trust, domain=SHARED_DOMAIN)
    for _login, user in run.logins:
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        if (
            user.holds_staff_role
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            TOTP.activate(user, DEMO_TOTP_SECRET)
            run.created["authenticator apps"] += 1
