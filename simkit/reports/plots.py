"""Report figures with matplotlib: score trends over time and a rule heat map.

Figures are built as ``matplotlib.figure.Figure`` objects on an Agg canvas, never through pyplot:
pyplot keeps global state (the current figure, a GUI backend) that leaks between reports built in
one process and needs a display on some systems. Labels follow ``lang`` ('ru' or 'en'): texts come
from the catalogue (``simkit.i18n``), month names from Babel's locale data, never from the process's
locale (a report in Russian from a server set to English still says "мар.").
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from matplotlib import colormaps
from matplotlib import dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Colormap, Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter

from ..i18n import N_, gettext

if TYPE_CHECKING:
    import pandas as pd

_TREND_TITLE = N_("Score per attempt")
_TIME = N_("Date")
_SCORE = N_("Score")
_ROLLING = N_("rolling mean")
_NO_ATTEMPTS = N_("No finished attempts")
_HEAT_TITLE = N_("Share of replies passing each rule, %")
_NO_VERDICTS = N_("No judged replies yet")
_PASS_RATE = N_("passed, %")
_DPI = 100
_CELL_INCHES = 0.32  # one heat-map cell: rule ids stay readable when rotated
_MAX_ANNOTATED = 400  # beyond this many cells the numbers would overlap the colours
_MAX_LEGEND = 15  # a cohort's trend with more lines than this is read by its shape, not by names


class LocalDates(Formatter):
    """Date tick labels in ``lang`` ("5 мар.", "янв.", "14:30"), with the year or day in the axis offset."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.offset = ""

    def __call__(self, x: float, pos: int | None = None) -> str:
        return date_labels([x], self.lang)[0][0]

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        """The labels of all ticks at once: which parts to show depends on the span they cover."""
        labels, self.offset = date_labels(values, self.lang)
        return labels

    def get_offset(self) -> str:
        """What every tick shares (the year, or the day of hourly ticks), shown once beside the axis."""
        return self.offset


def date_labels(values: Sequence[float], lang: str) -> tuple[list[str], str]:
    """Tick labels for matplotlib date numbers in ``lang``, and the offset text they share."""
    from babel.core import Locale, UnknownLocaleError
    from babel.dates import format_skeleton

    try:
        locale = Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse("en")
    moments: list[datetime] = [mdates.num2date(v) for v in values]  # type: ignore[no-untyped-call]

    def shown(skeleton: str, moment: datetime) -> str:
        return format_skeleton(skeleton, moment, tzinfo=moment.tzinfo, fuzzy=True, locale=locale)

    if not moments:
        return [], ""
    one_year = len({m.year for m in moments}) == 1
    year = shown("y", moments[0]) if one_year else ""

    def first_of_year(i: int, moment: datetime) -> bool:
        # the year is named once where it starts (or at the first tick) when the ticks span several
        return not one_year and (i == 0 or moments[i - 1].year != moment.year)

    if any((m.hour, m.minute) != (0, 0) for m in moments):
        if len({m.date() for m in moments}) == 1:
            return [shown("Hm", m) for m in moments], shown("yMMMd", moments[0])
        return [shown("yMMMd" if first_of_year(i, m) else "MMMd", m) + " " + shown("Hm", m) for i, m in enumerate(moments)], year
    if all(m.day == 1 for m in moments):
        if all(m.month == 1 for m in moments):
            return [shown("y", m) for m in moments], ""
        return [shown("yMMM" if first_of_year(i, m) else "MMM", m) for i, m in enumerate(moments)], year
    return [shown("yMMMd" if first_of_year(i, m) else "MMMd", m) for i, m in enumerate(moments)], year


def _figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(figure)  # attaches itself: savefig renders with Agg whatever the default backend
    return figure


_FIRST_DAY = float(mdates.date2num(datetime(1, 1, 2)))  # type: ignore[no-untyped-call]
_LAST_DAY = float(mdates.date2num(datetime(9999, 12, 30)))  # type: ignore[no-untyped-call]


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
        return _empty(figure, gettext(lang, _NO_ATTEMPTS))
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
                label=f"{name}: {gettext(lang, _ROLLING)}",
            )
    axes.set_ylim(-5, 105)
    axes.set_ylabel(gettext(lang, _SCORE))
    axes.set_xlabel(gettext(lang, _TIME) + " (UTC)")
    axes.set_title(gettext(lang, _TREND_TITLE))
    axes.grid(True, alpha=0.3)
    # margins around moments at the calendar's ends (years 1 and 9999) would reach past the dates matplotlib can draw
    low, high = axes.get_xlim()
    axes.set_xlim(max(low, _FIRST_DAY), min(high, _LAST_DAY))
    axes.xaxis.set_major_locator(mdates.AutoDateLocator())  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_formatter(LocalDates(lang))
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
        return _empty(_figure(6.0, 1.8), gettext(lang, _NO_VERDICTS))
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
    axes.set_title(gettext(lang, _HEAT_TITLE))
    bar = figure.colorbar(image, ax=axes, fraction=0.04 if columns > 10 else 0.08)
    bar.set_label(gettext(lang, _PASS_RATE))
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
