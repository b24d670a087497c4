"""The suite holds on a busy machine: property tests are not timed (tests/conftest.py)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def test_property_tests_have_no_deadline_and_no_too_slow_check():
    assert settings.default.deadline is None
    assert HealthCheck.too_slow in settings.default.suppress_health_check


def test_property_tests_draw_the_same_examples_on_every_run():
    assert settings.default.derandomize is True


drawn: list[list[int]] = []


@settings(max_examples=5)
@given(st.lists(st.integers(), min_size=1))
def _draw(values):
    drawn[-1].append(values)


def test_a_property_test_reruns_with_the_same_examples():
    for _ in range(2):
        drawn.append([])
        _draw()
    assert drawn[0] == drawn[1]
