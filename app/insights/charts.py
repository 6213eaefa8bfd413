"""Chart geometry for the server-drawn SVG charts (templates/dashboard/insights/_*.svg).

No script, nothing the CSP has to allow: the templates draw <svg role="img"> with a title,
and the same numbers are in the table beside each chart. Colours come from the dashboard's
CSS classes, so they follow its themes and their contrast. Geometry is in a 360-unit-wide
viewBox, so at a phone's 390 px the text stays at its size.
"""

from dataclasses import dataclass
from datetime import datetime

WIDTH = 360
BAR_HEIGHT = 22
LABEL_WIDTH = 120
TIME_HEIGHT = 180
TOP, BOTTOM, LEFT, RIGHT = 16, 28, 36, 8
SERIES = (("visit", "Visits"), ("signup", "Signups"), ("click", "Clicks"))


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    y: float
    length: float


def bars(rows: list[tuple[str, int]], top: int = 10) -> list[Bar]:
    """Horizontal bars, biggest first, at most `top` of them."""
    shown = rows[:top]
    most = max((count for _, count in shown), default=0) or 1
    room = WIDTH - LABEL_WIDTH - 48
    return [
        Bar(label[:18], count, n * BAR_HEIGHT + 2, round(room * count / most, 1))
        for n, (label, count) in enumerate(shown)
    ]


@dataclass(frozen=True)
class TimeChart:
    most: int
    lines: list[tuple[str, str, str]]  # (metric, name, "x,y x,y ...")
    first_label: str
    last_label: str
    release_x: float | None
    plot_bottom: float


def over_time(
    buckets: list[tuple[datetime, dict[str, int]]], hourly: bool, release_at: datetime | None
) -> TimeChart | None:
    """Lines for visits, signups and clicks per bucket; where the release moment falls."""
    if not buckets:
        return None
    most = max(max(counts[key] for key, _ in SERIES) for _, counts in buckets) or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, TIME_HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(buckets) - 1, 1)

    def point(n: int, count: int) -> str:
        return f"{LEFT + n * step:.1f},{TOP + plot_h - plot_h * count / most:.1f}"

    lines = [
        (key, name, " ".join(point(n, counts[key]) for n, (_, counts) in enumerate(buckets)))
        for key, name in SERIES
    ]
    release_x = None
    if release_at is not None and len(buckets) > 1:
        width = buckets[1][0] - buckets[0][0]
        if buckets[0][0] <= release_at < buckets[-1][0] + width:
            release_x = round(LEFT + step * ((release_at - buckets[0][0]) / width), 1)
    label = "%H:%M" if hourly else "%b %d"
    return TimeChart(
        most,
        lines,
        buckets[0][0].strftime(label),
        buckets[-1][0].strftime(label),
        release_x,
        TOP + plot_h,
    )
