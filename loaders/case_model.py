"""The case-file format: pydantic models for one YAML document of cases, entities and claims.

A case file is a mapping with the keys below, every one optional except `casegraph` (the format
version). Records refer to each other by `id` (a slug, unique across everything loaded); a
reference may point into another document of the same load or into the store. The JSON Schema in
`docs/case-file.schema.json` is generated from these models (`casegraph schema`).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from loaders.edtf import EDTFError, parse_edtf

FORMAT_VERSION = 1

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_QID = re.compile(r"^Q[1-9][0-9]*$")

Slug = Annotated[
    str,
    Field(
        pattern=_SLUG.pattern,
        max_length=200,
        description="A record id: lower-case letters, digits and '-'.",
        examples=["operation-michoacan"],
    ),
]
Status = Literal["VERIFIED", "REPORTED(S00)", "UNVERIFIED"]

EventType = Literal[
    "Event",
    "MilitaryOperation",
    "AirCampaign",
    "Deployment",
    "Strike",
    "Arrest",
    "Extradition",
    "Release",
    "Killing",
    "Designation",
    "ExecutiveAction",
    "LegislativeAction",
    "Enactment",
    "BudgetAction",
    "Publication",
    "StatisticalRelease",
    "TermOfOffice",
    "Appointment",
    "PublicStatement",
    "ArmedConflict",
    "Campaign",
]
AgentType = Literal[
    "Agent",
    "Person",
    "Organization",
    "Government",
    "GovernmentAgency",
    "Legislature",
    "Court",
    "CriminalOrganization",
    "ArmedGroup",
    "NGO",
    "ThinkTank",
    "ResearchInstitution",
    "MediaOrganization",
    "InternationalOrganization",
]
PlaceType = Literal["Place", "Country", "Region", "City"]
SourceType = Literal[
    "Source",
    "Report",
    "NewsArticle",
    "OpinionPiece",
    "Book",
    "Dataset",
    "Statute",
    "OfficialStatement",
    "ReferenceWork",
    "WebPage",
]
CausalRelation = Literal[
    "causes",
    "contributes-to",
    "enables",
    "triggers",
    "prevents",
    "responds-to",
    "has-no-material-effect-on",
]
LinkRelation = Literal[
    "causes",
    "contributes-to",
    "enables",
    "triggers",
    "prevents",
    "responds-to",
    "has-no-material-effect-on",
    "precedes",
    "escalates-to",
    "superseded-by",
    "documented-in",
    "evaluated-by",
    "cited-as-analogy-by",
    "credited-with",
    "risk-to",
    "cited-by",
]
Qualifier = Literal["exact", "about", "more-than", "at-least", "at-most", "fewer-than"]
Revision = Literal["preliminary", "revised", "final"]


class Model(BaseModel):
    """Base: unknown fields are errors, values are not coerced between types."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Alias(Model):
    """Another name, with its language (BCP 47) when it is not English."""

    text: str = Field(min_length=1)
    lang: str | None = Field(default=None, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$")


def _check_edtf(value: str | None) -> str | None:
    if value is not None:
        try:
            parse_edtf(value)
        except EDTFError as e:
            raise ValueError(str(e)) from e
    return value


class Record(Model):
    """Fields every record has."""

    id: Slug
    label: str = Field(min_length=1, description="The display name.")
    aliases: list[str | Alias] = Field(default_factory=list)
    description: str | None = Field(default=None, description="A paraphrase in your own words.")
    casebook_id: list[str] = Field(
        default_factory=list, description="Casebook row ids this record carries (MX-2006-02)."
    )
    status: Status | None = Field(default=None, description="The casebook's verification mark.")
    status_note: str | None = Field(default=None, description="Which detail is unverified.")
    sources: list[Slug] = Field(default_factory=list, description="Ids of the sources.")
    cases: list[Slug] = Field(default_factory=list, description="Ids of the cases it belongs to.")

    @field_validator("casebook_id", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


class Dated(Record):
    """A record with an EDTF date."""

    date: str | None = Field(default=None, description="EDTF date or interval.")

    _edtf = field_validator("date")(classmethod(lambda cls, v: _check_edtf(v)))


class Case(Record):
    """A story that groups events and can be compared with another case."""


class Source(Dated):
    """A document the data rests on."""

    type: SourceType = "Source"
    publisher: str | None = None
    authors: list[str] = Field(default_factory=list)
    urls: list[str] = Field(default_factory=list)
    note: str | None = None

    @field_validator("urls")
    @classmethod
    def _urls(cls, value: list[str]) -> list[str]:
        for url in value:
            if not re.match(r"^https?://\S+$", url):
                raise ValueError(f"not an http(s) URL: {url!r}")
        return value


class Agent(Record):
    """A person or an organisation."""

    type: AgentType = "Agent"
    wikidata: str | None = Field(default=None, description="A QID, only where verified.")
    member_of: list[Slug] = Field(default_factory=list)
    based_in: list[Slug] = Field(default_factory=list)

    _qid = field_validator("wikidata")(
        classmethod(lambda cls, v: v if v is None or _QID.match(v) else _bad_qid(v))
    )


class Place(Record):
    """A country, region or city."""

    type: PlaceType = "Place"
    wikidata: str | None = None
    located_in: list[Slug] = Field(default_factory=list)
    latitude: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    longitude: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)

    _qid = field_validator("wikidata")(
        classmethod(lambda cls, v: v if v is None or _QID.match(v) else _bad_qid(v))
    )


def _bad_qid(value: str) -> str:
    raise ValueError(f"not a Wikidata QID: {value!r}")


class Event(Dated):
    """Something that happened, with who took part, whom it targeted and where."""

    type: EventType = "Event"
    wikidata: str | None = None
    participants: list[Slug] = Field(default_factory=list)
    targets: list[Slug] = Field(default_factory=list)
    places: list[Slug] = Field(default_factory=list)
    part_of: list[Slug] = Field(default_factory=list)

    _qid = field_validator("wikidata")(
        classmethod(lambda cls, v: v if v is None or _QID.match(v) else _bad_qid(v))
    )


class Phenomenon(Record):
    """A condition or trend that claims talk about (cartel fragmentation, Taliban revenue)."""


class Measure(Record):
    """What an observation measures (homicides per 100,000; overdose deaths; troops deployed)."""

    unit: str | None = None


class Observation(Dated):
    """A figure reported by a source. Conflicting figures are separate observations."""

    label: str = Field(default="", description="Optional; generated from the measure if empty.")
    measure: Slug
    value: float | int = Field(allow_inf_nan=False)
    qualifier: Qualifier = "exact"
    unit: str | None = None
    place: Slug | None = None
    about: list[Slug] = Field(default_factory=list)
    revision: Revision | None = None
    note: str | None = None


class Statement(Dated):
    """A sourced fact that is neither an event nor an observation."""

    about: list[Slug] = Field(default_factory=list)


class Claim(Record):
    """One asserted causal or evaluative link between two records."""

    label: str = Field(default="", description="Optional; generated from cause and effect.")
    cause: Slug
    effect: Slug
    relation: CausalRelation
    asserted_by: list[Slug] = Field(min_length=1)
    stance: Literal["supports", "disputes"] = "supports"
    confidence: float = Field(ge=0.0, le=1.0, allow_inf_nan=False)
    note: str = Field(min_length=1, description="The claim, paraphrased.")

    @model_validator(mode="after")
    def _needs_source(self) -> Claim:
        if not self.sources:
            raise ValueError("a claim needs at least one source")
        return self


class Link(Record):
    """An asserted edge or chain: each step links every id of one element to the next."""

    label: str = Field(default="")
    relation: LinkRelation
    chain: list[Slug | list[Slug]] = Field(min_length=2)
    basis: list[Slug] = Field(default_factory=list, description="Claim or source ids.")
    illustrates: list[Slug] = Field(
        default_factory=list,
        description="Ids of the general claims this concrete sequence is an example of.",
    )
    note: str | None = None


class CaseFile(Model):
    """One YAML document."""

    casegraph: Literal[1] = Field(description="The format version.")
    cases: list[Case] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    agents: list[Agent] = Field(default_factory=list)
    places: list[Place] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    phenomena: list[Phenomenon] = Field(default_factory=list)
    measures: list[Measure] = Field(default_factory=list)
    observations: list[Observation] = Field(default_factory=list)
    statements: list[Statement] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)


RECORD_KINDS: dict[str, str] = {
    "cases": "case",
    "sources": "source",
    "agents": "agent",
    "places": "place",
    "events": "event",
    "phenomena": "phenomenon",
    "measures": "measure",
    "observations": "observation",
    "statements": "statement",
    "claims": "claim",
    "links": "link",
}
"""Top-level key of a case file -> the entity kind used in the record's IRI."""
