"""The dashboard's tables (issue 17): the network on a day, by organisation, by sector,
and each cohort's growth, as the page shows them and as downloads."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import date

from graph import measure
from graph.analytics.groups import GroupMetrics
from graph.errors import NotFound
from graph.memo import VersionedMemo
from graph.model import Cohort
from graph.store import GraphStore, Page
from services.consent import Viewer
from services.programme import ensure_team
from services.tables import Download, Table, download

__all__ = ["DASHBOARD_TABLES", "dashboard_download", "dashboard_tables"]

DASHBOARD_TABLES = ("network", "organisations", "sectors", "cohorts")
"""The dashboard's tables, by name, in page order."""

_GROUP_COLUMNS = ("size", "internal", "external", "ei")


def _groups(groups: Mapping[Hashable, GroupMetrics]) -> list[list[object]]:
    return [
        [str(name), g["size"], g["internal"], g["external"], g["ei"]] for name, g in groups.items()
    ]


def dashboard_tables(
    store: GraphStore, viewer: Viewer, day: date, memo: VersionedMemo | None = None
) -> dict[str, Table]:
    """Every table of the dashboard on ``day``, by name (:data:`DASHBOARD_TABLES`); the
    numbers of ``GET /metrics/network`` and ``GET /metrics/growth``."""
    ensure_team(viewer)
    suite = measure.network_report(store, as_of=day, people=False, memo=memo)
    cohorts = sorted(store.find(Cohort, page=Page(limit=500)).data, key=lambda c: c.start_date)
    growth_rows: list[list[object]] = []
    for c in cohorts:
        step = measure.growth_report(store, c.id, memo=memo)["baseline_to_end"]
        if step is None:
            growth_rows.append([c.id, c.name, None, None, None, None, None])
        else:
            growth_rows.append([
                c.id, c.name, step["new_ties"], step["lost_ties"], step["retention"],
                step["before"]["cross_org_share"], step["after"]["cross_org_share"],
            ])  # fmt: skip
    on = day.isoformat()
    return {
        "network": Table(
            f"network-{on}",
            ("metric", "value"),
            [[k, v] for k, v in suite["network"].items()],
        ),
        "organisations": Table(
            f"organisations-{on}",
            ("organisation", *_GROUP_COLUMNS),
            _groups(suite["organisations"]),
        ),
        "sectors": Table(
            f"sectors-{on}",
            ("sector", *_GROUP_COLUMNS),
            _groups(suite["sectors"]),
        ),
        "cohorts": Table(
            f"cohorts-baseline-to-end-{on}",
            (
                "cohort_id",
                "cohort",
                "new_ties",
                "lost_ties",
                "retention",
                "cross_org_share_baseline",
                "cross_org_share_end",
            ),
            growth_rows,
        ),  # fmt: skip
    }


def dashboard_download(
    store: GraphStore,
    viewer: Viewer,
    name: str,
    fmt: str,
    day: date,
    memo: VersionedMemo | None = None,
) -> Download:
    """One dashboard table as CSV or ``.xlsx`` (formula-safe); ``NotFound`` for a name
    that is not one of :data:`DASHBOARD_TABLES`."""
    if name not in DASHBOARD_TABLES:
        raise NotFound("dashboard table", name)
    return download(dashboard_tables(store, viewer, day, memo)[name], fmt)
