"""Which files a run reads, and reading one: the landing folder's side of a run.

Directories are searched recursively in a stable order (so report ids follow
the files and two loads of one folder agree); hidden files, Office lock
files and crawler manifests are never reports. Whatever a landing folder
holds, one entry never stops a night:

- a name that is not UTF-8 (GBK names from Windows zips) is shown and
  stored with its bytes escaped (:func:`display_name`);
- only regular files are read: a FIFO, a device or a socket is refused
  without being opened (a FIFO would block the run for ever);
- a link is followed only to a file inside the folders the run was given
  (a link to a system file is not read into ``raw.documents``); a link to
  nothing, or a loop, is refused with its reason;
- a read is bounded by the bytes actually read, not by what ``stat`` says
  (a link to ``/dev/zero`` is a device; a file still growing is cut at the
  limit and refused);
- a file that vanishes between discovery and reading is skipped and logged.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from etl.run.manifest import is_manifest

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "samples"

# bytea holds at most 1 GiB, and a file is held in memory while it is parsed;
# no annual report comes near this.
MAX_FILE_BYTES = 256 * 1024 * 1024


def _ignored(name: str) -> bool:
    # hidden files and Office's "~$name.docx" owner files are never reports
    return name.startswith((".", "~$")) or is_manifest(name)


def discover_files(paths: Iterable[Path], exclude_names: Iterable[str] = ()) -> list[Path]:
    """The files to load under ``paths``: directories recursively, in a stable order.

    Hidden files and directories, Office lock files and manifests are left
    out when found inside a directory; a file named explicitly is always
    taken. Each file appears once even if named twice. A folder that cannot
    be listed is handed over itself, so that :func:`read_file` names it with
    its reason (``os.walk`` would skip it, and its files, without a word).
    """
    excluded = set(exclude_names)
    found: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            batch: list[Path] = []

            def unlisted(error: OSError, batch: list[Path] = batch) -> None:
                if error.filename is not None:
                    batch.append(Path(error.filename))

            for root, dirs, files in os.walk(path, onerror=unlisted):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                batch.extend(Path(root) / f for f in files if not _ignored(f) and f not in excluded)
            candidates = sorted(batch)
        elif path.exists():
            candidates = [path]
        else:
            raise FileNotFoundError(f"{path}: no such file or directory")
        for c in candidates:
            try:
                key = c.resolve()
            except (OSError, RuntimeError):  # a link loop: read_file says why
                key = c.absolute()
            if key not in seen:
                seen.add(key)
                found.append(c)
    return found


def sample_files() -> list[Path]:
    """The sample reports shipped in ``etl/samples`` (what ``nianbao run`` loads with no path)."""
    return discover_files([SAMPLES_DIR], exclude_names={"README.md"})


# what read_file answers for a file gone between discovery and reading: skipped, not quarantined
VANISHED = "vanished"


def display_name(path: Path | str) -> str:
    """The path as text that any database and terminal take.

    A name that is not UTF-8 (``os.walk`` hands it over with surrogate
    escapes, which PostgreSQL refuses) keeps its bytes as ``\\xNN`` escapes,
    so the file is still named, and named the same way every night.
    """
    raw = os.fsencode(path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")


def roots_of(paths: Iterable[Path]) -> list[Path]:
    """The folders a run may read links into: each directory given, and the folder of each file.

    A file's folder is where the file's own entry stands (a link named
    directly is not followed to find it), with the folder's own links resolved.
    """
    folders = {p if p.is_dir() else p.absolute().parent for p in paths}
    return sorted({Path(os.path.realpath(folder)) for folder in folders})


def read_file(
    path: Path, roots: Sequence[Path] = (), max_bytes: int | None = None
) -> tuple[bytes | None, str, str]:
    """A file's bytes, or ``None`` with the quarantine code and the reason why not.

    ``roots`` are the folders a link may point into (none given: any). The
    code :data:`VANISHED` means the file is gone: skip it, nothing to keep.
    """
    limit = MAX_FILE_BYTES if max_bytes is None else max_bytes
    name = display_name(path)
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            try:
                target = path.resolve(strict=True)
            except (OSError, RuntimeError) as exc:
                return None, "broken_link", f"{name}: a link to nothing readable ({exc}); not read"
            if roots and not any(target.is_relative_to(root) for root in roots):
                return (
                    None,
                    "link_outside",
                    f"{name}: a link to {display_name(target)}, outside the folders given; not read",
                )
            info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            try:
                os.scandir(path).close()
            except OSError as exc:
                why = exc.strerror or str(exc)
                return (
                    None,
                    "unreadable",
                    f"{name}: a folder that cannot be listed ({why}); its files are not read",
                )
            return None, VANISHED, f"{name}: a folder (listed now, its files are read next time)"
        if not stat.S_ISREG(info.st_mode):
            return None, "not_a_file", f"{name}: not a regular file (a FIFO, device or socket); not read"
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        return None, VANISHED, f"{name}: removed before it could be read"
    except OSError as exc:
        return None, "unreadable", f"{name}: cannot read the file ({exc.strerror or exc})"
    if len(data) > limit:
        return None, "too_large", f"{name}: more than the {limit} bytes a report may have"
    return data, "", ""
