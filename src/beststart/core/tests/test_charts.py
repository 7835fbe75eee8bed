"""Server-drawn charts: bars to scale, and a description that says every value."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from beststart.core.charts import BLUE, GREY, RED, bar_chart, figure, progress_chart


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


# ---------------------------------------------------------------------------------------------
# Progress: the first and the latest value of each measure


def test_progress_bars_are_drawn_to_scale_first_grey_then_latest_blue() -> None:
    chart = progress_chart(
        "star",
        "Progress",
        [("Physical health", Decimal(3), Decimal(6)), ("Areas: mean", Decimal("4.5"), Decimal(10))],
        maximum=Decimal(10),
        first_label="First, 1 June 2026",
        latest_label="Latest, 15 September 2026",
    )

    health, mean = chart.rows
    assert (health.first.width, health.latest.width) == (90, 180)
    assert (mean.first.width, mean.latest.width) == (135, chart.plot_width)
    assert (health.first.colour, health.latest.colour) == (GREY, BLUE) == ("#505a5f", "#1d70b8")
    assert health.latest.y == health.first.y + chart.bar + 2
    assert mean.first.y == health.first.y + chart.row
    assert chart.height == chart.legend + 2 * chart.row
    assert chart.description == (
        "Physical health: 3 (First, 1 June 2026), 6 (Latest, 15 September 2026); "
        "Areas: mean: 4.5 (First, 1 June 2026), 10 (Latest, 15 September 2026)"
    )


def test_values_are_written_as_people_write_them() -> None:
    assert [figure(Decimal(v)) for v in ("10", "7.00", "5.25", "0")] == ["10", "7", "5.25", "0"]


@given(
    st.lists(
        st.tuples(
            st.decimals(min_value=-5, max_value=100, places=2),
            st.decimals(min_value=-5, max_value=100, places=2),
        ),
        min_size=1,
        max_size=10,
    ),
    st.decimals(min_value=0, max_value=60, places=0),
)
def test_no_progress_bar_is_longer_than_the_plot(
    values: list[tuple[Decimal, Decimal]], maximum: Decimal
) -> None:
    chart = progress_chart(
        "any", "Any", [(str(n), a, b) for n, (a, b) in enumerate(values)], maximum=maximum
    )

    assert all(0 <= bar.width <= chart.plot_width for row in chart.rows for bar in row.bars)
