"""The ontology's closed lists as Python constants: classes, their parents, properties, relations.

Written by hand, not parsed from `casegraph.ttl` at import time (no work at import);
`tests/unit/test_ontology.py` checks that these sets equal the ones declared in the Turtle, so
the two cannot drift. All names are local names in the `cg:` namespace.

Relation properties come in two families. `CAUSAL_RELATIONS` are the values a causal claim's
`cg:relation` may take (sub-properties of `cg:causalRelation`). `LINK_RELATIONS` are the values a
casebook link's `cg:linkRelation` may take: the causal ones plus `LINK_ONLY_RELATIONS`
(sub-properties of `cg:linkRelationProperty`; `cg:causalRelation` is one of them).
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "CAUSAL_RELATIONS",
    "CLASSES",
    "CLASS_PARENTS",
    "DATA_PROPERTIES",
    "ENTITY_CLASSES",
    "HELPER_CLASSES",
    "LINK_ONLY_RELATIONS",
    "LINK_RELATIONS",
    "OBJECT_PROPERTIES",
    "RELATION_SUPER_PROPERTIES",
    "STANCES",
    "STATUSES",
    "WEB_ADDRESS_PROPERTIES",
    "class_chain",
    "upper_snake",
]

CLASS_PARENTS: Final[dict[str, tuple[str, ...]]] = {
    "Entity": (),
    # events
    "Event": ("Entity",),
    "MilitaryOperation": ("Event",),
    "AirCampaign": ("MilitaryOperation",),
    "Deployment": ("Event",),
    "Strike": ("Event",),
    "Arrest": ("Event",),
    "Extradition": ("Event",),
    "Release": ("Event",),
    "Killing": ("Event",),
    "Designation": ("Event",),
    "ExecutiveAction": ("Event",),
    "LegislativeAction": ("Event",),
    "Enactment": ("Event",),
    "BudgetAction": ("Event",),
    "Publication": ("Event",),
    "StatisticalRelease": ("Event",),
    "TermOfOffice": ("Event",),
    "Appointment": ("Event",),
    "PublicStatement": ("Event",),
    "ArmedConflict": ("Event",),
    "Campaign": ("Event",),
    # agents
    "Agent": ("Entity",),
    "Person": ("Agent",),
    "Organization": ("Agent",),
    "Government": ("Organization",),
    "GovernmentAgency": ("Organization",),
    "Legislature": ("Organization",),
    "Court": ("Organization",),
    "CriminalOrganization": ("Organization",),
    "ArmedGroup": ("Organization",),
    "NGO": ("Organization",),
    "ThinkTank": ("Organization",),
    "ResearchInstitution": ("Organization",),
    "MediaOrganization": ("Organization",),
    "InternationalOrganization": ("Organization",),
    # places
    "Place": ("Entity",),
    "Country": ("Place",),
    "Region": ("Place",),
    "City": ("Place",),
    # sources
    "Source": ("Entity",),
    "Report": ("Source",),
    "NewsArticle": ("Source",),
    "OpinionPiece": ("Source",),
    "Book": ("Source",),
    "Dataset": ("Source",),
    "Statute": ("Source",),
    "OfficialStatement": ("Source",),
    "ReferenceWork": ("Source",),
    "WebPage": ("Source",),
    # other records
    "Claim": ("Entity",),
    "CausalClaim": ("Claim",),
    "Case": ("Entity",),
    "Observation": ("Entity",),
    "Measure": ("Entity",),
    "Phenomenon": ("Entity",),
    "Statement": ("Entity",),
    "Link": ("Entity",),
    # helper classes: not entities
    "LinkStep": (),
    "TemporalRelation": (),
    "Status": (),
    "Stance": (),
    "SourceGraph": (),
}
"""Local name -> its direct superclasses within `cg:` (external alignments are left out)."""

CLASSES: Final[frozenset[str]] = frozenset(CLASS_PARENTS)

HELPER_CLASSES: Final[frozenset[str]] = frozenset(
    {"LinkStep", "TemporalRelation", "Status", "Stance", "SourceGraph"}
)
"""Classes outside the `cg:Entity` tree: concept schemes, link steps, derived and store nodes."""

ENTITY_CLASSES: Final[frozenset[str]] = CLASSES - HELPER_CLASSES
"""`cg:Entity` and every class below it."""

CAUSAL_RELATIONS: Final[frozenset[str]] = frozenset(
    {
        "causes",
        "contributesTo",
        "enables",
        "triggers",
        "prevents",
        "respondsTo",
        "hasNoMaterialEffectOn",
    }
)
"""Values of a causal claim's `cg:relation`; each is a sub-property of `cg:causalRelation`."""

LINK_ONLY_RELATIONS: Final[frozenset[str]] = frozenset(
    {
        "precedes",
        "escalatesTo",
        "supersededBy",
        "documentedIn",
        "evaluatedBy",
        "citedAsAnalogyBy",
        "creditedWith",
        "riskTo",
        "citedBy",
    }
)
"""Relations only links use; each is a direct sub-property of `cg:linkRelationProperty`."""

LINK_RELATIONS: Final[frozenset[str]] = CAUSAL_RELATIONS | LINK_ONLY_RELATIONS
"""Values of a link's `cg:linkRelation`: every causal relation and every link-only relation."""

RELATION_SUPER_PROPERTIES: Final[frozenset[str]] = frozenset(
    {"causalRelation", "linkRelationProperty"}
)
"""The abstract super-properties of the two relation families; never asserted directly."""

OBJECT_PROPERTIES: Final[frozenset[str]] = frozenset(
    {
        # every entity
        "status",
        "source",
        "inCase",
        # events, agents, places
        "participant",
        "target",
        "place",
        "partOf",
        "memberOf",
        "basedIn",
        "locatedIn",
        # sources
        "url",
        # observations
        "measure",
        "refPlace",
        "about",
        # claims
        "cause",
        "effect",
        "relation",
        "assertedBy",
        "stance",
        # links
        "linkRelation",
        "basis",
        "illustrates",
        "step",
        "from",
        "to",
        # derived temporal relations
        "relFrom",
        "relTo",
        "allenRelation",
    }
    | RELATION_SUPER_PROPERTIES
    | LINK_RELATIONS
)
"""Properties whose values are IRIs (`owl:ObjectProperty`)."""

WEB_ADDRESS_PROPERTIES: Final[frozenset[str]] = frozenset({"url"})
"""Object properties whose values are web addresses, not graph entities (store them as text)."""

DATA_PROPERTIES: Final[frozenset[str]] = frozenset(
    {
        # every entity
        "casebookId",
        "statusNote",
        "note",
        # dates
        "dateEDTF",
        "publishedEDTF",
        "earliest",
        "startLatest",
        "endEarliest",
        "latest",
        "precision",
        "approximate",
        "uncertain",
        "openEnd",
        # events (text categories from external datasets)
        "eventType",
        "eventSubType",
        # places
        "latitude",
        "longitude",
        # sources
        "publisher",
        "author",
        # observations
        "value",
        "qualifier",
        "unit",
        "revision",
        # claims
        "confidence",
        # link steps and temporal relations
        "stepIndex",
        "certain",
        # source-graph metadata
        "documentName",
        "graphKind",
        "loader",
        "contentHash",
        "linkEvidence",
        "tripleCount",
    }
)
"""Properties whose values are literals (`owl:DatatypeProperty`)."""

STATUSES: Final[dict[str, str]] = {
    "VERIFIED": "Verified",
    "REPORTED(S00)": "ReportedS00",
    "UNVERIFIED": "Unverified",
}
"""Casebook status text -> local name of the `cg:Status` individual."""

STANCES: Final[dict[str, str]] = {"supports": "Supports", "disputes": "Disputes"}
"""Stance text -> local name of the `cg:Stance` individual."""

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def class_chain(local_name: str) -> tuple[str, ...]:
    """The class and its `cg:` ancestors, root first: `("Entity", "Event", "MilitaryOperation")`.

    Follows the first listed parent where a class has several. Raises `KeyError` for a name that
    is not a casegraph class.
    """
    if local_name not in CLASS_PARENTS:
        raise KeyError(f"not a casegraph class: {local_name!r}")
    chain = [local_name]
    parents = CLASS_PARENTS[local_name]
    while parents:
        chain.append(parents[0])
        parents = CLASS_PARENTS[parents[0]]
    return tuple(reversed(chain))


def upper_snake(local_name: str) -> str:
    """The relationship-type spelling of a property name: `partOf` -> `PART_OF`."""
    return _WORD_BOUNDARY.sub("_", local_name).upper()
