"""Open Badges 3.0: /verify/<code>.json is an OpenBadgeCredential that validates against
1EdTech's published JSON Schema (a verbatim copy in tests/certificates/data/), /verify/<code>.jwt
is the same credential signed as a VC-JWT whose signature verifies — with joserfc, as any
verifier would — against the key fetched from the published key set, the credential's status
points at its issuer's revocation list, and nothing in any of it names the holder's email or
registration number. The signing key is generated once, mode 0600, and reused."""

import base64
import datetime
import hashlib
import itertools
import json
import stat
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.utils import timezone
from joserfc import jws
from joserfc.errors import BadSignatureError, SecurityWarning
from joserfc.jwk import KeySet, OKPKey
from jsonschema import validators
from referencing import Registry, Resource

from certificates import signing
from certificates.models import Certificate
from certificates.services import certificate_issue
from cms.models import LeadershipDimension
from tests.factories import CertificateFactory, EnrolmentFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
SCHEMA = json.loads((DATA / "achievementcredential.json").read_text())


def validate(instance: dict) -> list[str]:
    """Every way `instance` breaks 1EdTech's schema. The registry holds only our copy, so a
    remote $ref would be unresolvable rather than fetched."""
    registry = Registry().with_resource(SCHEMA["$id"], Resource.from_contents(SCHEMA))
    cls = validators.validator_for(SCHEMA)
    cls.check_schema(SCHEMA)
    validator = cls(SCHEMA, registry=registry, format_checker=cls.FORMAT_CHECKER)
    return sorted(f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance))


def dimensions(*slugs):
    rows = LeadershipDimension.objects.filter(slug__in=slugs).order_by("sort_order")
    return list(rows.values("slug", "name", "description"))


@pytest.fixture
def certificate(trust_a):
    """Dr Priya Raman's valid certificate from Northshire, aligned to two dimensions."""
    enrolment = EnrolmentFactory(
        cohort__host_trust=trust_a,
        cohort__programme__title="Leading together: clinicians and managers",
        person__first_name="Priya",
        person__last_name="Raman",
        person__email="priya.raman@northshire.nhs.uk",
        person__registration_number="7654321",
        status="completed",
    )
    return CertificateFactory(
        enrolment=enrolment,
        status="valid",
        leadership_dimensions=dimensions("leading-with-care", "engaging-the-team"),
    )


def revoke(certificate, reason="Issued to the wrong cohort by mistake"):
    Certificate.objects.filter(pk=certificate.pk).update(
        status="revoked", revoked_at=timezone.now(), revoked_reason=reason
    )
    certificate.refresh_from_db()
    return certificate


def supersede(certificate):
    """Re-issued: the old one stops being live (so the enrolment may have a new one), then
    points at its successor."""
    revoke(certificate, reason="Re-issued")
    successor = CertificateFactory(enrolment=certificate.enrolment, status="valid")
    Certificate.objects.filter(pk=certificate.pk).update(
        status="superseded", superseded_by=successor
    )
    certificate.refresh_from_db()
    return certificate, successor


def get_json(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, response.content
    return response.json()


def local_path(url: str) -> str:
    assert url.startswith("http://testserver/"), url
    return urlsplit(url).path


def verify_jwt(client, token: str) -> dict:
    """What a verifier does (OB 3.0 §8.2.6): read the header's kid, dereference it (through
    the test client) to the public JWK, check it is the key the published key set lists under
    that thumbprint, verify the signature with joserfc, and only then read the payload."""
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["alg"] == "EdDSA" and header["typ"] == "JWT"
    assert set(header) == {"alg", "kid", "typ"}  # OB 3.0 allows no other JOSE header
    response = client.get(local_path(header["kid"]))
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    jwk = response.json()
    assert header["kid"].endswith(f"/verify/keys/{jwk['kid']}.json")
    keys = KeySet.import_key_set(get_json(client, "/verify/keys.json"))
    key = keys.get_by_kid(jwk["kid"])
    assert key.as_dict(private=False) == OKPKey.import_key(jwk).as_dict(private=False)
    with warnings.catch_warnings():
        # joserfc warns that RFC 9864 deprecates the name "EdDSA"; the check is the same.
        warnings.simplefilter("ignore", SecurityWarning)
        verified = jws.deserialize_compact(token, key, algorithms=["EdDSA"])
    return json.loads(verified.payload)


@pytest.mark.parametrize("state", ["valid", "revoked", "superseded", "erased"])
def test_the_credential_validates_against_1edtechs_schema(client, certificate, state):
    if state == "revoked":
        revoke(certificate)
    elif state == "superseded":
        supersede(certificate)
    elif state == "erased":
        revoke(certificate, reason="Withdrawn at the holder's request.")
        Certificate.objects.filter(pk=certificate.pk).update(participant_name="")
    response = client.get(f"/verify/{certificate.code}.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    built = response.json()
    assert validate(built) == []
    assert built["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert built["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert datetime.datetime.fromisoformat(built["validFrom"]).tzinfo is not None
    assert built["validFrom"].startswith(certificate.issued_on.isoformat())
    assert built["issuer"]["name"] == "Northshire Hospitals NHS Foundation Trust"
    assert built["issuer"]["id"] == "http://testserver/verify/issuers/RNS.json"
    achievement = built["credentialSubject"]["achievement"]
    assert achievement["name"] == "Leading together: clinicians and managers"
    assert achievement["type"] == ["Achievement"]
    assert ("identifier" in built["credentialSubject"]) is (state != "erased")


def test_the_schema_copy_is_verbatim_and_the_validator_can_fail(certificate, client):
    note = (DATA / "README.md").read_text()
    digest = hashlib.sha256((DATA / "achievementcredential.json").read_bytes()).hexdigest()
    assert f"SHA-256 of the file: `{digest}`" in note
    built = get_json(client, f"/verify/{certificate.code}.json")
    broken = {**built, "type": ["VerifiableCredential"]}
    del broken["issuer"]
    errors = validate(broken)
    assert any("'issuer' is a required property" in e for e in errors)
    assert any(e.startswith("['type']") for e in errors)


def test_a_certificate_issued_and_rendered_for_real_serves_a_valid_credential(
    client, trust_a, django_capture_on_commit_callbacks
):
    enrolment = EnrolmentFactory(cohort__host_trust=trust_a, status="completed")
    with django_capture_on_commit_callbacks(execute=True):
        issued = certificate_issue(enrolment=enrolment)
    issued.refresh_from_db()
    assert issued.status == "valid"
    assert validate(get_json(client, f"/verify/{issued.printed_code}.json")) == []


def test_the_jwt_verifies_with_the_published_key_and_carries_the_credential(client, certificate):
    built = get_json(client, f"/verify/{certificate.code}.json")
    response = client.get(f"/verify/{certificate.code}.jwt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")  # OB 3.0 §5.3, VC-JWT
    assert response["Access-Control-Allow-Origin"] == "*"
    payload = verify_jwt(client, response.content.decode())
    claims = {key: payload.pop(key) for key in ("iss", "jti", "nbf", "sub")}
    assert payload == built
    assert claims["iss"] == built["issuer"]["id"]
    assert claims["jti"] == built["id"]
    assert claims["sub"] == built["credentialSubject"]["id"]
    valid_from = datetime.datetime.fromisoformat(built["validFrom"])
    assert datetime.datetime.fromtimestamp(claims["nbf"], datetime.UTC) == valid_from
    assert validate(payload) == []
    # The .json points at its signed form.
    # And without joserfc: the raw Ed25519 signature over header.payload, with the public key
    # from the published JWK (the signing code's library is not checking itself).
    header_part, payload_part, signature_part = response.content.decode().split(".")
    jwk = get_json(client, "/verify/keys.json")["keys"][0]
    public = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(jwk["x"] + "=="))
    public.verify(
        base64.urlsafe_b64decode(signature_part + "=="), f"{header_part}.{payload_part}".encode()
    )
    link = client.get(f"/verify/{certificate.code}.json")["Link"]
    assert f'<http://testserver/verify/{certificate.code}.jwt>; rel="alternate"' in link


def test_a_tampered_jwt_or_one_signed_by_another_key_fails(client, certificate):
    token = client.get(f"/verify/{certificate.code}.jwt").content.decode()
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["credentialSubject"]["achievement"]["name"] = "Chief executive fast track"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(BadSignatureError):
        verify_jwt(client, f"{header}.{forged}.{signature}")
    # A forger's own key, with our header: the published key refuses it.
    stranger = OKPKey.generate_key("Ed25519", private=True)
    their_header = json.loads(base64.urlsafe_b64decode(header + "=="))
    theirs = jws.serialize_compact(their_header, json.dumps(claims).encode(), stranger,
                                   registry=signing.REGISTRY)  # fmt: skip
    with pytest.raises(BadSignatureError):
        verify_jwt(client, theirs)


def test_the_credential_status_lists_revoked_and_superseded_credentials(
    client, certificate, trust_a, trust_b
):
    still_valid = CertificateFactory(enrolment__cohort__host_trust=trust_a, status="valid")
    elsewhere = revoke(CertificateFactory(enrolment__cohort__host_trust=trust_b, status="valid"))
    built = get_json(client, f"/verify/{certificate.code}.json")
    status = built["credentialStatus"]
    assert status["type"] == "1EdTechRevocationList"
    listed = get_json(client, local_path(status["id"]))
    assert listed["id"] == status["id"] and listed["issuer"] == built["issuer"]["id"]
    assert listed["revokedCredentials"] == []

    revoke(certificate, reason="Dr Raman's attendance was recorded against the wrong cohort")
    old, successor = supersede(still_valid)
    listed = get_json(client, local_path(status["id"]))
    assert all(entry["revoked"] is True for entry in listed["revokedCredentials"])
    entries = {entry["id"]: entry["revocationReason"] for entry in listed["revokedCredentials"]}
    successor_id = get_json(client, f"/verify/{successor.code}.json")["id"]
    assert entries == {
        built["id"]: "Revoked by the issuer.",
        get_json(client, f"/verify/{old.code}.json")[
            "id"
        ]: "Superseded by a re-issued certificate.",
    }
    assert successor_id not in entries
    # Neutral words only, and no codes (which would open the listed certificates' pages).
    body = json.dumps(listed)
    assert "Raman" not in body and "wrong cohort" not in body
    assert certificate.code not in body and old.code not in body
    # Each issuer lists only its own.
    assert elsewhere.code not in body
    other = get_json(client, "/verify/issuers/RSV/revocations.json")
    assert len(other["revokedCredentials"]) == 1


def test_the_achievement_aligns_to_the_dimensions_recorded_on_the_certificate(client, certificate):
    achievement = get_json(client, f"/verify/{certificate.code}.json")["credentialSubject"][
        "achievement"
    ]
    alignment = achievement["alignment"]
    assert [a["targetName"] for a in alignment] == ["Leading with care", "Engaging the team"]
    assert {a["targetFramework"] for a in alignment} == {"NHS Healthcare Leadership Model"}
    assert alignment[0]["targetDescription"].startswith("Understanding the needs of the team")
    assert alignment[0]["targetUrl"] == (
        "http://testserver/verify/leadership-model.json#leading-with-care"
    )
    model = get_json(client, "/verify/leadership-model.json")
    assert len(model["dimensions"]) == 9
    assert {d["id"] for d in model["dimensions"]} >= {a["targetUrl"] for a in alignment}
    # The CPD hours and the completion rules, in words.
    assert achievement["creditsAvailable"] == 18.0
    assert "18 hours of continuing professional development" in achievement["description"]
    assert achievement["criteria"]["narrative"].startswith("Awarded")


def test_the_criteria_say_the_programmes_completion_rules():
    from certificates.badges import criteria_narrative

    programme = ProgrammeFactory(
        min_attendance_percent=80, excused_counts_as_attended=True, min_shadowing_hours=6
    )
    assert criteria_narrative(programme) == (
        "Awarded to a participant who attended at least 80% of the cohort's sessions (an "
        "excused absence counts as attended) and logged at least 6 hours of reciprocal "
        "shadowing."
    )


def test_nothing_served_names_the_holders_email_registration_number_or_name(
    client, certificate, trust_a
):
    revoke(certificate)
    token = client.get(f"/verify/{certificate.code}.jwt").content.decode()
    served = [
        client.get(f"/verify/{certificate.code}.json").content.decode(),
        json.dumps(verify_jwt(client, token), ensure_ascii=False),
        client.get("/verify/issuers/RNS.json").content.decode(),
        client.get("/verify/issuers/RNS/revocations.json").content.decode(),
        client.get("/verify/keys.json").content.decode(),
    ]
    person = certificate.enrolment.person
    for text in served:
        for secret in (person.email, "northshire.nhs.uk", person.registration_number, "Raman"):
            assert secret not in text
    # The name is there only as OB 3.0's salted hash, which a verifier who knows the name
    # can check.
    identity = json.loads(served[0])["credentialSubject"]["identifier"][0]
    assert identity["identityType"] == "name" and identity["hashed"] is True
    expected = hashlib.sha256(f"Priya Raman{identity['salt']}".encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${expected}"


@pytest.mark.parametrize(
    "path",
    [
        "/verify/ABCD-EFGH.json",  # too short to be a code
        "/verify/%3Cscript%3E.json",
        "/verify/0000000000000000000000000000.jwt",  # well formed, unknown
        "/verify/issuers/ZZZ99.json",
        "/verify/issuers/ZZZ99/revocations.json",
        "/verify/keys/not-a-thumbprint.json",
    ],
)
def test_unknown_or_malformed_codes_are_404_with_a_reason(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found" and response.json()["detail"]


def test_past_thirty_unknown_codes_an_address_is_refused_for_a_while(client, certificate):
    from certificates.badge_views import CODE_MISSES

    assert CODE_MISSES.attempts == 30
    for attempt in range(29):
        assert client.get(f"/verify/{attempt:028d}.json").status_code == 404
    # Real certificates do not count: a verifier checking many is never refused for that.
    for _ in range(40):
        assert client.get(f"/verify/{certificate.code}.json").status_code == 200
    assert client.get("/verify/not-a-code.json").status_code == 404  # the thirtieth miss
    refused = client.get(f"/verify/{certificate.code}.jwt")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused.json()["error"] == "too_many_requests"
    # Another address is not affected.
    assert client.get(f"/verify/{certificate.code}.json", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_a_pending_certificate_has_no_credential_yet(client):
    pending = CertificateFactory()  # pending: its PDF is still being made
    # Revoked before its PDF was ever made: it was never issued either.
    never_rendered = revoke(CertificateFactory())
    for certificate, extension in itertools.product((pending, never_rendered), ("json", "jwt")):
        response = client.get(f"/verify/{certificate.code}.{extension}")
        assert response.status_code == 404
        assert response.json()["error"] == "not_issued"
        assert "not been issued yet" in response.json()["detail"]


def test_the_endpoints_are_public_read_only_and_set_no_cookie(client, certificate):
    paths = [
        f"/verify/{certificate.printed_code.lower()}.json",  # any case, hyphens or not
        f"/verify/{certificate.code}.jwt",
        "/verify/keys.json",
        f"/verify/keys/{signing.signing_key().thumbprint()}.json",
        "/verify/issuers/RNS.json",
        "/verify/issuers/rns/revocations.json",
        "/verify/leadership-model.json",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response and not response.cookies, path
        assert response["Access-Control-Allow-Origin"] == "*"
        assert client.post(path).status_code == 405


def test_the_credential_page_reads_a_fixed_number_of_queries(
    client, certificate, django_assert_max_num_queries
):
    certificate.enrolment.cohort.programme.required_modules.clear()
    # The certificate with its enrolment, cohort, programme and trust; the required modules.
    with django_assert_max_num_queries(2):
        assert client.get(f"/verify/{certificate.code}.jwt").status_code == 200
    # The trust; its revoked and superseded certificates.
    with django_assert_max_num_queries(2):
        assert client.get("/verify/issuers/RNS/revocations.json").status_code == 200


def test_the_key_set_holds_public_keys_only_with_thumbprint_kids(client, settings):
    retired = OKPKey.generate_key("Ed25519", private=True)
    # A retired key published by mistake with its private half: only the public half goes out.
    settings.CERTIFICATE_RETIRED_PUBLIC_KEYS = [retired.as_dict(private=True)]
    keys = get_json(client, "/verify/keys.json")["keys"]
    assert [key["kid"] for key in keys] == [
        signing.signing_key().thumbprint(),
        retired.thumbprint(),
    ]
    for key in keys:
        assert "d" not in key and key["kty"] == "OKP" and key["crv"] == "Ed25519"
        assert key["kid"] == OKPKey.import_key(key).thumbprint()  # RFC 7638


def test_a_credential_signed_with_a_retired_key_still_verifies(client, certificate, settings):
    old = OKPKey.generate_key("Ed25519", private=True)
    settings.CERTIFICATE_SIGNING_KEY = json.dumps(old.as_dict(private=True))
    old_token = client.get(f"/verify/{certificate.code}.jwt").content.decode()
    # Rotation: a new key signs from now on; the old one's public half stays published.
    settings.CERTIFICATE_SIGNING_KEY = (
        OKPKey.generate_key("Ed25519", private=True).as_pem(private=True).decode()
    )
    settings.CERTIFICATE_RETIRED_PUBLIC_KEYS = [old.as_dict(private=False)]
    new_token = client.get(f"/verify/{certificate.code}.jwt").content.decode()
    assert old_token.split(".")[0] != new_token.split(".")[0]  # a new kid
    assert verify_jwt(client, old_token) == verify_jwt(client, new_token)


def test_without_a_key_setting_one_is_generated_once_with_mode_0600_and_reused(settings, tmp_path):
    path = tmp_path / "keys" / "certificate-signing.jwk"
    settings.CERTIFICATE_SIGNING_KEY = ""
    settings.CERTIFICATE_SIGNING_KEY_FILE = path
    first = signing.signing_key()
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    written = path.read_bytes()
    # Another process (no cache) reads the same key and leaves the file as it was.
    again = signing.load_or_create_key_file(path)
    assert again.thumbprint() == first.thumbprint() and path.read_bytes() == written
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


def test_processes_making_the_key_at_once_end_up_with_one(tmp_path):
    path = tmp_path / "keys" / "certificate-signing.jwk"
    start = threading.Barrier(8)

    def make():
        start.wait()
        return signing.load_or_create_key_file(path).thumbprint()

    with ThreadPoolExecutor(max_workers=8) as pool:
        made = set(pool.map(lambda _: make(), range(8)))
    assert made == {OKPKey.import_key(json.loads(path.read_text())).thumbprint()}
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_a_bad_key_setting_is_refused_with_a_clear_message(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.CERTIFICATE_SIGNING_KEY = "not a key"
    with pytest.raises(ImproperlyConfigured, match="Ed25519 private key"):
        signing.signing_key()
    settings.CERTIFICATE_SIGNING_KEY = json.dumps(
        OKPKey.generate_key("Ed25519", private=True).as_dict(private=False)
    )
    with pytest.raises(ImproperlyConfigured, match="private"):
        signing.signing_key()
