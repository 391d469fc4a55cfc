"""Charts for the annual report, drawn with matplotlib as SVG so the PDF stays sharp at any
zoom. Every chart sits beside or above the table it draws, which is its accessible version.

Text stays text in the SVG (svg.fonttype "none"), so the PDF's words can be searched and read
by a screen reader's PDF tools. A suppressed figure ("fewer than 5") gets no bar: its length
would give the number away.

A chart depends on its figures alone, so each is drawn once and kept in the cache under them
(and this module's code): a published edition's charts never change, and a draft's change only
with its figures. Drawing is about a second of a report's render.
"""

import functools
import hashlib
import io
import json
import textwrap
from pathlib import Path

import matplotlib
from django.core.cache import cache

matplotlib.use("svg")

from matplotlib import pyplot as plt  # noqa: E402

BLUE, DARK_BLUE, GREY, TEXT = "#1d70b8", "#003078", "#b1b4b6", "#0b0c0c"
SERIES = [BLUE, "#f47738", "#00703c", "#4c2c92", "#d4351c"]

_STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "annual-report",
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.edgecolor": GREY,
    "axes.labelcolor": TEXT,
    "xtick.color": TEXT,
    "ytick.color": TEXT,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


KEPT = 30 * 24 * 60 * 60  # seconds; a key names the figures, so a kept chart is never stale
_DRAWING = hashlib.sha256(
    Path(__file__).read_bytes() + matplotlib.__version__.encode()
).hexdigest()


def _drawn_once(draw):
    @functools.wraps(draw)
    def kept(*args, **kwargs) -> str:
        inputs = json.dumps([draw.__name__, args, kwargs], sort_keys=True, default=str)
        key = "chart:" + hashlib.sha256((_DRAWING + inputs).encode()).hexdigest()
        svg = cache.get(key)
        if svg is None:
            svg = draw(*args, **kwargs)
            cache.set(key, svg, KEPT)
        return svg

    return kept


def _svg(fig) -> str:
    out = io.StringIO()
    fig.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return out.getvalue()


def describe_bars(labels: list[str], values: list) -> str:
    """The chart's alternative text: what a reader who cannot see it would read off it."""
    if not labels:
        return "Bar chart with nothing to show."
    return (
        "Bar chart: "
        + "; ".join(f"{label}, {value}" for label, value in zip(labels, values, strict=True))
        + "."
    )


def describe_trend(periods: list[str], series: dict[str, list]) -> str:
    parts = [
        f"{name}: "
        + ", ".join(
            f"{p} {v if v is not None else 'no figure'}"
            for p, v in zip(periods, values, strict=True)
        )
        for name, values in series.items()
    ]
    return "Column chart by year. " + "; ".join(parts) + "."


@_drawn_once
def bars(labels: list[str], values: list, *, unit: str = "") -> str:
    """Horizontal bars, largest first as listed; a value that is text is written, not drawn."""
    with plt.rc_context(_STYLE):
        height = 0.35 + 0.28 * max(len(labels), 1)
        fig, ax = plt.subplots(figsize=(6.3, height))
        positions = list(range(len(labels)))[::-1]
        numbers = [v if isinstance(v, int | float) else 0 for v in values]
        ax.barh(positions, numbers, color=BLUE, height=0.65)
        top = max(numbers, default=0) or 1
        for y, value, number in zip(positions, values, numbers, strict=True):
            text = f"{value}{unit}" if value is not None else "–"
            ax.text(number + top * 0.01, y, text, va="center", fontsize=7.5, color=TEXT)
        ax.set_yticks(positions, [textwrap.shorten(str(x), 48) for x in labels])
        ax.set_xlim(0, top * 1.15)
        ax.xaxis.set_visible(False)
        ax.spines["bottom"].set_visible(False)
        return _svg(fig)


@_drawn_once
def trend(periods: list[str], series: dict[str, list]) -> str:
    """Columns per period (oldest first) for a few series, as the seeds chart year on year."""
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(6.3, 2.4))
        count = max(len(series), 1)
        width = 0.8 / count
        for i, (name, values) in enumerate(series.items()):
            xs = [p + (i - (count - 1) / 2) * width for p in range(len(periods))]
            numbers = [v if isinstance(v, int | float) else 0 for v in values]
            ax.bar(xs, numbers, width=width * 0.95, color=SERIES[i % len(SERIES)], label=name)
            for x, value, number in zip(xs, values, numbers, strict=True):
                if value is None:
                    continue  # no figure: no label, rather than "None"
                ax.text(x, number, f"{value}", ha="center", va="bottom", fontsize=6, color=TEXT)
        ax.set_xticks(range(len(periods)), periods)
        ax.yaxis.set_visible(False)
        ax.spines["left"].set_visible(False)
        ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
        return _svg(fig)
