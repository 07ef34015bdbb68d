"""dbt's own unit tests of the intermediate models' logic (``_int__unit_tests.yml``), run for real.

The nightly ``dbt build`` leaves unit tests out (they test code, not data);
this runs them against a built warehouse, where dbt reads the input
relations' column types, and checks that each one ran and passed, so a unit
test dbt silently skipped would fail here.
"""

from __future__ import annotations

import pytest
from dbt_warehouse import BuiltWarehouse

from etl.transform import run_dbt

pytestmark = pytest.mark.slow

UNIT_TESTS = {
    "versions_keep_the_newest_parse_and_rank_republications",
    "templates_conform_and_pre2019_figures_fill_only_gaps",
    "versions_only_get_better",
}


def test_intermediate_unit_tests_run_and_pass(built_warehouse: BuiltWarehouse) -> None:
    result = run_dbt(
        ["test", "--select", "test_type:unit"], built_warehouse.url, work_dir=built_warehouse.work_dir
    )
    ran = {n.name: n.status for n in result.nodes if n.resource_type == "unit_test"}
    assert set(ran) == UNIT_TESTS, result.error
    assert set(ran.values()) == {"pass"}, [(n.name, n.message) for n in result.failed]
    assert result.success


def test_the_nightly_build_leaves_unit_tests_out(built_warehouse: BuiltWarehouse) -> None:
    assert built_warehouse.result.success
    assert not [n for n in built_warehouse.result.nodes if n.resource_type == "unit_test"]
