"""The county's figures (``/zahlen``): charts with their tables, and CSV per figure.

For coordinators and admins (the county's reports are written in the
office; editors maintain content and see no casework). No personal data
reaches these pages: no reference, no sender, no text
(:mod:`bot.casework.figures`). Every CSV export is audited.
"""

from __future__ import annotations

import csv
import io

from flask import Blueprint, abort, render_template, request
from werkzeug.wrappers import Response

from bot.casework.figures import FIGURE_NAMES, Figure, Figures, MonthRange, month_label
from bot.office import audit
from bot.office.charts import data_uri
from bot.office.web import COORDINATOR, NavItem, office, role_required
from bot.store.figures import REPORT_TIMEZONE

blueprint = Blueprint("figures", __name__)
NAV = [NavItem("Zahlen", "figures.index", {COORDINATOR}, order=70)]


@blueprint.before_request
@role_required(COORDINATOR)
def _coordinators_and_admins() -> None:
    """The figures are for the office's coordinators and admins."""


def _figures() -> Figures:
    return office().service(
        "figures", lambda services: Figures(services.database_url, engine=services.engine)
    )


def _range() -> MonthRange:
    today = office().now().astimezone(REPORT_TIMEZONE).date()
    return MonthRange.parse(request.args.get("start"), request.args.get("end"), today=today)


@blueprint.get("/zahlen", endpoint="index")
def index() -> str:
    months = _range()
    figures = _figures().report(months)
    return render_template(
        "figures/index.html",
        months=months,
        period=f"{month_label(months.start)} bis {month_label(months.end)}",
        figures=figures,
        charts={figure.name: data_uri(figure) for figure in figures},
        cell=format_cell,
    )


@blueprint.get("/zahlen/<name>.csv", endpoint="export")
def export(name: str) -> Response:
    if name not in FIGURE_NAMES:
        abort(404)
    months = _range()
    [figure] = [figure for figure in _figures().report(months) if figure.name == name]
    audit.record("export", detail=f"zahlen={name} zeitraum={months.start}..{months.end}")
    filename = f"zahlen-{name}-{months.start}-{months.end}.csv"
    return Response(
        figure_csv(figure),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def format_cell(value: float | int | None) -> str:
    """A number as German readers write it (decimal comma); a dash for "no value"."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def figure_csv(figure: Figure) -> str:
    """The figure's table as CSV for a German spreadsheet program.

    Semicolons, decimal commas and a byte order mark: what Excel in German
    opens as is (like the audit log's export). Empty cells for "no value".
    """
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([figure.row_header, *figure.columns])
    for label, values in figure.rows:
        writer.writerow([label, *("" if v is None else format_cell(v) for v in values)])
    return buffer.getvalue()
