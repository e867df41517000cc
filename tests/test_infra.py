"""The test suite's own guarantees: fixed property-based examples with deadlines, a time limit on every test."""

from hypothesis import settings


def test_property_tests_run_the_fixed_ci_profile():
    profile = settings.default
    assert profile.derandomize and profile.database is None  # the same examples on every machine
    assert profile.deadline is not None and profile.deadline.total_seconds() <= 60  # a slow example fails by name


def test_every_test_has_a_time_limit(pytestconfig):
    assert float(pytestconfig.getini("timeout")) >= 600  # pytest-timeout: a hang fails, generous for a cold cache

