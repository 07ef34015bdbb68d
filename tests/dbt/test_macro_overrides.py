"""A guard for each dbt-core macro this project overrides: a dbt upgrade that changes one fails here.

The project replaces three of dbt's internal macros (see each file's header
for why). An override is a copy of dbt's code with one change, so when dbt
changes the original, the copy may silently fall behind (a new constraint
kind, a new test config). Each original's text is pinned here by its SHA-256
as of the dbt-core version in pyproject.toml; a mismatch means: read dbt's
new version of the macro, carry its change into ours, and update the hash.

A macro in ``dbt_project/macros`` that takes the name of one of dbt's own
(``default__X`` or ``postgres__X`` where dbt ships ``default__X``) without a
guard here fails too.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import dbt.include.global_project
import pytest

from etl.transform import DBT_PROJECT_DIR

GLOBAL_PROJECT = Path(dbt.include.global_project.__file__).parent

# our macro -> the macros of dbt's it was written from: (dbt's file, macro, sha256 of its text)
GUARDED: dict[str, list[tuple[str, str, str]]] = {
    "postgres__get_table_columns_and_constraints": [
        (
            "macros/relations/column/columns_spec_ddl.sql",
            "default__get_table_columns_and_constraints",
            "6051867a1fab3ee1a4452127987e4c0a9686c62377f18c857e00c172d6bc45f3",
        ),
        # the body ours copies, keeping every constraint but foreign keys
        (
            "macros/relations/column/columns_spec_ddl.sql",
            "table_columns_and_constraints",
            "b3be2d4f0a1b642ae69994f36f9011782d835f5c16e6d511d1aad5acd0aba2cf",
        ),
    ],
    "postgres__get_empty_schema_sql": [
        (
            "macros/adapters/columns.sql",
            "default__get_empty_schema_sql",
            "4c22e843a05da2604a7d3cbf6b71f457e58d5ed65ea97463071b44daaabb46e2",
        ),
    ],
    "default__get_where_subquery": [
        (
            "macros/materializations/tests/where_subquery.sql",
            "default__get_where_subquery",
            "e0e1dcabd25ce74ced06c2766bac3ac57766b31e11a96fc251cac17569ba7eb8",
        ),
    ],
}

MACRO = re.compile(r"{%-?\s*macro\s+(\w+)\s*\(")


def macro_text(source: str, name: str) -> str:
    """One macro's text, from its ``{% macro name(`` to its ``{% endmacro %}``."""
    start = re.search(r"{%-?\s*macro\s+" + re.escape(name) + r"\s*\(", source)
    assert start, f"macro {name} not found"
    end = re.compile(r"{%-?\s*endmacro\s*-?%}").search(source, start.end())
    assert end, f"macro {name} has no endmacro"
    return source[start.start() : end.end()]


@pytest.mark.parametrize(
    ("ours", "path", "original", "pinned"),
    [(ours, *guard) for ours, guards in sorted(GUARDED.items()) for guard in guards],
)
def test_the_macro_we_override_is_the_one_we_copied(ours: str, path: str, original: str, pinned: str) -> None:
    text = macro_text((GLOBAL_PROJECT / path).read_text(encoding="utf-8"), original)
    digest = hashlib.sha256(text.encode()).hexdigest()
    assert digest == pinned, (
        f"dbt's {original} ({path}) changed since {ours} was written from it: carry the change into "
        f"dbt_project/macros and set its hash to {digest}"
    )


def _ours() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted((DBT_PROJECT_DIR / "macros").glob("*.sql")):
        for name in MACRO.findall(path.read_text(encoding="utf-8")):
            found[name] = path
    return found


def _dbt_macros() -> set[str]:
    names: set[str] = set()
    for path in GLOBAL_PROJECT.rglob("*.sql"):
        names.update(MACRO.findall(path.read_text(encoding="utf-8")))
    return names


def test_every_override_of_a_dbt_macro_has_a_guard() -> None:
    ours, dbts = _ours(), _dbt_macros()
    overrides = {
        name
        for name in ours
        if name in dbts
        or (name.startswith("postgres__") and "default__" + name.removeprefix("postgres__") in dbts)
    }
    # generate_schema_name is dbt's documented extension point, not an internal macro
    overrides.discard("generate_schema_name")
    assert overrides == set(GUARDED)
    assert set(GUARDED) <= set(ours)
