"""Format checks for NHS identifiers. They check shape only; the registers themselves are not
reachable from here, so a well-formed but unissued number is still accepted."""

import re

from django.core.exceptions import ValidationError

ODS_CODE = re.compile(r"^[A-Za-z0-9]{3,5}$")  # upper-cased by Trust.clean()

# Professional registers and the shape of their numbers (PRODUCT.md §3).
REGISTRATION_FORMATS = {
    "GMC": (re.compile(r"^\d{7}$"), "a GMC number is 7 digits, e.g. 1234567"),
    "NMC": (
        re.compile(r"^\d{2}[A-Z]\d{4}[A-Z]$"),
        "an NMC PIN is 2 digits, a letter, 4 digits and a letter, e.g. 12A3456E",
    ),
    "HCPC": (
        # Profession prefix (PA, OT, ... and three-letter ones such as ODP, PYL) then digits.
        re.compile(r"^[A-Z]{2,3}\d{4,6}$"),
        "an HCPC number is 2 or 3 letters followed by digits, e.g. PA12345",
    ),
    "GPHC": (re.compile(r"^\d{7}$"), "a GPhC number is 7 digits, e.g. 2012345"),
}


def normalise_code(value: str) -> str:
    """Upper-case and strip spaces, so 'ryj ' and 'RYJ' are the same code."""
    return re.sub(r"\s+", "", value or "").upper()


def validate_ods_code(value: str) -> None:
    if not ODS_CODE.match(value or ""):
        raise ValidationError(
            "Enter an ODS code of 3 to 5 letters or digits, e.g. RYJ.",
            code="invalid_ods_code",
        )


def validate_registration_number(body: str, number: str) -> None:
    pattern, example = REGISTRATION_FORMATS[body]
    if not pattern.match(number):
        raise ValidationError(
            f"This is not a valid number: {example}.", code="invalid_registration"
        )
