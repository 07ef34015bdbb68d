"""``python -m bench.gold``: the corpus gold from two independent labellings and the resolutions.

Each real report in ``tests/corpus`` is labelled twice, blind
(``labels/a``, ``labels/b``; rules in ``tests/corpus/LABELLING.md``). This
compares the two field by field and cell by cell. Where they agree, that is
the gold. Where they disagree, the source was read again and the decision
written to ``tests/corpus/resolutions.csv`` (id, key, value as JSON,
reason); the same file corrects what both read alike against the rules (a
region code both took from an outdated list); a disagreement without a resolution leaves the file out of the gold
and is listed, so nothing is settled silently. ``tests/corpus/disagreements.md``
is the log: every disagreement, both readings and how it was settled.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

from bench.accuracy import CORPUS, SECTIONS, _indicator_key

UNDETERMINABLE = "?"
RESOLUTIONS = CORPUS / "resolutions.csv"
LOG = CORPUS / "disagreements.md"
_SCALARS = ("partial", "report_year", "template", "agency.region_code")


def flatten(label: dict[str, Any]) -> dict[str, Any]:
    """One label as key → value: scalars, every cell (``?`` where undeterminable), legacy indicators."""
    flat: dict[str, Any] = {}
    for key in _SCALARS:
        node: Any = label
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        flat[key] = node
    for section in SECTIONS:
        for key, value in (label.get(section) or {}).items():
            flat[f"{section}.{key}"] = _value(value)
    for key in label.get("undeterminable") or []:
        if key.startswith("legacy_stats."):
            flat[f"legacy_stats.{_indicator_key(key[len('legacy_stats.') :])}"] = UNDETERMINABLE
        elif any(key.startswith(s + ".") for s in SECTIONS):
            flat[key] = UNDETERMINABLE
        else:  # a key without its section: the section whose codes it uses
            flat[f"{_section_of(key)}.{key}"] = UNDETERMINABLE
    for key, value in (label.get("legacy_stats") or {}).items():
        flat[f"legacy_stats.{_indicator_key(key)}"] = _value(value)
    return flat


def _section_of(key: str) -> str:
    from etl.labels import codes

    first = key.split(".", 1)[0]
    if first in codes("item"):
        return "active_disclosure"
    if first in codes("proceeding"):
        return "review_litigation"
    return "applications"


def _value(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return str(float(value)) if value.strip() else None
        except ValueError:
            return value
    return value


def compare(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    fa, fb = flatten(a), flatten(b)
    out = []
    for key in sorted(set(fa) | set(fb), key=_order):
        va, vb = fa.get(key, "(absent)"), fb.get(key, "(absent)")
        if va != vb:
            out.append((key, va, vb))
    return out


def _order(key: str) -> tuple[int, str]:
    for n, prefix in enumerate((*_SCALARS, *SECTIONS, "legacy_stats")):
        if key.startswith(prefix):
            return n, key
    return 99, key


def load_resolutions(path: Path = RESOLUTIONS) -> dict[tuple[str, str], tuple[Any, str]]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        return {(r["id"], r["key"]): (json.loads(r["value"]), r["reason"]) for r in csv.DictReader(fh)}


def build(label_a: dict[str, Any], label_b: dict[str, Any], resolved: dict[tuple[str, str], tuple[Any, str]]):
    """The gold of one file (or None while a disagreement is unresolved) and its disagreements."""
    fid = label_a["id"]
    disagreements = compare(label_a, label_b)
    open_keys = [k for k, _, _ in disagreements if (fid, k) not in resolved]
    if open_keys:
        return None, disagreements
    flat = flatten(label_a)
    legacy_names = {f"legacy_stats.{_indicator_key(k)}": k for k in (label_a.get("legacy_stats") or {})}
    legacy_names |= {
        f"legacy_stats.{_indicator_key(k)}": k
        for k in (label_b.get("legacy_stats") or {})
        if f"legacy_stats.{_indicator_key(k)}" not in legacy_names
    }
    # every resolution of this file: the disagreements, and corrections of what both read alike
    for (rid, key), (value, _reason) in resolved.items():
        if rid != fid:
            continue
        if value == "(absent)":
            flat.pop(key, None)
        else:
            flat[key] = value
    gold: dict[str, Any] = {
        "id": fid,
        "partial": flat.get("partial"),
        "agency": {
            "name": (label_a.get("agency") or {}).get("name"),
            "region_code": flat.get("agency.region_code"),
        },
        "report_year": flat.get("report_year"),
        "template": flat.get("template"),
    }
    for section in SECTIONS:
        gold[section] = {
            key[len(section) + 1 :]: value
            for key, value in flat.items()
            if key.startswith(section + ".") and value != UNDETERMINABLE
        }
    gold["legacy_stats"] = {
        legacy_names.get(key, key.split(".", 1)[1]): value
        for key, value in flat.items()
        if key.startswith("legacy_stats.") and value != UNDETERMINABLE
    }
    gold["undeterminable"] = sorted(
        f"legacy_stats.{legacy_names.get(k, k.split('.', 1)[1])}" if k.startswith("legacy_stats.") else k
        for k, v in flat.items()
        if v == UNDETERMINABLE
    )
    gold["notes"] = "; ".join(n for n in ((label_a.get("notes") or ""), (label_b.get("notes") or "")) if n)
    return gold, disagreements


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gold", description=__doc__.split("\n\n")[0])
    parser.add_argument("--open", action="store_true", help="list only the disagreements not yet resolved")
    args = parser.parse_args(argv)
    resolved = load_resolutions()
    (CORPUS / "gold").mkdir(exist_ok=True)
    log = [
        "# Disagreements between the two labellings, and how each was settled",
        "",
        "Generated by `python -m bench.gold` from `labels/a`, `labels/b` and `resolutions.csv`.",
        "Every row is a field or cell the two blind labellings read differently; the",
        "resolution was decided by reading the source file again.",
        "",
        "| file | key | labeller A | labeller B | gold | why |",
        "|---|---|---|---|---|---|",
    ]
    unresolved = 0
    written = 0
    for path_a in sorted((CORPUS / "labels" / "a").glob("*.json")):
        path_b = CORPUS / "labels" / "b" / path_a.name
        if not path_b.exists():
            continue
        a = json.loads(path_a.read_text(encoding="utf-8"))
        b = json.loads(path_b.read_text(encoding="utf-8"))
        gold, disagreements = build(a, b, resolved)
        corrections = [
            (key, flatten(a).get(key, "(absent)"), flatten(b).get(key, "(absent)"))
            for (rid, key) in resolved
            if rid == a["id"] and key not in {k for k, _, _ in disagreements}
        ]
        for key, va, vb in disagreements + corrections:
            value, reason = resolved.get((a["id"], key), ("(open)", ""))
            if value == "(open)":
                unresolved += 1
                if args.open:
                    print(f"{a['id']}\t{key}\tA={va!r}\tB={vb!r}")
            log.append(f"| {a['id']} | `{key}` | {_cell(va)} | {_cell(vb)} | {_cell(value)} | {reason} |")
        target = CORPUS / "gold" / path_a.name
        if gold is not None:
            target.write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            written += 1
        elif target.exists():
            target.unlink()
    LOG.write_text("\n".join(log) + "\n", encoding="utf-8")
    print(f"gold written for {written} file(s); {unresolved} disagreement(s) open", file=sys.stderr)
    return 0


def _cell(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False).replace("|", "\\|")


if __name__ == "__main__":
    sys.exit(main())
