"""An uploaded bundle onto disk, for ``services.upload`` to check or load.

Uploads arrive as ``.xlsx``, ``.json`` or a ``.zip`` of ``TABLE.csv`` files (a
folder cannot be uploaded, so it comes zipped). The bytes go to a private
temporary directory that is removed afterwards, under the uploaded file's
*name* only (never its path). A zip is unpacked flat, CSV files only, with a cap
on the unpacked size (a zip bomb is refused, not unpacked).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from api.errors import TooLarge
from api.settings import ApiSettings
from graph.errors import Invalid, Problem

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


@contextmanager
def received(
    file_name: str | None, stream: BinaryIO, *, max_bytes: int, max_unzipped_bytes: int
) -> Iterator[Path]:
    """One uploaded bundle on disk for the length of the block: the file under the
    user's file name (a zip unpacked to a folder of that name), removed afterwards."""
    name = _safe_name(file_name)
    with tempfile.TemporaryDirectory(prefix="alumni-graph-upload-") as tmp:
        upload = Path(tmp) / "upload" / name
        upload.parent.mkdir()
        _copy(stream, upload, max_bytes, name)
        yield _bundle_at(Path(tmp), upload, name, max_unzipped_bytes)


def _bundle_at(tmp: Path, upload: Path, name: str, max_unzipped_bytes: int) -> Path:
    """The bundle ``upload`` (a file already named as the user's) stands for, in the
    scratch folder ``tmp``: the file itself, or the folder its zip unpacks to."""
    if not name.casefold().endswith(".zip"):
        return upload
    # The folder is named as the upload, so the report names the file the user sent.
    bundle = tmp / "bundle" / name
    bundle.parent.mkdir()
    _unzip_csvs(upload, bundle, max_unzipped_bytes)
    return bundle


# -- staged uploads: checked, kept on disk until the user loads or cancels them ---------

_STAGED_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")
_OWNER = re.compile(r"[A-Za-z0-9_-]{1,64}")
_SCRATCH = ".load-"


class StagingFull(TooLarge):
    """The staging area, or one key's share of it, has no room for this upload (413)."""


@dataclass(frozen=True)
class Staged:
    """A checked upload waiting on disk: ``id`` is random (the form's capability), the
    file is ``<owner>.<id>`` in the staging folder, mode 0600; ``name`` is the user's."""

    id: str
    name: str
    path: Path
    size: int


class StagedUploads:
    """Uploads between their check and their load, as files in one folder (shared by
    every worker of the server), never in memory.

    At most ``total_bytes`` in the folder and ``per_key_bytes`` for one key, checked
    while the upload is written (a second process writing at the same moment can
    overrun a quota by one upload, no more). A file goes when its upload is loaded,
    cancelled, replaced by another check, or ``ttl`` seconds after it was written
    (swept on every new upload)."""

    def __init__(
        self,
        folder: Path,
        *,
        total_bytes: int,
        per_key_bytes: int,
        ttl: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.folder = folder
        self.total_bytes = total_bytes
        self.per_key_bytes = per_key_bytes
        self.ttl = ttl
        self.clock = clock
        self._lock = threading.Lock()

    @classmethod
    def of(cls, settings: ApiSettings) -> StagedUploads:
        folder = settings.staged_upload_dir or str(
            Path(tempfile.gettempdir()) / f"alumni-graph-staged-{os.getuid()}"
        )
        return cls(
            Path(folder),
            total_bytes=settings.staged_upload_total_bytes,
            per_key_bytes=settings.staged_upload_per_key_bytes,
            ttl=settings.staged_upload_ttl_seconds,
        )

    def _ready(self) -> Path:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return self.folder

    def _files(self) -> list[tuple[str, os.stat_result]]:
        found = []
        for entry in os.scandir(self._ready()):
            if entry.name.startswith(_SCRATCH) or not entry.is_file(follow_symlinks=False):
                continue
            try:
                found.append((entry.name, entry.stat(follow_symlinks=False)))
            except FileNotFoundError:  # removed by another worker meanwhile
                continue
        return found

    def sweep(self) -> int:
        """Remove every staged upload older than ``ttl``; how many."""
        cutoff = self.clock() - self.ttl
        removed = 0
        for name, stat in self._files():
            if stat.st_mtime <= cutoff:
                (self.folder / name).unlink(missing_ok=True)
                removed += 1
        return removed

    def stage(self, owner: str, file_name: str | None, source: BinaryIO, max_bytes: int) -> Staged:
        """Write an upload to a new 0600 file; ``TooLarge`` over ``max_bytes``,
        ``StagingFull`` over a quota (nothing is left behind either way)."""
        name = _safe_name(file_name)
        if any(ord(c) < 32 or c == "\x7f" for c in name):
            raise _refuse(
                name.encode("unicode_escape").decode(), "use a file name without control characters"
            )
        if not _OWNER.fullmatch(owner):
            raise ValueError(f"not a key id: {owner!r}")
        with self._lock:
            self.sweep()
            files = self._files()
            used = sum(s.st_size for _, s in files)
            used_by_key = sum(s.st_size for n, s in files if n.startswith(owner + "."))
        staged_id = secrets.token_urlsafe(24)
        path = self.folder / f"{owner}.{staged_id}"
        written = 0
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := source.read(_CHUNK):
                    written += len(chunk)
                    if written > max_bytes:
                        raise TooLarge(f"{name} is larger than {max_bytes} bytes")
                    if used_by_key + written > self.per_key_bytes:
                        raise StagingFull(
                            f"this key's checked uploads would pass {self.per_key_bytes} bytes:"
                            " load or cancel one first"
                        )
                    if used + written > self.total_bytes:
                        raise StagingFull(
                            f"the uploads waiting to be loaded would pass {self.total_bytes}"
                            " bytes: try again later"
                        )
                    out.write(chunk)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return Staged(staged_id, name, path, written)

    def find(self, owner: str, staged_id: str, name: str) -> Staged | None:
        """The upload ``stage`` kept for this key, if it is still there."""
        if not (_OWNER.fullmatch(owner) and _STAGED_ID.fullmatch(staged_id)):
            return None
        path = self.folder / f"{owner}.{staged_id}"
        try:
            stat = path.stat(follow_symlinks=False)
        except FileNotFoundError:
            return None
        if stat.st_mtime <= self.clock() - self.ttl:
            path.unlink(missing_ok=True)
            return None
        return Staged(staged_id, name, path, stat.st_size)

    def remove(self, owner: str, staged_id: str | None) -> None:
        if staged_id and _OWNER.fullmatch(owner) and _STAGED_ID.fullmatch(staged_id):
            (self.folder / f"{owner}.{staged_id}").unlink(missing_ok=True)

    @contextmanager
    def opened(self, staged: Staged, *, max_unzipped_bytes: int) -> Iterator[Path]:
        """A staged upload as a bundle on disk, under the user's file name, for the block."""
        with tempfile.TemporaryDirectory(prefix=_SCRATCH, dir=self._ready()) as tmp:
            named = Path(tmp) / "upload" / staged.name
            named.parent.mkdir()
            try:
                os.link(staged.path, named)
            except OSError:
                shutil.copyfile(staged.path, named)
            yield _bundle_at(Path(tmp), named, staged.name, max_unzipped_bytes)
