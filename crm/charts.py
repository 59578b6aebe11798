"""The weekly summary's chart as a PNG: pipeline by status per week, and interactions per week.

Plain data in (crm.weekly_trends.WeeklyTrends), bytes out. Drawn with matplotlib's object API on
an Agg canvas — never pyplot, whose global figure state is not thread-safe and which would pick a
GUI backend on a desktop — so it runs in a scheduler thread or a listener's background executor
alike. Importing matplotlib costs about a second (BENCHMARKS.md), so it happens on first use, not at
start.
The image is always CHART_WIDTH × CHART_HEIGHT pixels.
"""

from __future__ import annotations

import io
from datetime import datetime

from crm.models import RELATIONSHIP_STATUSES
from crm.weekly_trends import WeeklyTrends

CHART_WIDTH = 1200  # pixels
CHART_HEIGHT = 600
_DPI = 100
ALT_TEXT_LIMIT = 1_000  # what Slack keeps of a file's alt text
# One colour per status, cold to hot, readable for common colour-vision deficiencies (Okabe–Ito).
STATUS_COLOURS = {
    "saved": "#999999",
    "contacted": "#56B4E9",
    "warm": "#E69F00",
    "cold": "#0072B2",
    "partnered": "#009E73",
}


def _label(day: datetime) -> str:
    return f"{day.day} {day:%b}"


def weekly_chart_png(trends: WeeklyTrends, *, title: str) -> bytes:
    """The two-panel chart (stacked pipeline bars, interaction bars) as PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import StrMethodFormatter

    figure = Figure(figsize=(CHART_WIDTH / _DPI, CHART_HEIGHT / _DPI), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    figure.suptitle(title, fontsize=13)
    pipeline_axes, interaction_axes = figure.subplots(1, 2, width_ratios=(3, 2))
    labels = [_label(start) for start in trends.week_starts]
    positions = list(range(len(labels)))
    bottoms = [0] * len(labels)
    for status in RELATIONSHIP_STATUSES:
        counts = trends.pipeline.get(status, [0] * len(labels))
        pipeline_axes.bar(positions, counts, bottom=bottoms, color=STATUS_COLOURS[status], label=status)
        bottoms = [b + n for b, n in zip(bottoms, counts, strict=True)]
    pipeline_axes.set_title("Pipeline by status at each week's end", fontsize=11)
    pipeline_axes.set_ylabel("relationships")
    pipeline_axes.legend(loc="upper left", fontsize=8, ncols=len(RELATIONSHIP_STATUSES), frameon=False)
    pipeline_axes.set_ylim(0, max(max(bottoms, default=0) * 1.15, 1))
    interaction_axes.bar(positions, trends.interactions, color="#CC79A7")
    interaction_axes.set_title("Interactions logged per week", fontsize=11)
    interaction_axes.set_ylim(0, max(max(trends.interactions, default=0) * 1.15, 1))
    for axes in (pipeline_axes, interaction_axes):
        axes.set_xticks(positions, labels, fontsize=8, rotation=45)
        axes.set_xlabel("week starting")
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        axes.spines[["top", "right"]].set_visible(False)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=_DPI)
    return out.getvalue()


def weekly_chart_alt_text(trends: WeeklyTrends) -> str:
    """What the chart shows, in words, for a screen reader (Slack's file alt text)."""
    first, last = trends.week_starts[0], trends.week_starts[-1]
    pipeline = ", ".join(
        f"{status} {counts[0]:,} to {counts[-1]:,}"
        for status in RELATIONSHIP_STATUSES
        if any(counts := trends.pipeline.get(status, [0]))
    )
    per_week = ", ".join(f"{n:,}" for n in trends.interactions)
    text = (
        f"Bar charts of {len(trends.week_starts)} weeks, from the week of {_label(first)} to the week of "
        f"{_label(last)}. Pipeline by status at each week's end: {pipeline or 'no relationships'}. "
        f"Interactions logged per week: {per_week}."
    )
    return text if len(text) <= ALT_TEXT_LIMIT else text[: ALT_TEXT_LIMIT - 1] + "…"
