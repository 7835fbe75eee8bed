"""Charts drawn on the server as SVG, so numbers people would rather see than read come with a
picture that works without JavaScript; every chart is shown with the table it is drawn from.
Presentation attributes only: the content security policy allows no inline styles. The
template is `core/_bar_chart.html` (`{% include "core/_bar_chart.html" with chart=... %}`);
progress charts (first and latest values) are drawn by `core/_progress_chart.html`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# GOV.UK Design System colours: blue for a count, red for what needs attention.
BLUE, RED = "#1d70b8", "#d4351c"


@dataclass
class Bar:
    label: str
    value: int
    y: int
    width: int
    colour: str


@dataclass
class BarChart:
    """A horizontal bar chart drawn on the server, with SVG presentation attributes only
    (the content security policy allows no inline styles)."""

    ident: str
    title: str
    bars: list[Bar]
    unit: str = ""
    label_width: int = 220
    plot_width: int = 320
    row: int = 32

    @property
    def width(self) -> int:
        return self.label_width + self.plot_width + 60

    @property
    def height(self) -> int:
        return self.row * len(self.bars) + 8

    @property
    def description(self) -> str:
        return "; ".join(f"{bar.label}: {bar.value}{self.unit}" for bar in self.bars)


def bar_chart(
    ident: str,
    title: str,
    values: list[tuple[str, int, str]],
    *,
    largest: int,
    unit: str = "",
) -> BarChart:
    chart = BarChart(ident=ident, title=title, bars=[], unit=unit)
    for index, (label, value, colour) in enumerate(values):
        width = round(chart.plot_width * value / largest) if largest else 0
        chart.bars.append(Bar(label, value, index * chart.row + 4, width, colour))
    return chart


# Distance travelled: the first value grey, the latest blue (GOV.UK dark grey and blue).
GREY = "#505a5f"


@dataclass
class ProgressBar:
    value: Decimal
    y: int
    width: int
    colour: str

    @property
    def text(self) -> str:
        return figure(self.value)


@dataclass
class ProgressRow:
    """One measure: its first and latest values as two bars, one under the other."""

    label: str
    first: ProgressBar
    latest: ProgressBar

    @property
    def label_y(self) -> int:
        """The label's baseline, level with the gap between the two bars."""
        return self.latest.y + 4

    @property
    def bars(self) -> tuple[ProgressBar, ProgressBar]:
        return self.first, self.latest


@dataclass
class ProgressChart:
    """The first and the latest value of each measure side by side: how far someone has come.
    Drawn by `core/_progress_chart.html`, always shown with the table of the same values."""

    ident: str
    title: str
    rows: list[ProgressRow]
    first_label: str
    latest_label: str
    label_width: int = 260
    plot_width: int = 300
    bar: int = 18
    row: int = 52
    legend: int = 34
    first_colour: str = GREY
    latest_colour: str = BLUE

    @property
    def width(self) -> int:
        return self.label_width + self.plot_width + 60

    @property
    def height(self) -> int:
        return self.legend + self.row * len(self.rows)

    @property
    def description(self) -> str:
        return "; ".join(
            f"{row.label}: {row.first.text} ({self.first_label}), "
            f"{row.latest.text} ({self.latest_label})"
            for row in self.rows
        )


def figure(value: Decimal) -> str:
    """A value as people write it: 7, 5.25, never 7.00 or 1E+1."""
    return f"{value.normalize():f}"


def progress_chart(
    ident: str,
    title: str,
    rows: list[tuple[str, Decimal, Decimal]],
    *,
    maximum: Decimal,
    first_label: str = "First",
    latest_label: str = "Latest",
) -> ProgressChart:
    """A chart of (label, first, latest) values, bars to scale against `maximum` (the highest
    value the measures can take), for the progress a person has made between two assessments."""
    chart = ProgressChart(ident, title, [], first_label, latest_label)
    width = chart.plot_width
    for index, (label, first, latest) in enumerate(rows):
        top = chart.legend + index * chart.row
        chart.rows.append(
            ProgressRow(
                label,
                ProgressBar(first, top, _scaled(first, maximum, width), chart.first_colour),
                ProgressBar(
                    latest,
                    top + chart.bar + 2,
                    _scaled(latest, maximum, width),
                    chart.latest_colour,
                ),
            )
        )
    return chart


def _scaled(value: Decimal, maximum: Decimal, width: int) -> int:
    """A bar's length: its share of the maximum, never below nothing nor past the plot."""
    if maximum <= 0:
        return 0
    return round(width * min(max(value, Decimal(0)) / maximum, Decimal(1)))
