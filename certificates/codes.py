"""Certificate codes: unguessable and typeable (issue 13).

140 bits from the operating system's cryptographic source (``secrets``), written as 28
characters of Crockford's base32 (no I, L, O or U: nothing to misread) in seven groups of
four: ``K7QF-ZP2M-9XRT-...``. Entry is forgiving — any case, hyphens or spaces anywhere, O
for 0, I or L for 1 — and ``normalise`` gives the stored form (no hyphens), or None for
anything that cannot be a code, so a lookup never has to guess. Not a UUID: a UUID4 has 122
random bits and reads as hexadecimal soup.
"""

from __future__ import annotations

import secrets

from programmes.models.sessions import CODE_ALPHABET, normalise_checkin_code

LENGTH = 28  # characters: 28 of 5 bits each, 140 bits
GROUP = 4
BITS = LENGTH * 5


def new_code() -> str:
    """A fresh code in stored form (28 characters, no hyphens)."""
    number = secrets.randbits(BITS)
    chars = []
    for _ in range(LENGTH):
        number, digit = divmod(number, 32)
        chars.append(CODE_ALPHABET[digit])
    return "".join(chars)


def normalise(typed: str | None) -> str | None:
    """The stored form of a code as a person typed it, or None if it cannot be one."""
    cleaned = normalise_checkin_code(typed or "")
    if len(cleaned) != LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return cleaned


def grouped(code: str) -> str:
    """How a code is printed and shown: groups of four, joined by hyphens."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def verify_path(code: str) -> str:
    """A certificate's public verification address (PRODUCT.md §4's stable URL), by its code
    in either form."""
    return f"/verify/{grouped(normalise(code) or code)}/"
