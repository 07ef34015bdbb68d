"""The real-report corpus as ``make run``'s demo data, with where each report came from.

``make run`` loads the bundled samples, then ``tests/corpus/files``: 152
real reports of agencies in many provinces, so a newcomer's first marts and
dashboards show real agencies, not seven. The loader reads a crawler's
manifest beside them (``tests/corpus/files/manifest.jsonl``) for their
provenance: the page's URL where the corpus recorded one (``origins/*.csv``,
or the 原文链接 a crawled copy carries in its header), else the public
archive it was copied from (``source``). The manifest is generated, committed,
and checked by a test to equal a fresh generation::

    python -m bench.demo
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"
MANIFEST = CORPUS / "files" / "manifest.jsonl"
_ORIGINAL_LINK = re.compile(r"^原文链接:\s*(https?://\S+)", re.M)


def manifest_lines(corpus: Path = CORPUS) -> list[str]:
    """One JSON line per corpus file: path, and url (or source) as the corpus records it."""
    lines = []
    for origins in sorted((corpus / "origins").glob("*.csv")):
        with origins.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                path = row["file"]
                file = corpus / path
                if not path.startswith("files/") or not file.exists():
                    continue
                entry = {"path": path.removeprefix("files/")}
                origin = row["origin"]
                if origin.startswith(("http://", "https://")):
                    entry["url"] = origin
                else:
                    head = file.read_bytes()[:2000].decode("utf-8", errors="ignore")
                    link = _ORIGINAL_LINK.search(head)
                    if link:
                        entry["url"] = link.group(1)
                    entry["source"] = origin  # a public archive's copy: repository:path@commit
                lines.append(json.dumps(entry, ensure_ascii=False))
    return lines


def main() -> int:
    MANIFEST.write_text("\n".join(manifest_lines()) + "\n", encoding="utf-8")
    print(f"wrote {MANIFEST}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
