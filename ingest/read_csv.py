"""CSV bundles: a folder, or a ``.zip``, of ``TABLE.csv`` files into raw rows.

Each file is streamed twice from disk, never held: once to hash it and find the
first byte that is not UTF-8, once through ``csv`` line by line (a line is read at
most to its limit, so a file that is one endless line costs no more than that).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from ingest.raw import Budget, Issue, Location, RawBundle, ReadLimits, Refused
from ingest.read_table import TableReader, table_for
from ingest.read_zip import CHUNK, ZIP_ERRORS, ChunkStream, ZipParts, open_zip

__all__ = ["read_csv_folder", "read_csv_zip"]


def _csv_files(folder: Path) -> list[Path]:
    return sorted(
        (p for p in folder.iterdir() if p.is_file() and p.suffix.casefold() == ".csv"),
        key=lambda p: p.name,
    )


def _hash_and_check_utf8(path: Path, digest: Any) -> int | None:
    """Feed the file to ``digest``; the position of its first byte that is not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    bad: int | None = None
    offset = 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            if bad is None:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    bad = offset + exc.start
            offset += len(chunk)
    if bad is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            bad = offset - len(exc.object) + exc.start
    return bad


class _LongLine(Exception):
    """A line past the limit; the reader, which counts rows, says which row it is in."""


def _csv_lines(text: io.TextIOBase, limits: ReadLimits) -> Iterator[str]:
    longest = 8 * limits.max_cell_chars
    while line := text.readline(longest):
        if len(line) >= longest and not line.endswith(("\n", "\r")):
            raise _LongLine(f"a line is longer than {longest} characters, the limit")
        yield line


def read_csv_folder(folder: Path, bundle: RawBundle, budget: Budget) -> None:
    limits = budget.limits
    digest = hashlib.sha256()
    files = _csv_files(folder)
    if not files:
        bundle.errors.append(
            Issue(Location(folder.name), None, None, "the folder holds no .csv files")
        )
    if len(files) > limits.max_entries:
        raise Refused(
            Issue(
                Location(folder.name),
                None,
                None,
                f"the folder holds more than {limits.max_entries} CSV files, the limit",
            )
        )
    sizes = {path: path.stat().st_size for path in files}
    for path, size in sizes.items():
        if size > limits.max_part_bytes:
            raise Refused(
                Issue(
                    Location(path.name),
                    None,
                    None,
                    f"is {size} bytes, over the limit of {limits.max_part_bytes} for one file",
                )
            )
    if sum(sizes.values()) > limits.max_total_bytes:
        raise Refused(
            Issue(
                Location(folder.name),
                None,
                None,
                f"the CSV files add up to more than {limits.max_total_bytes} bytes, the limit",
            )
        )
    for path, size in sizes.items():
        digest.update(path.name.encode() + b"\0" + str(size).encode() + b"\0")
        bad = _hash_and_check_utf8(path, digest)
        place = Location(path.name, path.stem, 1)
        table = table_for(path.stem, place, bundle)
        if table is None:
            continue
        if bad is not None:
            bundle.errors.append(
                Issue(
                    Location(path.name, table),
                    None,
                    None,
                    f"is not UTF-8 text (undecodable byte at position {bad}):"
                    " save it as 'CSV UTF-8'",
                )
            )
            continue
        with path.open("rb") as raw, io.TextIOWrapper(raw, "utf-8-sig", newline="") as text:
            _read_csv_table(text, path.name, table, bundle, budget)
    bundle.sha256 = digest.hexdigest()


def _read_csv_table(
    text: io.TextIOBase, file_name: str, table: str, bundle: RawBundle, budget: Budget
) -> None:
    place = Location(file_name, table, 1)
    reader = TableReader(bundle, table, place, budget)
    number = 0
    try:
        rows = csv.reader(_csv_lines(text, budget.limits))
        for number, cells in enumerate(rows, start=1):
            if number == 1:
                reader.header(cells)
                continue
            reader.row(number, ((c, None) for c in cells))
    except _LongLine as exc:  # in the row after the last one read
        raise Refused(Issue(Location(file_name, table, number + 1), None, None, str(exc))) from None
    except csv.Error as exc:
        reason = f"is not valid CSV ({exc})"
        if "field larger than field limit" in str(exc):
            reason = f"a cell is longer than {csv.field_size_limit()} characters, the limit"
        bundle.errors.append(Issue(Location(file_name, table), None, None, reason))
    except UnicodeDecodeError:
        bundle.errors.append(
            Issue(
                Location(file_name, table),
                None,
                None,
                "is not UTF-8 text: save it as 'CSV UTF-8'",
            )
        )
    if table not in bundle.places:
        reader.header(())


def read_csv_zip(path: Path, bundle: RawBundle, budget: Budget) -> None:
    """A ``.zip`` of ``TABLE.csv`` files, flat (folders, ``__MACOSX`` and dot files are
    passed over), each streamed out of the zip within the limits, never unpacked whole."""
    with path.open("rb") as f:
        bundle.sha256 = hashlib.file_digest(f, "sha256").hexdigest()
    try:
        with open_zip(path, budget.limits, "zip") as archive:
            members: dict[str, zipfile.ZipInfo] = {}
            for info in archive.infolist():
                member = PurePosixPath(info.filename.replace("\\", "/"))
                if info.is_dir() or "__MACOSX" in member.parts or member.name.startswith("."):
                    continue
                if not member.name.casefold().endswith(".csv"):
                    continue
                if member.name in members:
                    bundle.errors.append(
                        Issue(
                            Location(path.name),
                            None,
                            member.name,
                            "appears twice in the zip",
                        )
                    )
                    return
                members[member.name] = info
            if not members:
                bundle.errors.append(
                    Issue(Location(path.name), None, None, "the zip holds no .csv files")
                )
            unpacking = ZipParts(archive, path.name, budget, "zip")
            for name in sorted(members):
                table = table_for(PurePosixPath(name).stem, Location(name, name, 1), bundle)
                if table is None:
                    continue
                chunks = unpacking.chunks(members[name].filename, table, markup=False)
                with io.TextIOWrapper(
                    io.BufferedReader(ChunkStream(chunks)), "utf-8-sig", newline=""
                ) as text:
                    _read_csv_table(text, name, table, bundle, budget)
    except ZIP_ERRORS as exc:
        bundle.errors.append(Issue(Location(path.name), None, None, f"not a readable zip ({exc})"))
