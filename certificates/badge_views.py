"""Machine verification (issue 13): a certificate as an Open Badges 3.0 credential, signed,
and what a verifier needs to check it without trusting this site's word for it.

- ``/verify/<code>.json``: the OpenBadgeCredential as JSON (what the JSON Schema validates;
  readable by people and tools), with a ``Link`` to its signed form.
- ``/verify/<code>.jwt``: the same credential signed as a VC-JWT (compact JWS, EdDSA), served
  as ``text/plain`` as OB 3.0 §5.3 ("Web Resource") says for the JWT proof format. This is
  the verifiable credential; a holder can keep it and it verifies with the key alone.
- ``/verify/keys.json``: the public key set (JWKS): the current key and retired ones.
- ``/verify/keys/<thumbprint>.json``: one of them as a JWK — what the JWT header's ``kid``
  names, so a verifier fetches exactly the key it needs.
- ``/verify/issuers/<ODS code>.json``: a trust as an issuer Profile (the credential's
  ``issuer.id`` and the JWT's ``iss``).
- ``/verify/issuers/<ODS code>/revocations.json``: that issuer's 1EdTech Revocation List
  (the credential's ``credentialStatus``): revoked and superseded credential ids, with
  neutral reasons, no names and no codes.
- ``/verify/leadership-model.json``: the Healthcare Leadership Model's dimensions, what each
  alignment's ``targetUrl`` names.

All public, GET only, no session or cookie; ``Access-Control-Allow-Origin: *`` because
browser-based verifiers (wallets, validators) run on other origins and these documents are
public: a wildcard origin never sends cookies, so it exposes nothing a plain fetch from a
server could not already read. A revoked or superseded certificate's credential is still
served (a verifier must be able to see it and find it on the list); a pending one, whose
PDF is still being made, has no credential yet (404 saying so). Unknown or malformed codes
are 404 with a reason, never a 500; past ``CODE_MISSES`` of them from one address in a
window, every code lookup from it is 429 until the window ends. Only misses count, so a
verifier checking many real certificates is never slowed.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from audit.services import client_ip
from cms.models import LeadershipDimension

from . import badges, codes, signing
from .badge_selectors import (
    certificate_for_badge,
    no_longer_valid,
    trust_by_ods_code,
    was_issued,
)
from .verify_views import VERIFY_MISSES

JSON_LD = "application/ld+json"
# The verification pages' own limit, so the two share one counter: a scan gains nothing by
# switching between /verify/<code>/ and /verify/<code>.json.
CODE_MISSES = VERIFY_MISSES


def _public(response: HttpResponse, *, max_age: int) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    # Short: a revocation should reach verifiers within minutes.
    response["Cache-Control"] = f"public, max-age={max_age}"
    return response


def _json(body: dict, *, status: int = 200, content_type: str = "application/json", max_age=60):
    response = JsonResponse(
        body,
        status=status,
        content_type=content_type,
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    return _public(response, max_age=max_age if status == 200 else 0)


def _not_found(error: str, detail: str) -> JsonResponse:
    return _json({"error": error, "detail": detail}, status=404)


NO_SUCH_CERTIFICATE = (
    "No certificate has this code. Check it against the certificate: 28 letters and digits, "
    "usually printed in groups of four."
)
NOT_ISSUED_YET = (
    "This certificate has not been issued yet: its PDF is still being prepared. Try again in "
    "a few minutes."
)


def _issued_certificate(request, code: str):
    """The certificate and None, or None and the 404 (or 429) to answer."""
    who = client_ip(request) or "unknown"
    retry_after = CODE_MISSES.exceeded(who)
    if retry_after:
        refusal = _json(
            {
                "error": "too_many_requests",
                "detail": "Too many unknown certificate codes from this address. "
                f"Try again in {retry_after} seconds.",
            },
            status=429,
        )
        refusal["Retry-After"] = str(retry_after)
        return None, refusal
    stored = codes.normalise(code)
    certificate = certificate_for_badge(stored) if stored else None
    if certificate is None:
        CODE_MISSES.hit(who)
        return None, _not_found("not_found", NO_SUCH_CERTIFICATE)
    if not was_issued(certificate):
        return None, _not_found("not_issued", NOT_ISSUED_YET)
    return certificate, None


@require_safe
def credential_json(request, code):
    certificate, refusal = _issued_certificate(request, code)
    if refusal:
        return refusal
    built = badges.credential(certificate, base_url=settings.BASE_URL)
    response = _json(built, content_type=JSON_LD)
    signed = f"{settings.BASE_URL}/verify/{certificate.code}.jwt"
    page = f"{settings.BASE_URL}{codes.verify_path(certificate.code)}"
    response["Link"] = (
        f'<{signed}>; rel="alternate"; type="text/plain", '
        f'<{page}>; rel="alternate"; type="text/html"'
    )
    return response


@require_safe
def credential_jwt(request, code):
    certificate, refusal = _issued_certificate(request, code)
    if refusal:
        return refusal
    built = badges.credential(certificate, base_url=settings.BASE_URL)
    token = signing.sign(badges.jwt_payload(built))
    return _public(HttpResponse(token, content_type="text/plain; charset=utf-8"), max_age=60)


@require_safe
def key_set(request):
    return _json(signing.key_set(), content_type="application/jwk-set+json", max_age=3600)


@require_safe
def key(request, thumbprint):
    found = signing.published_key(thumbprint)
    if found is None:
        return _not_found("not_found", "No key of ours has this thumbprint.")
    return _json(found, content_type="application/jwk+json", max_age=3600)


@require_safe
def issuer(request, ods_code):
    trust = trust_by_ods_code(ods_code)
    if trust is None:
        return _not_found("not_found", "No trust issues certificates under this ODS code.")
    profile = badges.issuer_profile(trust, base_url=settings.BASE_URL)
    return _json({"@context": badges.CONTEXT, **profile}, content_type=JSON_LD, max_age=3600)


@require_safe
def revocations(request, ods_code):
    trust = trust_by_ods_code(ods_code)
    if trust is None:
        return _not_found("not_found", "No trust issues certificates under this ODS code.")
    listed = badges.revocation_list(trust, no_longer_valid(trust), base_url=settings.BASE_URL)
    return _json(listed)


@require_safe
def leadership_model(request):
    dimensions = LeadershipDimension.objects.order_by("sort_order").values(
        "slug", "name", "description"
    )
    body = {
        "id": f"{settings.BASE_URL}/verify/leadership-model.json",
        "name": badges.FRAMEWORK,
        "publisher": "NHS Leadership Academy",
        "dimensions": [
            {"id": badges.dimension_url(settings.BASE_URL, d["slug"]), **d} for d in dimensions
        ],
    }
    return _json(body, max_age=3600)
