"""Charts of the county's figures as SVG, drawn on the server with matplotlib.

The page embeds them as ``<img src="data:image/svg+xml;base64,...">``: the
office's Content-Security-Policy allows ``data:`` images, and an SVG shown as
an image runs no script and may style itself (matplotlib writes ``style``
attributes, which the policy forbids in the page itself). Each chart stands
next to its table, which is the accessible form of the same numbers.

matplotlib takes over a second to import: it is imported on the first chart
only, and charts are cached by their numbers (the same figure twice is one
drawing).
"""

from __future__ import annotations

import base64
import functools
import io
import math
import threading

from bot.casework.figures import Figure

#: Colours told apart with colour blindness too (Okabe & Ito), then greys.
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
    "#999999",
)  # fmt: skip
#: More series than this are summed up as "Weitere" in the chart (the table lists all).
MAX_SERIES = 8
OTHERS = "Weitere"
CACHED_CHARTS = 64

_lock = threading.Lock()


def data_uri(figure: Figure) -> str:
    """The chart of ``figure`` as a ``data:`` URI for an ``<img>``."""
    svg = chart_svg(figure)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


@functools.lru_cache(maxsize=CACHED_CHARTS)
def chart_svg(figure: Figure) -> str:
    """The chart of ``figure`` as SVG markup (no script)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure as Canvas

    # One drawing at a time: matplotlib's text layout caches are not thread-safe.
    with (
        _lock,
        matplotlib.rc_context(
            {
                "svg.hashsalt": "welcome-figures",  # the same numbers give the same SVG
                "svg.fonttype": "none",  # text stays text: smaller, and it can be selected
                "font.family": "sans-serif",
                "font.size": 10,
            }
        ),
    ):
        canvas = Canvas(figsize=(9, 4.2), dpi=100)
        axes = canvas.add_subplot()
        if figure.kind == "bars":
            _bars(axes, figure)
        elif figure.kind == "lines":
            _lines(axes, figure)
        else:
            _stacked(axes, figure)
        axes.spines["top"].set_visible(False)
        axes.spines["right"].set_visible(False)
        canvas.tight_layout()
        buffer = io.StringIO()
        canvas.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def _month_rows(figure: Figure) -> list[tuple[str, tuple]]:
    # The table's last row is the sum or the whole period: not a month.
    return list(figure.rows[:-1])


def _stacked(axes, figure: Figure) -> None:
    rows = _month_rows(figure)
    labels = [label for label, _ in rows]
    columns = list(figure.columns)
    series = [[values[i] or 0 for _, values in rows] for i in range(len(columns))]
    if len(columns) > MAX_SERIES:
        order = sorted(range(len(columns)), key=lambda i: -sum(series[i]))
        keep, rest = order[: MAX_SERIES - 1], order[MAX_SERIES - 1 :]
        columns = [columns[i] for i in keep] + [OTHERS]
        series = [series[i] for i in keep] + [
            [sum(series[i][m] for i in rest) for m in range(len(labels))]
        ]
    bottoms = [0] * len(labels)
    positions = range(len(labels))
    for index, (name, values) in enumerate(zip(columns, series, strict=True)):
        axes.bar(positions, values, bottom=bottoms, label=name, color=PALETTE[index % len(PALETTE)])
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    axes.set_xticks(list(positions))
    axes.set_xticklabels(labels, rotation=45, ha="right")
    axes.set_ylabel(figure.unit)
    axes.yaxis.get_major_locator().set_params(integer=True)
    if columns:
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=9)
    else:
        _no_data(axes)


def _lines(axes, figure: Figure) -> None:
    rows = _month_rows(figure)
    labels = [label for label, _ in rows]
    positions = list(range(len(labels)))
    drawn = False
    for index, name in enumerate(figure.columns):
        values = [math.nan if values[index] is None else values[index] for _, values in rows]
        drawn = drawn or any(not math.isnan(value) for value in values)
        axes.plot(positions, values, marker="o", label=name, color=PALETTE[index % len(PALETTE)])
    axes.set_xticks(positions)
    axes.set_xticklabels(labels, rotation=45, ha="right")
    axes.set_ylabel(figure.unit)
    axes.set_ylim(bottom=0)
    if drawn:
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=9)
    else:
        _no_data(axes)


def _bars(axes, figure: Figure) -> None:
    rows = list(figure.rows)
    if not rows:
        _no_data(axes)
        return
    labels = [label for label, _ in rows][::-1]
    values = [values[0] or 0 for _, values in rows][::-1]
    axes.barh(range(len(labels)), values, color=PALETTE[0])
    axes.set_yticks(list(range(len(labels))))
    axes.set_yticklabels(labels)
    axes.set_xlabel(figure.unit)
    axes.xaxis.get_major_locator().set_params(integer=True)


def _no_data(axes) -> None:
    axes.text(
        0.5, 0.5, "Keine Daten im Zeitraum", transform=axes.transAxes, ha="center",
        va="center", color="#555555",
    )  # fmt: skip
