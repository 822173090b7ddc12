"""Making and reading the token string: ``tdm_<prefix>_<secret>``.

The prefix (8 characters) finds the row; the whole string's SHA-256 digest, compared in
constant time, proves it. Anything that does not parse is simply not a token."""

import hashlib
import hmac
import secrets

PREFIX = "tdm"
PREFIX_LENGTH = 8


def new_token() -> tuple[str, str, str]:
    """(the token to show once, its prefix, its digest)."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    token = f"{PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    return token, prefix, digest_of(token)


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def prefix_of(token: str) -> str | None:
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or len(parts[1]) != PREFIX_LENGTH:
        return None
    return parts[1]


def matches(token: str, digest: str) -> bool:
    return hmac.compare_digest(digest_of(token), digest)
