"""Charts as server-rendered SVG: no JavaScript, nothing to fetch, the same markup on screen, on paper and in the
WeasyPrint PDF. These functions compute geometry only; templates/dashboards/_chart_*.html draw it (autoescaped)."""

from dataclasses import dataclass, field

PALETTE = ["#b7261f", "#d9822b", "#3f7fbf", "#4d9a6a", "#7a5ea8", "#8c8c8c"]


@dataclass
class Bar:
    label: str
    value: float
    text: str
    url: str | None
    y: float = 0
    width: float = 0
    color: str = PALETTE[0]


@dataclass
class BarChart:
    title: str
    bars: list[Bar]
    width: int = 480
    label_width: int = 96
    row: int = 26
    unit: str = ""
    height: int = 0
    value_x: float = 0

    @property
    def plot_width(self) -> float:
        return self.width - self.label_width - 64


def bar_chart(title: str, items, *, unit: str = "", max_value: float | None = None, color: str = PALETTE[0]):
    """Horizontal bars, one per item (label, value, text, url); None values are skipped."""
    chart = BarChart(title=title, bars=[], unit=unit)
    items = [i for i in items if i[1] is not None]
    top = max_value if max_value is not None else max((i[1] for i in items), default=0)
    for n, (label, value, text, url) in enumerate(items):
        width = chart.plot_width * value / top if top else 0
        chart.bars.append(Bar(label, value, text, url, y=n * chart.row + 4, width=max(width, 0), color=color))
    chart.height = max(len(chart.bars), 1) * chart.row + 8
    return chart


@dataclass
class TrendChart:
    title: str
    width: int = 440
    height: int = 240
    left: int = 36
    right: int = 38
    top: int = 16
    bottom: int = 48
    columns: list[dict] = field(default_factory=list)
    line: str = ""
    dots: list[dict] = field(default_factory=list)
    y_ticks: list[dict] = field(default_factory=list)
    rate_ticks: list[dict] = field(default_factory=list)

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom

    @property
    def base_y(self) -> int:
        return self.height - self.bottom

    @property
    def right_x(self) -> int:
        return self.width - self.right


def _nice_top(value: int, ticks: int = 4) -> int:
    """The smallest "round" axis top at or above `value` that splits into `ticks` whole steps."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 25000, 50000):
        if step * ticks >= value:
            return step * ticks
    return int(value)


def trend_chart(title: str, points) -> TrendChart:
    """Columns for the pool size and a line for the share of villages meeting the target, by quarter."""
    chart = TrendChart(title=title)
    if not points:
        return chart
    top = _nice_top(max(p.pool for p in points))
    slot = (chart.width - chart.left - chart.right) / len(points)
    line = []
    for i, p in enumerate(points):
        x = chart.left + slot * i
        h = chart.plot_height * p.pool / top if top else 0
        year, _, rest = p.label.partition("年")
        chart.columns.append(
            {
                "x": x + slot * 0.2,
                "w": slot * 0.6,
                "y": chart.base_y - h,
                "h": h,
                "cx": x + slot / 2,
                "pool": p.pool,
                "year": year,
                "quarter": rest.split("（")[0],
                "rate": p.rate,
            }
        )
        if p.rate is not None:
            y = chart.base_y - chart.plot_height * p.rate / 100
            line.append(f"{x + slot / 2:.1f},{y:.1f}")
            chart.dots.append({"x": x + slot / 2, "y": y, "rate": p.rate})
    chart.line = " ".join(line)
    for k in range(5):
        value = top * k / 4
        y = chart.base_y - chart.plot_height * k / 4
        chart.y_ticks.append({"y": y, "text": f"{value:g}"})
        chart.rate_ticks.append({"y": y, "text": f"{25 * k}%"})
    return chart
