"""Zip containers (a workbook, a zip of CSV files) read part by part within the limits.

Nothing here inflates a part whole: each is streamed through a counter (its own
size, the total, its compression ratio), and the zip's declared size is checked
from its end record before ``zipfile`` builds anything from it.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ingest.raw import Budget, Issue, Location, ReadLimits, Refused

__all__ = ["CHUNK", "ZIP_ERRORS", "ChunkStream", "ZipParts", "open_zip"]

CHUNK = 64 * 1024
_RATIO_FLOOR = 1024 * 1024
"""Parts smaller than this may compress as well as they like (a blank sheet does)."""
_MAX_CENTRAL_DIRECTORY = 4 * 1024 * 1024
_MAX_RUN = 1024 * 1024
"""Bytes between two ``>``: far more than a cell's 32,767 characters take, far less than a
tag with a huge attribute (which expat would hold whole) would."""


def _zip_directory(path: Path) -> tuple[int, int] | None:
    """Entries and central-directory bytes the zip declares, read from its end record
    before ``zipfile`` builds anything from them; ``None`` if there is no end record."""
    with path.open("rb") as f:
        f.seek(0, io.SEEK_END)
        size = f.tell()
        f.seek(max(0, size - (22 + 65535)))
        tail = f.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < 22:
            return None
        entries = int.from_bytes(tail[at + 10 : at + 12], "little")
        directory = int.from_bytes(tail[at + 12 : at + 16], "little")
        if (entries == 0xFFFF or directory == 0xFFFFFFFF) and tail[at - 20 : at - 16] == (
            b"PK\x06\x07"
        ):
            f.seek(int.from_bytes(tail[at - 12 : at - 4], "little"))
            record = f.read(56)
            if record[:4] == b"PK\x06\x06":
                entries = int.from_bytes(record[32:40], "little")
                directory = int.from_bytes(record[40:48], "little")
        return entries, directory


class ZipParts:
    """One zip's parts, each streamed within the limits."""

    def __init__(
        self, archive: zipfile.ZipFile, file_name: str, budget: Budget, what: str = "workbook"
    ) -> None:
        self.archive = archive
        self.file_name = file_name
        self.budget = budget
        self.limits = budget.limits
        self.what = what

    def refuse(self, reason: str, sheet: str | None = None) -> Refused:
        return Refused(Issue(Location(self.file_name, sheet), None, None, reason))

    def unreadable(self, reason: str) -> Refused:
        return self.refuse(f"not a readable .xlsx workbook ({reason})")

    def chunks(self, part: str, sheet: str | None = None, markup: bool = True) -> Iterator[bytes]:
        """A part's bytes as they inflate, refused the moment one limit is passed (and, for
        ``markup``, the moment a megabyte passes without a ``>``)."""
        try:
            info = self.archive.getinfo(part)
        except KeyError:
            raise self.unreadable(f"it has no part {part!r}") from None
        limits = self.limits
        if info.file_size > limits.max_part_bytes:
            raise self.refuse(
                f"{part} unpacks to {info.file_size} bytes, over the limit of"
                f" {limits.max_part_bytes} for one part",
                sheet,
            )
        if info.file_size > _RATIO_FLOOR and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise self.refuse(
                f"{part} is compressed more than {limits.max_ratio} to 1: a zip bomb?", sheet
            )
        size = 0
        run = 0  # bytes since the last ">": expat holds a whole tag (attributes) at once
        with self.archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                first = chunk.find(b">")
                if markup and run + (len(chunk) if first < 0 else first) > _MAX_RUN:
                    raise self.refuse(
                        f"{part} has a tag or text of more than {_MAX_RUN} bytes: no workbook"
                        " part has",
                        sheet,
                    )
                run = run + len(chunk) if first < 0 else len(chunk) - 1 - chunk.rfind(b">")
                size += len(chunk)
                self.budget.inflated += len(chunk)
                if size > limits.max_part_bytes:
                    raise self.refuse(
                        f"{part} unpacks to more than {limits.max_part_bytes} bytes,"
                        " the limit for one part",
                        sheet,
                    )
                if self.budget.inflated > limits.max_total_bytes:
                    raise self.refuse(
                        f"the {self.what} unpacks to more than {limits.max_total_bytes} bytes",
                        sheet,
                    )
                if size > _RATIO_FLOOR and size > limits.max_ratio * max(info.compress_size, 1):
                    raise self.refuse(
                        f"{part} is compressed more than {limits.max_ratio} to 1: a zip bomb?",
                        sheet,
                    )
                yield chunk


def open_zip(path: Path, limits: ReadLimits, what: str) -> zipfile.ZipFile:
    """The zip, once its end record shows it holds no more entries than the limit."""
    declared = _zip_directory(path)
    if declared is not None:
        entries, directory = declared
        if entries > limits.max_entries or directory > _MAX_CENTRAL_DIRECTORY:
            raise Refused(
                Issue(
                    Location(path.name),
                    None,
                    None,
                    f"the {what} holds {entries} parts, over the limit of {limits.max_entries}",
                )
            )
    archive = zipfile.ZipFile(path)
    if len(archive.infolist()) > limits.max_entries:
        archive.close()
        raise Refused(
            Issue(
                Location(path.name),
                None,
                None,
                f"the {what} holds more than {limits.max_entries} parts",
            )
        )
    return archive


ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    RuntimeError,
    EOFError,
    OSError,
    zlib.error,
)


class ChunkStream(io.RawIOBase):
    """A file over a generator of byte chunks (a zip part streamed through its limits)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.pending:
            self.pending = next(self.chunks, b"")
            if not self.pending:
                return 0
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size
