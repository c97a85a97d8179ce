"""Request bodies within their bounds: JSON bodies under MAX_CONTENT_LENGTH, uploads under
their setting, whether framed by Content-Length or chunked, never read whole past the limit."""

from __future__ import annotations

import io

from flask import request
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge

from .errors import DomainError, problem

# imports: the endpoints taking a multipart/form-data upload instead of JSON, each with the
# setting that bounds its file (service/imports/routes.py registers them). The multipart
# framing around the file may add at most UPLOAD_FRAMING_BYTES.
UPLOADS: dict[str, str] = {}
UPLOAD_FRAMING_BYTES = 64 * 1024


class UploadTooLarge(DomainError):
    status, code, title = 413, "file_too_large", "The file is too large"


class _BoundedInput:
    """A chunked upload's stream, refused (413 file_too_large) at the first byte past the
    limit: the body is never read whole, whatever its size."""

    def __init__(self, stream, framed: int, limit: int):
        self._stream, self._left, self._limit = stream, framed, limit

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size if size >= 0 else self._left + 1)
        self._left -= len(data)
        if self._left < 0:
            raise _too_large(self._limit)
        return data

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def _too_large(limit: int) -> UploadTooLarge:
    return UploadTooLarge(f"A file may have at most {round(limit / 1024 / 1024, 1)} MB.",
                          errors={"file": ["Too large."]}, limit_bytes=limit)


def start_upload(limit: int):
    """An upload is multipart/form-data and at most `limit` bytes of file: refused on its
    Content-Length before reading, or while reading a chunked one."""
    framed = limit + UPLOAD_FRAMING_BYTES
    if request.content_length is not None and request.content_length > framed:
        raise _too_large(limit)
    if has_body() and request.mimetype != "multipart/form-data":
        return problem(415, "unsupported_media_type", "Unsupported Media Type",
                       "Send the file as multipart/form-data (field `file`).",
                       errors={"Content-Type": ["Must be multipart/form-data."]})
    # Werkzeug's own bound sits one byte beyond ours, so ours answers first.
    request.max_content_length = framed + 1
    if request.content_length is None and _is_chunked():
        request.environ["wsgi.input"] = _BoundedInput(request.environ["wsgi.input"], framed,
                                                        limit)
    return None


def _is_chunked() -> bool:
    return "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def has_body() -> bool:
    return bool(request.content_length) or _is_chunked()


def refuse_oversized_body() -> None:
    """413 for a body over MAX_CONTENT_LENGTH, whether framed by Content-Length or chunked."""
    limit = request.max_content_length
    if limit is None:
        return
    too_large = RequestEntityTooLarge(f"The request body must be at most {limit} bytes.")
    if request.content_length is not None:
        # Checked here, not only when a view reads the body, so every endpoint answers alike.
        if request.content_length > limit:
            raise too_large
        return
    if not (_is_chunked() and request.environ.get("wsgi.input_terminated")):
        return  # without a terminated stream Werkzeug reads no body at all
    # Werkzeug stops reading a chunked body at the limit and hands on the first `limit` bytes
    # as if they were all: JSON padded past the limit would be accepted. One byte more tells a
    # body that fits from one that does not, and bounds what we hold in memory.
    body = _read_at_most(request.input_stream, limit + 1)
    if len(body) > limit:
        raise too_large
    # The views read what we read: Werkzeug builds request.stream from this on first use.
    request.environ["wsgi.input"] = io.BytesIO(body)


def _read_at_most(stream, size: int) -> bytes:
    parts, remaining = [], size
    try:
        while remaining > 0 and (part := stream.read(remaining)):
            parts.append(part)
            remaining -= len(part)
    except Exception as exc:  # noqa: BLE001 - see below
        # The stream is the server de-framing the client's bytes: a disconnect is an OSError,
        # a broken chunk is the server's own parse error (gunicorn's InvalidChunkSize is
        # neither OSError nor ValueError). Either way the client's fault, not a 500.
        raise ClientDisconnected("The request body is cut short or not validly chunked.") from exc
    return b"".join(parts)
