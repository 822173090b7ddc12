"""The refusal matrix: every URL pattern, every role, GET and POST, against trust B's real
records. Whatever else a page does, a request made by someone of trust A (or anonymously)
must never

- change a row of trust B, of a superuser, of the roles (groups) and their permissions, or
  anyone's role memberships — one's own included;
- show trust B's people's data;
- answer 500;

and staff pages must refuse everyone without a staff role. A positive control proves the
matrix sees both kinds of failure: trust B's own administrator, requesting the same way,
is shown the sentinel and does change them. The machinery is in tests/security/matrix.py.

A route whose id parameter names no model known here fails the test: declare it in
KWARG_MODELS or ROUTE_MODELS, with the trust B object it should be pointed at in `world`.
"""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver
from django.utils import timezone
from wagtail.admin.views.bulk_action.registry import bulk_action_registry
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    Page,
    PageViewRestriction,
    Revision,
    Site,
    Task,
    Workflow,
)

from accounts.models import Invitation, UserSession
from api.models import ApiToken
from api.services import api_token_create
from certificates.models import (
    Certificate,
    CertificateBatch,
    CertificateTemplate,
    certificate_storage,
)
from cms.models import ModuleProgress, ModuleReflection, Topic
from coffee.models import (
    CoffeeMatch,
    CoffeeMatchMember,
    CoffeeOptIn,
    CoffeeRound,
    CoffeeScheme,
    SharedSpace,
)
from outcomes.models import SelfAssessment, SelfAssessmentRating, SurveyInvitation
from pairing.models import (
    ImprovementProject,
    Pairing,
    PairingScheme,
    PairMeeting,
    SchemeMember,
    ShadowingVisit,
)
from people.access import AccessRole
from people.models import BoardSnapshot, Region, RoleAppointment, Trust, TrustEmailDomain, User
from people.services import access_grant_create
from privacy.models import SubjectAccessRequest
from programmes.models import (
    Attendance,
    Cohort,
    CohortFacilitator,
    Enrolment,
    EnrolmentEvent,
    PairApplication,
    Session,
)
from reports.models import MonthlyReport, MonthlyReportEmail
from tests.factories import (
    BoardSnapshotFactory,
    CertificateFactory,
    ClinicianFactory,
    CohortFactory,
    EnrolmentFactory,
    InvitationFactory,
    ModulePageFactory,
    ModuleProgressFactory,
    ModuleReflectionFactory,
    RoleAppointmentFactory,
    SessionFactory,
    SubjectAccessRequestFactory,
    TrustEmailDomainFactory,
    TrustFactory,
    UserFactory,
    give_totp,
)
from tests.factories_outcomes import SurveyInvitationFactory, rate
from tests.factories_reports import MonthlyReportFactory
from tests.security.matrix import (
    SKIP_PREFIXES,
    Probe,
    attack_body,
    fill,
    parameters,
    request_and_roll_back,
    view_model,
    walk,
)

SENTINEL_EMAIL = "sentinel.b@southvale.nhs.uk"
# The sentinel's staff number at trust B: what an HR extract of trust A might name
# (test_an_hr_extract_naming_another_trusts_person_changes_nothing).
SENTINEL_STAFF = "770001"
# Strings only trust B's private records contain; none may reach a trust A persona.
MARKERS = (
    SENTINEL_EMAIL,
    "Sentinelson",
    "admin.b@southvale.nhs.uk",
    "invitee.b@southvale.nhs.uk",
    "Sentinel medical director",
    "A sentinel reflection",
    "Sentinel goals for the cohort",
    "sentinel.partner@southvale.nhs.uk",
    "A sentinel note to a colleague",
    "Sentinel attendance note",
    "Sentinel shadowing reflection",
    "Sentinel pair meeting notes",
    "Sentinel improvement project",
    "Southvale sentinel kitchen",
    "Sentinel certificate holder",
    "Sentinel signatory",
    "Sentinel certificate file",
    "Sentinel survey role",
)
SENTINEL_CERTIFICATE_FILE = b"%PDF-1.7\n% Sentinel certificate file\n%%EOF\n"

# Reachable by anyone: the site, sign-in and sign-up flows, health, verification, search.
PUBLIC_PREFIXES = (
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/confirm-email/",
    "/accounts/invitation/",
    "/accounts/2fa/authenticate/",
    "/accounts/3rdparty/",
    "/healthz/",
    "/sitemap.xml",
    "/search/",
    "/verify/",
    "/accounts/inactive/",  # allauth's "this account is inactive" notice
    "/_util/login/",  # Wagtail's restricted-page sign-in, redirected to ours (config/urls.py)
    # The password prompt of a password-protected page or collection: public by nature.
    "/_util/authenticate_with_password/",
    "/documents/authenticate_with_password/",
    # Wagtail admin assets with no data: the icon sprite and the translation catalogue.
    "/admin/sprite/",
    "/admin/jsi18n/",
    # The API's OpenAPI schema and its docs: how to call it, no one's data.
    "/api/schema/",
    "/api/docs/",
    "/api/v1/certificates/verify/",  # public verification by code (PUBLIC_BY_DESIGN)
)

PERSONAS = {
    # name: (roles, trust)
    "participant A": ([AccessRole.PARTICIPANT], "A"),
    "facilitator A": ([AccessRole.FACILITATOR], "A"),
    "programme admin A": ([AccessRole.PROGRAMME_ADMINISTRATOR], "A"),
    "reporting lead A": ([AccessRole.TRUST_REPORTING_LEAD], "A"),
    "editor": ([AccessRole.EDITOR], None),
    "content reviewer": ([AccessRole.CONTENT_REVIEWER], None),
    "regional lead": ([AccessRole.REGIONAL_LEAD], "A"),
}
# Public by design: a certificate's verification page (/verify/<code>/) shows the name printed
# on it to anyone, whichever trust issued it (PRODUCT.md §4: an employer checks it without an
# account). So the sentinel's name may appear there — and only the name: their email and
# every other marker still may not (test_a_certificate_is_verifiable_by_anyone_by_design).
PUBLIC_BY_DESIGN = {
    "/verify/": {"Sentinelson"},
    # The same verification for machines, over the API (api/pairs_views.py).
    "/api/v1/certificates/verify/": {"Sentinelson"},
}

# Someone holding two roles: programme administrator of trust A and reporting lead of trust B.
# They may *see* trust B's people (the reporting role), so trust B's data on their pages is
# not a leak; but no request of theirs may change trust B's rows (only the administrator role
# changes people, and only in trust A) — the review found one role's power mixed with the
# other's scope.
TWO_ROLES = "admin A, reporting lead B"
MAY_SEE_TRUST_B = {TWO_ROLES}


# Which model a parameter's value identifies, by the parameter's name.
class CertificateCode:
    """What a `<code>` in a URL names: a certificate, by its printed code, not its id."""


class OwnTrust:
    """Trust A: the reports' filters are probed on trust A's own dashboard too, naming trust
    B's cohort and programme in the query string."""


class ProgrammeOfTrustB:
    """The programme of trust B's certificates, named in the filters of Admin → Certificates →
    Find a certificate (programmes belong to no trust, so the Programme routes keep their
    own target)."""


KWARG_MODELS = {
    "page_id": Page,
    "parent_page_id": Page,
    "page_to_move_id": Page,
    "destination_id": Page,
    "page_pk": Page,
    "revision_id": Revision,
    "task_id": Task,
    "workflow_pk": Workflow,
    "collection_id": Collection,
    "document_id": "wagtaildocs.Document",
    "doc_id": "wagtaildocs.Document",
    "image_id": "wagtailimages.Image",
    "restriction_id": CollectionViewRestriction,
    "page_view_restriction_id": PageViewRestriction,
    "reflection_id": ModuleReflection,
    "public_id": SubjectAccessRequest,
    "redirect_id": "wagtailredirects.Redirect",
    "cohort_id": Cohort,
    "enrolment_id": Enrolment,
    "application_id": PairApplication,
    "session_id": Session,
    "pairing_id": Pairing,
    "visit_id": ShadowingVisit,
    "scheme_id": PairingScheme,
    # Tandem coffee (coffee/): trust B's scheme page, its shared space, the sentinel's match.
    "trust_id": Trust,
    # The regional comparison (/reports/regions/<region_id>/): a region none of trust A's
    # people report on (London; trust A and B are in North East and Yorkshire).
    "region_id": Region,
    "space_id": SharedSpace,
    "match_id": CoffeeMatch,
    # A certificate's code (not an id, but what names it): trust B's sentinel's certificate.
    "code": CertificateCode,
    # The certificates admin (certificates/wagtail_hooks.py): trust B's certificates, its
    # bulk-issue batch and its certificate template.
    # My roles (people/learn_urls.py): the sentinel's role, which only they may end.
    "role_id": RoleAppointment,
    "certificate_id": Certificate,
    "batch_id": CertificateBatch,
    "template_id": CertificateTemplate,
    # A trust's monthly report (/reports/monthly/<report_id>/download/): trust B's.
    "report_id": MonthlyReport,
    # An API token (/accounts/api-tokens/<token_id>/revoke/): trust B's administrator's.
    "token_id": ApiToken,
}
# Where a route's `pk` is not of the model its view declares, or the view declares none.
ROUTE_MODELS = {
    "admin/workflows/enable/": Workflow,
    "admin/workflows/usage/": Workflow,
    "admin/workflows/tasks/": Task,
    "admin/privacy/erase/": User,
    "admin/api/main/^images/": "wagtailimages.Image",
    "admin/api/main/^pages/": Page,
    "admin/api/main/^documents/": "wagtaildocs.Document",
    "admin/settings/": Site,  # site settings, by site
    "admin/documents/chooser/chosen/": "wagtaildocs.Document",
    "admin/pages/^(?P<pk>": Page,
    # The REST API (api/urls.py): trust B's cohort; a programme is no one's data (everyone
    # signed in sees it), so its route is pointed at the programme of trust B's records.
    "api/v1/^cohorts/": Cohort,
    "api/v1/^sessions/": Session,
    "api/v1/^attendance/": Attendance,
    "api/v1/^enrolments/": Enrolment,
    "api/v1/^role-appointments/": RoleAppointment,
    "api/v1/^pairings/": Pairing,
    "api/v1/^shadowing-visits/": ShadowingVisit,
    "api/v1/^certificates/": Certificate,
    "api/v1/^programmes/": ProgrammeOfTrustB,
}
# Parameters that are not ids: a value that reaches the view. Names, keys, tokens.
TEXT_VALUES = {
    "content_type_app_name": "cms",
    "content_type_model_name": "modulepage",
    "app_name": "wagtailimages",
    "action_name": "approve",
    "filter_spec": "original",
    "revision_id_a": "earliest",
    "revision_id_b": "latest",
    "object_id": "1",
    # Trust B's issuer profile and revocation list (/verify/issuers/<ods_code>…): public.
    "ods_code": "RSV",
    "thumbprint": "x",  # /verify/keys/<thumbprint>.json: a key no one has
    # A trust's report table and its format (/reports/trusts/<trust_id>/<table>.<format>).
    "table": "participants",
    "export_format": "csv",
    # The API's catch-all (anything under /api/ naming no route): a problem+json 404.
    "path": "nothing-here/",
}
# Ids of things the world does not make (in-progress uploads, workflow states, editing
# sessions): any number; the view must refuse or 404 without erring.
UNMADE = {"uploaded_file_id", "task_state_id", "workflow_state_id", "session_id"}


def resolve_model(model):
    if isinstance(model, str):
        from django.apps import apps

        return apps.get_model(model)
    return model


def probes(ids: dict) -> tuple[list[Probe], int]:
    """Every route as concrete paths (bulk actions: every registered action of every model);
    returns them with the number of URL patterns they came from."""
    found: list[Probe] = []
    routes = list(walk(get_resolver().url_patterns))
    bulk_action_registry._scan_for_bulk_actions()
    for route, pattern in routes:
        names = parameters(route)
        if "action" in names and "app_label" in names:  # Wagtail's bulk-action dispatcher
            for app_label, models in bulk_action_registry.actions.items():
                for model_name, actions in models.items():
                    from django.apps import apps

                    model = apps.get_model(app_label, model_name)
                    for action in actions:
                        for target in ids.targets(model):
                            path = fill(route, {
                                "app_label": app_label, "model_name": model_name,
                                "action": action,
                            })  # fmt: skip
                            found.append(Probe(route, f"{path}?id={target}", model))
            continue
        model = next((m for prefix, m in ROUTE_MODELS.items() if route.startswith(prefix)), None)
        model = resolve_model(model) or view_model(pattern)
        id_params = [n for n in names if n not in TEXT_VALUES and n not in UNMADE]
        values = {name: TEXT_VALUES[name] for name in names if name in TEXT_VALUES}
        values |= {name: 999_999 for name in names if name in UNMADE}
        if "app_label" in names or "model_name" in names:
            label_model = model or Topic
            values |= {
                "app_label": label_model._meta.app_label,
                "model_name": label_model._meta.model_name,
            }
            id_params = [n for n in id_params if n not in ("app_label", "model_name")]
        # Tokens and keys of the public sign-up and invitation flows: not ids.
        text_params = [n for n in id_params if n in ("token", "key", "uidb36", "uidb64")]
        values |= dict.fromkeys(text_params, "x")
        id_params = [n for n in id_params if n not in text_params]
        targets_per_param = {}
        for name in id_params:
            param_model = resolve_model(KWARG_MODELS.get(name)) or (
                model if name in ("pk", "id") else None
            )
            assert param_model is not None, (
                f"{route}: which model does <{name}> identify? Declare it in KWARG_MODELS "
                "or ROUTE_MODELS so the matrix points it at trust B's record."
            )
            targets_per_param[name] = ids.targets(param_model)
        if not targets_per_param:
            found.append(Probe(route, fill(route, values), model))
            continue
        # One probe per target of the first id parameter (people: trust B's and a
        # superuser); the others take their first target.
        first, *rest = targets_per_param
        for target in targets_per_param[first]:
            filled = values | {first: target} | {n: targets_per_param[n][0] for n in rest}
            found.append(Probe(route, fill(route, filled), model))
    # The reports' filters are in the query string: trust B's cohort named on trust B's
    # dashboard and on trust A's own, and in each download (reports/urls.py).
    for probe in [p for p in found if p.route.startswith(("reports/regions/", "reports/national"))]:
        found.append(
            Probe(probe.route, f"{probe.path}?since=2020-01-01&until=nonsense", probe.model)
        )
    for probe in [p for p in found if p.route.startswith("reports/trusts/")]:
        own = probe.path.replace(
            f"/trusts/{ids.targets(Trust)[0]}/", f"/trusts/{ids.targets(OwnTrust)[0]}/"
        )
        for path in (probe.path, own):
            for cohort in ids.targets(Cohort):
                found.append(Probe(probe.route, f"{path}?cohort={cohort}", probe.model))
            found.append(Probe(probe.route, f"{path}?since=2020-01-01&until=nonsense", probe.model))
    # The effect estimate's downloads (/reports/effect/<trust_id>/<table>.<format>): the
    # matrix's table name ("participants") is a 404 there anyway, so its real tables too.
    for probe in [p for p in found if p.route.startswith("reports/effect/") and "." in p.path]:
        for real in ("rates.csv", "survival.xlsx"):
            found.append(
                Probe(probe.route, probe.path.replace("participants.csv", real), probe.model)
            )
    # Find a certificate (certificates/admin_held.py): its filters name trust B's programmes,
    # the sentinel's name and their certificate's code.
    certificate_code = ids.targets(CertificateCode)[0]
    for probe in [p for p in found if p.route == "admin/certificates/held/"]:
        # Words that find the sentinels' certificates but are no marker themselves: the
        # form echoes what was searched for, which is not trust B's data.
        queries = [
            "?search=Sentinel",
            f"?search={certificate_code}",
            "?search=certificate+holder&status=valid",
        ]
        for programme in ids.targets(ProgrammeOfTrustB):
            queries += [f"?programme={programme}", f"?programme={programme}&status=revoked"]
        for query in queries:
            found.append(Probe(probe.route, f"{probe.path}{query}", probe.model))
    unique = {probe.path: probe for probe in found if not probe.path.startswith(SKIP_PREFIXES)}
    return sorted(unique.values(), key=lambda p: p.path), len(routes)


class Targets:
    """The ids the matrix points each model's routes at."""

    def __init__(self, by_model: dict):
        self.by_model = by_model

    def targets(self, model) -> list:
        for candidate in model.__mro__:
            if candidate in self.by_model:
                return self.by_model[candidate]
        row = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        return [row if row is not None else 999_999]


@pytest.fixture
def world(db, trust_a, trust_b, superuser):
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    sentinel = ClinicianFactory(
        email=SENTINEL_EMAIL, trust=trust_b, last_name="Sentinelson", staff_number=SENTINEL_STAFF
    )
    other_admin = UserFactory(
        email="admin.b@southvale.nhs.uk", trust=trust_b, roles=[AccessRole.PROGRAMME_ADMINISTRATOR]
    )
    give_totp(other_admin)
    give_totp(superuser)
    other_token, _ = api_token_create(
        owner=other_admin, name="Southvale HR feed", scope="write",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )  # fmt: skip
    module = ModulePageFactory(title="Sentinel module")
    records = {
        User: [sentinel.pk, superuser.pk],
        Trust: [trust_b.pk],
        TrustEmailDomain: [TrustEmailDomainFactory(trust=trust_b, domain="southvale.nhs.uk").pk],
        BoardSnapshot: [BoardSnapshotFactory(trust=trust_b).pk],
        RoleAppointment: [
            RoleAppointmentFactory(person=sentinel, title="Sentinel medical director").pk
        ],
        Invitation: [InvitationFactory(trust=trust_b, email="invitee.b@southvale.nhs.uk").pk],
        SubjectAccessRequest: [SubjectAccessRequestFactory(person=sentinel).public_id],
        ModuleReflection: [
            ModuleReflectionFactory(person=sentinel, module=module, text="A sentinel reflection").pk
        ],
        Page: [module.pk],
        Revision: [module.save_revision().pk],
        Group: [Group.objects.get(name=AccessRole.PROGRAMME_ADMINISTRATOR).pk],
        Site: [Site.objects.get(is_default_site=True).pk],
        OwnTrust: [trust_a.pk],
        Region: [Region.objects.get(code="Y56").pk],
        ApiToken: [other_token.pk],
    }
    # A London trust, so that London's comparison exists (for a national lead) and is
    # refused as another region's, not as an empty one.
    TrustFactory(name="Thameside NHS Trust", ods_code="RTX", region=Region.objects.get(code="Y56"))
    ModuleProgressFactory(person=sentinel, module=module)
    # Trust B's cohort, open for enrolment, and the sentinel's place in it.
    cohort_b = CohortFactory(host_trust=trust_b, name="Southvale sentinel cohort")
    enrolment_b = EnrolmentFactory(
        person=sentinel, cohort=cohort_b, goals="Sentinel goals for the cohort"
    )
    # And, for the cohort admin's actions, an enrolment each action could otherwise take:
    # one waiting for approval and one on the waiting list.
    pending_b, waiting_b = (
        EnrolmentFactory(person=ClinicianFactory(trust=trust_b), cohort=cohort_b, status=status)
        for status in ("pending_approval", "waitlisted")
    )
    records[Cohort] = [cohort_b.pk]
    # A session of that cohort, open for check-in now, with the sentinel's mark and note.
    now = timezone.now()
    session_b = SessionFactory(
        cohort=cohort_b,
        title="Southvale sentinel session",
        starts_at=now - datetime.timedelta(minutes=20),
        ends_at=now + datetime.timedelta(hours=2),
    )
    mark_b = Attendance.objects.create(
        session=session_b,
        enrolment=enrolment_b,
        mark="late",
        note="Sentinel attendance note",
        source="register",
    )
    records[Session] = [session_b.pk]
    records[Attendance] = [mark_b.pk]
    records[Enrolment] = [enrolment_b.pk, pending_b.pk, waiting_b.pk]
    # The sentinel's open invitation to a trust B colleague to apply together.
    records[PairApplication] = [
        PairApplication.objects.create(
            cohort=CohortFactory(host_trust=trust_b, name="Southvale sentinel pair cohort"),
            inviter=sentinel,
            invitee_email="sentinel.partner@southvale.nhs.uk",
            message="A sentinel note to a colleague",
            inviter_answers={"goals": "Sentinel goals for the cohort"},
        ).pk
    ]
    # Trust B's Tandem coffee: its scheme, a shared space, a round with the sentinel's match.
    CoffeeScheme.objects.create(trust=trust_b, frequency="quarterly")
    CoffeeOptIn.objects.create(person=sentinel, opted_in=True, changed_at=now)
    space_b = SharedSpace.objects.create(trust=trust_b, name="Southvale sentinel kitchen")
    round_b = CoffeeRound.objects.create(
        trust=trust_b, period_start=timezone.localdate().replace(day=1), frequency="monthly",
        ran_at=now, pairs_count=1, people_count=2,
    )  # fmt: skip
    match_b = CoffeeMatch.objects.create(round=round_b, space=space_b)
    for person in (sentinel, other_admin):
        CoffeeMatchMember.objects.create(match=match_b, round=round_b, person=person)
    records[SharedSpace] = [space_b.pk]
    records[CoffeeMatch] = [match_b.pk]
    records[PageViewRestriction] = [
        PageViewRestriction.objects.create(page=module, restriction_type="login").pk
    ]
    # The sentinel's pair in that cohort: a visit with what they learned, a meeting, a
    # project; and a trust-wide scheme of trust B that the sentinel is in.
    partner_b = UserFactory(trust=trust_b, email="partner.b@southvale.nhs.uk")
    records[Enrolment].append(EnrolmentFactory(person=partner_b, cohort=cohort_b).pk)
    pairing_b = Pairing.objects.create(
        cohort=cohort_b, clinician=sentinel, manager=partner_b, status="active", source="matched",
        goals="Sentinel goals for the cohort", started_on=now.date(),
    )  # fmt: skip
    records[Pairing] = [pairing_b.pk]
    records[ShadowingVisit] = [
        ShadowingVisit.objects.create(
            pairing=pairing_b, shadower=partner_b, logged_by=partner_b, visited_on=now.date(),
            hours=3, setting="clinic", reflection="Sentinel shadowing reflection",
        ).pk
    ]  # fmt: skip
    PairMeeting.objects.create(
        pairing=pairing_b, met_on=now.date(), notes="Sentinel pair meeting notes"
    )
    ImprovementProject.objects.create(pairing=pairing_b, title="Sentinel improvement project")
    scheme_b = PairingScheme.objects.create(
        trust=trust_b, name="Southvale sentinel scheme", starts_on=now.date()
    )
    SchemeMember.objects.create(scheme=scheme_b, person=sentinel)
    records[PairingScheme] = [scheme_b.pk]
    # The sentinel's certificate from a completed trust B cohort, probed by its printed code.
    completed_b = EnrolmentFactory(
        person=sentinel,
        cohort=CohortFactory(host_trust=trust_b, name="Southvale sentinel completed cohort"),
        status="completed",
    )
    # Its file carries a marker, so a download served to anyone who may not have it is a leak.
    certificate_b = CertificateFactory(
        enrolment=completed_b, status="valid", pdf_content=SENTINEL_CERTIFICATE_FILE
    )
    records[CertificateCode] = [certificate_b.printed_code]
    records[ProgrammeOfTrustB] = [completed_b.cohort.programme_id]
    # Trust B's certificates: a template, a completed enrolment's valid certificate and a
    # failed render (what Revoke, Re-issue and Retry act on), and the batch they are in.
    records[CertificateTemplate] = [_certificate_template(trust_b).pk]
    batch_b = CertificateBatch.objects.create(cohort=cohort_b, started_by=other_admin, total=2)
    records[CertificateBatch] = [batch_b.pk]
    certificates_b = [
        _certificate(cohort_b, batch_b, trust_b, status=status) for status in ("valid", "pending")
    ]
    records[Certificate] = [certificate_b.pk] + [certificate.pk for certificate in certificates_b]
    records[Enrolment] += [certificate.enrolment_id for certificate in certificates_b]
    records[ProgrammeOfTrustB].append(cohort_b.programme_id)
    # The sentinel's self-assessments and follow-up surveys (outcomes/), before and after:
    # /learn/self-assessment/<enrolment>/before|after/ at each of trust B's enrolments. A
    # survey's link is its holder's credential by design (like a sponsor's); /survey/x/ is a
    # made-up one, refused to everyone.
    rate(enrolment_b, "before", 2)
    rate(completed_b, "after", 3)
    SurveyInvitationFactory(
        enrolment=completed_b,
        relationship=2,
        outlook=1,
        answered_at=now,
        current_role_title="Sentinel survey role",
    )
    SurveyInvitationFactory(enrolment=completed_b, kind="twelve_months")
    records[Enrolment] += [completed_b.pk]
    # Trust B's monthly report, rendered, and its copy for trust B's reporting lead. Its file
    # holds no marker: the regional lead (whose region holds trust B) may download it by
    # design, as they may see trust B's dashboard; the trust-scoped refusal is asserted in
    # test_reports_refuse_trust_b_to_trust_as_people and tests/reports/test_monthly.py.
    report_b = MonthlyReportFactory(trust=trust_b, render_status="ready")
    lead_b = UserFactory(
        email="lead.b@southvale.nhs.uk", trust=trust_b, roles=[AccessRole.TRUST_REPORTING_LEAD]
    )
    MonthlyReportEmail.objects.create(report=report_b, person=lead_b, sent_to=lead_b.email)
    records[MonthlyReport] = [report_b.pk]
    image_model, document_model = get_image_model(), get_document_model()
    records[image_model] = [_image(image_model).pk]
    records[document_model] = [_document(document_model).pk]

    people = {}
    for name, (roles, trust) in PERSONAS.items():
        person = UserFactory(
            email=f"{name.replace(' ', '.').lower()}@tandem.test",
            trust=trust_a if trust == "A" else None,
            roles=roles,
        )
        if person.holds_staff_role:
            give_totp(person)
        people[name] = person
    two_roles = UserFactory(
        email="two.roles@tandem.test", trust=trust_a, roles=[AccessRole.PROGRAMME_ADMINISTRATOR]
    )
    access_grant_create(
        person=two_roles, role=AccessRole.TRUST_REPORTING_LEAD, trust=trust_b, by=None
    )
    give_totp(two_roles)
    people[TWO_ROLES] = two_roles
    return {
        "targets": Targets(records),
        "people": people,
        "sentinel": sentinel,
        "other_admin": other_admin,
        "trust_b": trust_b,
        "superuser": superuser,
        "certificate_b": certificate_b,
    }


def _image(model):
    from django.core.files.base import ContentFile

    # The smallest valid GIF.
    gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"  # noqa: E501
    return model.objects.create(title="Sentinel image", file=ContentFile(gif, name="dot.gif"))


def _certificate_template(trust):
    return CertificateTemplate.objects.create(
        trust=trust, key="southvale", name="Southvale template", signatory_name="Sentinel signatory"
    )


def _certificate(cohort, batch, trust, *, status):
    from django.core.files.base import ContentFile

    from certificates.models import certificate_storage

    holder = ClinicianFactory(trust=trust, first_name="Sentinel", last_name="certificate holder")
    enrolment = EnrolmentFactory(person=holder, cohort=cohort, status="completed")
    pdf = certificate_storage().save("matrix/b.pdf", ContentFile(b"%PDF-1.7 sentinel"))
    return Certificate.objects.create(
        enrolment=enrolment, status=status, batch=batch,
        render_status="ready" if status == "valid" else "failed",
        render_error="" if status == "valid" else "Sentinel render error",
        participant_name="Sentinel certificate holder", programme_title="Sentinel programme",
        cohort_name=cohort.name, cohort_starts_on=cohort.starts_on, cohort_ends_on=cohort.ends_on,
        issuing_trust_name=trust.name, signatory_name="Sentinel signatory",
        pdf=pdf if status == "valid" else "", sha256="0" * 64 if status == "valid" else "",
    )  # fmt: skip


def _document(model):
    from django.core.files.base import ContentFile

    return model.objects.create(
        title="Sentinel document", file=ContentFile(b"hello", name="note.txt")
    )


# --- what must not change ---------------------------------------------------------------------

# Columns of one's own account that no request of one's own may change.
OWN_PRIVILEGES = ("is_superuser", "is_staff", "is_active", "email", "password")


def protected_querysets(trust_b, acting) -> dict:
    """Everything a trust A request must leave alone, as querysets."""
    b_people = User.objects.filter(trust=trust_b)
    others = User.objects.exclude(pk=acting.pk) if acting is not None else User.objects.all()
    protected_people = User.objects.filter(trust=trust_b) | User.objects.filter(is_superuser=True)
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    memberships = User.groups.through.objects
    direct_permissions = User.user_permissions.through.objects
    rows = {
        "other people": others.order_by("pk").values_list(),
        "groups": Group.objects.order_by("pk").values_list(),
        "group permissions": Group.permissions.through.objects.order_by("pk").values_list(),
        "role memberships": memberships.order_by("pk").values_list(),
        "direct permissions": direct_permissions.order_by("pk").values_list(),
        "permissions": Permission.objects.order_by("pk").values_list("pk", "codename"),
        "trust B": Trust.objects.filter(pk=trust_b.pk).values_list(),
        "trust B email domains": TrustEmailDomain.objects.filter(trust=trust_b).values_list(),
        "trust B boards": BoardSnapshot.objects.filter(trust=trust_b).values_list(),
        "trust B role history": RoleAppointment.objects.filter(person__in=b_people).values_list(),
        "trust B invitations": Invitation.objects.filter(trust=trust_b).values_list(),
        "trust B data requests": SubjectAccessRequest.objects.filter(
            person__in=b_people
        ).values_list(),
        # What is theirs: their words and dates. Which page a reflection hangs on is the
        # content's: deleting a module (an editor's right) keeps them, unlinked.
        "trust B reflections": ModuleReflection.objects.filter(person__in=b_people).values_list(
            "pk", "person_id", "text", "created_at"
        ),
        "trust B progress": ModuleProgress.objects.filter(person__in=b_people).values_list(
            "pk", "person_id", "completed_at"
        ),
        "trust B enrolments": Enrolment.objects.filter(person__in=b_people).values_list(),
        "trust B self-assessments": SelfAssessment.objects.filter(
            enrolment__person__in=b_people
        ).values_list(),
        "trust B self-assessment ratings": SelfAssessmentRating.objects.filter(
            assessment__enrolment__person__in=b_people
        ).values_list(),
        "trust B surveys": SurveyInvitation.objects.filter(
            enrolment__person__in=b_people
        ).values_list(),
        "trust B enrolment history": EnrolmentEvent.objects.filter(
            enrolment__person__in=b_people
        ).values_list(),
        "trust B pair applications": PairApplication.objects.filter(
            cohort__host_trust=trust_b
        ).values_list(),
        # What trust B runs: its cohorts (capacity, status, host), everyone enrolled in them
        # whatever their trust, and who facilitates them.
        "trust B cohorts": Cohort.objects.filter(host_trust=trust_b).values_list(),
        "trust B cohorts' enrolments": Enrolment.objects.filter(
            cohort__host_trust=trust_b
        ).values_list(),
        "trust B cohorts' facilitators": CohortFacilitator.objects.filter(
            cohort__host_trust=trust_b
        ).values_list(),
        "trust B pairings": Pairing.objects.filter(cohort__host_trust=trust_b).values_list(),
        "trust B visits": ShadowingVisit.objects.filter(
            pairing__cohort__host_trust=trust_b
        ).values_list(),
        "trust B pair meetings": PairMeeting.objects.filter(
            pairing__cohort__host_trust=trust_b
        ).values_list(),
        "trust B projects": ImprovementProject.objects.filter(
            pairing__cohort__host_trust=trust_b
        ).values_list(),
        "trust B schemes": PairingScheme.objects.filter(trust=trust_b).values_list(),
        "trust B scheme members": SchemeMember.objects.filter(scheme__trust=trust_b).values_list(),
        "trust B certificates": Certificate.objects.filter(
            enrolment__cohort__host_trust=trust_b
        ).values_list(),
        # Trust B's Tandem coffee: its settings, spaces, rounds, matches and who said "we met".
        "trust B coffee scheme": CoffeeScheme.objects.filter(trust=trust_b).values_list(),
        "trust B shared spaces": SharedSpace.objects.filter(trust=trust_b).values_list(),
        "trust B coffee rounds": CoffeeRound.objects.filter(trust=trust_b).values_list(),
        "trust B coffee matches": CoffeeMatch.objects.filter(round__trust=trust_b).values_list(),
        "trust B coffee members": CoffeeMatchMember.objects.filter(
            round__trust=trust_b
        ).values_list(),
        "trust B coffee choices": CoffeeOptIn.objects.filter(person__in=b_people).values_list(),
        # Trust B's certificate batches and templates (its certificates: above).
        "trust B certificate batches": CertificateBatch.objects.filter(
            cohort__host_trust=trust_b
        ).values_list(),
        "trust B certificate templates": CertificateTemplate.objects.filter(
            trust=trust_b
        ).values_list(),
        "trust B monthly reports": MonthlyReport.objects.filter(trust=trust_b).values_list(),
        "trust B monthly report emails": MonthlyReportEmail.objects.filter(
            report__trust=trust_b
        ).values_list(),
        "their addresses": EmailAddress.objects.filter(user__in=protected_people).values_list(),
        "their authenticators": Authenticator.objects.filter(user__in=protected_people).values_list(
            "pk", "type", "data"
        ),
        "their sessions": UserSession.objects.filter(user__in=protected_people).values_list(
            "session_key", "user_id"
        ),
        # Revoking or making one for them would be a change (last use is not: the API's own).
        "their API tokens": ApiToken.objects.filter(owner__in=protected_people).values_list(
            "pk", "owner_id", "scope", "expires_at", "revoked_at"
        ),
    }
    if acting is not None:
        rows["own privileges"] = User.objects.filter(pk=acting.pk).values_list(*OWN_PRIVILEGES)
    return rows


class ProtectedRows:
    """protected_querysets() compiled to SQL once, so comparing after each of thousands of
    requests costs the queries alone (compiling them was half the matrix's time)."""

    def __init__(self, trust_b, acting):
        self.statements = {
            name: queryset.query.sql_with_params()
            for name, queryset in protected_querysets(trust_b, acting).items()
        }

    def read(self) -> dict:
        from django.db import connection

        rows = {}
        with connection.cursor() as cursor:
            for name, (sql, params) in self.statements.items():
                cursor.execute(sql, params)
                rows[name] = sorted(map(repr, cursor.fetchall()))
        return rows


def differ(before: dict, after: dict) -> list[str]:
    """What changed, each with a row that shows how (so a failure says what it did)."""
    changes = []
    for name in before:
        if before[name] != after[name]:
            gone = sorted(set(before[name]) - set(after[name]))[:1]
            new = sorted(set(after[name]) - set(before[name]))[:1]
            changes.append(f"{name} (was {gone or '-'}, now {new or '-'})")
    return changes


def is_refusal(response) -> bool:
    if response.status in (401, 403, 404, 405, 410):
        return True
    if response.status in (301, 302):
        location = response.location
        return (
            location.startswith(("/accounts/", "/admin/login"))
            or "login" in location
            or location == "/admin/"  # Wagtail's "Sorry, you do not have permission"
        )
    return False


def _is_cms_public_page(path: str) -> bool:
    """Wagtail pages served from the tree (anything the catch-all resolves) are public unless
    restricted; their restriction is tested in the CMS tests."""
    slug = path.strip("/").split("/")[-1] if path.strip("/") else ""
    return Page.objects.filter(slug=slug).exists()


def run(client, persona, probe, world, protected=None, baseline=None, extra_post=None):
    """GET then POST one probe as `persona`; returns both outcomes. `baseline` is
    the protected rows as they were (each request is rolled back, so it stays true)."""
    protected = protected or ProtectedRows(world["trust_b"], persona)
    if baseline is None:
        baseline = protected.read()

    def snapshot():
        return differ(baseline, protected.read())

    got = request_and_roll_back(client, "get", probe.path, None, snapshot)
    body = attack_body(got.body if got.status == 200 else "", extra_post or {})
    posted = request_and_roll_back(client, "post", probe.path, body, snapshot)
    return got, posted


def check(name, persona, probe, outcomes, failures):
    for method, outcome in zip(("GET", "POST"), outcomes, strict=True):
        where = f"{name} {method} {probe.path}"
        if outcome.status >= 500:
            failures.append(f"{where}: {outcome.status}")
        if outcome.changes:
            failures.append(f"{where}: changed {', '.join(outcome.changes)}")
        public = next((m for p, m in PUBLIC_BY_DESIGN.items() if probe.path.startswith(p)), ())
        shown = [marker for marker in MARKERS if marker in outcome.body and marker not in public]
        if name not in MAY_SEE_TRUST_B and shown:
            failures.append(f"{where}: shows trust B's data")
        if method == "GET" and outcome.status == 200 and not probe.path.startswith(PUBLIC_PREFIXES):
            staff_page = probe.path.startswith("/admin/")
            if persona is None and probe.path != "/" and not _is_cms_public_page(probe.path):
                failures.append(f"{where}: 200 to an anonymous visitor (should refuse)")
            elif persona is not None and staff_page and not persona.holds_staff_role:
                failures.append(f"{where}: staff page served to a non-staff role")
        if (
            method == "POST"
            and persona is not None
            and not persona.holds_staff_role
            and probe.path.startswith("/admin/")
            and not probe.path.startswith(PUBLIC_PREFIXES)
            and not is_refusal(outcome)
        ):
            failures.append(f"{where}: {outcome.status} (staff action not refused)")


@pytest.mark.slow
# Wagtail's image renditions leave a SpooledTemporaryFile for the garbage collector; Python
# reports it as an unraisable ResourceWarning at teardown. It is not ours to close.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("name", ["anonymous", *PERSONAS, TWO_ROLES])
def test_every_url_refuses_what_it_must(world, name):
    """One role at a time (so they can run in parallel and fail apart): every probe, GET then
    POST."""
    client = Client(raise_request_exception=False)  # a 500 is a finding, not a crash
    all_probes, patterns = probes(world["targets"])
    assert patterns > 250 and len(all_probes) > patterns  # Wagtail's admin, allauth, ours
    person = world["people"].get(name)
    if person is not None:
        client.force_login(person)
    protected = ProtectedRows(world["trust_b"], person)
    baseline = protected.read()
    failures: list[str] = []
    for probe in all_probes:
        outcomes = run(client, person, probe, world, protected, baseline)
        check(name, person, probe, outcomes, failures)
    print(
        f"refusal matrix, {name}: {patterns} URL patterns -> {len(all_probes)} paths "
        f"x GET+POST = {2 * len(all_probes)} requests"
    )
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)


def test_the_matrix_sees_a_leak_and_a_change_when_there_is_one(world):
    """The positive control: trust B's own administrator, probed the same way, is shown the
    sentinel and does change them — so the matrix can fail."""
    client = Client(raise_request_exception=False)
    admin_b, sentinel = world["other_admin"], world["sentinel"]
    client.force_login(admin_b)
    probe = Probe("admin/people/edit/<int:pk>/", f"/admin/people/edit/{sentinel.pk}/", User)
    got, posted = run(
        client,
        admin_b,
        probe,
        world,
        extra_post={"email": "changed.by.b@southvale.nhs.uk"},
    )
    assert got.status == 200 and SENTINEL_EMAIL in got.body
    assert posted.status == 302
    assert any(change.startswith("other people") for change in posted.changes)
    failures: list[str] = []
    check("programme admin B", admin_b, probe, (got, posted), failures)
    assert any("shows trust B's data" in f for f in failures)
    assert any("changed other people" in f for f in failures)
    # ...and everything was rolled back for the next request.
    sentinel.refresh_from_db()
    assert sentinel.email == SENTINEL_EMAIL


def test_the_matrix_sees_a_certificate_download_as_a_leak(world):
    """The positive control for the certificate download: trust B's administrator (of the
    host trust) is served the file, and the matrix would call that a leak to anyone else."""
    client = Client(raise_request_exception=False)
    admin_b = world["other_admin"]
    client.force_login(admin_b)
    certificate = world["certificate_b"]
    route = "learn/certificates/<str:code>/download/"
    probe = Probe(route, f"/learn/certificates/{certificate.printed_code}/download/", Certificate)
    got, posted = run(client, admin_b, probe, world)
    issued = certificate_storage().open(certificate.pdf.name).read()
    assert got.status == 200 and got.body == issued.decode(errors="ignore")
    assert "Sentinel certificate file" in got.body
    assert posted.status == 405
    failures: list[str] = []
    check("programme admin B", admin_b, probe, (got, posted), failures)
    assert any("shows trust B's data" in f for f in failures)


def test_the_matrix_sees_trust_bs_certificates_in_the_staff_list(world):
    """The positive control for Find a certificate: trust B's administrator, whose trust
    hosted the sentinel's cohort, finds the sentinel's certificate by the filters the matrix
    probes — so the matrix would see it shown to anyone else."""
    client = Client(raise_request_exception=False)
    admin_b = world["other_admin"]
    client.force_login(admin_b)
    certificate = world["certificate_b"]
    path = f"/admin/certificates/held/?search={certificate.printed_code}"
    probe = Probe("admin/certificates/held/", path, None)
    got, posted = run(client, admin_b, probe, world)
    assert got.status == 200 and "Sentinelson" in got.body
    assert posted.status == 405
    failures: list[str] = []
    check("programme admin B", admin_b, probe, (got, posted), failures)
    assert any("shows trust B's data" in f for f in failures)


def test_every_id_parameter_points_at_a_real_record(world):
    """No route is left pointing at a made-up id when the world has a record of its model."""
    all_probes, _ = probes(world["targets"])
    user_routes = [p for p in all_probes if p.model is User and "<" in p.route]
    assert {str(world["sentinel"].pk), str(world["superuser"].pk)} <= {
        part for p in user_routes for part in p.path.replace("?id=", "/").split("/")
    }
    paths = {p.path for p in all_probes}
    # The sentinel's certificate download, by its real code.
    assert f"/learn/certificates/{world['certificate_b'].printed_code}/download/" in paths
    enrolment_b = Enrolment.objects.get(goals="Sentinel goals for the cohort")
    cohort_b = enrolment_b.cohort
    assert cohort_b.host_trust == world["trust_b"]
    assert f"/learn/enrol/{cohort_b.pk}/" in paths
    assert f"/learn/enrolments/{enrolment_b.pk}/withdraw/" in paths
    assert f"/learn/enrolments/{enrolment_b.pk}/sponsor/" in paths
    # A sponsor's link: the token is no id (a real one is its holder's authority, by design);
    # a made-up one must be refused with a 4xx, to everyone (tests/programmes/test_sponsor_links.py
    # tries tampered ones).
    assert "/sponsor/x/" in paths
    # The self-assessment pages at trust B's enrolments, and a made-up survey link.
    assert f"/learn/self-assessment/{enrolment_b.pk}/before/" in paths
    assert f"/learn/self-assessment/{enrolment_b.pk}/after/" in paths
    assert "/survey/x/" in paths
    pair_b = PairApplication.objects.get()
    assert pair_b.cohort.host_trust == world["trust_b"]
    assert f"/learn/pairs/{pair_b.pk}/decline/" in paths
    # The cohort admin: the viewset's own routes and a cohort's enrolments and their actions,
    # each pointed at trust B's cohort and at each of its enrolments.
    for path in ("edit", "inspect", "history", "usage"):
        assert f"/admin/cohorts/{path}/{cohort_b.pk}/" in paths
    assert f"/admin/cohorts/{cohort_b.pk}/enrolments/" in paths
    for enrolment in Enrolment.objects.filter(cohort=cohort_b):
        for action in ("approve", "promote", "withdraw", "history"):
            assert f"/admin/cohorts/enrolments/{enrolment.pk}/{action}/" in paths
    # The pair pages and the pairing admin, at trust B's pairing, visit and scheme.
    pairing_b = Pairing.objects.get(cohort=cohort_b)
    visit_b = ShadowingVisit.objects.get(pairing=pairing_b)
    scheme_b = PairingScheme.objects.get(trust=world["trust_b"])
    for path in (
        f"/learn/pairing/{pairing_b.pk}/",
        f"/learn/pairing/{pairing_b.pk}/visits/",
        f"/learn/pairing/visits/{visit_b.pk}/confirm/",
        f"/learn/pairing/schemes/{scheme_b.pk}/join/",
        f"/admin/pairing/cohorts/{cohort_b.pk}/suggest/",
        f"/admin/pairing/schemes/{scheme_b.pk}/edit/",
    ):
        assert path in paths, path
    # Tandem coffee: trust B's scheme page and space, and the sentinel's "we met".
    space_b, match_b = SharedSpace.objects.get(), CoffeeMatch.objects.get()
    assert f"/admin/coffee/trusts/{world['trust_b'].pk}/" in paths
    assert f"/admin/coffee/spaces/{space_b.pk}/deactivate/" in paths
    assert f"/learn/coffee/matches/{match_b.pk}/met/" in paths
    # The certificates admin, at trust B's cohort, batch, certificates and template.
    template_b = CertificateTemplate.objects.get(trust=world["trust_b"])
    batch_b = CertificateBatch.objects.get(cohort=cohort_b)
    for path in (
        f"/admin/certificates/cohorts/{cohort_b.pk}/",
        f"/admin/certificates/cohorts/{cohort_b.pk}/issue/",
        f"/admin/certificates/cohorts/{cohort_b.pk}/zip/",
        f"/admin/certificates/batches/{batch_b.pk}/",
        f"/admin/certificates/batches/{batch_b.pk}/progress/",
        f"/admin/certificates/templates/{template_b.pk}/edit/",
        f"/admin/certificates/templates/{template_b.pk}/preview/",
    ):
        assert path in paths, path
    for certificate in Certificate.objects.filter(enrolment__cohort=cohort_b):
        for action in ("retry", "revoke", "reissue"):
            assert f"/admin/certificates/certificates/{certificate.pk}/{action}/" in paths
    # Find a certificate, its filters naming trust B's programmes, holder and code.
    held = "/admin/certificates/held/"
    assert {
        held,
        f"{held}?search=Sentinel",
        f"{held}?search={world['certificate_b'].printed_code}",
        f"{held}?programme={cohort_b.programme_id}",
        f"{held}?programme={world['certificate_b'].enrolment.cohort.programme_id}&status=revoked",
    } <= paths
    # Open Badges: the sentinel's credential and its signed form, trust B's issuer profile and
    # revocation list, the key set and a key no one has.
    certificate_b = world["certificate_b"]
    for path in (
        f"/verify/{certificate_b.printed_code}.json",
        f"/verify/{certificate_b.printed_code}.jwt",
        "/verify/issuers/RSV.json",
        "/verify/issuers/RSV/revocations.json",
        "/verify/keys.json",
        "/verify/keys/x.json",
    ):
        assert path in paths, path
    # Trust reporting: trust B's dashboard and a download of it, and trust B's cohort named in
    # the filters of trust B's dashboard and of trust A's own.
    trust_b_id = world["trust_b"].pk
    trust_a_id = world["people"]["reporting lead A"].trust_id
    for path in (
        f"/reports/trusts/{trust_b_id}/",
        f"/reports/trusts/{trust_b_id}/participants.csv",
        f"/reports/trusts/{trust_b_id}/?cohort={cohort_b.pk}",
        f"/reports/trusts/{trust_a_id}/?cohort={cohort_b.pk}",
        f"/reports/trusts/{trust_a_id}/participants.csv?cohort={cohort_b.pk}",
    ):
        assert path in paths, path
    # Reports (reports/): "Does it work?" for trust B, and board composition's own routes at
    # trust B's snapshot.
    assert "/reports/effect/" in paths
    assert f"/reports/effect/{world['trust_b'].pk}/" in paths
    for table in ("participants.csv", "rates.csv", "survival.xlsx"):  # and its downloads
        assert f"/reports/effect/{world['trust_b'].pk}/{table}" in paths
    # The comparisons: another region's (London's) and the national one, with downloads.
    london = Region.objects.get(code="Y56").pk
    for path in (
        f"/reports/regions/{london}/",
        f"/reports/regions/{london}/participants.csv",  # the matrix's table name: a 404 anyway
        "/reports/national/",
        "/reports/national/participants.csv",
    ):
        assert path in paths, path
    board_b = BoardSnapshot.objects.get(trust=world["trust_b"])
    for path in ("edit", "inspect"):
        assert f"/admin/boardsnapshot/{path}/{board_b.pk}/" in paths
    # My roles: ending the sentinel's role; the HR extract import.
    role_b = RoleAppointment.objects.get(title="Sentinel medical director")
    assert f"/learn/roles/{role_b.pk}/end/" in paths
    assert {"/learn/roles/", "/admin/people/role-import/"} <= paths
    bulk = [p.path for p in all_probes if p.path.startswith("/admin/bulk/people/user/")]
    assert f"/admin/bulk/people/user/set_active_state/?id={world['superuser'].pk}" in bulk


def test_a_certificate_is_verifiable_by_anyone_by_design(world):
    """The matrix's one deliberate exception (PUBLIC_BY_DESIGN): trust B's certificate's page
    is public, to anonymous visitors and to every other trust's people alike, and shows the
    name printed on it — but nothing else of trust B's; and "Check a PDF" (a POST) works
    without signing in. Without the exception the matrix reports the name as a leak."""
    certificate = world["certificate_b"]
    path = f"/verify/{certificate.printed_code}/"
    all_probes, _ = probes(world["targets"])
    assert path in {p.path for p in all_probes} and "/verify/" in {p.path for p in all_probes}
    issued = certificate_storage().open(certificate.pdf.name).read()
    allowed = PUBLIC_BY_DESIGN["/verify/"]
    for name in ("anonymous", "programme admin A"):
        client = Client(raise_request_exception=False)
        if name != "anonymous":
            client.force_login(world["people"][name])
        got = client.get(path)
        assert got.status_code == 200
        body = got.content.decode()
        assert "Sentinelson" in body  # the exception is needed, not a blanket pass
        assert [m for m in MARKERS if m in body and m not in allowed] == []
        posted = client.post(path, {"pdf": SimpleUploadedFile("c.pdf", issued)})
        body = posted.content.decode()
        assert posted.status_code == 200 and "This file matches" in body
        assert [m for m in MARKERS if m in body and m not in allowed] == []


OUTCOME_TABLES = ("relationship_after", "outlook", "self_assessment", "self_assessment_levels")


def test_reports_refuse_trust_b_to_trust_as_people(world):
    """Beyond "shows nothing of trust B": a trust A person asking for trust B's report, or
    naming trust B's cohort in their own report's filters, is answered 404 (a reporting
    lead) or 403 (no reporting role at all), never a page. The regional lead's region holds
    trust B (aggregates, by design) and the two-role person reports on trust B."""
    trust_b = world["trust_b"]
    cohort_b = Cohort.objects.get(name="Southvale sentinel cohort")
    report_b = MonthlyReport.objects.get(trust=trust_b)
    for name, person in world["people"].items():
        if name in ("regional lead", TWO_ROLES):
            continue
        client = Client(raise_request_exception=False)
        client.force_login(person)
        own = f"/reports/trusts/{person.trust_id or 0}/"
        for path in (
            f"/reports/trusts/{trust_b.pk}/",
            f"/reports/trusts/{trust_b.pk}/leadership.xlsx",
            f"/reports/trusts/{trust_b.pk}/monthly/",
            f"/reports/monthly/{report_b.pk}/download/",
            f"{own}?cohort={cohort_b.pk}",
            f"{own}enrolments.csv?cohort={cohort_b.pk}",
            # The outcome tables' downloads (reports/outcome_tables.py).
            *(f"/reports/trusts/{trust_b.pk}/{t}.csv" for t in OUTCOME_TABLES),
            *(f"{own}{t}.xlsx?cohort={cohort_b.pk}" for t in OUTCOME_TABLES),
        ):
            expected = 404 if name == "reporting lead A" else 403
            assert client.get(path).status_code == expected, (name, path)
    lead = Client()
    lead.force_login(world["people"]["reporting lead A"])
    assert (
        lead.get(f"/reports/trusts/{world['people']['reporting lead A'].trust_id}/").status_code
        == 200
    )


def test_another_trusts_effect_estimate_is_a_404_to_every_trust_a_role(world):
    """/reports/effect/<trust B>/ and its downloads (aggregates, so no marker shows there):
    every persona of trust A, and anonymous visitors, are refused, GET and POST; the positive
    controls are the person who leads trust B's reporting and the regional lead of trust B's
    region (issue 14: regional leads compare their region's trusts, aggregates only), who see
    them."""
    page = f"/reports/effect/{world['trust_b'].pk}/"
    # Its tables' downloads (reports.effect_exports), refused and allowed as the page is.
    paths = (page, f"{page}rates.csv", f"{page}rates.xlsx", f"{page}survival.csv")
    assert (
        world["trust_b"].region_id
        == world["people"]["regional lead"].regions_for(AccessRole.REGIONAL_LEAD).pop()
    )
    for name in ("anonymous", *(p for p in PERSONAS if p != "regional lead")):
        client = Client(raise_request_exception=False)
        if name != "anonymous":
            client.force_login(world["people"][name])
        for path in paths:
            for method in ("get", "post"):
                response = getattr(client, method)(path)
                refused = response.status_code in (404, 405) or (
                    response.status_code == 302 and "/accounts/login/" in response.url
                )
                assert refused, f"{name} {method.upper()} {path}: {response.status_code}"
    for name in (TWO_ROLES, "regional lead"):
        client = Client()
        client.force_login(world["people"][name])
        for path in paths:
            assert client.get(path).status_code == 200, (name, path)
        # POST is refused even to those who may see it (require_GET).
        assert client.post(f"{page}rates.csv").status_code == 405, name


def test_another_regions_comparison_and_the_national_one_are_refused_to_trust_as_people(world):
    """/reports/regions/<London>/ (no trust A persona reports on a London trust) is a 404 to
    every reporting role, a 403 to the others; /reports/national/ is refused to every one of
    them (none is a national lead), GET and POST, downloads included. Positive controls: the
    regional lead and trust A's reporting lead open their own region's comparison (trust A's
    and B's: North East and Yorkshire); a national lead opens both."""
    london = Region.objects.get(code="Y56").pk
    own_region = world["trust_b"].region_id
    refused = (
        f"/reports/regions/{london}/",
        f"/reports/regions/{london}/leadership.xlsx",
        "/reports/national/",
        "/reports/national/participation.csv",
    )
    for name in ("anonymous", *PERSONAS, TWO_ROLES):
        client = Client(raise_request_exception=False)
        if name != "anonymous":
            client.force_login(world["people"][name])
        for path in refused:
            for method in ("get", "post"):
                response = getattr(client, method)(path)
                ok = response.status_code in (403, 404, 405) or (
                    response.status_code == 302 and "/accounts/login/" in response.url
                )
                assert ok, f"{name} {method.upper()} {path}: {response.status_code}"
    for name in ("regional lead", "reporting lead A", TWO_ROLES):
        client = Client()
        client.force_login(world["people"][name])
        assert client.get(f"/reports/regions/{own_region}/").status_code == 200, name
    national = UserFactory(trust=None, roles=[AccessRole.NATIONAL_LEAD])
    give_totp(national)
    client = Client()
    client.force_login(national)
    for path in (f"/reports/regions/{london}/", "/reports/national/"):
        assert client.get(path).status_code == 200, path


def test_an_hr_extract_naming_another_trusts_person_changes_nothing(world):
    """The HR import's file field is one the matrix's generic POST cannot fill: here each role
    uploads trust A's extract naming trust B's sentinel by their staff number, for every trust
    the form offers and for trust B itself. Nothing changes, nothing of trust B's shows, and
    the row is "not found" in the words used for someone who does not exist."""
    import re

    rows = (
        "staff number,title,category,start\n"
        + f"{SENTINEL_STAFF},Chief executive,Board (executive),2025-04-01\n"
    )
    trust_b = world["trust_b"]
    protected_people = [*PERSONAS, TWO_ROLES]
    for name in protected_people:
        person = world["people"][name]
        client = Client(raise_request_exception=False)
        client.force_login(person)
        protected = ProtectedRows(trust_b, person)
        before = protected.read()
        page = client.get("/admin/people/role-import/")
        offered = re.findall(r'<option value="(\d+)"', page.content.decode())
        for trust_id in {*offered, str(trust_b.pk)}:
            upload = SimpleUploadedFile("hr.csv", rows.encode(), content_type="text/csv")
            response = client.post(
                "/admin/people/role-import/",
                {"trust": trust_id, "file": upload, "action": "check"},
            )
            body = response.content.decode()
            assert response.status_code < 500, (name, trust_id)
            assert [m for m in MARKERS if m in body] == [], (name, trust_id)
            token = re.search(r'name="token" value="([^"]+)"', body)
            assert token is None, (name, trust_id)  # never a row good enough to import
            if response.status_code == 200 or "need fixing" in body:
                assert "has this staff number or email address" in body, (name, trust_id)
        assert differ(before, protected.read()) == [], name
