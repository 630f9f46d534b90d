"""Response models of the REST API: the exact field names external applications rely on."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

_CALDERON: Any = {
    "id": "felipe-calderon",
    "iri": "https://w3id.org/casegraph/id/agent/felipe-calderon",
    "type": "Person",
    "types": ["Agent", "Entity", "Person"],
    "label": "Felipe Calderón",
    "description": "President of Mexico from December 2006 to November 2012.",
    "start": None,
    "end": None,
    "date_edtf": None,
    "status": "VERIFIED",
}
_MICHOACAN: Any = {
    "id": "operation-michoacan",
    "iri": "https://w3id.org/casegraph/id/event/operation-michoacan",
    "type": "MilitaryOperation",
    "types": ["Entity", "Event", "MilitaryOperation"],
    "label": "Joint Operation Michoacán",
    "description": "Federal troops and police deployed to Michoacán.",
    "start": "2006-12-11",
    "end": "2006-12-11",
    "date_edtf": "2006-12-11",
    "status": "VERIFIED",
}


_VIOLENCE: Any = {
    "id": "homicides-rise-2008",
    "iri": "https://w3id.org/casegraph/id/event/homicides-rise-2008",
    "type": "Event",
    "types": ["Entity", "Event"],
    "label": "Homicides rise in Mexico",
    "description": "Intentional homicides climb from 2008.",
    "start": "2008-01-01",
    "end": "2011-12-31",
    "date_edtf": "2008/2011",
    "status": "REPORTED(S01)",
}
_CASE: Any = {
    "id": "mexico-drug-war",
    "iri": "https://w3id.org/casegraph/id/case/mexico-drug-war",
    "type": "Case",
    "types": ["Case", "Entity"],
    "label": "Mexico's war on the cartels",
    "description": "The militarised response from December 2006 and what followed.",
    "start": None,
    "end": None,
    "date_edtf": None,
    "status": "VERIFIED",
}
_PLACE: Any = {
    "id": "michoacan",
    "iri": "https://w3id.org/casegraph/id/place/michoacan",
    "type": "State",
    "types": ["Entity", "Place", "State"],
    "label": "Michoacán",
    "description": None,
    "start": None,
    "end": None,
    "date_edtf": None,
    "status": "VERIFIED",
}
_SOURCE: Any = {
    "id": "sigar-2018-counternarcotics",
    "iri": "https://w3id.org/casegraph/id/source/sigar-2018-counternarcotics",
    "type": "Report",
    "types": ["Entity", "Report", "Source"],
    "label": "SIGAR, Counternarcotics: Lessons from the U.S. Experience in Afghanistan",
    "description": None,
    "start": "2018-06-01",
    "end": "2018-06-30",
    "date_edtf": "2018-06",
    "status": "VERIFIED",
}
_CLAIM: Any = {
    "id": "cl-05",
    "iri": "https://w3id.org/casegraph/id/claim/cl-05",
    "label": "The operation contributed to the rise in homicides",
    "cause": _MICHOACAN,
    "effect": _VIOLENCE,
    "relation": "cg:contributesTo",
    "stance": "supports",
    "confidence": 0.7,
    "note": "Paraphrase of the source's finding.",
    "asserted_by": [_CALDERON],
    "sources": [_SOURCE],
    "status": "VERIFIED",
    "consistency": None,
}
_CASE_SUMMARY: Any = {**_CASE, "event_count": 42, "first": "2006-12-11", "last": "2012-11-30"}
_CASE_COLUMN: Any = {
    **_CASE,
    "first": "2006-12-11",
    "last": "2012-11-30",
    "event_count": 42,
    "event_types": {"MilitaryOperation": 12, "Arrest": 9},
    "actors": [_CALDERON],
    "places": [_PLACE],
    "claim_count": 7,
}
_SOURCE_SUMMARY: Any = {**_SOURCE, "cited_by_count": 3}
_GRAPH: Any = {
    "name": "mexico-drug-war.yaml",
    "graph": "https://w3id.org/casegraph/graph/doc/mexico-drug-war.yaml",
    "kind": "doc",
    "loader": "case-yaml",
    "triples": 1432,
    "loaded_at": "2026-12-01T10:00:00Z",
}
_CHAIN_CLAIM: Any = {
    "id": "cl-05",
    "relation": "cg:contributesTo",
    "asserted_by": ["felipe-calderon"],
    "source": ["sigar-2018-counternarcotics"],
    "stance": "supports",
    "confidence": 0.7,
    "consistency": None,
}
_CHAIN_LINK: Any = {
    "id": "lnk-07",
    "step": "lnk-07/step-1",
    "casebook_id": ["LNK-07"],
    "relation": "cg:enables",
    "asserted_by": ["s04", "s07"],
    "source": ["s04", "s07"],
    "stance": "supports",
    "confidence": 0.9,
    "status": "VERIFIED",
    "consistency": None,
}
_STEP: Any = {
    "cause": _MICHOACAN,
    "effect": _VIOLENCE,
    "relation": "cg:contributesTo",
    "kind": "contributes to",
    "claims": [_CHAIN_CLAIM],
    "links": [],
    "asserted_by": ["felipe-calderon"],
    "sources": ["sigar-2018-counternarcotics"],
}
_REACHED: Any = {
    "entity": _VIOLENCE,
    "depth": 1,
    "relation": "cg:contributesTo",
    "via": "operation-michoacan",
    "kind": "contributes to",
    "claims": [_CHAIN_CLAIM],
    "links": [],
    "asserted_by": ["felipe-calderon"],
    "sources": ["sigar-2018-counternarcotics"],
}
_EDGE: Any = {"source": "operation-michoacan", "target": "felipe-calderon", "type": "PARTICIPANT"}


def _example(value: Any) -> ConfigDict:
    """The model's config with one example (every response model documents one)."""
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [value]})


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Summary(Model):
    """An entity in one line: what lists and links show."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_MICHOACAN]})

    id: str | None = Field(description="The slug; the `{id}` of the API's paths.")
    iri: str = Field(description="The entity's IRI (dereferenceable at /id/...).")
    type: str | None = Field(description="The most specific cg: class (local name).")
    types: list[str] = Field(description="Every cg: class, superclasses included.")
    label: str
    description: str | None
    start: str | None = Field(description="Earliest possible start (ISO date).")
    end: str | None = Field(description="Latest possible end (ISO date); null if open or undated.")
    date_edtf: str | None = Field(description="The date as recorded (EDTF).")
    status: str | None = Field(description="VERIFIED, REPORTED(S00) or UNVERIFIED.")
    value: float | int | str | None = Field(
        default=None, description="An observation's value (observations only)."
    )


class SummaryPage(Model):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"items": [_CALDERON], "total": 1}]}
    )

    items: list[Summary]
    total: int = Field(description="Matches before limit and offset.")


class Relation(Model):
    model_config = _example(
        {"predicate": "cg:participant", "direction": "out", "target": _CALDERON}
    )

    predicate: str = Field(examples=["cg:participant"])
    direction: Literal["out", "in"]
    target: Summary


ConsistencyMark = Annotated[
    Literal["inconsistent", "possibly-inconsistent"] | None,
    Field(
        description="The temporal-consistency mark (`graph.consistency`): `inconsistent` when the "
        "cause certainly begins after the effect ends, `possibly-inconsistent` when the dates "
        "allow it; null otherwise (consistent or undated). See /api/consistency."
    ),
]


class ClaimOut(Model):
    """A causal claim: who asserts that `cause` <relation> `effect`, on what source."""

    model_config = _example(_CLAIM)

    id: str = Field(examples=["cl-05"])
    iri: str
    label: str
    cause: Summary
    effect: Summary
    relation: str = Field(examples=["cg:contributesTo"])
    stance: Literal["supports", "disputes"]
    confidence: float | None = Field(ge=0, le=1, examples=[0.7])
    note: str | None
    asserted_by: list[Summary]
    sources: list[Summary]
    status: str | None
    consistency: ConsistencyMark


class ClaimPage(Model):
    model_config = _example({"items": [_CLAIM], "total": 1})

    items: list[ClaimOut]
    total: int


_TEMPORAL: Any = {
    "relation": "time:intervalBefore",
    "direction": "out",
    "certain": True,
    "target": _CALDERON,
}
_LOADED: Any = {
    "name": "mexico.yaml",
    "graph": "https://w3id.org/casegraph/graph/doc/mexico.yaml",
    "added": 1200,
    "removed": 0,
    "status": "loaded",
}
_OBSERVATION: Any = {
    "id": "mx-hom-2007-rate",
    "iri": "https://w3id.org/casegraph/id/observation/mx-hom-2007-rate",
    "type": "Observation",
    "types": ["Entity", "Observation"],
    "label": "Homicide rate 2007",
    "description": None,
    "start": "2007-01-01",
    "end": "2007-12-31",
    "date_edtf": "2007",
    "status": "VERIFIED",
    "value": 8,
}
_POINT: Any = {
    "observation": _OBSERVATION,
    "start": "2007-01-01",
    "end": "2007-12-31",
    "date_edtf": "2007",
    "value": 8,
    "qualifier": None,
    "places": [],
    "sources": [],
}


class TemporalRelationOut(Model):
    model_config = _example(_TEMPORAL)

    relation: str = Field(examples=["time:intervalBefore"])
    direction: Literal["out", "in"] = Field(
        description="`out`: the entity is the relation's first interval; `in`: the second."
    )
    certain: bool = Field(description="False when uncertain dates only make it possible.")
    target: Summary


class EntityDetail(Summary):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    **_MICHOACAN,
                    "properties": {"cg:precision": ["day"], "cg:casebookId": ["MX-2006-02"]},
                    "relations": [
                        {"predicate": "cg:participant", "direction": "out", "target": _CALDERON}
                    ],
                    "claims": [],
                    "sources": [],
                    "same_as": ["http://www.wikidata.org/entity/Q6016080"],
                }
            ]
        },
    )

    properties: dict[str, list[Any]] = Field(
        description="Literal-valued statements by compact predicate (`cg:precision`)."
    )
    relations: list[Relation]
    claims: list[ClaimOut]
    sources: list[Summary]
    same_as: list[str] = Field(description="Wikidata and other equivalent IRIs.")
    temporal: list[TemporalRelationOut] = Field(
        default_factory=list,
        description="Allen relations derived from the dates, with the entity at either end.",
    )


class EngineHealth(Model):
    model_config = _example({"state": "ok", "reason": None, "version": 12})

    state: Literal["starting", "syncing", "ok", "restarting", "failed", "unavailable"]
    reason: str | None = Field(default=None, description="Why it failed or is unavailable.")
    version: int | None = Field(default=None, description="The store version it holds.")


class Health(Model):
    """The store answers (else 503); the engines' states, each with its reason."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "status": "ok",
                    "triples": 48210,
                    "version": 12,
                    "cypher_backend": "falkordb",
                    "engines": {"falkordb": {"state": "ok", "reason": None, "version": 12}},
                }
            ]
        },
    )

    status: Literal["ok"]
    triples: int
    version: int = Field(description="The store version readers see.")
    cypher_backend: str
    engines: dict[str, EngineHealth] = Field(default_factory=dict)


class CaseSummary(Summary):
    model_config = _example(_CASE_SUMMARY)

    event_count: int
    first: str | None = Field(description="Earliest start among its events.")
    last: str | None = Field(description="Latest end among its events.")


class CasePage(Model):
    model_config = _example({"items": [_CASE_SUMMARY], "total": 1})

    items: list[CaseSummary]
    total: int


class CaseDetail(Summary):
    model_config = _example(
        {
            **_CASE,
            "first": "2006-12-11",
            "last": "2012-11-30",
            "events": [_MICHOACAN],
            "actors": [_CALDERON],
            "places": [_PLACE],
            "members": [_SOURCE],
            "claims": [_CLAIM],
        }
    )

    first: str | None
    last: str | None
    events: list[Summary] = Field(description="In time order (earliest start first).")
    actors: list[Summary] = Field(description="Agents taking part in or targeted by its events.")
    places: list[Summary]
    members: list[Summary] = Field(description="Other records in the case (sources, phenomena).")
    claims: list[ClaimOut]


class CaseColumn(Summary):
    model_config = _example(_CASE_COLUMN)

    first: str | None
    last: str | None
    event_count: int
    event_types: dict[str, int]
    actors: list[Summary]
    places: list[Summary]
    claim_count: int


_OUTCOME_CLAIM = {
    "id": "cl-02",
    "relation": "cg:causes",
    "stance": "supports",
    "confidence": 0.6,
    "asserted_by": ["s00"],
    "sources": ["s00"],
}
_OUTCOME = {
    "id": "cartel-fragmentation",
    "label": "Cartel fragmentation",
    "steps": 1,
    "score": 0.6,
    "reached_from": ["mx-2009-12"],
    "claims": [_OUTCOME_CLAIM],
    "links": [],
}
_CASE_OUTCOMES = {
    "case": "mexico-drug-war",
    "label": "Mexico's drug war",
    "members": 113,
    "outcomes": [_OUTCOME],
}


class OutcomeClaim(Model):
    model_config = _example(_OUTCOME_CLAIM)

    id: str
    relation: str
    stance: str
    confidence: float | None
    asserted_by: list[str]
    sources: list[str]


class Outcome(Model):
    model_config = _example(_OUTCOME)

    id: str = Field(description="The phenomenon reached.")
    label: str
    steps: int = Field(description="Fewest causal steps from a member of the case.")
    score: float = Field(description="The best product of confidences along a path.")
    reached_from: list[str] = Field(description="The case's members it is reached from.")
    claims: list[OutcomeClaim] = Field(description="The claims on the paths' steps.")
    links: list[str] = Field(description="The casebook links on the paths' steps.")


class CaseOutcomes(Model):
    model_config = _example(_CASE_OUTCOMES)

    case: str
    label: str
    members: int
    outcomes: list[Outcome]


class Comparison(Model):
    model_config = _example(
        {
            "cases": [_CASE_COLUMN],
            "shared_actors": [_CALDERON],
            "shared_places": [_PLACE],
            "claims_across": [_CLAIM],
            "outcomes": [_CASE_OUTCOMES],
            "shared_outcomes": {"cartel-fragmentation": ["mexico-drug-war", "us-designations"]},
        }
    )

    cases: list[CaseColumn]
    shared_actors: list[Summary]
    shared_places: list[Summary]
    claims_across: list[ClaimOut] = Field(
        description="Claims whose cause is in one case and whose effect is in another."
    )
    outcomes: list[CaseOutcomes] = Field(
        description="For each case, the phenomena its events lead to within four causal steps "
        "(claims and casebook links), best score first, with the claims on the way."
    )
    shared_outcomes: dict[str, list[str]] = Field(
        description="The phenomena more than one of the cases leads to, with those cases."
    )


_CENTRAL = {
    "id": "mx-2006-02",
    "label": "Joint Operation Michoacán",
    "kind": "event",
    "type": "MilitaryOperation",
    "betweenness": 0.0123,
    "pagerank": 0.0211,
    "causes": 0,
    "effects": 3,
    "reach": 7,
    "events": 0,
}


class Central(Model):
    model_config = _example(_CENTRAL)

    id: str
    label: str
    kind: str
    type: str
    betweenness: float = Field(
        description="Share of the shortest causal paths between two other nodes through it."
    )
    pagerank: float = Field(description="Directed PageRank over the causal edges (0.85).")
    causes: int = Field(description="Distinct direct antecedents.")
    effects: int = Field(description="Distinct direct consequents.")
    reach: int = Field(description="Distinct nodes within three causal steps downstream.")
    events: int = Field(description="For an actor: the events of the causal subgraph it is in.")


class CentralityPage(Model):
    model_config = _example({"items": [_CENTRAL], "total": 1, "by": "betweenness"})

    items: list[Central]
    total: int
    by: str


class SourceSummary(Summary):
    model_config = _example(_SOURCE_SUMMARY)

    cited_by_count: int = Field(description="How many records name it as a source.")


class SourcePage(Model):
    model_config = _example({"items": [_SOURCE_SUMMARY], "total": 1})

    items: list[SourceSummary]
    total: int


class SourceDetail(Summary):
    model_config = _example(
        {
            **_SOURCE,
            "properties": {"cg:publisher": ["SIGAR"]},
            "same_as": [],
            "entities": [_MICHOACAN],
            "claims": [_CLAIM],
        }
    )

    properties: dict[str, list[Any]]
    same_as: list[str]
    entities: list[Summary] = Field(description="Records that rest on this source.")
    claims: list[ClaimOut] = Field(description="Claims that cite it.")


class GraphInfo(Model):
    model_config = _example(_GRAPH)

    name: str
    graph: str
    kind: str
    loader: str
    triples: int
    loaded_at: str
    revision: int = Field(default=1, description="How many writes changed it.")


class LoadedGraph(Model):
    model_config = _example(_LOADED)

    name: str
    graph: str = Field(description='The graph\'s IRI ("" for the default graph).')
    added: int
    removed: int
    status: Literal["loaded", "unchanged", "dropped"]


class LoadReport(Model):
    """What a load or a drop did."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "graphs": [
                        {
                            "name": "mexico.yaml",
                            "graph": "https://w3id.org/casegraph/graph/doc/mexico.yaml",
                            "added": 1200,
                            "removed": 0,
                            "status": "loaded",
                        }
                    ],
                    "version": 3,
                    "warnings": [],
                }
            ]
        },
    )

    graphs: list[LoadedGraph]
    version: int | None
    warnings: list[str] = Field(default_factory=list)


class Stats(Model):
    model_config = _example(
        {
            "triples": 48210,
            "entities": 812,
            "claims": 64,
            "classes": {"Event": 311, "Person": 57},
            "graphs": [_GRAPH],
        }
    )

    triples: int
    entities: int
    claims: int
    classes: dict[str, int]
    graphs: list[GraphInfo]


class SeriesPoint(Model):
    model_config = _example(_POINT)

    observation: Summary
    start: str | None = Field(description="Earliest date of the period observed.")
    end: str | None = Field(description="Latest date of the period observed.")
    date_edtf: str | None
    value: float | int | str | None
    qualifier: str | None = Field(description="exact, approximate, at-least, ...")
    places: list[Summary]
    sources: list[Summary]


class Series(Model):
    """A measure and its observations in date order."""

    model_config = _example(
        {
            "measure": {
                **_OBSERVATION,
                "id": "homicide-rate",
                "iri": "https://w3id.org/casegraph/id/measure/homicide-rate",
                "type": "Measure",
                "types": ["Entity", "Measure"],
                "label": "Homicides per 100,000 inhabitants",
                "start": None,
                "end": None,
                "date_edtf": None,
                "value": None,
            },
            "points": [_POINT],
            "total": 1,
        }
    )

    measure: Summary
    points: list[SeriesPoint]
    total: int


_FINDING: Any = {
    "id": "lnk-14/step-1",
    "kind": "link",
    "link": "lnk-14",
    "casebook_id": ["LNK-14"],
    "relation": "cg:riskTo",
    "verdict": "inconsistent",
    "reason": "the cause begins on 2025-02-25 at the earliest, after the effect has ended (on "
    "2023-12-31 at the latest)",
    "cause": {
        "id": "ph-2025-11",
        "iri": "https://w3id.org/casegraph/id/event/ph-2025-11",
        "type": "LegislativeAction",
        "types": ["Entity", "Event", "LegislativeAction"],
        "label": "House adopts its FY2025 budget resolution with an $880B Energy & Commerce "
        "instruction",
        "description": None,
        "start": "2025-02-25",
        "end": "2025-02-25",
        "date_edtf": "2025-02-25",
        "status": "VERIFIED",
    },
    "effect": {
        "id": "ph-2025-13",
        "iri": "https://w3id.org/casegraph/id/observation/ph-2025-13",
        "type": "Observation",
        "types": ["Entity", "Observation"],
        "label": "Nonelderly adults with opioid use disorder covered by Medicaid",
        "description": None,
        "start": "2023-01-01",
        "end": "2023-12-31",
        "date_edtf": "2023",
        "status": "VERIFIED",
    },
}


class Finding(Model):
    """A claim or link step whose cause may begin after its effect ends."""

    model_config = _example(_FINDING)

    id: str = Field(description="The claim's id, or the link step's (`lnk-14/step-1`).")
    kind: Literal["claim", "link"]
    link: str | None = Field(description="The link of a link step.")
    casebook_id: list[str] = Field(description="The casebook rows of the claim or link.")
    relation: str = Field(examples=["cg:riskTo"])
    verdict: Literal["inconsistent", "possibly-inconsistent"]
    reason: str = Field(description="Why, with the dates that decide it.")
    cause: Summary
    effect: Summary


class ConsistencyReport(Model):
    """The temporal-consistency check of every causal claim and link step."""

    model_config = _example(
        {"checked": 72, "inconsistent": 1, "possibly_inconsistent": 1, "items": [_FINDING]}
    )

    checked: int = Field(description="Claims and link steps judged (undated ones included).")
    inconsistent: int = Field(description="The cause certainly begins after the effect ends.")
    possibly_inconsistent: int = Field(description="The dates allow it, or an uncertain date.")
    items: list[Finding] = Field(description="The inconsistent first, then the possible ones.")


class ChainClaim(Model):
    """A causal claim that asserts a step."""

    model_config = _example(_CHAIN_CLAIM)

    id: str
    relation: str = Field(examples=["cg:contributesTo"])
    asserted_by: list[str] = Field(description="Ids of the agents asserting it.")
    source: list[str] = Field(description="Ids of its sources.")
    stance: Literal["supports", "disputes"]
    confidence: float | None
    consistency: ConsistencyMark


class ChainLink(Model):
    """A step of a casebook link (`LNK-*`) that asserts a step."""

    model_config = _example(_CHAIN_LINK)

    id: str = Field(description="The link's id.", examples=["lnk-07"])
    step: str = Field(description="The link step's id.", examples=["lnk-07/step-1"])
    casebook_id: list[str] = Field(examples=[["LNK-07"]])
    relation: str = Field(
        description="The link's relation: a causal one or a sequence (precedes, ...).",
        examples=["cg:enables"],
    )
    asserted_by: list[str] = Field(
        description="Ids of the agents asserting the claims the link rests on, and of the "
        "documents (sources) it rests on."
    )
    source: list[str] = Field(description="Ids of its sources.")
    stance: Literal["supports", "disputes"]
    confidence: float | None = Field(
        description="From the link's status by the claims' curation rule: 0.9 VERIFIED, "
        "0.6 REPORTED(S00), 0.3 UNVERIFIED."
    )
    status: str | None
    consistency: ConsistencyMark


class ChainStep(Model):
    model_config = _example(_STEP)

    cause: Summary
    effect: Summary
    relation: str = Field(examples=["cg:contributesTo"])
    kind: str = Field(
        description="The relation in words: causes, enables, triggers, precedes, ...",
        examples=["contributes to"],
    )
    claims: list[ChainClaim]
    links: list[ChainLink]
    asserted_by: list[str] = Field(
        description="Everyone asserting something about the step, for or against (each claim's "
        "stance says which), through its claims and links."
    )
    sources: list[str] = Field(description="Every source of the step's claims and links.")


class Chain(Model):
    model_config = _example({"score": 0.7, "steps": [_STEP]})

    score: float = Field(description="Product of the steps' best supporting confidences.")
    steps: list[ChainStep]


class Chains(Model):
    model_config = _example({"chains": [{"score": 0.7, "steps": [_STEP]}]})

    chains: list[Chain]


class Reached(Model):
    model_config = _example(_REACHED)

    entity: Summary
    depth: int = Field(description="Hops from the start entity.")
    relation: str | None = Field(description="The relation of the last hop.")
    via: str | None = Field(description="Id of the entity the last hop came from.")
    kind: str = Field(description="The last hop's relation in words.")
    claims: list[ChainClaim] = Field(description="The claims asserting the last hop.")
    links: list[ChainLink] = Field(description="The link steps asserting the last hop.")
    asserted_by: list[str]
    sources: list[str]


class ReachedList(Model):
    model_config = _example({"entity": _MICHOACAN, "items": [_REACHED]})

    entity: Summary
    items: list[Reached]


class Edge(Model):
    model_config = _example(_EDGE)

    source: str
    target: str
    type: str


class Neighborhood(Model):
    model_config = _example(
        {"entity": _MICHOACAN, "nodes": [_MICHOACAN, _CALDERON], "edges": [_EDGE]}
    )

    entity: Summary
    nodes: list[Summary]
    edges: list[Edge]


PARAMETER_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
ParameterName = Annotated[str, StringConstraints(pattern=PARAMETER_NAME)]
"""A Cypher parameter name that both engines take unquoted."""


def _only_parameter_names(schema: dict[str, Any]) -> None:
    # pydantic writes `patternProperties`, which lets other names through; say what is checked.
    schema.pop("patternProperties", None)
    schema["propertyNames"] = {"pattern": PARAMETER_NAME}


class CypherRequest(Model):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    # No `$name` in the example query: a client (or a schema-driven tester)
                    # may send the query without the parameters.
                    "query": "MATCH (e:Event) WHERE e.start >= date('2017-01-01') "
                    "RETURN e.id, e.label, e.start ORDER BY e.start LIMIT 5",
                    "parameters": {},
                }
            ]
        },
    )

    query: str = Field(
        min_length=1, max_length=100_000, json_schema_extra={"format": "cypher-query"}
    )
    parameters: dict[ParameterName, Any] = Field(
        default_factory=dict,
        description="Values for the query's `$name` parameters.",
        json_schema_extra=_only_parameter_names,
    )


class CypherResult(Model):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "columns": ["e.id", "e.label", "e.start"],
                    "rows": [["operation-michoacan", "Joint Operation Michoacán", "2006-12-11"]],
                }
            ]
        },
    )

    columns: list[str]
    rows: list[list[Any]]


__all__ = [
    "CaseDetail",
    "CaseOutcomes",
    "CasePage",
    "Central",
    "CentralityPage",
    "ChainLink",
    "Chains",
    "ClaimOut",
    "ClaimPage",
    "Comparison",
    "ConsistencyReport",
    "CypherRequest",
    "CypherResult",
    "EngineHealth",
    "EntityDetail",
    "Finding",
    "Health",
    "LoadReport",
    "LoadedGraph",
    "Neighborhood",
    "Outcome",
    "OutcomeClaim",
    "ReachedList",
    "Series",
    "SeriesPoint",
    "SourceDetail",
    "SourcePage",
    "Stats",
    "Summary",
    "SummaryPage",
    "TemporalRelationOut",
]
