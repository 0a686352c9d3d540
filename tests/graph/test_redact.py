"""The free-text matcher (graph/redact.py) on hand-made cases: what it must find, and
what it must leave alone."""

from __future__ import annotations

from datetime import date

import pytest

from graph.model import Handover, Person, Project, WickedIssue
from graph.redact import (
    EMAIL_WITHHELD,
    ERASED,
    NAME_WITHHELD,
    Matcher,
    Named,
    erasure_scrubs,
    name_forms,
    redact,
    scrub,
)

SIAN = Named("sian", "Siân Mary Jones", "sian.jones@example.org")
JO = Named("jo", "Jo Smith", "jo@example.org")
W, E = NAME_WITHHELD, EMAIL_WITHHELD


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ask Siân Mary Jones.", f"Ask {W}."),
        ("Ask Siân Jones.", f"Ask {W}."),
        ("Ask SIAN JONES.", f"Ask {W}."),
        ("Ask sian mary jones.", f"Ask {W}."),
        ("Ask Siân\nJones.", f"Ask {W}."),
        ("Ask Siân  Mary   Jones.", f"Ask {W}."),
        ("Siân Jones's map.", f"{W}'s map."),
        ("Siân Jones\u2019 map.", f"{W}\u2019 map."),
        ("(Siân Jones)", f"({W})"),
        ("Mail sian.jones@example.org.", f"Mail {E}."),
        ("Mail <SIAN.JONES@EXAMPLE.ORG>", f"Mail <{E}>"),
        ("Siân Jones, sian.jones@example.org", f"{W}, {E}"),
    ],
)
def test_redact_finds_every_form_of_a_name_and_the_email(text: str, expected: str) -> None:
    assert redact(text, [SIAN]) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Siân knows.",  # a first name alone could be anyone
        "Jones knows.",  # so could a surname
        "Mary Jones knows.",  # middle and last name are not a form
        "Siân-Jones Partnership",  # hyphenated: another word
        "SiânJones",  # one word
        "Siân. Jones",  # a sentence ends between them
        "Mail xsian.jones@example.org or sian.jones@example.org.uk",  # other emails
    ],
)
def test_redact_leaves_what_is_not_the_person(text: str) -> None:
    assert redact(text, [SIAN]) == text


@pytest.mark.parametrize(
    "text",
    [
        "Jo Smithson led it.",
        "Jo Smith-Jones led it.",
        "Jo Smith's map",
        "Ask Jo.",
        "Ask Jo Smith.",
    ],
)
def test_redact_jo_smith_only_where_it_is_jo_smith(text: str) -> None:
    expected = {
        "Jo Smith's map": f"{W}'s map",
        "Ask Jo Smith.": f"Ask {W}.",
    }.get(text, text)
    assert redact(text, [JO]) == expected


def test_redact_name_not_at_the_tail_of_a_hyphenated_one() -> None:
    assert redact("Ann Jo Smith and Mary-Jo Smith", [JO]) == f"Ann {W} and Mary-Jo Smith"


def test_redact_one_word_name_only_when_capitalised() -> None:
    cher = Named("c", "Cher")
    assert redact("Cher will sing; cher ami.", [cher]) == f"{W} will sing; cher ami."


def test_redact_longest_name_wins_over_a_shorter_one_inside_it() -> None:
    ann = Named("a", "Ann Lee")
    ann_mary = Named("am", "Ann Lee Smith")
    assert redact("Ask Ann Lee Smith or Ann Lee.", [ann, ann_mary]) == f"Ask {W} or {W}."


def test_matcher_says_who_a_shared_name_may_be() -> None:
    matcher = Matcher([Named("a", "Ann Lee"), Named("b", "Ann Mary Lee"), SIAN])
    found = matcher.find("Ann Lee met Siân Jones.")
    assert [(m.what, set(m.keys)) for m in found] == [("name", {"a", "b"}), ("name", {"sian"})]


def test_matcher_redacts_only_what_hide_says() -> None:
    matcher = Matcher([SIAN, Named("ann", "Ann Lee", "ann@x.org")])
    text = "Siân Jones and Ann Lee (ann@x.org)."
    hide_sian = matcher.redact(text, lambda m: "sian" in m.keys)
    assert hide_sian == f"{W} and Ann Lee (ann@x.org)."
    emails_only = matcher.redact(text, lambda m: m.what == "email", email_marker="[x]")
    assert emails_only == "Siân Jones and Ann Lee ([x])."


def test_matcher_of_nobody_changes_nothing() -> None:
    matcher = Matcher([])
    assert not matcher
    assert matcher.redact("Siân Jones, sian.jones@example.org") == (
        "Siân Jones, sian.jones@example.org"
    )


def test_name_forms_are_full_name_and_first_and_last() -> None:
    assert name_forms("  Siân   Mary Jones ") == ["Siân Mary Jones", "Siân Jones"]
    assert name_forms("Mary-Jane O'Brien") == ["Mary-Jane O'Brien"]
    assert name_forms("Anne de la Cour") == ["Anne de la Cour", "Anne Cour"]


def test_scrub_returns_only_the_fields_that_changed() -> None:
    values = {"notes": "Siân Jones knows.", "outcomes": "Nothing to see.", "x": None}
    assert scrub(values, [SIAN]) == {"notes": f"{ERASED} knows."}


def test_erasure_scrubs_every_free_text_kind_and_leaves_the_rest() -> None:
    person = Person(id="sian", email="sian.jones@example.org", name="Siân Mary Jones")
    issue = WickedIssue(id="i", title="Siân Jones's issue", description="By Siân Jones.")
    kept = WickedIssue(id="k", title="Jones and Siân", description="Siân knows.")
    other = WickedIssue(id="j", title="t", description="By nobody.")
    project = Project(
        id="p",
        title="t",
        cohort_id="c",
        start_date=date(2020, 1, 1),
        outcomes="Mail sian.jones@example.org",
    )
    handover = Handover(
        issue_id="i",
        from_project_id="p",
        to_cohort_id="c",
        date=date(2020, 1, 1),
        notes="Siân Mary Jones's map.",
    )
    stored = {WickedIssue: [issue, kept, other], Project: [project], Handover: [handover]}
    changes = dict(erasure_scrubs(person, lambda model: stored.get(model, [])))
    assert changes == {
        WickedIssue: [
            issue.model_copy(update={"title": f"{ERASED}'s issue", "description": f"By {ERASED}."})
        ],
        Project: [project.model_copy(update={"outcomes": f"Mail {ERASED}"})],
        Handover: [handover.model_copy(update={"notes": f"{ERASED}'s map."})],
    }
