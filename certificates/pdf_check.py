""" "Check a PDF" on the verification page: is this upload exactly the file issued under a
code? (issue 13 §4.)

The upload is hashed as it streams in and nothing of it is kept — not in memory beyond one
chunk, not in a temporary file (Django's own handlers write anything over 2.5 MB to disk),
not in storage. ``HashingUploadHandler`` replaces Django's handlers for that one request, so
the only thing the view ever holds is the SHA-256 and the size. Past ``MAX_BYTES`` the handler
stops hashing and the rest of the body is read and thrown away, and the view says the file is
too large.
"""

from __future__ import annotations

import hashlib
import hmac
import io

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

# A certificate's PDF is tens of kilobytes (issue 13's target: under 40 KB); 10 MB leaves room
# for a copy a mail client or a document system re-saved, and refuses anything else quickly.
MAX_BYTES = 10 * 1024 * 1024
MAX_LABEL = "10 MB"
# What a multipart body carries besides the file (boundaries, the CSRF token, headers): a
# request longer than the file limit plus this is refused before it is read at all.
MULTIPART_OVERHEAD = 64 * 1024


class HashedUpload(UploadedFile):
    """What the handler leaves of an upload: its name, size and SHA-256; no content."""

    def __init__(self, *, name, size, sha256, content_type, charset=None):
        super().__init__(
            file=io.BytesIO(), name=name, content_type=content_type, size=size, charset=charset
        )
        self.sha256 = sha256


class HashingUploadHandler(FileUploadHandler):
    """Hashes every file of the request as it arrives and passes nothing on, so no later
    handler sees (or stores) a byte of it."""

    def __init__(self, request=None, *, max_bytes: int | None = None):
        super().__init__(request)
        self.max_bytes = MAX_BYTES if max_bytes is None else max_bytes
        self.received = 0  # across every file of the request
        self.too_large = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self._hash = hashlib.sha256()
        self._size = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.too_large = True
            # connection_reset=False: Django reads the rest of the body and discards it, so
            # the browser gets our answer rather than a broken connection.
            raise StopUpload(connection_reset=False)
        self._hash.update(raw_data)
        self._size += len(raw_data)
        return None

    def file_complete(self, file_size):
        return HashedUpload(
            name=self.file_name,
            size=self._size,
            sha256=self._hash.hexdigest(),
            content_type=self.content_type,
            charset=self.charset,
        )


# A body declared longer than the limit is read and thrown away, unparsed, up to this much, so
# the browser is shown the error: a server that answers without reading what it was sent
# closes on unread data, and the browser shows "connection reset" instead. Past it the answer
# goes without reading (and may meet exactly that): tying up a worker for longer is worse.
DRAIN_MAX_BYTES = 5 * MAX_BYTES
DRAIN_CHUNK = 64 * 1024


def declared_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def declared_too_large(request) -> bool:
    """Whether the request says, before a byte is read, that it is longer than any allowed
    upload could make it."""
    return declared_length(request) > MAX_BYTES + MULTIPART_OVERHEAD


def discard_body(request) -> None:
    """Read the body of a refused upload and keep none of it (see DRAIN_MAX_BYTES)."""
    if declared_length(request) > DRAIN_MAX_BYTES:
        return
    while request.read(DRAIN_CHUNK):
        pass


def is_the_issued_file(certificate, upload: HashedUpload) -> bool:
    """Whether the upload is, byte for byte, the file issued under this certificate's code.
    Compared in constant time, out of habit: the hash is public on the page anyway."""
    if not certificate.sha256:
        return False
    return hmac.compare_digest(certificate.sha256, upload.sha256)
