"""Server-drawn bar charts: bars to scale, and a description that says every value."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from beststart.core.charts import BLUE, RED, bar_chart


def test_bars_are_drawn_to_scale_one_row_apart() -> None:
    chart = bar_chart("waiting", "Waiting", [("New", 5, BLUE), ("Late", 10, RED)], largest=10)

    assert [bar.width for bar in chart.bars] == [chart.plot_width // 2, chart.plot_width]
    assert [bar.y for bar in chart.bars] == [4, 4 + chart.row]
    assert chart.height == 2 * chart.row + 8
    assert chart.description == "New: 5; Late: 10"


def test_nothing_to_draw_draws_empty_bars() -> None:
    chart = bar_chart("none", "None", [("New", 0, BLUE)], largest=0, unit="%")

    assert chart.bars[0].width == 0
    assert chart.description == "New: 0%"


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=12))
def test_no_bar_is_longer_than_the_plot(values: list[int]) -> None:
    chart = bar_chart("any", "Any", [(str(v), v, BLUE) for v in values], largest=max(values))

    assert all(0 <= bar.width <= chart.plot_width for bar in chart.bars)
    assert max(bar.width for bar in chart.bars) == (chart.plot_width if max(values) else 0)
