"""The hostile-input probe, as one landing folder: every kind it found, beside real reports.

The probe that opened the reliability issue put single entries into a landing
folder that stopped, hung or exhausted a night: names that are not UTF-8,
FIFOs, link loops, links out of the folder and to /dev/zero, files bigger than
they say, Word and HTML tables that ask for gigabytes, a zip bomb, markup
nested past the parser's depth, a PDF with no pages, a figure of 300 digits,
file names that are console markup, pages that are not reports. Here they all
lie in one folder with the real sample reports and go through the real
extractors and parser, in parser processes with their limits, and the test
checks for each: the run finished, the entry was quarantined with its true
reason (or loaded, where a report is what it is), and every report loaded.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from etl.run import Files, Limits, Settings, discover_files, roots_of
from etl.run import load as run_load

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "etl" / "samples"
NOT_REPORTS = REPO / "tests" / "fixtures" / "not-reports"
MAX_FILE = 8 * 2**20  # the byte limit, set small: the 9 MiB file is over it

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx(body: str) -> bytes:
    """The smallest Word file python-docx opens, with ``body`` as its document's body."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{body}</w:body></w:document>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return out.getvalue()


TITLE = "<w:p><w:r><w:t>某县人民政府2023年政府信息公开工作年度报告</w:t></w:r></w:p>"


def _zip_bomb() -> bytes:
    """A small Word file whose central directory declares 2 GiB of document.xml.

    Declared, not real: the zip reader trusts the declaration, so a reader that
    unzipped before checking would find out too late; one that checks never unzips.
    """
    data = bytearray(_docx(TITLE))
    entry = data.rfind(b"PK\x01\x02" + data[data.rfind(b"PK\x01\x02") + 4 : data.rfind(b"PK\x01\x02") + 4])
    while entry != -1:
        name_length = struct.unpack_from("<H", data, entry + 28)[0]
        if bytes(data[entry + 46 : entry + 46 + name_length]) == b"word/document.xml":
            struct.pack_into("<I", data, entry + 24, 2**31)  # uncompressed size
            return bytes(data)
        entry = data.rfind(b"PK\x01\x02", 0, entry)
    raise AssertionError("no central directory entry for word/document.xml")


def _sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


# name in the landing folder -> (what to write, the outcome: "loaded" or a quarantine code)
Entry = Callable[[Path], None]


def _write(data: bytes | str) -> Entry:
    return lambda path: path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _link(target: str | Path) -> Entry:
    return lambda path: path.symlink_to(target)


def _loop(path: Path) -> None:
    path.symlink_to(path.with_name("loop-b"))
    path.with_name("loop-b").symlink_to(path)


def _gbk_name(path: Path) -> None:
    raw = os.fsencode(path.parent) + b"/" + "年报二〇二〇".encode("gbk") + b".txt"
    Path(os.fsdecode(raw)).write_text(_sample("004_2f396f1e852b3100.txt"), encoding="utf-8")


def _copy(source: Path) -> Entry:
    return lambda path: shutil.copy(source, path)


PROBE: dict[str, tuple[Entry, str]] = {
    # what every night brings: reports
    **{p.name: (_copy(p), "loaded") for p in sorted(SAMPLES.glob("*.txt")) if not p.name.startswith("004")},
    "huaian-city-2024.pdf": (_copy(SAMPLES / "pdf" / "huaian-city-2024.pdf"), "loaded"),
    "gbk-name": (_gbk_name, "loaded"),  # the entry itself is written under a GBK file name
    "gb18030.txt": (_write(_sample("003_725222af666056f0.txt").encode("gb18030")), "loaded"),
    "utf16.txt": (_write(_sample("000_a14c2c8461655229.txt").encode("utf-16")), "loaded"),
    # a report 600 times over (4.5 MB): the label search is linear, it parses
    "long.txt": (_write(_sample("001_b46b09af154a8c88.txt") * 600), "loaded"),
    # a figure of 300 digits: an unreadable cell, not a reason to refuse the report
    "digits.txt": (
        _write(_sample("002_0494dfef68de25df.txt").replace("| 3567 |", "| " + "9" * 300 + " |", 1)),
        "loaded",
    ),
    # what a landing folder may hold besides reports
    "fifo": (_fifo, "not_a_file"),
    "loop-a": (_loop, "broken_link"),
    "dangling": (_link("no-such-file.txt"), "broken_link"),
    "etc-link.txt": (_link("/etc/hostname"), "link_outside"),
    "zero-link.txt": (_link("/dev/zero"), "link_outside"),
    "bigger-than-allowed.txt": (_write(b"x" * (MAX_FILE + 2**20)), "too_large"),
    "[/evil].txt": (_write("会议纪要：今天下午开会，讨论食堂菜单。"), "not_a_report"),
    "README.md": (_write("# Landing folder\n\nDrop 政府信息公开 reports here.\n"), "not_a_report"),
    **{p.name: (_copy(p), "not_a_report") for p in sorted(NOT_REPORTS.glob("*")) if p.name != "README.md"},
    "empty.txt": (_write(b""), "empty"),
    "random.pdf": (_write(random.Random(7).randbytes(8192)), "binary"),
    "truncated.pdf": (_write((SAMPLES / "pdf" / "huaian-city-2024.pdf").read_bytes()[:20000]), "corrupt"),
    "no-pages.pdf": (
        _write(
            b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
        ),
        "corrupt",
    ),
    "grid-span.docx": (
        _write(
            _docx(
                TITLE + "<w:tbl><w:tblGrid><w:gridCol/></w:tblGrid><w:tr><w:tc><w:tcPr>"
                '<w:gridSpan w:val="100000000"/></w:tcPr><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc></w:tr></w:tbl>'
            )
        ),
        "table_too_large",
    ),
    "zip-bomb.docx": (_write(_zip_bomb()), "unzips_too_large"),
    "spans.html": (
        _write(
            "<html><body><p>某县2023年政府信息公开工作年度报告</p><table><tr>"
            + '<td rowspan="5000" colspan="1000">x</td>' * 3
            + "</tr>"
            + "<tr><td>1</td></tr>" * 400
            + "</table></body></html>"
        ),
        "table_too_large",
    ),
    "nested.html": (
        _write(
            b"<html><body>"
            + b"<div>" * 100_000
            + "某县2023年政府信息公开工作年度报告".encode() * 3
            + b"</div>" * 100_000
            + b"</body></html>"
        ),
        "corrupt",
    ),
}


@pytest.fixture()
def probe_folder(tmp_path: Path) -> Path:
    landing = tmp_path / "landing"
    landing.mkdir()
    for name, (make, _) in PROBE.items():
        (landing / name).parent.mkdir(parents=True, exist_ok=True)
        make(landing / name)
    return landing


def _tree(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Every entry under ``folder`` with its mode, size and modification time (links not followed)."""
    out = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            info = os.lstat(os.path.join(root, name))
            out[os.path.join(root, name)] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return out


def test_every_probe_case_ends_with_a_true_reason_and_every_report_loads(
    fresh_database: str, probe_folder: Path
) -> None:
    before = _tree(probe_folder)
    result = run_load(
        fresh_database,
        Files(discover_files([probe_folder]), roots=roots_of([probe_folder])),
        Settings(workers=2, limits=Limits(max_file_bytes=MAX_FILE)),
    )

    assert result.status == "completed_with_quarantine"
    assert _tree(probe_folder) == before  # nothing written, moved or touched: a read-only folder would do
    quarantined = {str(Path(q.path).relative_to(probe_folder)): q for q in result.quarantined}
    expected = {name: code for name, (_, code) in PROBE.items() if code != "loaded"}
    expected["loop-b"] = "broken_link"
    assert {name: q.error_code for name, q in quarantined.items()} == expected
    for name, q in quarantined.items():
        assert name in q.reason, q.reason  # the reason names the file, as shown (markup and all)

    with psycopg.connect(fresh_database) as conn:
        loaded = {
            str(Path(path).relative_to(probe_folder)): status
            for path, status in conn.execute("select source_path, status from raw.reports").fetchall()
        }
        digits = conn.execute(
            "select c.value, f.rule from raw.reports r "
            "join raw.active_disclosure_cells c using (report_id) "
            "left join raw.findings f on f.report_id = r.report_id and f.rule = 'unreadable_number' "
            "where r.source_path like '%digits.txt' and c.raw like '999%'"
        ).fetchall()
    gbk_name = "年报二〇二〇".encode("gbk").decode("utf-8", "backslashreplace") + ".txt"
    reports = {name for name, (_, code) in PROBE.items() if code == "loaded"} - {"gbk-name"} | {gbk_name}
    assert set(loaded) == reports
    assert all(status in ("parsed", "partial") for status in loaded.values()), loaded
    assert result.files_loaded == len(reports)
    assert digits == [(None, "unreadable_number")], digits
