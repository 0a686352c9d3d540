"""The cohort report, one door: a cohort's programme report and its page.

Who may be named is the caller's ``services.consent.Viewer.sees``; the projects'
outcomes (free text) are read as the caller may read them
(``services.consent.free_text``: whole for the programme team, with the people an
alumni caller may not see withheld). The numbers come from ``graph.measure``; the
survey's questions (``services.surveys``) name what each wave asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from graph.model import DEFAULT_METRIC_KINDS, TieKind
from graph.store import GraphStore
from services.consent import Viewer, free_text
from services.surveys import QUESTIONS, questions_of
from visualisations import report
from visualisations.report import CohortReport

__all__ = ["CohortReport", "RenderedReport", "cohort_report"]


@dataclass(frozen=True)
class RenderedReport:
    """A cohort's report and its page: one self-contained HTML document."""

    report: CohortReport
    html: str

    @property
    def filename(self) -> str:
        return f"report-{self.report.cohort.id}.html"


def cohort_report(
    store: GraphStore,
    viewer: Viewer,
    cohort_id: str,
    *,
    kinds: tuple[TieKind, ...] = DEFAULT_METRIC_KINDS,
    today: date | None = None,
) -> RenderedReport:
    """``cohort_id``'s programme report (``NotFound`` for an unknown cohort) as this
    viewer may read it."""
    found = report.build_report(
        store,
        cohort_id,
        visible=viewer.sees,
        kinds=kinds,
        today=today,
        free_text=free_text(store, viewer),
        questions=QUESTIONS,
        asked=questions_of,
    )
    return RenderedReport(report=found, html=report.to_html(found))
