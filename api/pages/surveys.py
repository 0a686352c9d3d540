"""The respondent's form, ``GET/POST /s/{token}``: one page, no script, usable on a
phone. The link's token is the only credential; a link that does not work (unknown,
reissued, of a closed or expired wave) gets the same 404 page whatever the reason.

A post must come from the page that showed the form: a double-submit cookie (random,
``HttpOnly``, ``SameSite=Strict``, so never sent by another site's form) whose value
the form carries in ``csrf_token``. The form also carries the revision it showed: a
second submission of the same form is refused (409) and changes nothing. A save is
answered with a redirect to the form (post, redirect, get), so reloading the page
never sends it again. The JSON twin is ``GET/PUT /s/{token}.json`` (``api.routes.surveys``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from api.deps import StoreDep
from api.pages import sessions
from api.pages.render import render
from api.pages.sessions import CSRF_FIELD
from graph.errors import Conflict, Invalid, NotFound
from graph.model import CONSENT_FACTS, Frequency
from services import survey_form
from services.schemas_surveys import MAX_ANSWERS, SurveyAnswersIn, SurveyFormOut

router = APIRouter(include_in_schema=False)

CSRF_COOKIE = "ag_survey"
TIE_FIELD = "tie"
"""A ticked person: ``RELATIONSHIP|PERSON_ID``; its frequency is ``freq-RELATIONSHIP|PERSON_ID``."""

WAVE_TITLES = {"baseline": "Baseline", "end": "End of programme", "follow_up": "Follow-up"}
CONSENT_WORDS = {
    "consent_directory": "List me in the alumni directory, so that other alumni can find me.",
    "consent_contact": "Show my email address to other alumni.",
    "consent_analytics": "Include me in the programme's network analysis.",
}


def _gone(request: Request) -> HTMLResponse:
    return render(
        request,
        "error.html",
        None,
        status=404,
        title="This link does not work",
        reason="The survey link is not known, was replaced by a newer one, or its survey "
        "has closed. Ask the programme team for a new link.",
    )


def _page(
    request: Request,
    token: str,
    form: SurveyFormOut,
    *,
    query: str | None = None,
    saved: bool = False,
    problems: list[str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    csrf = request.cookies.get(CSRF_COOKIE) or sessions.new_token()
    ticked = {(a.relationship.value, a.person_id): a for a in form.answers}
    scores = {r.indicator: r.score for r in form.assessments}
    response = render(
        request,
        "survey.html",
        None,
        status=status,
        token=token,
        form=form,
        wave_title=WAVE_TITLES[form.wave.value],
        consent_words=CONSENT_WORDS,
        ticked=ticked,
        scores=scores,
        frequencies=[f.value for f in Frequency],
        query=query or "",
        saved=saved,
        problems=problems or [],
        survey_csrf=csrf,
        tie_field=TIE_FIELD,
    )
    response.headers["Referrer-Policy"] = "no-referrer"  # the link is the credential
    sessions.set_cookie(request, response, CSRF_COOKIE, csrf)
    return response


@router.get("/s/{token}")
def show_form(
    request: Request,
    store: StoreDep,
    token: str,
    q: Annotated[str | None, Query(max_length=200)] = None,
    saved: Annotated[int, Query(ge=0, le=1)] = 0,
) -> Response:
    try:
        form = survey_form.survey_form(store, token, q)
    except NotFound:
        return _gone(request)
    return _page(request, token, form, query=q, saved=bool(saved))


def _answers_in(data: FormData) -> SurveyAnswersIn:
    """The posted form as a save; ``ValueError`` naming what is malformed."""
    ticks = data.getlist(TIE_FIELD)
    if len(ticks) > MAX_ANSWERS:
        raise ValueError(f"{len(ticks)} people ticked: at most {MAX_ANSWERS} in one save")
    answers = []
    for tick in ticks:
        if not isinstance(tick, str) or tick.count("|") != 1:
            raise ValueError(f"a ticked box is malformed: {str(tick)[:80]!r}")
        relationship, person_id = tick.split("|")
        frequency = data.get(f"freq-{tick}") or None
        answers.append(
            {"relationship": relationship, "person_id": person_id, "frequency": frequency}
        )
    assessments = []
    for name, value in data.multi_items():
        if name.startswith("score-") and value:
            if not isinstance(value, str) or value not in {"1", "2", "3", "4", "5"}:
                raise ValueError(
                    f"{name[len('score-') :]!r}: a score is 1 to 5, not {str(value)[:20]!r}"
                )
            assessments.append({"indicator": name[len("score-") :], "score": int(value)})
    revision = data.get("revision")
    if not isinstance(revision, str) or not revision.isdigit():
        raise ValueError("the form's revision is missing: reload the form")
    consent = {}
    for fact in CONSENT_FACTS:  # only what the respondent changed on this form, so a
        given = data.get(fact) == "yes"  # change made elsewhere since is not undone
        if data.get(f"was-{fact}") != ("yes" if given else "no"):
            consent[fact] = given
    try:
        return SurveyAnswersIn.model_validate(
            {
                "consent": consent,
                "answers": answers,
                "assessments": assessments,
                "revision": int(revision),
            }
        )
    except ValidationError as exc:
        raise ValueError("; ".join(str(e["msg"]) for e in exc.errors()[:5])) from exc


@router.post("/s/{token}")
async def save_form(request: Request, store: StoreDep, token: str) -> Response:
    try:
        data = await request.form(max_fields=4 * MAX_ANSWERS + 200)
    except Exception:  # starlette's parser refuses too many fields with its own errors
        return _refused(request, store, token, ["the form has too many fields"], 413)
    posted = data.get(CSRF_FIELD)
    cookie = request.cookies.get(CSRF_COOKIE)
    if cookie is None or not isinstance(posted, str) or not sessions.tokens_match(cookie, posted):
        return _refused(
            request, store, token, ["send the form from its own page (reload it, then save)"], 403
        )
    try:
        body = _answers_in(data)
        survey_form.save_answers(store, token, body)
    except NotFound:
        return _gone(request)
    except ValueError as exc:
        return _refused(request, store, token, [str(exc)], 422)
    except Invalid as exc:
        return _refused(request, store, token, [str(p) for p in exc.problems], 422)
    except Conflict as exc:
        return _refused(request, store, token, [str(exc)], 409)
    return RedirectResponse(f"/s/{token}?saved=1", status_code=303)


def _refused(
    request: Request, store: StoreDep, token: str, problems: list[str], status: int
) -> HTMLResponse:
    """The form as saved, with what was wrong; nothing of the post was written."""
    try:
        form = survey_form.survey_form(store, token)
    except NotFound:
        return _gone(request)
    return _page(request, token, form, problems=problems, status=status)
