"""``/surveys``: open, follow, reissue and close survey waves (programme team); and
``/s/{token}.json``: a respondent's form as JSON, their link's token their only
credential (left out of the OpenAPI document, whose every route takes a key, as the
pages are; ``../shared/spec/surveys.md`` and issue 16 describe them). The CLI does the
same (``cli.survey``); the form as a page is ``api.pages.surveys``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from api.auth import TeamRole
from api.deps import StoreDep
from api.problems import responses
from graph.model import Wave
from services import survey_form, surveys
from services.schemas_surveys import (
    ClosedWaveOut,
    DevelopmentOut,
    OpenedWaveOut,
    OpenWaveIn,
    SurveyAnswersIn,
    SurveyFormOut,
    SurveyLinkOut,
    WaveStatusOut,
)

router = APIRouter(tags=["surveys"])

CohortId = Annotated[str, Path(min_length=1, max_length=200)]
Token = Annotated[str, Path(min_length=1, max_length=200)]


class ReissueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)


@router.post(
    "/surveys",
    response_model=OpenedWaveOut,
    status_code=201,
    responses=responses(401, 403, 404, 409, 422, 429),
    summary="Open a wave",
)
def open_wave(
    store: StoreDep, viewer: TeamRole, body: OpenWaveIn, response: Response
) -> OpenedWaveOut:
    """One personal link per member of the cohort, in this response only (the store
    keeps their hashes): send them out, e.g. by mail merge."""
    response.headers["Cache-Control"] = "no-store"
    return surveys.open_wave(
        store, viewer, body.cohort_id, body.wave, body.closes_on, body.indicators
    )


@router.get(
    "/surveys/{cohort_id}/development",
    response_model=list[DevelopmentOut],
    responses=responses(401, 403, 404, 422, 429),
    summary="A cohort's individual development",
)
def development(store: StoreDep, viewer: TeamRole, cohort_id: CohortId) -> list[DevelopmentOut]:
    """Per indicator and rater, the mean score at two waves over the people rated at
    both, and its change (from the cohort's assessments in the graph: closed waves' and
    loaded bundles')."""
    return surveys.cohort_development(store, viewer, cohort_id)


@router.get(
    "/surveys/{cohort_id}/{wave}",
    response_model=WaveStatusOut,
    responses=responses(401, 403, 404, 422, 429),
    summary="Who has answered",
)
def wave_status(
    store: StoreDep, viewer: TeamRole, cohort_id: CohortId, wave: Wave
) -> WaveStatusOut:
    """The response rate overall, by role and by organisation, and who has answered."""
    return surveys.wave_status(store, viewer, cohort_id, wave)


@router.post(
    "/surveys/{cohort_id}/{wave}/reissue",
    response_model=SurveyLinkOut,
    responses=responses(401, 403, 404, 409, 422, 429),
    summary="Reissue a member's link",
)
def reissue(
    store: StoreDep,
    viewer: TeamRole,
    cohort_id: CohortId,
    wave: Wave,
    body: ReissueIn,
    response: Response,
) -> SurveyLinkOut:
    """A new link for one member; their old link stops working (404)."""
    response.headers["Cache-Control"] = "no-store"
    return surveys.reissue_link(store, viewer, cohort_id, wave, body.email)


@router.post(
    "/surveys/{cohort_id}/{wave}/close",
    response_model=ClosedWaveOut,
    responses=responses(401, 403, 404, 409, 422, 429),
    summary="Close a wave and load its answers",
)
def close(store: StoreDep, viewer: TeamRole, cohort_id: CohortId, wave: Wave) -> ClosedWaveOut:
    """Links stop working; the answers are loaded as one ingest run (undo it with
    `POST /ingest/runs/{run_id}/rollback`)."""
    return surveys.close_wave(store, viewer, cohort_id, wave)


@router.get(
    "/s/{token}.json",
    response_model=SurveyFormOut,
    responses=responses(404, 422),
    summary="A respondent's form",
    include_in_schema=False,  # keyless, as the form page: its credential is the link
)
def form(
    store: StoreDep,
    token: Token,
    response: Response,
    q: Annotated[str | None, Query(max_length=200, description="Search the directory.")] = None,
) -> SurveyFormOut:
    """The roster (the cohort, then `q`'s matches in the directory), the questions and
    the answers saved so far (before the first save, the previous wave's). No API key:
    the link's token is the credential."""
    response.headers["Cache-Control"] = "no-store"
    return survey_form.survey_form(store, token, q)


@router.put(
    "/s/{token}.json",
    response_model=SurveyFormOut,
    responses=responses(404, 409, 413, 422),
    summary="Save a respondent's answers",
    include_in_schema=False,
)
def save(store: StoreDep, token: Token, body: SurveyAnswersIn, response: Response) -> SurveyFormOut:
    """Replace the saved answers with these, and set the consents given, dated now.
    Every problem is listed (422) and nothing is written when there is one."""
    response.headers["Cache-Control"] = "no-store"
    return survey_form.save_answers(store, token, body)
