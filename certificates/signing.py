"""The key Tandem signs Open Badges credentials with, and the signing itself (issue 13).

One Ed25519 key (a JOSE OKP key) signs every certificate's credential as a VC-JWT: a compact
JWS whose header names the key by a URL that dereferences to it (``kid``:
/verify/keys/<thumbprint>.json, the public JWK, as OB 3.0 §8.2.3 asks and as 1EdTech's
validator fetches it; the thumbprint is RFC 7638's, which is also the key's ``kid`` in the
key set at /verify/keys.json) and whose payload is the credential itself with the JWT claims
``iss``, ``jti``, ``nbf`` and ``sub`` the specification requires.

Where the key comes from, in order:

1. ``settings.CERTIFICATE_SIGNING_KEY``: a private JWK (JSON) or a PKCS#8 PEM, from the
   environment. Production sets it, so every web process signs with the same key.
2. Otherwise ``settings.CERTIFICATE_SIGNING_KEY_FILE`` (``var/keys/…``), generated on first
   use so that ``make run`` works with no setup: written to a temporary file with mode 0600
   and linked into place, which fails if another process got there first — then theirs is
   read, so two processes starting together end up with one key. Reused ever after.

Rotation: set a new key; publish the old one's *public* JWK in
``settings.CERTIFICATE_RETIRED_PUBLIC_KEYS`` so credentials signed before still verify. The
key set at /verify/keys.json lists the current key and every retired one.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import logging
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from joserfc import jws
from joserfc.jwk import OKPKey
from joserfc.jws import JWSRegistry

ALGORITHM = "EdDSA"
KEY_PATH = "/verify/keys/{thumbprint}.json"
logger = logging.getLogger(__name__)


class _Registry(JWSRegistry):
    """joserfc warns on every use of "EdDSA", which RFC 9864 deprecates in favour of the
    fully-specified "Ed25519". The signature is the same; "EdDSA" is the name Open Badges
    verifiers and JOSE libraries know today, so we use it knowingly and without the
    warning (a copy of the algorithm, not a change to joserfc's shared registry)."""

    algorithms = dict(JWSRegistry.algorithms)


_quiet_eddsa = copy.copy(JWSRegistry.algorithms[ALGORITHM])
_quiet_eddsa.security_warning = None
_Registry.algorithms[ALGORITHM] = _quiet_eddsa
REGISTRY = _Registry(algorithms=[ALGORITHM])


def _import_private(raw: str, *, source: str) -> OKPKey:
    raw = raw.strip()
    try:
        value = json.loads(raw) if raw.startswith("{") else raw.encode()
        key = OKPKey.import_key(value)
    except Exception as error:  # joserfc raises several kinds for a bad key
        raise ImproperlyConfigured(
            f"{source} must be an Ed25519 private key, as a JWK (JSON) or a PEM: {error}"
        ) from error
    if not key.is_private or key.as_dict(private=False).get("crv") != "Ed25519":
        raise ImproperlyConfigured(f"{source} must be an Ed25519 *private* key.")
    return key


def load_or_create_key_file(path: Path) -> OKPKey:
    """The key in ``path``, made there first if there is none (mode 0600, atomically)."""
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = OKPKey.generate_key("Ed25519", private=True)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w") as handle:
                json.dump(key.as_dict(private=True), handle)
                handle.flush()
                os.fsync(handle.fileno())
            # link() never overwrites: if a racing process got there first, its key wins.
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
                # Said once, where it happened: a server that should have been given
                # CERTIFICATE_SIGNING_KEY (several servers would each make their own).
                logger.warning(
                    "Generated a certificate signing key in %s (kid %s); set "
                    "CERTIFICATE_SIGNING_KEY to sign with one key on every server.",
                    path,
                    key.thumbprint(),
                )
        finally:
            temporary.unlink(missing_ok=True)
    return _import_private(path.read_text(), source=str(path))


@functools.lru_cache(maxsize=4)
def _signing_key(raw: str, path: str) -> OKPKey:
    if raw.strip():
        return _import_private(raw, source="CERTIFICATE_SIGNING_KEY")
    return load_or_create_key_file(Path(path))


def signing_key() -> OKPKey:
    """The current private key (read once per process for each setting's value)."""
    return _signing_key(
        settings.CERTIFICATE_SIGNING_KEY, str(settings.CERTIFICATE_SIGNING_KEY_FILE)
    )


def thumbprint(key: OKPKey) -> str:
    """RFC 7638's SHA-256 thumbprint of the public key: the key's ``kid``."""
    return key.thumbprint()


def public_jwk(key: OKPKey) -> dict:
    """The public half only (never ``d``), with its kid, use and algorithm."""
    public = OKPKey.import_key(key.as_dict(private=False))
    return {
        **public.as_dict(private=False),
        "kid": thumbprint(public),
        "use": "sig",
        "alg": ALGORITHM,
    }


def _retired_keys() -> list[dict]:
    retired = []
    for entry in settings.CERTIFICATE_RETIRED_PUBLIC_KEYS:
        try:
            key = OKPKey.import_key(entry)
        except Exception as error:
            raise ImproperlyConfigured(
                f"CERTIFICATE_RETIRED_PUBLIC_KEYS holds something that is not an Ed25519 "
                f"JWK: {error}"
            ) from error
        # Publishing a private key by mistake would let anyone sign: only the public half.
        retired.append(public_jwk(key))
    return retired


def key_set() -> dict:
    """The JWKS published at /verify/keys.json: the current key first, then retired ones."""
    current = public_jwk(signing_key())
    others = [key for key in _retired_keys() if key["kid"] != current["kid"]]
    return {"keys": [current, *others]}


def published_key(kid: str) -> dict | None:
    """One key of the key set by its thumbprint (current or retired), or None."""
    return next((key for key in key_set()["keys"] if key["kid"] == kid), None)


def key_id_url(key: OKPKey) -> str:
    """The JOSE header's ``kid``: the URL of the public key as a JWK."""
    return settings.BASE_URL + KEY_PATH.format(thumbprint=thumbprint(key))


def sign(payload: dict) -> str:
    """``payload`` as a compact JWS (a JWT) signed with the current key. The header carries
    only what Open Badges 3.0 allows: ``alg``, ``kid`` and ``typ``."""
    key = signing_key()
    header = {"alg": ALGORITHM, "kid": key_id_url(key), "typ": "JWT"}
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return jws.serialize_compact(header, body, key, registry=REGISTRY)
