"""Response models of the REST API: the exact field names external applications rely on."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

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
    predicate: str = Field(examples=["cg:participant"])
    direction: Literal["out", "in"]
    target: Summary


class ClaimOut(Model):
    """A causal claim: who asserts that `cause` <relation> `effect`, on what source."""

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


class ClaimPage(Model):
    items: list[ClaimOut]
    total: int


class TemporalRelationOut(Model):
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
    state: Literal["starting", "syncing", "ok", "failed", "unavailable"]
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
    event_count: int
    first: str | None = Field(description="Earliest start among its events.")
    last: str | None = Field(description="Latest end among its events.")


class CasePage(Model):
    items: list[CaseSummary]
    total: int


class CaseDetail(Summary):
    first: str | None
    last: str | None
    events: list[Summary] = Field(description="In time order (earliest start first).")
    actors: list[Summary] = Field(description="Agents taking part in or targeted by its events.")
    places: list[Summary]
    members: list[Summary] = Field(description="Other records in the case (sources, phenomena).")
    claims: list[ClaimOut]


class CaseColumn(Summary):
    first: str | None
    last: str | None
    event_count: int
    event_types: dict[str, int]
    actors: list[Summary]
    places: list[Summary]
    claim_count: int


class Comparison(Model):
    cases: list[CaseColumn]
    shared_actors: list[Summary]
    shared_places: list[Summary]
    claims_across: list[ClaimOut] = Field(
        description="Claims whose cause is in one case and whose effect is in another."
    )


class SourceSummary(Summary):
    cited_by_count: int = Field(description="How many records name it as a source.")


class SourcePage(Model):
    items: list[SourceSummary]
    total: int


class SourceDetail(Summary):
    properties: dict[str, list[Any]]
    same_as: list[str]
    entities: list[Summary] = Field(description="Records that rest on this source.")
    claims: list[ClaimOut] = Field(description="Claims that cite it.")


class GraphInfo(Model):
    name: str
    graph: str
    kind: str
    loader: str
    triples: int
    loaded_at: str
    revision: int = Field(default=1, description="How many writes changed it.")


class LoadedGraph(Model):
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
    triples: int
    entities: int
    claims: int
    classes: dict[str, int]
    graphs: list[GraphInfo]


class SeriesPoint(Model):
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

    measure: Summary
    points: list[SeriesPoint]
    total: int


class ChainClaim(Model):
    id: str
    asserted_by: list[str] = Field(description="Ids of the agents asserting it.")
    source: list[str] = Field(description="Ids of its sources.")
    stance: Literal["supports", "disputes"]
    confidence: float | None


class ChainStep(Model):
    cause: Summary
    effect: Summary
    relation: str = Field(examples=["cg:contributesTo"])
    claims: list[ChainClaim]


class Chain(Model):
    score: float = Field(description="Product of the steps' best supporting confidences.")
    steps: list[ChainStep]


class Chains(Model):
    chains: list[Chain]


class Reached(Model):
    entity: Summary
    depth: int = Field(description="Hops from the start entity.")
    relation: str | None = Field(description="The relation of the last hop.")
    via: str | None = Field(description="Id of the entity the last hop came from.")


class ReachedList(Model):
    entity: Summary
    items: list[Reached]


class Edge(Model):
    source: str
    target: str
    type: str


class Neighborhood(Model):
    entity: Summary
    nodes: list[Summary]
    edges: list[Edge]


class CypherRequest(Model):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "query": "MATCH (e:Event) WHERE e.start >= date($from) "
                    "RETURN e.id, e.label, e.start ORDER BY e.start LIMIT 5",
                    "parameters": {"from": "2017-01-01"},
                }
            ]
        },
    )

    query: str = Field(min_length=1, max_length=100_000)
    parameters: dict[str, Any] = Field(default_factory=dict)


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
    "CasePage",
    "Chains",
    "ClaimOut",
    "ClaimPage",
    "Comparison",
    "CypherRequest",
    "CypherResult",
    "EngineHealth",
    "EntityDetail",
    "Health",
    "LoadReport",
    "LoadedGraph",
    "Neighborhood",
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
