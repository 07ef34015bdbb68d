"""Which files a run reads, and reading one: the landing folder's side of a run.

Directories are searched recursively in a stable order (so report ids follow
the files and two loads of one folder agree); hidden files, Office lock
files and crawler manifests are never reports. A file is read whole (it is
hashed, stored and parsed), so one larger than any report could be is
refused with a reason instead of filling memory.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
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
    taken. Each file appears once even if named twice.
    """
    excluded = set(exclude_names)
    found: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            batch: list[Path] = []
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                batch.extend(Path(root) / f for f in files if not _ignored(f) and f not in excluded)
            candidates = sorted(batch)
        elif path.exists():
            candidates = [path]
        else:
            raise FileNotFoundError(f"{path}: no such file or directory")
        for c in candidates:
            key = c.resolve()
            if key not in seen:
                seen.add(key)
                found.append(c)
    return found


def sample_files() -> list[Path]:
    """The sample reports shipped in ``etl/samples`` (what ``nianbao run`` loads with no path)."""
    return discover_files([SAMPLES_DIR], exclude_names={"README.md"})


def read_file(path: Path) -> tuple[bytes | None, str, str]:
    """A file's bytes, or ``None`` with the quarantine code and reason why not."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return (
                None,
                "too_large",
                f"{name}: {size} bytes is more than the {MAX_FILE_BYTES} a report may have",
            )
        return path.read_bytes(), "", ""
    except OSError as exc:
        return None, "unreadable", f"{name}: cannot read the file ({exc.strerror or exc})"
