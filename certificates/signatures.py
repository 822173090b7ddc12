"""Signature images: what an upload must be, and reading one back for a render.

A signature is what a forger would want, so it is checked by its content (Pillow reads the
header and verifies the file), not by its name or the browser's content type; it is stored
on the certificates' own storage under a name we choose, never at a public media URL.
"""

from __future__ import annotations

import io
import threading
import uuid
import warnings

from django.core.exceptions import ValidationError

MAX_BYTES = 1024 * 1024  # 1 MB
MAX_WIDTH, MAX_HEIGHT = 3000, 1500  # a signature is a line of ink, not a photograph
MIN_WIDTH, MIN_HEIGHT = 40, 15
MIME_OF_FORMAT = {"PNG": "image/png", "JPEG": "image/jpeg"}
EXTENSION_OF_FORMAT = {"PNG": "png", "JPEG": "jpg"}


class UnreadableSignature(Exception):
    """``str(error)`` says what is wrong, for the certificate's render_error."""


# WeasyPrint sets Pillow's process-wide ImageFile.LOAD_TRUNCATED_IMAGES = True when it is
# imported (weasyprint/images.py), after which a truncated upload decodes "successfully" —
# so once a process had rendered a certificate, a broken signature passed. Decoding here
# switches it off for the moment of the load, under a lock; the only images WeasyPrint loads
# in our processes are signatures that passed this check.
_STRICT_LOAD = threading.Lock()


def _load_strictly(image) -> None:
    from PIL import ImageFile

    with _STRICT_LOAD:
        lenient = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            image.load()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = lenient


def image_format(content: bytes) -> str:
    """PNG or JPEG, read from the bytes themselves; ValidationError otherwise (a form error a
    person can act on)."""
    from PIL import Image, UnidentifiedImageError

    not_an_image = ValidationError(
        "The signature must be a PNG or JPEG image. This file is not one.", code="not_an_image"
    )
    try:
        with warnings.catch_warnings():
            # A decompression bomb is refused below by its size, before Pillow decodes it.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                kind, (width, height) = image.format, image.size
                if kind not in MIME_OF_FORMAT:
                    raise ValidationError(
                        f"The signature must be a PNG or JPEG image, not {kind or 'this kind'}.",
                        code="wrong_type",
                    )
                if width > MAX_WIDTH or height > MAX_HEIGHT:
                    raise ValidationError(
                        f"The signature image is {width} by {height} pixels: it can be at most "
                        f"{MAX_WIDTH} by {MAX_HEIGHT}. Crop or scale it down.",
                        code="too_large",
                    )
                if width < MIN_WIDTH or height < MIN_HEIGHT:
                    raise ValidationError(
                        f"The signature image is {width} by {height} pixels: it needs to be at "
                        f"least {MIN_WIDTH} by {MIN_HEIGHT} to print clearly.",
                        code="too_small",
                    )
                _load_strictly(image)  # decodes it: a truncated or corrupt file fails here
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise not_an_image from None
    except Image.DecompressionBombWarning:
        raise not_an_image from None
    return kind


def validate_upload(upload) -> str:
    """The upload's format (PNG or JPEG), or ValidationError. Reads at most 1 MB + 1 byte."""
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ValidationError(
            f"The signature image is {upload.size / 1024 / 1024:.1f} MB: it can be at most 1 MB.",
            code="too_big",
        )
    upload.seek(0)
    content = upload.read(MAX_BYTES + 1)
    upload.seek(0)
    if len(content) > MAX_BYTES:
        raise ValidationError("The signature image can be at most 1 MB.", code="too_big")
    return image_format(content)


def stored_name(key: str, kind: str) -> str:
    """Our own name for the file (never the uploader's): the template's key and a random part,
    so a replaced signature never shares a name with the one it replaces."""
    return f"signatures/{key}-{uuid.uuid4().hex[:12]}.{EXTENSION_OF_FORMAT[kind]}"


def read_signature(template) -> tuple[bytes, str]:
    """The template's signature image as (bytes, MIME type), (b"", "") when it has none, or
    UnreadableSignature naming what is wrong."""
    if not template.signature_image:
        return b"", ""
    name = template.signature_image.name
    try:
        with template.signature_image.storage.open(name, "rb") as file:
            content = file.read(MAX_BYTES + 1)
    except (OSError, ValueError) as error:
        raise UnreadableSignature(
            f"The signature image of the certificate template “{template.name}” cannot be read "
            f"({type(error).__name__}): upload it again, then retry."
        ) from error
    try:
        kind = image_format(content)
    except ValidationError as error:
        raise UnreadableSignature(
            f"The signature image of the certificate template “{template.name}” is not a "
            f"usable PNG or JPEG ({' '.join(error.messages)}): upload it again, then retry."
        ) from error
    return content, MIME_OF_FORMAT[kind]
