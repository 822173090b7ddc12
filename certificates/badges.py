"""A certificate as an Open Badges 3.0 OpenBadgeCredential (issue 13): pure functions, data
in and dicts out — nothing here reads the database beyond the objects it is handed, or
writes anything.

What the credential says, and what it leaves out:

- ``issuer``: the trust that hosted the cohort, as a Profile whose id is its page at
  /verify/issuers/<ODS code>.json (ODS codes are never reused, so the id is stable).
- ``validFrom`` (and ``awardedDate``): the issue date, at midnight in the site's time zone.
- ``credentialSubject``: an AchievementSubject identified by the name printed on the
  certificate, *hashed* with a salt (OB 3.0's IdentityObject): a verifier who knows whom
  they expect can check it, and a copy of the credential passed around does not spell out
  the name. Never the email or the professional registration number. Its ``id`` (required
  as the JWT's ``sub``) is an opaque URN made from the certificate's code, not the person.
- ``achievement``: the programme (name, description, the completion rules as the criteria,
  the CPD hours), aligned to the Healthcare Leadership Model dimensions recorded on the
  certificate when it was issued.
- ``credentialStatus``: the issuer's 1EdTech Revocation List, where a revoked or superseded
  certificate's credential id is listed.

Credential ids are URNs derived from the code by SHA-256, not the code itself: the revocation
list is public, and listing codes would hand anyone the verify pages (and names) of every
revoked certificate. A 140-bit code cannot be recovered from its hash.
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from decimal import Decimal

from django.utils import timezone

from .models import Certificate, CertificateStatus

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
SCHEMA = {
    "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
    "type": "1EdTechJsonSchemaValidator2019",
}
FRAMEWORK = "NHS Healthcare Leadership Model"
# OB 3.0's alignment target types are CASE and CTDL terms; a dimension of the Healthcare
# Leadership Model is neither, so it takes an extension term, as the schema allows.
DIMENSION_TARGET_TYPE = "ext:LeadershipDimension"
ODS_IDENTIFIER_TYPE = "ext:NHSODSCode"
# What the revocation list says of a certificate that is no longer valid: neutral words, not
# the administrator's reason (which may name people or circumstances).
REVOKED_REASON = "Revoked by the issuer."
SUPERSEDED_REASON = "Superseded by a re-issued certificate."


def _urn(*parts: str) -> str:
    digest = hashlib.sha256(":".join(("tandem", *parts)).encode()).digest()
    return f"urn:uuid:{uuid.UUID(bytes=digest[:16], version=4)}"


def credential_id(code: str) -> str:
    return _urn("credential", code)


def subject_id(code: str) -> str:
    return _urn("subject", code)


def achievement_id(base_url: str, programme_id: int) -> str:
    return _urn("achievement", base_url, str(programme_id))


def issuer_url(base_url: str, ods_code: str) -> str:
    return f"{base_url}/verify/issuers/{ods_code}.json"


def revocation_list_url(base_url: str, ods_code: str) -> str:
    return f"{base_url}/verify/issuers/{ods_code}/revocations.json"


def dimension_url(base_url: str, slug: str) -> str:
    return f"{base_url}/verify/leadership-model.json#{slug}"


def name_salt(code: str) -> str:
    return hashlib.sha256(f"tandem:salt:{code}".encode()).hexdigest()[:32]


def identity_hash(name: str, salt: str) -> str:
    """OB 3.0's IdentityHash: ``sha256$`` and the hex SHA-256 of the UTF-8 name then salt."""
    return "sha256$" + hashlib.sha256(f"{name}{salt}".encode()).hexdigest()


def _midnight(day: datetime.date) -> str:
    """A date as the DateTimeZ OB 3.0 wants: its midnight in the site's time zone."""
    moment = datetime.datetime.combine(day, datetime.time(), timezone.get_default_timezone())
    return moment.isoformat()


def _hours(value: Decimal) -> str:
    return f"{Decimal(str(value)).normalize():f}"


def criteria_narrative(programme) -> str:
    """The programme's completion rules, in words (as they are today: the rules are not
    copied onto each certificate)."""
    rules = []
    if programme.min_attendance_percent:
        excused = (
            " (an excused absence counts as attended)"
            if (programme.excused_counts_as_attended)
            else ""
        )
        rules.append(
            f"attended at least {programme.min_attendance_percent}% of the cohort's "
            f"sessions{excused}"
        )
    required = [module.title for module in programme.required_modules.all()]
    if programme.min_modules_completed:
        rules.append(f"completed at least {programme.min_modules_completed} of its modules")
    if required:
        rules.append("completed the modules " + ", ".join(f"“{t}”" for t in required))
    if programme.min_shadowing_hours:
        rules.append(
            f"logged at least {_hours(programme.min_shadowing_hours)} hours of reciprocal shadowing"
        )
    if not rules:
        return (
            "Awarded when the host trust's programme administrators record the participant "
            "as having completed the programme."
        )
    listed = rules[0] if len(rules) == 1 else ", ".join(rules[:-1]) + " and " + rules[-1]
    return f"Awarded to a participant who {listed}."


def achievement(certificate: Certificate, *, base_url: str) -> dict:
    programme = certificate.enrolment.cohort.programme
    description = (
        f"Completion of {certificate.programme_title}, a leadership-development programme in "
        "which NHS clinicians and managers learn together"
    )
    if certificate.cpd_hours is not None:
        description += (
            f", worth {_hours(certificate.cpd_hours)} hours of continuing professional "
            "development (CPD)"
        )
    built = {
        "id": achievement_id(base_url, programme.pk),
        "type": ["Achievement"],
        "achievementType": "CertificateOfCompletion",
        "name": certificate.programme_title,
        "description": description + ".",
        "criteria": {"narrative": criteria_narrative(programme)},
        "inLanguage": "en-GB",
    }
    if certificate.cpd_hours is not None:
        built["creditsAvailable"] = float(certificate.cpd_hours)
    if certificate.leadership_dimensions:
        built["alignment"] = [
            {
                "type": ["Alignment"],
                "targetName": dimension["name"],
                "targetDescription": dimension.get("description", ""),
                "targetFramework": FRAMEWORK,
                "targetType": DIMENSION_TARGET_TYPE,
                "targetCode": dimension["slug"],
                "targetUrl": dimension_url(base_url, dimension["slug"]),
            }
            for dimension in certificate.leadership_dimensions
        ]
    return built


def issuer_profile(trust, *, base_url: str, name: str | None = None) -> dict:
    """The trust as an OB 3.0 Profile; ``name`` as printed on a certificate, if given."""
    return {
        "id": issuer_url(base_url, trust.ods_code),
        "type": ["Profile"],
        "name": name or trust.name,
        "otherIdentifier": [
            {
                "type": "IdentifierEntry",
                "identifier": trust.ods_code,
                "identifierType": ODS_IDENTIFIER_TYPE,
            }
        ],
    }


def credential(certificate: Certificate, *, base_url: str) -> dict:
    """The OpenBadgeCredential of an issued certificate, unsigned (signing.sign wraps it)."""
    trust = certificate.enrolment.cohort.host_trust
    subject = {
        "id": subject_id(certificate.code),
        "type": ["AchievementSubject"],
        "activityStartDate": _midnight(certificate.cohort_starts_on),
        "activityEndDate": _midnight(certificate.cohort_ends_on),
        "achievement": achievement(certificate, base_url=base_url),
    }
    if certificate.participant_name:  # blank once the holder's data has been erased
        salt = name_salt(certificate.code)
        subject["identifier"] = [
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": True,
                "identityHash": identity_hash(certificate.participant_name, salt),
                "salt": salt,
            }
        ]
    if certificate.cpd_hours is not None:
        subject["creditsEarned"] = float(certificate.cpd_hours)
    issued = _midnight(certificate.issued_on)
    return {
        "@context": CONTEXT,
        "id": credential_id(certificate.code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": certificate.programme_title,
        "issuer": issuer_profile(trust, base_url=base_url, name=certificate.issuing_trust_name),
        "validFrom": issued,
        "awardedDate": issued,
        "credentialSubject": subject,
        "credentialSchema": [SCHEMA],
        "credentialStatus": {
            "id": revocation_list_url(base_url, trust.ods_code),
            "type": "1EdTechRevocationList",
        },
    }


def jwt_payload(built: dict) -> dict:
    """OB 3.0 §8.2.4's JWT payload: the credential itself plus ``iss`` (issuer.id), ``jti``
    (id), ``nbf`` (validFrom) and ``sub`` (credentialSubject.id)."""
    valid_from = datetime.datetime.fromisoformat(built["validFrom"])
    return {
        **built,
        "iss": built["issuer"]["id"],
        "jti": built["id"],
        "nbf": int(valid_from.timestamp()),
        "sub": built["credentialSubject"]["id"],
    }


def revocation_list(trust, certificates, *, base_url: str) -> dict:
    """The issuer's 1EdTech Revocation List: the credential ids of its certificates that were
    issued and are no longer valid, each with a neutral reason. A verifier treats a listed id
    whose ``revoked`` is true (or absent) as revoked. ``certificates``: (code, status)
    pairs."""
    reasons = {
        CertificateStatus.REVOKED: REVOKED_REASON,
        CertificateStatus.SUPERSEDED: SUPERSEDED_REASON,
    }
    return {
        "id": revocation_list_url(base_url, trust.ods_code),
        "issuer": issuer_url(base_url, trust.ods_code),
        "revokedCredentials": [
            {"id": credential_id(code), "revoked": True, "revocationReason": reasons[status]}
            for code, status in certificates
            if status in reasons
        ],
    }
