"""The bench's README table: a partial run (``python -m bench NAME``) replaces its own rows in place."""

from bench.__main__ import MODULES, merged


def rows(module: str, *names: str) -> list[dict]:
    return [{"module": module, "name": name} for name in names]


def test_a_partial_run_replaces_its_rows_where_they_were():
    first, middle, last = MODULES[0], MODULES[3], MODULES[-1]
    saved = rows(first, "a", "b") + rows(middle, "old") + rows(last, "z")
    table = merged(saved, rows(middle, "new 1", "new 2"))
    assert [r["name"] for r in table] == ["a", "b", "new 1", "new 2", "z"]


def test_rows_of_a_module_no_longer_run_stay_at_the_end():
    saved = rows("bench.retired", "gone") + rows(MODULES[1], "b")
    assert [r["name"] for r in merged(saved, rows(MODULES[0], "a"))] == ["a", "b", "gone"]
