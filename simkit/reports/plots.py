"""Report figures with matplotlib: score trends over time and a rule heat map.

Figures are built as ``matplotlib.figure.Figure`` objects on an Agg canvas, never through pyplot:
pyplot keeps global state (the current figure, a GUI backend) that leaks between reports built in
one process and needs a display on some systems. Labels follow ``lang`` ('ru' or 'en').
"""

from __future__ import annotations

import base64
import io
import math
from typing import TYPE_CHECKING

from matplotlib import colormaps
from matplotlib import dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Colormap, Normalize
from matplotlib.figure import Figure

if TYPE_CHECKING:
    import pandas as pd

LABELS: dict[str, dict[str, str]] = {
    "trend_title": {"ru": "Баллы по попыткам", "en": "Score per attempt"},
    "time": {"ru": "Дата", "en": "Date"},
    "score": {"ru": "Балл", "en": "Score"},
    "rolling": {"ru": "скользящее среднее", "en": "rolling mean"},
    "no_attempts": {"ru": "Нет завершённых попыток", "en": "No finished attempts"},
    "heat_title": {"ru": "Доля пройденных проверок по правилам, %", "en": "Share of replies passing each rule, %"},
    "no_verdicts": {"ru": "Ответы ещё не проверялись", "en": "No judged replies yet"},
    "pass_rate": {"ru": "пройдено, %", "en": "passed, %"},
}
_DPI = 100
_CELL_INCHES = 0.32  # one heat-map cell: rule ids stay readable when rotated
_MAX_ANNOTATED = 400  # beyond this many cells the numbers would overlap the colours
_MAX_LEGEND = 15  # a cohort's trend with more lines than this is read by its shape, not by names


def _label(key: str, lang: str) -> str:
    return LABELS[key].get(lang) or LABELS[key]["en"]


def _figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(figure)  # attaches itself: savefig renders with Agg whatever the default backend
    return figure


def _empty(figure: Figure, text: str) -> Figure:
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.text(0.5, 0.5, text, ha="center", va="center", fontsize=12, color="#555555")
    return figure


def trend_figure(trend: pd.DataFrame, trainee: str | None = None, lang: str = "en") -> Figure:
    """Lines of score over time, one per trainee (or only ``trainee``), dots per attempt, dashed rolling mean.

    ``trend`` is ``simkit.reports.tables.score_trend``; one trainee's figure also shows the rolling mean.
    """
    frame = trend if trainee is None else trend[trend["trainee"] == trainee]
    figure = _figure(8.0, 3.6)
    if frame.empty:
        return _empty(figure, _label("no_attempts", lang))
    axes = figure.add_subplot()
    for name, rows in frame.groupby("trainee", sort=True):
        times = rows["finished_at"].dt.tz_convert("UTC").dt.tz_localize(None)
        (line,) = axes.plot(times, rows["score"], marker="o", linewidth=1.5, label=str(name))
        if trainee is not None:
            axes.plot(
                times,
                rows["rolling_mean"],
                linestyle="--",
                color=line.get_color(),
                alpha=0.7,
                label=f"{name}: {_label('rolling', lang)}",
            )
    axes.set_ylim(-5, 105)
    axes.set_ylabel(_label("score", lang))
    axes.set_xlabel(_label("time", lang) + " (UTC)")
    axes.set_title(_label("trend_title", lang))
    axes.grid(True, alpha=0.3)
    locator = mdates.AutoDateLocator()  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    if frame["trainee"].nunique() <= _MAX_LEGEND:
        legend = axes.legend(loc="lower right", fontsize="small")
        for text in legend.get_texts():
            text.set_parse_math(False)  # a '$' in a name is a dollar sign, not TeX
    return figure


def heatmap_figure(rates: pd.DataFrame, lang: str = "en") -> Figure:
    """A heat map of trainee x rule pass rates (``simkit.reports.tables.rule_pass_rates``) with a colour bar.

    Rules nobody was judged on are left out; a cell never judged stays blank (grey).
    """
    frame = rates.dropna(axis=1, how="all")
    if frame.empty or frame.shape[1] == 0:
        return _empty(_figure(6.0, 1.8), _label("no_verdicts", lang))
    rows, columns = frame.shape
    width = max(5.0, 2.5 + _CELL_INCHES * columns)
    height = max(2.2, 2.4 + _CELL_INCHES * rows)
    figure = _figure(width, height)
    axes = figure.add_subplot()
    values = frame.to_numpy(dtype=float)
    image = axes.imshow(values, cmap=_colour_map(), norm=Normalize(0, 100), aspect="auto", interpolation="nearest")
    # names are typed by people: a '$' in them is a dollar sign, not the start of TeX
    axes.set_xticks(range(columns), [str(c) for c in frame.columns], rotation=90, fontsize=8, parse_math=False)
    axes.set_yticks(range(rows), [str(i) for i in frame.index], fontsize=9, parse_math=False)
    if rows * columns <= _MAX_ANNOTATED:
        for y in range(rows):
            for x in range(columns):
                value = values[y, x]
                if not math.isnan(value):
                    axes.text(x, y, f"{value:.0f}", ha="center", va="center", fontsize=7, color="black")
    axes.set_title(_label("heat_title", lang))
    bar = figure.colorbar(image, ax=axes, fraction=0.04 if columns > 10 else 0.08)
    bar.set_label(_label("pass_rate", lang))
    return figure


def _colour_map() -> Colormap:
    return colormaps["RdYlGn"].with_extremes(bad="#dddddd")  # never judged: neither good nor bad


def png_bytes(figure: Figure) -> bytes:
    """The figure rendered as PNG."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    return buffer.getvalue()


def png_data_uri(figure: Figure) -> str:
    """The figure as a ``data:image/png;base64,...`` URI, for self-contained HTML."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(figure)).decode("ascii")
