"""Receiving a multipart upload straight to disk, chunk by chunk, with a size limit.

Starlette's form parser would spool the whole body before the route sees it; this parser
writes the `file` part as it arrives and stops at the limit, so a huge upload never fills the disk.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

MAX_FIELD_BYTES = 4096


class BadUpload(ValueError):
    """The request is not a usable multipart upload."""


class TooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the upload is larger than the limit of {limit / 1024 / 1024:g} MB (FLOWZA_MAX_UPLOAD_MB)")
        self.limit = limit


@dataclass
class ReceivedUpload:
    path: Path
    filename: str | None = None
    size: int = 0
    sha256: str = ""
    fields: dict[str, str] = field(default_factory=dict)


class _Receiver:
    def __init__(self, target: Path, file_field: str, limit: int) -> None:
        self.target = target
        self.file_field = file_field
        self.limit = limit
        self.result = ReceivedUpload(path=target)
        self.hasher = hashlib.sha256()
        self.handle: IO[bytes] | None = None
        self.file_seen = False
        self.too_large = False
        self._header_field = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._name: str | None = None
        self._is_file = False
        self._field_value = bytearray()

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": self.header_field,
            "on_header_value": self.header_value,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
        }

    def part_begin(self) -> None:
        self._headers, self._name, self._is_file = {}, None, False
        self._field_value = bytearray()

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def header_end(self) -> None:
        self._headers[self._header_field.lower()] = self._header_value
        self._header_field, self._header_value = b"", b""

    def headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition"))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        if self._name == self.file_field:
            if self.file_seen:
                raise BadUpload(f"send one file in the form field {self.file_field!r}, not several")
            self.file_seen = True
            self._is_file = True
            raw = options.get(b"filename")
            self.result.filename = raw.decode("utf-8", "replace") if raw is not None else None
            self.handle = self.target.open("wb")

    def part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._is_file:
            self.result.size += len(chunk)
            if self.result.size > self.limit:
                self.too_large = True
                return
            assert self.handle is not None
            self.handle.write(chunk)
            self.hasher.update(chunk)
        elif len(self._field_value) + len(chunk) <= MAX_FIELD_BYTES:
            self._field_value.extend(chunk)
        else:
            raise BadUpload(f"form field {self._name!r} is longer than {MAX_FIELD_BYTES} bytes")

    def part_end(self) -> None:
        if self._is_file and self.handle is not None:
            self.handle.close()
            self.handle = None
        elif self._name:
            self.result.fields[self._name] = self._field_value.decode("utf-8", "replace")

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


async def receive_upload(
    chunks: AsyncIterator[bytes], content_type: str | None, target: Path, limit: int, file_field: str = "file"
) -> ReceivedUpload:
    """Write the `file_field` part of a multipart body to `target`; TooLarge past `limit` bytes."""
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise BadUpload(f"send the file as multipart/form-data in the form field {file_field!r}")
    receiver = _Receiver(target, file_field, limit)
    parser = MultipartParser(boundary, receiver.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in chunks:
            parser.write(chunk)
            if receiver.too_large:
                raise TooLarge(limit)
        parser.finalize()
    except MultipartParseError as exc:
        raise BadUpload(f"the multipart body is malformed: {exc}") from exc
    finally:
        receiver.close()
    if not receiver.file_seen:
        raise BadUpload(f"no file in the form field {file_field!r}")
    receiver.result.sha256 = receiver.hasher.hexdigest()
    return receiver.result
