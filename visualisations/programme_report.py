"""The programme report (issue 17): the programme view for a board, one self-contained
HTML page (plots inlined as SVG data, styles inline), printable on A4.

Like :mod:`visualisations.report`, nothing here reads a store or computes a metric:
``services.programme.programme_report`` hands in the programme view, the organisations
and areas, and the figures; this module only lays them out, captions included.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

__all__ = ["DEFINITIONS", "SECTIONS", "to_html"]

_TEMPLATES = Path(__file__).with_name("templates")

SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "The programme at a glance"),
    ("trends", "Cohort after cohort"),
    ("cohorts", "Each cohort on the last date"),
    ("organisations", "Organisations and areas"),
    ("outcomes", "Outcomes at three levels, short and long term"),
    ("numbers", "The numbers behind the figures"),
    ("definitions", "What the numbers mean"),
)
"""The report's sections, in order: (HTML id, heading)."""

DEFINITIONS: tuple[tuple[str, str], ...] = (
    ("Ties across organisations (sectors)", "The share of ties, between people whose "
     "organisations (sectors) are known, that join two different ones."),
    ("E-I index", "Krackhardt and Stern's (external - internal) / all ties: -1 when every "
     "tie stays inside an organisation, +1 when every tie crosses."),
    ("By chance", "The E-I index the same ties would give if they joined people at "
     "random, with the organisations' sizes held: 1 - 2q, q the share of pairs of people "
     "in the same organisation. A network of a few large organisations has a low value "
     "by chance; one of many small ones a high value."),
    ("Excess over chance", "The E-I index minus its value by chance: above 0, people "
     "reach across more than chance would. It is the figure to compare between cohorts "
     "and years of different make-up."),
    ("Organisations within two steps", "The other organisations a person reaches through "
     "a contact or a contact's contact, on average."),
    ("Largest connected group", "The share of people linked, by some chain of ties, to "
     "the largest group of linked people."),
    ("Silo index", "How closely the network's communities (Louvain, seed 42) follow "
     "organisation boundaries (normalised mutual information): near 1 the communities "
     "are the organisations, near 0 they cut across them."),
    ("Cross-organisation degree", "A person's ties to people of other organisations; "
     "for an organisation or an area, the mean over its people."),
    ("A cohort's figures", "Measured on the ties among that cohort's own members, from "
     "the cohort's start."),
    ("Short and long term", "A cohort's figures at its end (its start plus a year when "
     "no end is given) and on the report's last date."),
    ("Projects", "Sponsored: with a sponsoring Chief Officer. Due within 18 months: due no "
     "later than 18 months after they started. Delivered: completed or handed over. "
     "Overdue: neither delivered nor closed, and past their due date."),
)  # fmt: skip
"""One sentence per figure, in plain words (``spec/metrics.md``)."""


@lru_cache(maxsize=1)
def _environment() -> Environment:
    """One environment, so its template is compiled once (0.4 s), not per report."""
    return Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=select_autoescape(["html"]),
        keep_trailing_newline=True,
    )


def _number(value: float | int | None, percent: bool = False) -> str:
    if value is None:
        return "–"
    if percent:
        return f"{value * 100:.0f}%"
    if isinstance(value, int):
        return str(value)
    return f"{value:.2f}"


def to_html(
    *,
    view: Any,
    figures: Any,
    groups: Any,
    organisations: Any,
    areas: Any,
    group_figures: Any,
    outcomes: Any,
    made_on: str,
) -> str:
    """The report as one HTML page that loads nothing.

    ``view`` is the programme view (dates, cohorts, rows), ``figures`` its plots,
    ``groups`` the organisations-and-areas view with ``organisations`` and ``areas``
    its summaries (largest first) and ``group_figures`` its small multiples;
    ``outcomes`` each cohort's outcomes at three levels, short and long term; each
    figure has ``metric``, ``title``, ``caption`` and an image ``src``."""
    everyone = [p for p in view.points if p.scope == "programme"]
    last_date = everyone[-1].date if everyone else None
    return (
        _environment()
        .get_template("programme_report.html")
        .render(
            view=view,
            figures=figures,
            groups=groups,
            organisations=organisations,
            areas=areas,
            group_figures=group_figures,
            outcomes=outcomes,
            first=everyone[0] if everyone else None,
            last=everyone[-1] if everyone else None,
            last_cohorts=[p for p in view.points if p.date == last_date and p.scope != "programme"],
            names={c.id: c.name for c in view.cohorts},
            sections=SECTIONS,
            definitions=DEFINITIONS,
            num=_number,
            made_on=made_on,
        )
    )
