"""The pages: sign in with a key, find alumni, a person and their network, an
introduction path drawn, wicked issues, and for the programme team the metrics
dashboard and the upload of a bundle.

Every page calls the domain functions the JSON routes call, through
``services.consent`` (the one place consent is decided) and with the same roles. A
browser without a session is sent to the sign-in page; a page its role may not
see answers 403. Every form that changes something carries the session's CSRF
token, checked before anything is read or written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api import uploads
from api.auth import FailedAuthLimiter, limited_names, viewer_of_key, viewer_of_key_hash
from api.deps import AnswersDep, NetworkDep, SettingsDep, StoreDep
from api.errors import RateLimited, TooLarge
from api.keys import hash_key
from api.limits import upload_name
from api.pages import sessions
from api.pages.sessions import CSRF_FIELD, SESSION_COOKIE, SIGN_IN_COOKIE, Session
from api.problems import problem
from api.routes.wicked_issues import lineage_out
from graph import contacts as network
from graph import lineage as baton
from graph import measure
from graph.errors import Forbidden, Invalid, NotFound
from graph.model import Cohort, KeyRole
from graph.store import Page, PersonQuery
from services import consent
from services.consent import Viewer
from services.schemas import ContactOut, GrowthOut, MetricSuiteOut

HERE = Path(__file__).parent
STYLESHEET = (HERE / "static" / "pages.css").read_bytes()
SEARCH_PAGE = Page(limit=50)

templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

router = APIRouter(include_in_schema=False)

FormText = Annotated[str, Form(max_length=2000)]
Csrf = Annotated[str, Form(alias=CSRF_FIELD, max_length=200)]


@dataclass(frozen=True)
class SignedIn:
    viewer: Viewer
    session: Session

    @property
    def is_team(self) -> bool:
        return self.viewer.role in (KeyRole.PROGRAMME, KeyRole.ADMIN)


def _signed_in(request: Request, store: StoreDep) -> SignedIn | None:
    session = sessions.session_of(request)
    if session is None:
        return None
    viewer = viewer_of_key_hash(store, session.key_sha256)
    if viewer is None:  # the key was revoked (or its person erased) since
        sessions.sessions_of(request).end_key(store, session.key_id)
        return None
    return SignedIn(viewer, session)


def render(
    request: Request,
    template: str,
    who: SignedIn | None,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    html = templates.get_template(template).render(
        who=who,
        csrf=who.session.csrf if who else None,
        csrf_field=CSRF_FIELD,
        path=request.url.path,
        **context,
    )
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def _to_sign_in(request: Request) -> RedirectResponse:
    return RedirectResponse("/sign-in", status_code=303)


def _refused(request: Request, who: SignedIn, reason: str) -> HTMLResponse:
    return render(request, "error.html", who, status=403, title="Not for this key", reason=reason)


def _not_found(request: Request, who: SignedIn, what: str) -> HTMLResponse:
    return render(request, "error.html", who, status=404, title="Not found", reason=what)


def _csrf_refused() -> Response:
    return problem(
        403,
        "Forbidden",
        f"this form must be sent from the page that showed it (missing or wrong {CSRF_FIELD})",
    )


def _team_only(request: Request, who: SignedIn) -> HTMLResponse | None:
    if who.is_team:
        return None
    return _refused(request, who, "This page is for the programme team (programme or admin keys).")


def _team_form(request: Request, store: StoreDep, token: str) -> SignedIn | Response:
    """Who posted a programme-team form: signed in, with the session's CSRF token and a
    team key; else the response that refuses it."""
    who = _signed_in(request, store)
    if who is None or not sessions.tokens_match(who.session.csrf, token):
        return _csrf_refused()
    return _team_only(request, who) or who


# -- static ---------------------------------------------------------------------------------


@router.get("/static/pages.css")
def stylesheet() -> Response:
    return Response(
        STYLESHEET, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"}
    )


# -- signing in and out -----------------------------------------------------------------------


def _sign_in_page(request: Request, *, status: int = 200, error: str | None = None) -> Response:
    # the browser's token if it has one, so two open sign-in tabs both work
    kept = request.cookies.get(SIGN_IN_COOKIE, "")
    token = kept if 20 <= len(kept) <= 100 else sessions.new_token()
    response = render(request, "sign_in.html", None, status=status, error=error, token=token)
    sessions.set_cookie(request, response, SIGN_IN_COOKIE, token)
    return response


@router.get("/sign-in")
def sign_in_form(request: Request, store: StoreDep) -> Response:
    if _signed_in(request, store) is not None:
        return RedirectResponse("/", status_code=303)
    return _sign_in_page(request)


@router.post("/sign-in")
def sign_in(request: Request, store: StoreDep, key: FormText = "", token: Csrf = "") -> Response:
    """Check the key as the API does (and count a wrong one against the same limiter);
    on success a fresh session (never the key) goes into the cookie."""
    if not sessions.tokens_match(request.cookies.get(SIGN_IN_COOKIE, ""), token) or not token:
        return _csrf_refused()
    key = key.strip()
    viewer = viewer_of_key(store, key)
    if viewer is None:
        limiter: FailedAuthLimiter = request.app.state.auth_limiter
        try:
            limiter.refuse(*limited_names(request, key))
        except RateLimited as exc:
            response = _sign_in_page(
                request,
                status=429,
                error=f"Too many wrong keys: try again in {exc.retry_after} s.",
            )
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        return _sign_in_page(
            request, status=401, error="That key is unknown or revoked: you are not signed in."
        )
    table = sessions.sessions_of(request)
    table.close(store, request.cookies.get(SESSION_COOKIE))  # never reuse a session id
    session_id, _ = table.open(store, viewer.key_id, hash_key(key))
    response = RedirectResponse("/", status_code=303)
    sessions.set_cookie(request, response, SESSION_COOKIE, session_id)
    sessions.clear_cookie(request, response, SIGN_IN_COOKIE)
    return response


@router.post("/sign-out")
def sign_out(request: Request, store: StoreDep, token: Csrf = "") -> Response:
    who = _signed_in(request, store)
    if who is not None and not sessions.tokens_match(who.session.csrf, token):
        return _csrf_refused()
    if who is not None:
        _staging(request).remove(who.viewer.key_id, who.session.record.staged_id)
    sessions.sessions_of(request).close(store, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/sign-in", status_code=303)
    sessions.clear_cookie(request, response, SESSION_COOKIE)
    return response


# -- alumni -----------------------------------------------------------------------------------


@router.get("/")
def home(request: Request, store: StoreDep) -> Response:
    who = _signed_in(request, store)
    if who is None:
        return _to_sign_in(request)
    me = None
    if who.viewer.person_id:
        try:
            me = consent.visible_profile(store, who.viewer, who.viewer.person_id)
        except NotFound:
            me = None
    return render(request, "home.html", who, me=me)


@router.get("/find")
def find(
    request: Request,
    store: StoreDep,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """Search alumni by name, job, interests and skills, as ``GET /people?q=`` does."""
    who = _signed_in(request, store)
    if who is None:
        return _to_sign_in(request)
    found = consent.search(store, who.viewer, PersonQuery(text=q.strip() or None), SEARCH_PAGE)
    return render(request, "find.html", who, q=q, people=found.data, count=found.count)


def _contacts(store: StoreDep, viewer: Viewer, person_id: str) -> list[ContactOut]:
    found = network.contacts(
        store,
        person_id,
        visible=viewer.sees,
        route_through=viewer.may_route_through,
        scope="other-organisations",
        max_hops=1,
    )
    return consent.contacts_out(viewer, found)


@router.get("/person/{person_id}")
def person_page(request: Request, store: StoreDep, person_id: str) -> Response:
    """A person; for themself or the team, also their ego map and contacts elsewhere (an
    alumni key draws and lists its own network only, as ``GET /visualisations/network.html``
    and ``GET /people/{id}/contacts`` decide)."""
    who = _signed_in(request, store)
    if who is None:
        return _to_sign_in(request)
    try:
        person = consent.visible_profile(store, who.viewer, person_id)
    except NotFound:
        return _not_found(request, who, "No such person, or none you may see.")
    own_network = who.is_team or who.viewer.is_self(person_id)
    contacts = _contacts(store, who.viewer, person_id) if own_network else None
    return render(
        request,
        "person.html",
        who,
        person=person,
        contacts=contacts,
        map_url="/visualisations/network.html?" + urlencode({"person": person_id}),
    )


@dataclass(frozen=True)
class Node:
    x: int
    y: int
    name: str
    org: str


@dataclass(frozen=True)
class Edge:
    x1: int
    x2: int
    y: int
    mid: float
    label: str
    """The tie behind the hop, shortened to fit; ``title`` has all of it."""
    title: str


@dataclass(frozen=True)
class Drawing:
    """One path as an SVG: a row of people, each hop labelled with the tie behind it."""

    width: int
    height: int
    nodes: list[Node]
    edges: list[Edge]


def path_drawing(people: list[tuple[str, str]], labels: list[str]) -> Drawing:
    """Where the people of one path, ``(name, organisation)``, go in its SVG.

    >>> d = path_drawing([("Ann", "ECC"), ("Bob", "NHS")], ["both in cohort 2019"])
    >>> [(n.x, n.name) for n in d.nodes], d.edges[0].label, d.width
    ([(100, 'Ann'), (360, 'Bob')], 'both in cohort 2019', 460)
    """
    gap, left, top = 260, 100, 60
    nodes = [
        Node(left + i * gap, top, name, organisation)
        for i, (name, organisation) in enumerate(people)
    ]
    edges = [
        Edge(
            a.x + 14,
            b.x - 14,
            top,
            (a.x + b.x) / 2,
            label if len(label) <= 40 else label[:39] + "…",
            label,
        )
        for a, b, label in zip(nodes, nodes[1:], labels, strict=False)
    ]
    return Drawing(left * 2 + gap * max(len(people) - 1, 0), 130, nodes, edges)


@router.get("/introduction")
def introduction(
    request: Request,
    store: StoreDep,
    warm: NetworkDep,
    to: Annotated[str, Query(max_length=200)] = "",
    from_: Annotated[str, Query(alias="from", max_length=200)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """Who can introduce me to someone: up to three shortest warm paths, every hop with
    the tie that explains it, as ``GET /paths/introduction`` answers."""
    who = _signed_in(request, store)
    if who is None:
        return _to_sign_in(request)
    viewer = who.viewer
    start = from_ or viewer.person_id or ""
    context: dict[str, Any] = {"to": to, "from_": from_, "q": q, "start": start}
    if q.strip():
        context["candidates"] = consent.search(
            store, viewer, PersonQuery(text=q.strip()), SEARCH_PAGE
        ).data
    if not to or not start:
        return render(request, "introduction.html", who, **context)
    try:
        consent.ensure_own_network(viewer, start)
        origin = consent.visible_profile(store, viewer, start)
        target = consent.visible_profile(store, viewer, to)
    except Forbidden:
        return _refused(request, who, "An alumni key finds introductions from its own person only.")
    except NotFound:
        return _not_found(request, who, "No such person, or none you may see.")
    found = network.introduction_paths(
        store,
        start,
        target_id=to,
        visible=viewer.sees,
        route_through=viewer.may_route_through,
        max_hops=4,
        network=warm.current(),
    )
    paths = consent.paths_out(viewer, found)
    drawn = [
        path_drawing(
            [(x.name, x.organisation.name if x.organisation else "") for x in p.people],
            [s.connections[0].text if s.connections else "" for s in p.steps],
        )
        for p in paths
    ]
    names = {person.id: person.name for p in paths for person in p.people}
    return render(
        request,
        "introduction.html",
        who,
        origin=origin,
        target=target,
        paths=list(zip(paths, drawn, strict=True)),
        names=names,
        **context,
    )


@router.get("/issues")
def issues(request: Request, store: StoreDep) -> Response:
    who = _signed_in(request, store)
    if who is None:
        return _to_sign_in(request)
    found = consent.summaries_seen(store, who.viewer, baton.issue_summaries(store))
    return render(request, "issues.html", who, issues=found)


@router.get("/issues/{issue_id}")
def issue(request: Request, store: StoreDep, issue_id: str) -> Response:
    """A wicked issue's lineage: its projects in order, their people and handovers."""
    who = _signed_in(request, store)
    if who is None:
        return _to_sign_in(request)
    try:
        found = consent.lineage_seen(store, who.viewer, baton.lineage(store, issue_id))
    except NotFound:
        return _not_found(request, who, "No such wicked issue.")
    return render(request, "issue.html", who, lineage=lineage_out(who.viewer, found))


# -- the programme team -----------------------------------------------------------------------


@router.get("/dashboard")
def dashboard(
    request: Request,
    store: StoreDep,
    answers: AnswersDep,
    as_of: Annotated[date | None, Query()] = None,
) -> Response:
    """The network's metrics on a day, and each cohort's growth from baseline to end."""
    who = _signed_in(request, store)
    if who is None:
        return _to_sign_in(request)
    if (refused := _team_only(request, who)) is not None:
        return refused
    day = as_of or date.today()
    # the same questions as GET /metrics/network and /metrics/growth: the same answers kept
    suite = MetricSuiteOut.model_validate(
        measure.network_report(store, as_of=day, people=False, memo=answers)
    )
    cohorts = sorted(store.find(Cohort, page=Page(limit=500)).data, key=lambda c: c.start_date)
    growth = {
        c.id: GrowthOut.model_validate(measure.growth_report(store, c.id, memo=answers))
        for c in cohorts
    }
    return render(
        request,
        "dashboard.html",
        who,
        day=day,
        suite=suite,
        cohorts=cohorts,
        growth=growth,
        map_url="/visualisations/network.html?" + urlencode({"as_of": day.isoformat()}),
    )


@router.get("/upload")
def upload_form(request: Request, store: StoreDep) -> Response:
    who = _signed_in(request, store)
    if who is None:
        return _to_sign_in(request)
    if (refused := _team_only(request, who)) is not None:
        return refused
    return render(request, "upload.html", who)


def _staging(request: Request) -> uploads.StagedUploads:
    """The app's staging folder for checked uploads (made from its settings on first use)."""
    state = request.app.state
    found = getattr(state, "staged_uploads", None)
    if found is None:
        found = state.staged_uploads = uploads.StagedUploads.of(state.settings)
    assert isinstance(found, uploads.StagedUploads)
    return found


def _keep_staged(
    request: Request, store: StoreDep, who: SignedIn, staged: uploads.Staged | None
) -> None:
    """Remember ``staged`` (or nothing) as the session's upload; the one it replaces goes."""
    record = who.session.record
    if record.staged_id and (staged is None or staged.id != record.staged_id):
        _staging(request).remove(who.viewer.key_id, record.staged_id)
    updated = replace(
        record,
        staged_id=staged.id if staged else None,
        staged_name=staged.name if staged else None,
    )
    sessions.sessions_of(request).save(store, Session(updated, who.session.csrf))


def _load(
    request: Request,
    store: StoreDep,
    who: SignedIn,
    settings: SettingsDep,
    staged: uploads.Staged,
    *,
    dry_run: bool,
) -> Response:
    """Check (and keep) or load a staged upload; a refused or loaded one is deleted."""
    staging = _staging(request)
    try:
        report = staging.load(
            store, staged, dry_run=dry_run, max_unzipped_bytes=settings.max_unzipped_bytes
        )
    except Invalid as exc:
        _keep_staged(request, store, who, None)
        staging.remove(who.viewer.key_id, staged.id)
        problems = [
            {"where": p.record, "column": p.field, "value": p.value, "reason": p.reason}
            for p in exc.problems
        ]
        return render(request, "upload.html", who, status=422, refused=problems)
    except TooLarge as exc:
        _keep_staged(request, store, who, None)
        staging.remove(who.viewer.key_id, staged.id)
        return render(request, "upload.html", who, status=413, too_large=str(exc))
    kept = staged if dry_run and report.ok else None
    _keep_staged(request, store, who, kept)
    if kept is None:
        staging.remove(who.viewer.key_id, staged.id)
    return render(
        request,
        "upload.html",
        who,
        status=200 if report.ok else 422,
        report=report,
        staged=kept,
    )


@router.post("/upload")
def upload_check(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File()],
    token: Csrf = "",
) -> Response:
    """Step one: check the bundle (a dry run, nothing written) and show every error. The
    upload is written to the staging folder as it streams, never held in memory."""
    who = _team_form(request, store, token)
    if not isinstance(who, SignedIn):
        return who
    staging = _staging(request)
    try:
        staged = staging.stage(
            who.viewer.key_id, upload_name(file.filename), file.file, settings.max_upload_bytes
        )
    except uploads.StagingFull as exc:
        return problem(413, "Content too large", str(exc))
    except TooLarge as exc:
        return render(request, "upload.html", who, status=413, too_large=str(exc))
    except Invalid as exc:
        problems = [
            {"where": p.record, "column": p.field, "value": p.value, "reason": p.reason}
            for p in exc.problems
        ]
        return render(request, "upload.html", who, status=422, refused=problems)
    return _load(request, store, who, settings, staged, dry_run=True)


def _staged_of(request: Request, who: SignedIn, staged: str) -> uploads.Staged | None:
    record = who.session.record
    if not record.staged_id or not sessions.tokens_match(record.staged_id, staged):
        return None
    return _staging(request).find(who.viewer.key_id, record.staged_id, record.staged_name or "")


def _stale(request: Request, who: SignedIn) -> HTMLResponse:
    return render(
        request,
        "upload.html",
        who,
        status=409,
        too_large=None,
        stale="That check has expired or was replaced: choose the file and check it again.",
    )


@router.post("/upload/load")
def upload_load(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    staged: Annotated[str, Form(max_length=200)] = "",
    token: Csrf = "",
) -> Response:
    """Step two: load the bundle the user just checked, in one transaction."""
    who = _team_form(request, store, token)
    if not isinstance(who, SignedIn):
        return who
    kept = _staged_of(request, who, staged)
    if kept is None:
        return _stale(request, who)
    return _load(request, store, who, settings, kept, dry_run=False)


@router.post("/upload/cancel")
def upload_cancel(
    request: Request,
    store: StoreDep,
    staged: Annotated[str, Form(max_length=200)] = "",
    token: Csrf = "",
) -> Response:
    """Forget a checked bundle without loading it: its file is deleted."""
    who = _team_form(request, store, token)
    if not isinstance(who, SignedIn):
        return who
    if _staged_of(request, who, staged) is None:
        return _stale(request, who)
    _keep_staged(request, store, who, None)
    return render(request, "upload.html", who, cancelled=True)
