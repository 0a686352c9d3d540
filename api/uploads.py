"""An uploaded bundle onto disk, then through ``ingest.pipeline.load_bundle``.

Uploads arrive as ``.xlsx``, ``.json`` or a ``.zip`` of ``TABLE.csv`` files (a
folder cannot be uploaded, so it comes zipped). The bytes go to a private
temporary directory that is removed afterwards, under the uploaded file's
*name* only (never its path). A zip is unpacked flat, CSV files only, with a cap
on the unpacked size (a zip bomb is refused, not unpacked).
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from api.errors import TooLarge
from graph.errors import Invalid, Problem
from graph.store import GraphStore
from ingest.pipeline import IngestReport, load_bundle

SUFFIXES = (".xlsx", ".json", ".zip")
_CHUNK = 1024 * 1024


def _refuse(name: str, reason: str) -> Invalid:
    return Invalid([Problem("upload", "file", name, reason)])


def _safe_name(raw: str | None) -> str:
    name = PurePosixPath((raw or "").replace("\\", "/")).name.strip()
    if not name or name.startswith("."):
        raise _refuse(raw or "", "give the file a name ending .xlsx, .json or .zip")
    if not name.casefold().endswith(SUFFIXES):
        raise _refuse(name, "use an .xlsx workbook, a .json file or a .zip of CSV files")
    return name


def _copy(source: BinaryIO, target: Path, max_bytes: int, name: str) -> None:
    written = 0
    with target.open("wb") as out:
        while chunk := source.read(_CHUNK):
            written += len(chunk)
            if written > max_bytes:
                raise TooLarge(f"{name} is larger than {max_bytes} bytes")
            out.write(chunk)


def _unzip_csvs(archive: Path, folder: Path, max_bytes: int) -> None:
    """The archive's CSV files, flat, into ``folder``; anything else is ignored."""
    folder.mkdir()
    try:
        with zipfile.ZipFile(archive) as zipped:
            total = 0
            for info in zipped.infolist():
                member = PurePosixPath(info.filename.replace("\\", "/"))
                if info.is_dir() or "__MACOSX" in member.parts or member.name.startswith("."):
                    continue
                if not member.name.casefold().endswith(".csv"):
                    continue
                target = folder / member.name
                if target.exists():
                    raise _refuse(archive.name, f"{member.name} appears twice in the zip")
                with zipped.open(info) as source, target.open("wb") as out:
                    while chunk := source.read(_CHUNK):
                        total += len(chunk)
                        if total > max_bytes:
                            raise TooLarge(f"{archive.name} unpacks to more than {max_bytes} bytes")
                        out.write(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError) as exc:
        raise _refuse(archive.name, f"not a readable zip file: {exc}") from None


def load_upload(
    store: GraphStore,
    file_name: str | None,
    stream: BinaryIO,
    *,
    dry_run: bool,
    max_bytes: int,
    max_unzipped_bytes: int,
) -> IngestReport:
    """Load one uploaded bundle: every error reported and nothing written, or all of it."""
    name = _safe_name(file_name)
    with tempfile.TemporaryDirectory(prefix="alumni-graph-upload-") as tmp:
        upload = Path(tmp) / "upload" / name
        upload.parent.mkdir()
        _copy(stream, upload, max_bytes, name)
        bundle = upload
        if name.casefold().endswith(".zip"):
            # The folder is named as the upload, so the report names the file the user sent.
            bundle = Path(tmp) / "bundle" / name
            bundle.parent.mkdir()
            _unzip_csvs(upload, bundle, max_unzipped_bytes)
        return load_bundle(bundle, store, dry_run=dry_run)
