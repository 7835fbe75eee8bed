"""Charts drawn on the server as SVG, so numbers people would rather see than read come with a
picture that works without JavaScript; every chart is shown with the table it is drawn from.
Presentation attributes only: the content security policy allows no inline styles. The
template is `core/_bar_chart.html` (`{% include "core/_bar_chart.html" with chart=... %}`)."""

from __future__ import annotations

from dataclasses import dataclass

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
