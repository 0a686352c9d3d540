"""Three invented cohorts of Leading Greater Essex, as the bundles a programme team hands in.

The demo, the docs and the analytics need data shaped like the real programme
(the public bodies of Greater Essex, about 50 senior participants a cohort,
Chief Officer sponsors, alumni mentors, projects on wicked issues tied to the
Essex Vision, three survey waves in which cross-organisation ties grow) without
holding one real person. So it is produced as bundles and loaded the way users
load theirs: nothing here writes to a store.

Organisations are real; people are invented from fixed name lists and every
email is at an ``example.org`` domain. Output depends on the seed alone
(``random.Random(seed)``; no global random state, no clock).
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from graph.model import ProjectRole, ProjectStatus, Role, Sector, TieKind, Wave
from ingest.write import write_bundle

__all__ = [
    "COHORT_IDS",
    "DEMO_SUFFIXES",
    "ORGANISATIONS",
    "UNKNOWN_CONTACT",
    "DemoOrg",
    "demo_tables",
    "write_demo",
]

Row = dict[str, object]
Tables = dict[str, list[Row]]

DEMO_SUFFIXES: tuple[str, ...] = (".xlsx", "", ".json")
"""Containers used in turn by ``write_demo`` (``""`` is a CSV folder): every reader is exercised."""

UNKNOWN_CONTACT = "morgan.ashdown@basildon.example.org"
"""The one survey contact who is in no bundle: loading shows the 'not in the graph' warning."""


# -- organisations ------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoOrg:
    """A real Greater Essex body, and the made-up mail domain of its invented staff."""

    name: str
    sector: Sector
    org_type: str
    aliases: tuple[str, ...]
    area: str | None
    domain: str

    def row(self) -> Row:
        return {
            "name": self.name,
            "sector": self.sector.value,
            "org_type": self.org_type,
            "aliases": self.aliases,
            "area": self.area,
        }


_LG, _HEALTH, _VCS = Sector.LOCAL_GOVERNMENT, Sector.HEALTH, Sector.VOLUNTARY_COMMUNITY


def _district(name: str, org_type: str, area: str, domain: str, *aliases: str) -> DemoOrg:
    return DemoOrg(name, _LG, org_type, aliases, area, f"{domain}.example.org")


ECC = DemoOrg(
    "Essex County Council", _LG, "County council", ("ECC", "Essex CC"), None, "ecc.example.org"
)
DISTRICTS: tuple[DemoOrg, ...] = (
    _district("Basildon Borough Council", "Borough council", "Basildon", "basildon"),
    _district("Braintree District Council", "District council", "Braintree", "braintree"),
    _district("Brentwood Borough Council", "Borough council", "Brentwood", "brentwood"),
    _district("Castle Point Borough Council", "Borough council", "Castle Point", "castlepoint"),
    _district("Chelmsford City Council", "City council", "Chelmsford", "chelmsford"),
    _district(
        "Colchester City Council",
        "City council",
        "Colchester",
        "colchester",
        "Colchester Borough Council",
    ),
    _district(
        "Epping Forest District Council", "District council", "Epping Forest", "eppingforest"
    ),
    _district("Harlow Council", "District council", "Harlow", "harlow", "Harlow District Council"),
    _district("Maldon District Council", "District council", "Maldon", "maldon"),
    _district("Rochford District Council", "District council", "Rochford", "rochford"),
    _district("Tendring District Council", "District council", "Tendring", "tendring"),
    _district("Uttlesford District Council", "District council", "Uttlesford", "uttlesford"),
)
SOUTHEND = _district(
    "Southend-on-Sea City Council",
    "Unitary authority",
    "Southend-on-Sea",
    "southend",
    "Southend-on-Sea Borough Council",
    "Southend Council",
)
THURROCK = _district("Thurrock Council", "Unitary authority", "Thurrock", "thurrock")
POLICE = DemoOrg("Essex Police", Sector.POLICE, "Police force", (), None, "essexpolice.example.org")
FIRE = DemoOrg(
    "Essex County Fire and Rescue Service",
    Sector.FIRE,
    "Fire and rescue service",
    ("ECFRS",),
    None,
    "ecfrs.example.org",
)
MSEFT = DemoOrg(
    "Mid and South Essex NHS Foundation Trust",
    _HEALTH,
    "NHS foundation trust",
    ("MSEFT",),
    None,
    "msenhs.example.org",
)
ESNEFT = DemoOrg(
    "East Suffolk and North Essex NHS Foundation Trust",
    _HEALTH,
    "NHS foundation trust",
    ("ESNEFT",),
    "Colchester",
    "esneft.example.org",
)
EPUT = DemoOrg(
    "Essex Partnership University NHS Foundation Trust",
    _HEALTH,
    "NHS foundation trust",
    ("EPUT",),
    None,
    "eput.example.org",
)
MSE_ICB = DemoOrg(
    "Mid and South Essex ICB",
    _HEALTH,
    "Integrated care board",
    ("NHS Mid and South Essex Integrated Care Board", "MSE ICB"),
    None,
    "mseicb.example.org",
)
SNEE_ICB = DemoOrg(
    "Suffolk and North East Essex ICB",
    _HEALTH,
    "Integrated care board",
    ("NHS Suffolk and North East Essex Integrated Care Board", "SNEE ICB"),
    None,
    "sneeicb.example.org",
)
HWE_ICB = DemoOrg(
    "Hertfordshire and West Essex ICB",
    _HEALTH,
    "Integrated care board",
    ("NHS Hertfordshire and West Essex Integrated Care Board", "HWE ICB"),
    None,
    "hweicb.example.org",
)
UOE = DemoOrg(
    "University of Essex",
    Sector.EDUCATION,
    "University",
    ("Essex University",),
    "Colchester",
    "uniessex.example.org",
)
ARU = DemoOrg(
    "Anglia Ruskin University",
    Sector.EDUCATION,
    "University",
    ("ARU",),
    "Chelmsford",
    "aru.example.org",
)
ECVYS = DemoOrg(
    "Essex Council for Voluntary Youth Services",
    _VCS,
    "Charity",
    ("ECVYS",),
    None,
    "ecvys.example.org",
)
RCCE = DemoOrg(
    "Rural Community Council of Essex", _VCS, "Charity", ("RCCE",), None, "rcce.example.org"
)
SAFER_PLACES = DemoOrg("Safer Places", _VCS, "Charity", (), None, "saferplaces.example.org")
AGE_UK = DemoOrg("Age UK Essex", _VCS, "Charity", (), None, "ageukessex.example.org")
ECF = DemoOrg("Essex Community Foundation", _VCS, "Charity", ("ECF",), None, "essexcf.example.org")
DWP = DemoOrg(
    "Department for Work and Pensions",
    Sector.CENTRAL_GOVERNMENT,
    "Government department",
    ("DWP",),
    None,
    "dwp.example.org",
)
CHAMBERS = DemoOrg(
    "Essex Chambers of Commerce",
    Sector.BUSINESS,
    "Chamber of commerce",
    (),
    None,
    "essexchambers.example.org",
)

ORGANISATIONS: tuple[DemoOrg, ...] = (
    ECC,
    *DISTRICTS,
    SOUTHEND,
    THURROCK,
    POLICE,
    FIRE,
    MSEFT,
    ESNEFT,
    EPUT,
    MSE_ICB,
    SNEE_ICB,
    HWE_ICB,
    UOE,
    ARU,
    ECVYS,
    RCCE,
    SAFER_PLACES,
    AGE_UK,
    ECF,
    DWP,
    CHAMBERS,
)
"""Every organisation of the demo; each main bundle carries them all, unchanged."""
_BY_NAME: dict[str, DemoOrg] = {o.name: o for o in ORGANISATIONS}

AREAS: tuple[str, ...] = tuple(o.area for o in (*DISTRICTS, SOUTHEND, THURROCK) if o.area)

_QUOTAS: tuple[tuple[DemoOrg, int, int], ...] = (
    (ECC, 6, 9),
    (SOUTHEND, 2, 3),
    (THURROCK, 2, 3),
    (POLICE, 2, 4),
    (FIRE, 2, 3),
    *((d, 1, 2) for d in DISTRICTS),
    (MSEFT, 1, 3),
    (ESNEFT, 1, 2),
    (EPUT, 1, 2),
    (MSE_ICB, 1, 2),
    (SNEE_ICB, 0, 1),
    (HWE_ICB, 1, 1),
    (UOE, 0, 1),
    (ARU, 0, 1),
    (ECVYS, 0, 1),
    (RCCE, 0, 1),
    (SAFER_PLACES, 0, 1),
    (AGE_UK, 0, 1),
    (ECF, 0, 1),
    (DWP, 0, 1),
)
"""(organisation, fewest, most) participants a cohort: councils lead, health is there now."""


# -- people ---------------------------------------------------------------------------------

FIRST_NAMES: tuple[str, ...] = (
    "Olivia", "Amelia", "Emily", "Sophie", "Charlotte", "Hannah", "Rachel", "Claire",
    "Sarah", "Laura", "Emma", "Gemma", "Kerry", "Joanne", "Priya", "Aisha", "Fatima",
    "Nadia", "Chloe", "Megan", "Siobhan", "Bethany", "Zoë", "Helen", "Lucy", "Katie",
    "Jessica", "Amira", "Anita", "Grace", "Siân", "Ngozi", "Harriet", "Nicola", "Louise",
    "James", "Oliver", "Thomas", "Daniel", "Matthew", "Christopher", "Mark", "Paul",
    "Andrew", "Richard", "David", "Stephen", "Gareth", "Liam", "Ryan", "Adam", "Ben",
    "Samuel", "Jamal", "Rajesh", "Mohammed", "Tariq", "Kwame", "Tomasz", "Marcus",
    "Simon", "Neil", "Graham", "Peter", "Owen", "Rhys", "Callum", "Dev", "Imran", "Joseph",
)  # fmt: skip
SURNAMES: tuple[str, ...] = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Wood", "Jackson", "Clarke", "Khan", "Hughes", "Edwards", "Turner", "Hill", "Cooper",
    "Ward", "Morris", "Moore", "King", "Harris", "Lewis", "Baker", "Martin", "Hussain",
    "Mensah", "Okoye", "Kowalski", "Begum", "Shah", "Ahmed", "Fletcher", "Barker", "Pearce",
    "Marsh", "Doherty", "Murphy", "Kelly", "O'Brien", "Chaudhry", "Adeyemi", "Nowak",
    "Sullivan", "Bennett", "Lloyd", "Carter", "Fraser", "Osei", "Reid",
)  # fmt: skip

_DISTRICT_TITLES: tuple[str, ...] = (
    "Head of Community Safety",
    "Head of Housing",
    "Head of Strategy and Partnerships",
    "Head of Planning and Regeneration",
    "Economic Development Manager",
    "Head of Customer Services",
    "Head of Environmental Services",
    "Head of Leisure and Wellbeing",
    "Head of Transformation",
)
"""District, borough and city councils: housing, planning, environment; no social care."""

_TITLES: dict[Sector, tuple[str, ...]] = {
    _LG: (
        "Head of Commissioning",
        "Public Health Consultant",
        "Head of Adult Social Care Operations",
        "Service Manager, Children and Families",
        "Head of Strategy and Partnerships",
        "Head of Transformation",
        "Assistant Director, Communities",
        "Head of Housing",
    ),
    _HEALTH: (
        "Associate Director of Operations",
        "Head of Nursing",
        "Deputy Director of Strategy",
        "Clinical Director",
        "Head of Population Health",
        "Head of Primary Care Transformation",
        "Associate Director of Partnerships",
    ),
    Sector.POLICE: (
        "Chief Inspector",
        "Superintendent",
        "Detective Chief Inspector",
        "Head of Partnerships",
    ),
    Sector.FIRE: ("Group Manager", "Station Manager", "Head of Prevention", "Area Manager"),
    Sector.EDUCATION: (
        "Head of Civic Engagement",
        "Director of Partnerships",
        "Senior Lecturer in Social Work",
        "Head of Widening Participation",
    ),
    _VCS: ("Director of Services", "Head of Operations", "Partnerships Manager"),
    Sector.CENTRAL_GOVERNMENT: ("Partnership Manager", "District Operations Manager"),
}
"""Titles by sector; local government here means the county and the two unitaries."""

INTERESTS: tuple[str, ...] = (
    "domestic abuse",
    "rural communities",
    "early years",
    "mental health",
    "housing",
    "net zero",
    "digital inclusion",
    "economic growth",
    "community safety",
    "health inequalities",
    "ageing well",
    "youth violence",
    "volunteering",
    "data and insight",
    "place-based working",
    "coastal communities",
    "unpaid carers",
    "special educational needs",
)
SKILLS: tuple[str, ...] = (
    "commissioning",
    "partnership working",
    "data analysis",
    "project management",
    "coaching",
    "community engagement",
    "service design",
    "budget management",
    "public consultation",
    "policy development",
    "change management",
    "facilitation",
    "safeguarding",
    "workforce planning",
    "evaluation",
    "behavioural insights",
    "procurement",
    "negotiation",
)


@dataclass(frozen=True)
class DemoPerson:
    """One invented person as their ``people`` row says, in one bundle."""

    email: str
    name: str
    org: DemoOrg
    org_cell: str
    """How the bundle names the organisation: its name or an alias."""
    job_title: str
    employed_from: date | None
    interests: tuple[str, ...]
    skills: tuple[str, ...]
    area: str | None
    consent_directory: bool = True
    consent_contact: bool = True
    consent_analytics: bool | None = True

    @property
    def reusable(self) -> bool:
        """Fit to appear in a later bundle: every consent given, an explicit start date."""
        return (
            self.consent_directory
            and self.consent_contact
            and self.consent_analytics is True
            and self.employed_from is not None
        )

    def row(self) -> Row:
        return {
            "email": self.email,
            "name": self.name,
            "organisation": self.org_cell,
            "job_title": self.job_title,
            "employed_from": self.employed_from,
            "interests": self.interests,
            "skills": self.skills,
            "area": self.area,
            "consent_directory": self.consent_directory,
            "consent_contact": self.consent_contact,
            "consent_analytics": self.consent_analytics,
        }


# -- cohorts, issues and projects -----------------------------------------------------------


@dataclass(frozen=True)
class _Issue:
    issue_id: str
    title: str
    description: str
    ambitions: tuple[str, ...]
    """Keys and full titles mixed on purpose: the spec accepts both."""

    def row(self) -> Row:
        return {
            "issue_id": self.issue_id,
            "title": self.title,
            "description": self.description,
            "ambitions": self.ambitions,
        }


ISSUES: dict[str, _Issue] = {
    i.issue_id: i
    for i in (
        _Issue(
            "domestic-abuse",
            "Domestic abuse",
            "Victims often reach help only after a crisis; no single agency sees the whole"
            " picture.",
            ("communities", "Provide an equal start for every child"),
        ),
        _Issue(
            "rural-isolation",
            "Loneliness and isolation in rural Essex",
            "Older people in villages with little transport and fading local services lose"
            " touch with others and with help.",
            ("Enjoy life long into old age", "connect", "communities"),
        ),
        _Issue(
            "school-readiness",
            "School readiness",
            "Children in the most deprived wards start school well behind their peers, and the"
            " gap persists.",
            ("equal_start",),
        ),
        _Issue(
            "county-lines",
            "County lines and youth violence",
            "Drug networks exploit young people in Essex towns; prevention sits across police,"
            " schools, health and councils.",
            ("equal_start", "Strengthen communities through participation"),
        ),
        _Issue(
            "coastal-skills",
            "Skills and good work in coastal towns",
            "Coastal towns such as Clacton-on-Sea and Jaywick have low pay, seasonal work and"
            " few routes into skilled jobs.",
            ("Share prosperity with everyone", "equal_start"),
        ),
        _Issue(
            "digital-inclusion",
            "Digital exclusion",
            "Residents without skills, devices or a connection are cut off as services move"
            " online.",
            ("connect", "prosperity"),
        ),
        _Issue(
            "care-workforce",
            "Recruiting and keeping the care workforce",
            "Health and social care compete for the same people; vacancies leave older people"
            " waiting.",
            ("old_age", "Unite behind a sense of identity"),
        ),
        _Issue(
            "homelessness",
            "Homelessness and temporary accommodation",
            "More families in temporary accommodation, often far from their schools and support.",
            ("prosperity", "communities"),
        ),
        _Issue(
            "youth-mental-health",
            "Young people's mental health",
            "Waiting lists grow while schools, councils and the NHS each hold part of the answer.",
            ("Provide an equal start for every child",),
        ),
        _Issue(
            "net-zero",
            "Climate change and a net-zero Essex",
            "Public estates and fleets to decarbonise, and communities at risk from flooding"
            " and heat.",
            ("sustainable",),
        ),
        _Issue(
            "falls-frailty",
            "Falls and frailty in later life",
            "Falls are a leading cause of hospital admission for older people and of lost"
            " independence.",
            ("old_age",),
        ),
        _Issue(
            "cost-of-living",
            "Cost of living and financial hardship",
            "Households in hardship are passed between advice services that do not talk to each"
            " other.",
            ("Share prosperity with everyone", "communities"),
        ),
    )
}


@dataclass(frozen=True)
class _ProjectPlan:
    issue_id: str
    title: str
    sponsor: str
    """Key into the sponsor pool."""
    status: ProjectStatus | None
    """None leaves the cell empty, so the spec's default (active) applies."""
    outcomes: str


@dataclass(frozen=True)
class _CohortPlan:
    cohort_id: str
    name: str
    start: date
    end: date
    follow_up: date
    participants: int
    projects: tuple[_ProjectPlan, ...]


_P, _S = _ProjectPlan, ProjectStatus
COHORTS: tuple[_CohortPlan, ...] = (
    _CohortPlan(
        "lge-2019",
        "Leading Greater Essex 2019",
        date(2019, 6, 4),
        date(2020, 5, 21),
        date(2020, 12, 1),
        50,
        (
            _P(
                "domestic-abuse",
                "Every contact counts: spotting domestic abuse at the front door",
                "police",
                _S.COMPLETED,
                "Joint awareness sessions for 240 front-line staff in four councils, the fire"
                " service and two NHS trusts; a shared referral route into Safer Places now used"
                " by services other than the police.",
            ),
            _P(
                "rural-isolation",
                "Reaching isolated older people in rural Uttlesford and Maldon",
                "ecc-adults",
                _S.HANDED_OVER,
                "Mapped 38 village support groups and the gaps between them; tested a loneliness"
                " question in fire-service safe-and-well visits. Handed to the 2020 cohort to"
                " scale.",
            ),
            _P(
                "school-readiness",
                "Ready for school in Harlow and Basildon",
                "ecc-children",
                _S.COMPLETED,
                "One early-years data picture for two districts; health visitors and children's"
                " centres now agree one list of families to reach before age three.",
            ),
            _P(
                "county-lines",
                "Disrupting county lines through shared intelligence",
                "police",
                _S.COMPLETED,
                "An information-sharing agreement between the police, three councils and EPUT;"
                " one contextual-safeguarding meeting replaced four.",
            ),
            _P(
                "coastal-skills",
                "Good work for young people in Tendring's coastal towns",
                "tendring",
                _S.CLOSED,
                "Closed when the pandemic redeployed most of the team in spring 2020; its survey"
                " of 60 employers went to the Tendring skills board.",
            ),
            _P(
                "digital-inclusion",
                "Getting digitally excluded residents online",
                "thurrock",
                _S.COMPLETED,
                "Device and data loans through libraries in Thurrock and Basildon; 400 residents"
                " supported, evaluated with the University of Essex.",
            ),
            _P(
                "care-workforce",
                "One Essex care workforce",
                "ecc-adults",
                _S.COMPLETED,
                "A joint recruitment campaign for health and social care and a shared induction"
                " now used by two NHS trusts and the county's in-house care service.",
            ),
        ),
    ),
    _CohortPlan(
        "lge-2020",
        "Leading Greater Essex 2020",
        date(2020, 6, 9),
        date(2021, 5, 20),
        date(2022, 2, 1),
        52,
        (
            _P(
                "rural-isolation",
                "Village agents: community connectors for rural Essex",
                "ecc-adults",
                _S.COMPLETED,
                "Twelve village agents recruited with the Rural Community Council of Essex; 520"
                " referrals in the first year, a third of them about loneliness.",
            ),
            _P(
                "school-readiness",
                "Speech and language at two: one pathway",
                "ecc-children",
                _S.HANDED_OVER,
                "One speech-and-language screening at the two-year check agreed across health"
                " visiting and early years; rollout handed to the 2021 cohort.",
            ),
            _P(
                "homelessness",
                "No second night out in Southend-on-Sea and Thurrock",
                "southend",
                _S.COMPLETED,
                "A joint outreach rota and one shared list of people sleeping rough across the"
                " two unitary areas; repeat rough sleeping fell over the winter.",
            ),
            _P(
                "youth-mental-health",
                "Young people's mental health in Colchester and Tendring schools",
                "eput",
                _S.ACTIVE,
                "Interim: mental-health leads in 14 schools trained with EPUT; waiting-time data"
                " shared monthly.",
            ),
            _P(
                "net-zero",
                "A net-zero fleet for Essex public services",
                "fire",
                _S.COMPLETED,
                "A shared charging map for council, fire and police depots and a joint purchase"
                " of 60 electric vans.",
            ),
            _P(
                "domestic-abuse",
                "Workplace domestic abuse policies across the Essex system",
                "police",
                _S.COMPLETED,
                "One model workplace policy adopted by nine public bodies, each with trained safe"
                " colleagues.",
            ),
            _P(
                "falls-frailty",
                "Falls prevention after hospital discharge",
                "ecc-adults",
                _S.ACTIVE,
                "Interim: fire-service home visits offered to every older patient discharged"
                " after a fall from two hospitals.",
            ),
            _P(
                "digital-inclusion",
                "Digital skills for unpaid carers",
                "southend",
                _S.COMPLETED,
                "Online-skills sessions for 150 unpaid carers with Age UK Essex.",
            ),
        ),
    ),
    _CohortPlan(
        "lge-2021",
        "Leading Greater Essex 2021",
        date(2021, 6, 8),
        date(2022, 5, 19),
        date(2023, 3, 1),
        49,
        (
            _P(
                "school-readiness",
                "Speech and language at two: rollout in Tendring",
                "ecc-children",
                _S.ACTIVE,
                "Interim: screening live in 11 early-years settings; the first children referred"
                " two months sooner.",
            ),
            _P(
                "net-zero",
                "Climate-resilient communities on the Dengie peninsula",
                "chelmsford",
                None,
                "Interim: flood and heat plans drafted with four parish councils in Maldon"
                " district.",
            ),
            _P(
                "cost-of-living",
                "Cost of living: one front door for advice",
                "thurrock",
                _S.ACTIVE,
                "Interim: one advice referral form shared by Thurrock Council, DWP and three"
                " charities.",
            ),
            _P(
                "care-workforce",
                "Recruiting and keeping care workers in west Essex",
                "mse-icb",
                _S.ACTIVE,
                "Interim: a joint jobs fair with Hertfordshire and West Essex ICB drew 85"
                " applications.",
            ),
            _P(
                "digital-inclusion",
                "Digital skills for older residents in Castle Point and Rochford",
                "ecc-adults",
                _S.COMPLETED,
                "Weekly drop-in sessions in six libraries; 230 residents over 70 now use online"
                " GP services.",
            ),
            _P(
                "county-lines",
                "Youth violence: a public-health approach in Basildon",
                "police",
                _S.ACTIVE,
                "Interim: a shared problem profile from police, school and A&E data.",
            ),
            _P(
                "rural-isolation",
                "Transport for isolated residents in Braintree district",
                "ecc-adults",
                _S.PROPOSED,
                "Scoping: a survey of community transport schemes is under way.",
            ),
        ),
    ),
)
COHORT_IDS: tuple[str, ...] = tuple(c.cohort_id for c in COHORTS)

_SPONSORS: dict[str, tuple[DemoOrg, str]] = {
    "ecc-adults": (ECC, "Executive Director, Adult Social Care"),
    "ecc-children": (ECC, "Executive Director, Children and Families"),
    "police": (POLICE, "Assistant Chief Constable"),
    "fire": (FIRE, "Deputy Chief Fire Officer"),
    "southend": (SOUTHEND, "Executive Director, Adults and Communities"),
    "thurrock": (THURROCK, "Corporate Director, Adults, Housing and Health"),
    "tendring": (_BY_NAME["Tendring District Council"], "Corporate Director, Place and Economy"),
    "chelmsford": (_BY_NAME["Chelmsford City Council"], "Director of Sustainable Communities"),
    "eput": (EPUT, "Executive Director of Partnerships"),
    "mse-icb": (MSE_ICB, "Director of Population Health"),
}
"""The Chief Officers who sponsor projects; several sponsor in more than one cohort."""


@dataclass(frozen=True)
class _Handover:
    issue_id: str
    from_cohort: str
    to_cohort: str
    on: date
    learned: str
    remains: str


HANDOVERS: tuple[_Handover, ...] = (
    _Handover(
        "rural-isolation",
        "lge-2019",
        "lge-2020",
        date(2020, 5, 14),
        "village halls and parish councils reach people no service list holds, and a loneliness"
        " question in safe-and-well visits finds people early",
        "a way to fund community connectors beyond the pilot villages",
    ),
    _Handover(
        "school-readiness",
        "lge-2020",
        "lge-2021",
        date(2021, 5, 13),
        "one screening at the two-year check works only if health visitors and early-years"
        " settings share the result",
        "rollout in Tendring, where the gap at school entry is widest, and data sharing with"
        " ESNEFT",
    ),
)
"""Each appears in the giving cohort's bundle first (receiving project not yet known) and
again, with ``to_project_id``, in the receiving cohort's bundle."""

MOVE = (THURROCK, "thurrock council", "Assistant Director, Communities", date(2021, 3, 1))
"""The job move: a 2019 participant's new employer (named in lower case on purpose: names
match case-insensitively), title and start, shown in the 2021 bundle."""


# -- surveys ----------------------------------------------------------------------------------

_WEIGHTS: dict[Wave, dict[str, float]] = {
    Wave.BASELINE: {"same_org": 40.0, "cohort": 2.5, "alumni": 2.5, "other": 2.5},
    Wave.END: {
        "project": 10.0,
        "mentor": 10.0,
        "same_org": 8.0,
        "cohort": 2.0,
        "alumni": 0.3,
        "other": 0.5,
    },
    Wave.FOLLOW_UP: {
        "project": 6.0,
        "mentor": 4.0,
        "same_org": 2.0,
        "cohort": 3.5,
        "alumni": 1.5,
        "other": 0.5,
    },
}
"""How likely a respondent names someone, by how they are connected: before the programme
people know their own organisation and sector; projects and the cohort add the rest."""

_OTHER_SECTOR_AT_BASELINE = 0.1

_KB, _AD, _CO = TieKind.KNEW_BEFORE.value, TieKind.ADVICE.value, TieKind.COLLABORATION.value
_RELATIONSHIPS: dict[tuple[Wave, str], tuple[str, ...]] = {
    (Wave.BASELINE, "same_org"): (_KB, _KB, _KB, _AD),
    (Wave.BASELINE, "*"): (_KB, _KB, _KB, _KB, _KB, _AD),
    (Wave.END, "project"): (_CO, _CO, _CO, _AD),
    (Wave.END, "mentor"): (_AD,),
    (Wave.END, "same_org"): (_KB, _AD),
    (Wave.END, "cohort"): (_AD, _CO),
    (Wave.END, "*"): (_AD,),
    (Wave.FOLLOW_UP, "project"): (_CO, _CO, _CO, _AD, _AD),
    (Wave.FOLLOW_UP, "mentor"): (_AD,),
    (Wave.FOLLOW_UP, "same_org"): (_AD, _AD, _CO, _KB),
    (Wave.FOLLOW_UP, "cohort"): (_AD, _CO),
    (Wave.FOLLOW_UP, "*"): (_AD, _CO),
}
_FREQUENCIES: dict[str, tuple[str, ...]] = {
    "project": ("weekly", "weekly", "monthly"),
    "mentor": ("monthly",),
    "same_org": ("weekly", "monthly"),
    "cohort": ("monthly", "quarterly"),
    "alumni": ("quarterly", "rarely"),
    "other": ("quarterly", "rarely"),
}
_NAMES: dict[Wave, tuple[int, int]] = {
    Wave.BASELINE: (5, 8),
    Wave.END: (8, 14),
    Wave.FOLLOW_UP: (6, 13),
}
"""How many people a respondent names (before an optional want_to_meet): 5 to 15 in all."""
_RESPONSE_RATES: dict[Wave, float] = {Wave.BASELINE: 0.92, Wave.END: 0.84, Wave.FOLLOW_UP: 0.66}


# -- the builder ------------------------------------------------------------------------------


@dataclass
class _Project:
    project_id: str
    plan: _ProjectPlan
    start: date
    due: date
    sponsor: DemoPerson
    members: list[DemoPerson] = field(default_factory=list)
    lead: str = ""


@dataclass
class _Cohort:
    plan: _CohortPlan
    participants: list[DemoPerson]
    mentors: list[DemoPerson] = field(default_factory=list)
    supporters: list[DemoPerson] = field(default_factory=list)
    sponsors: list[DemoPerson] = field(default_factory=list)
    projects: list[_Project] = field(default_factory=list)
    mentor_of: dict[str, str] = field(default_factory=dict)
    mates: dict[str, set[str]] = field(default_factory=dict)
    """For each participant, their project's other members and its sponsor."""

    def project(self, issue_id: str) -> _Project:
        return next(p for p in self.projects if p.plan.issue_id == issue_id)

    def members(self, facilitator: DemoPerson) -> list[tuple[DemoPerson, Role]]:
        return [
            *((p, Role.PARTICIPANT) for p in self.participants),
            *((p, Role.ALUMNI_SUPPORTER) for p in self.supporters),
            *((p, Role.MENTOR) for p in self.mentors),
            *((p, Role.SPONSOR) for p in self.sponsors),
            (facilitator, Role.FACILITATOR),
        ]


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.casefold() if ch.isalnum() or ch == "-")


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


class _Demo:
    """Builds the bundles in load order, knowing at each step what the graph already holds."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.names: set[str] = set()
        self.known: dict[str, DemoPerson] = {}
        """Everyone in the bundles built so far, as their latest row says."""
        self.alumni: dict[str, str] = {}
        """Participant email -> cohort id, for every cohort built so far."""
        self.cohorts: dict[str, _Cohort] = {}
        self.sponsor_pool = {
            key: self._person(org, title, since=self._joined(date(2016, 1, 1)))
            for key, (org, title) in _SPONSORS.items()
        }
        self.sponsor_pool["thurrock"] = replace(
            self.sponsor_pool["thurrock"], consent_contact=False
        )
        self.facilitator = self._person(
            ARU, "Programme Director, Leading Greater Essex", since=date(2017, 9, 1)
        )
        self.outside_mentor = self._person(
            CHAMBERS, "Director of Business Engagement", since=date(2012, 4, 1)
        )
        self.senior_mentors = [
            self._person(ECC, "Director of Strategy and Insight", since=date(2010, 10, 1)),
            self._person(UOE, "Professor of Social Policy", since=date(2008, 9, 1)),
            self._person(AGE_UK, "Director of Services", since=date(2014, 2, 1)),
        ]

    # people

    def _name(self) -> tuple[str, str]:
        while True:
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(SURNAMES)
            if f"{first} {last}" not in self.names:
                self.names.add(f"{first} {last}")
                return first, last

    def _joined(self, before: date) -> date:
        return date(self.rng.randint(2002, before.year - 1), self.rng.randint(1, 12), 1)

    def _person(self, org: DemoOrg, title: str, *, since: date | None) -> DemoPerson:
        first, last = self._name()
        alias = org.aliases and self.rng.random() < 0.25
        return DemoPerson(
            email=f"{_ascii(first)}.{_ascii(last)}@{org.domain}",
            name=f"{first} {last}",
            org=org,
            org_cell=self.rng.choice(org.aliases) if alias else org.name,
            job_title=title,
            employed_from=since,
            interests=tuple(self.rng.sample(INTERESTS, self.rng.randint(2, 4))),
            skills=tuple(self.rng.sample(SKILLS, self.rng.randint(2, 4))),
            area=org.area or self.rng.choice(AREAS),
        )

    def _participants(self, plan: _CohortPlan) -> list[DemoPerson]:
        counts = {org.name: self.rng.randint(low, high) for org, low, high in _QUOTAS}
        bounds = {org.name: (low, high) for org, low, high in _QUOTAS}
        names = sorted(counts)
        while sum(counts.values()) != plan.participants:
            name = self.rng.choice(names)
            low, high = bounds[name]
            if sum(counts.values()) > plan.participants and counts[name] > low:
                counts[name] -= 1
            elif sum(counts.values()) < plan.participants and counts[name] < high:
                counts[name] += 1
        orgs = [org for org, _, _ in _QUOTAS for _ in range(counts[org.name])]
        self.rng.shuffle(orgs)
        people = []
        for org in orgs:
            since = self._joined(plan.start) if self.rng.random() < 0.85 else None
            titles = _DISTRICT_TITLES if org in DISTRICTS else _TITLES[org.sector]
            person = self._person(org, self.rng.choice(titles), since=since)
            if self.rng.random() < 0.2:
                person = replace(person, consent_analytics=None)  # the default: yes
            people.append(person)
        refusals = (
            {"consent_directory": False},
            {"consent_directory": False, "consent_contact": False},
            {"consent_contact": False},
            {"consent_analytics": False},
            {"consent_analytics": False, "consent_directory": False},
        )
        for index, refusal in zip(
            self.rng.sample(range(len(people)), len(refusals)), refusals, strict=True
        ):
            people[index] = replace(people[index], **refusal)  # type: ignore[arg-type]
        return people

    def _pick_alumni(self, cohort_id: str, count: int, taken: set[str]) -> list[DemoPerson]:
        pool = [
            p for p in self.cohorts[cohort_id].participants if p.reusable and p.email not in taken
        ]
        return self.rng.sample(pool, count)

    # cohorts

    def _cohort(self, plan: _CohortPlan) -> _Cohort:
        cohort = _Cohort(plan, self._participants(plan))
        taken: set[str] = set()
        if plan.cohort_id == "lge-2019":
            cohort.mentors = [*self.senior_mentors, self.outside_mentor]
        elif plan.cohort_id == "lge-2020":
            alumni = self._pick_alumni("lge-2019", 2, taken)
            cohort.mentors = [*alumni, self.senior_mentors[1], self.outside_mentor]
            taken |= {p.email for p in alumni}
            cohort.supporters = [self._supporter("lge-2019", "rural-isolation", taken)]
        else:
            taken = {p.email for c in self.cohorts.values() for p in (*c.mentors, *c.supporters)}
            movable = [
                p
                for p in self.cohorts["lge-2019"].participants
                if p.reusable and p.email not in taken and p.org.sector is _LG
                if p.org is not THURROCK
            ]
            org, cell, title, since = MOVE
            mover = replace(
                self.rng.choice(movable),
                org=org,
                org_cell=cell,
                job_title=title,
                employed_from=since,
                area=org.area,
            )
            alumni = self._pick_alumni("lge-2020", 1, taken)
            cohort.mentors = [mover, *alumni, self.outside_mentor]
            taken |= {p.email for p in alumni}
            cohort.supporters = [self._supporter("lge-2020", "school-readiness", taken)]
        self._projects(cohort)
        self._mentoring(cohort)
        return cohort

    def _supporter(self, cohort_id: str, issue_id: str, taken: set[str]) -> DemoPerson:
        """An alumnus of the project that handed an issue over, back to support the next one."""
        earlier = self.cohorts[cohort_id].project(issue_id).members
        fit = [p for p in earlier if p.reusable and p.email not in taken]
        return self.rng.choice(fit or self._pick_alumni(cohort_id, 1, taken))

    def _projects(self, cohort: _Cohort) -> None:
        plan = cohort.plan
        for project_plan in plan.projects:
            sponsor = self.sponsor_pool[project_plan.sponsor]
            if sponsor not in cohort.sponsors:
                cohort.sponsors.append(sponsor)
            start = plan.start + timedelta(days=self.rng.randint(30, 60))
            cohort.projects.append(
                _Project(
                    f"{plan.cohort_id}-{project_plan.issue_id}",
                    project_plan,
                    start,
                    _add_months(start, self.rng.randint(12, 18)),
                    sponsor,
                )
            )
        # Deal participants, sorted by organisation, round a shuffled table: projects mix.
        order = sorted(cohort.participants, key=lambda p: (p.org.sector, p.org.name, p.email))
        tables = list(cohort.projects)
        self.rng.shuffle(tables)
        for index, person in enumerate(order):
            tables[index % len(tables)].members.append(person)
        for supporter, handover in zip(
            cohort.supporters, [h for h in HANDOVERS if h.to_cohort == plan.cohort_id], strict=True
        ):
            cohort.project(handover.issue_id).members.append(supporter)
        for project in cohort.projects:
            project.lead = self.rng.choice(project.members).email
            emails = {p.email for p in project.members}
            for person in project.members:
                cohort.mates[person.email] = emails - {person.email} | {project.sponsor.email}

    def _mentoring(self, cohort: _Cohort) -> None:
        free = list(cohort.participants)
        self.rng.shuffle(free)
        for mentor in cohort.mentors:
            count = self.rng.randint(3, 5)
            mentees = [p for p in free if p.org is not mentor.org][:count]
            for mentee in mentees:
                free.remove(mentee)
                cohort.mentor_of[mentee.email] = mentor.email

    # tables

    def main_bundle(self, plan: _CohortPlan) -> Tables:
        cohort = self._cohort(plan)
        self.cohorts[plan.cohort_id] = cohort
        members = cohort.members(self.facilitator)
        for person, _ in members:
            self.known[person.email] = person
        issues = [p.plan.issue_id for p in cohort.projects]
        handovers = [h for h in HANDOVERS if plan.cohort_id in (h.from_cohort, h.to_cohort)]
        tables: Tables = {
            "cohort": [self._cohort_row(plan)],
            "organisations": [org.row() for org in ORGANISATIONS],
            "people": [person.row() for person, _ in members],
            "members": [{"email": p.email, "role": role.value} for p, role in members],
            "wicked_issues": [ISSUES[i].row() for i in dict.fromkeys(issues)],
            "projects": [self._project_row(p) for p in cohort.projects],
            "project_members": [
                {
                    "project_id": project.project_id,
                    "email": person.email,
                    "role": self._project_role(plan, project, person),
                }
                for project in cohort.projects
                for person in project.members
            ],
            "handovers": [self._handover_row(h) for h in handovers],
            "mentoring": [
                {
                    "mentor_email": mentor,
                    "mentee_email": mentee,
                    "start_date": plan.start + timedelta(days=28),
                    "end_date": plan.end,
                }
                for mentee, mentor in cohort.mentor_of.items()
            ],
            "survey": [
                *self._wave(cohort, Wave.BASELINE, plan.start),
                *self._wave(cohort, Wave.END, plan.end - timedelta(days=13)),
            ],
        }
        for person in cohort.participants:
            self.alumni[person.email] = plan.cohort_id
        return tables

    def follow_up_bundle(self, cohort_id: str) -> Tables:
        cohort = self.cohorts[cohort_id]
        return {
            "cohort": [self._cohort_row(cohort.plan)],
            "survey": self._wave(cohort, Wave.FOLLOW_UP, cohort.plan.follow_up),
        }

    @staticmethod
    def _cohort_row(plan: _CohortPlan) -> Row:
        return {
            "cohort_id": plan.cohort_id,
            "name": plan.name,
            "start_date": plan.start,
            "end_date": plan.end,
        }

    @staticmethod
    def _project_row(project: _Project) -> Row:
        return {
            "project_id": project.project_id,
            "title": project.plan.title,
            "issue_id": project.plan.issue_id,
            "sponsor_email": project.sponsor.email,
            "start_date": project.start,
            "due_date": project.due,
            "status": project.plan.status.value if project.plan.status else None,
            "outcomes": project.plan.outcomes,
        }

    @staticmethod
    def _project_role(plan: _CohortPlan, project: _Project, person: DemoPerson) -> str | None:
        if person.email == project.lead:
            return ProjectRole.LEAD.value
        # The 2020 bundle leaves members' role empty: the spec's default says member.
        return None if plan.cohort_id == "lge-2020" else ProjectRole.MEMBER.value

    def _handover_row(self, handover: _Handover) -> Row:
        giving = self.cohorts[handover.from_cohort].project(handover.issue_id)
        receiving = self.cohorts.get(handover.to_cohort)
        lead = next(p for p in giving.members if p.email == giving.lead)
        return {
            "issue_id": handover.issue_id,
            "from_project_id": giving.project_id,
            "to_cohort_id": handover.to_cohort,
            "to_project_id": receiving.project(handover.issue_id).project_id if receiving else None,
            "date": handover.on,
            "notes": (
                f"Learned: {handover.learned}. Remains: {handover.remains}. Talk to"
                f" {lead.name} ({lead.org.name}), who led it, and {giving.sponsor.name}, its"
                " sponsor."
            ),
        }

    # surveys

    def _category(
        self, cohort: _Cohort, members: set[str], wave: Wave, who: DemoPerson, other: DemoPerson
    ) -> str:
        """How ``who`` is connected to ``other``, as far as the programme knows."""
        if wave is not Wave.BASELINE:
            if other.email in cohort.mates.get(who.email, ()):
                return "project"
            if cohort.mentor_of.get(who.email) == other.email:
                return "mentor"
        if other.org is who.org:
            return "same_org"
        if other.email in members:
            return "cohort"
        if other.email in self.alumni:
            return "alumni"
        return "other"

    def _weight(self, wave: Wave, category: str, who: DemoPerson, other: DemoPerson) -> float:
        weight = _WEIGHTS[wave].get(category, 0.0)
        if wave is Wave.BASELINE and category != "same_org" and other.org.sector != who.org.sector:
            weight *= _OTHER_SECTOR_AT_BASELINE
        return weight

    def _wave(self, cohort: _Cohort, wave: Wave, on: date) -> list[Row]:
        """One survey wave: respondents name 5 to 15 people the graph already holds."""
        rows: list[Row] = []
        members = {p.email for p, _ in cohort.members(self.facilitator)}
        for participant in cohort.participants:
            who = self.known[participant.email]  # their organisation as the graph knows it now
            if who.consent_analytics is False or self.rng.random() > _RESPONSE_RATES[wave]:
                continue
            answered = on + timedelta(days=self.rng.randint(0, 13))
            pool = [p for p in self.known.values() if p.email != who.email]
            categories = [self._category(cohort, members, wave, who, p) for p in pool]
            weights = [self._weight(wave, c, who, p) for c, p in zip(categories, pool, strict=True)]
            low, high = _NAMES[wave]
            for i in self._sample(weights, self.rng.randint(low, high)):
                category = categories[i]
                options = _RELATIONSHIPS.get((wave, category)) or _RELATIONSHIPS[(wave, "*")]
                frequency = self.rng.choice(_FREQUENCIES[category])
                rows.append(
                    self._survey_row(who, pool[i].email, self.rng.choice(options), wave, answered)
                    | {"frequency": frequency if self.rng.random() < 0.9 else None}
                )
            strangers = [
                p
                for p, c in zip(pool, categories, strict=True)
                if c in ("cohort", "alumni") and p.org is not who.org
            ]
            if strangers and self.rng.random() < 0.4:
                wish = self.rng.choice(strangers).email
                named = {
                    str(r["contact_email"]) for r in rows if r["respondent_email"] == who.email
                }
                if wish not in named:
                    rows.append(self._survey_row(who, wish, "want_to_meet", wave, answered))
        if cohort.plan.cohort_id == COHORT_IDS[0] and wave is Wave.BASELINE:
            first = rows[0]
            rows.append(first | {"contact_email": UNKNOWN_CONTACT, "relationship": _KB})
        return rows

    @staticmethod
    def _survey_row(
        who: DemoPerson, contact: str, relationship: str, wave: Wave, answered: date
    ) -> Row:
        return {
            "respondent_email": who.email,
            "contact_email": contact,
            "relationship": relationship,
            "wave": wave.value,
            "response_date": answered,
            "frequency": None,
        }

    def _sample(self, weights: Sequence[float], count: int) -> list[int]:
        """``count`` distinct indices, drawn in proportion to ``weights``."""
        left = list(weights)
        chosen: list[int] = []
        while len(chosen) < count and any(w > 0 for w in left):
            (index,) = self.rng.choices(range(len(left)), weights=left)
            chosen.append(index)
            left[index] = 0.0
        return chosen


def demo_tables(seed: int = 2019) -> list[tuple[str, Tables]]:
    """The demo's bundles in load order, each with a file stem.

    Three cohort bundles and, for each cohort, a small follow-up bundle with
    just its ``cohort`` row and the follow-up survey wave, loaded once the
    next cohort is in (so alumni can name people of later cohorts).
    """
    demo = _Demo(seed)
    first, second, third = COHORTS
    return [
        ("01-lge-2019", demo.main_bundle(first)),
        ("02-lge-2020", demo.main_bundle(second)),
        ("03-lge-2019-follow-up", demo.follow_up_bundle("lge-2019")),
        ("04-lge-2021", demo.main_bundle(third)),
        ("05-lge-2020-follow-up", demo.follow_up_bundle("lge-2020")),
        ("06-lge-2021-follow-up", demo.follow_up_bundle("lge-2021")),
    ]


def write_demo(out: Path, seed: int = 2019) -> list[Path]:
    """Write the demo bundles into ``out``, cycling through the three containers."""
    return [
        write_bundle(tables, out / f"{stem}{DEMO_SUFFIXES[index % len(DEMO_SUFFIXES)]}")
        for index, (stem, tables) in enumerate(demo_tables(seed))
    ]
