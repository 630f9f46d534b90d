"""How the views draw things: a colour and shape per class family, a line style per edge kind.

The families and kinds are closed lists so that the legend, the graph view and the docs agree.
A node's family is the first family (in `FAMILIES` order) among its labels; an edge's kind comes
from its relationship type and, for causal edges, its stance.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

type FamilyName = Literal[
    "Claim",
    "Observation",
    "Case",
    "Source",
    "Event",
    "Person",
    "Organization",
    "Place",
    "Phenomenon",
    "Other",
]
type EdgeKind = Literal["causal", "disputed", "temporal", "participation", "provenance", "other"]
type Stance = Literal["supports", "disputes", "contested", "sequence"]
"""The look of a merged claim / link edge: every item supports, every item disputes, both, or
only casebook links that are not causal (a sequence: precedes, escalates to, ...)."""
type LayerName = Literal[
    "spine", "events", "actors", "places", "sources", "observations", "claims", "cases"
]


@dataclass(frozen=True, slots=True)
class NodeStyle:
    """The vis-network look of one class family."""

    family: FamilyName
    legend: str
    shape: str
    color: str
    border: str
    size: int
    kind: str


@dataclass(frozen=True, slots=True)
class EdgeStyle:
    """The vis-network look of one edge kind."""

    kind: EdgeKind
    legend: str
    color: str
    width: float
    dashes: tuple[int, ...] | None
    arrow: bool


# Checked in this order: a CausalClaim is also a Claim, an Observation is never an Event, ...
FAMILIES: Final[tuple[NodeStyle, ...]] = (
    NodeStyle("Claim", "Claim", "diamond", "#9f7aea", "#553c9a", 12, "claim"),
    NodeStyle("Observation", "Observation", "dot", "#4fd1c5", "#234e52", 8, "observation"),
    NodeStyle("Case", "Case", "star", "#f6c343", "#975a16", 24, "case"),
    NodeStyle("Source", "Source", "hexagon", "#c8a27a", "#7b4a1e", 12, "source"),
    NodeStyle("Event", "Event", "dot", "#4a90d9", "#1a4971", 14, "event"),
    NodeStyle("Person", "Person", "triangle", "#f6ad55", "#9c4221", 14, "agent"),
    NodeStyle(
        "Organization", "Organisation / agent", "triangleDown", "#ed8936", "#7b341e", 15, "agent"
    ),
    NodeStyle("Place", "Place", "square", "#68d391", "#22543d", 12, "place"),
    NodeStyle("Phenomenon", "Phenomenon", "ellipse", "#fbb6ce", "#97266d", 12, "phenomenon"),
    NodeStyle("Other", "Other", "dot", "#cbd5e0", "#4a5568", 9, "statement"),
)

_BY_FAMILY: Final[dict[str, NodeStyle]] = {style.family: style for style in FAMILIES}
# Labels that map onto a family other than their own name.
_LABEL_FAMILY: Final[Mapping[str, str]] = {
    "CausalClaim": "Claim",
    "Agent": "Organization",
    "Measure": "Other",
    "Statement": "Other",
    "Link": "Other",
}
_KIND_BY_LABEL: Final[Mapping[str, str]] = {
    "Measure": "measure",
    "Statement": "statement",
    "Link": "link",
}

CAUSAL_TYPES: Final = frozenset(
    {
        "CAUSES",
        "CONTRIBUTES_TO",
        "ENABLES",
        "TRIGGERS",
        "PREVENTS",
        "RESPONDS_TO",
        "HAS_NO_MATERIAL_EFFECT_ON",
    }
)
PARTICIPATION_TYPES: Final = frozenset(
    {"PARTICIPANT", "TARGET", "PLACE", "PART_OF", "IN_CASE", "MEMBER_OF", "BASED_IN", "LOCATED_IN"}
)
PROVENANCE_TYPES: Final = frozenset({"SOURCE", "ASSERTED_BY", "CAUSE", "EFFECT"})

# One colour per causal relation, so a chain reads at a glance.
CAUSAL_COLORS: Final[Mapping[str, str]] = {
    "CAUSES": "#c53030",
    "CONTRIBUTES_TO": "#dd6b20",
    "ENABLES": "#2f855a",
    "TRIGGERS": "#b7791f",
    "PREVENTS": "#2b6cb0",
    "RESPONDS_TO": "#6b46c1",
    "HAS_NO_MATERIAL_EFFECT_ON": "#718096",
}

EDGE_STYLES: Final[Mapping[EdgeKind, EdgeStyle]] = {
    "causal": EdgeStyle("causal", "Causal claim (supported)", "#c53030", 2.0, None, True),
    "disputed": EdgeStyle("disputed", "Disputed causal claim", "#e53e3e", 1.5, (8, 6), True),
    "temporal": EdgeStyle("temporal", "Time order (Allen relation)", "#a0aec0", 1.0, (2, 4), True),
    "participation": EdgeStyle(
        "participation", "Participant, place, part of, in case", "#718096", 0.7, None, True
    ),
    "provenance": EdgeStyle(
        "provenance", "Source, asserted by, claim ends", "#d3d9e0", 0.6, None, True
    ),
    "other": EdgeStyle("other", "Other", "#a0aec0", 0.8, None, True),
}


@dataclass(frozen=True, slots=True)
class StanceStyle:
    """The look of a merged claim / link edge by the stances of what it carries."""

    stance: Stance
    legend: str
    color: str
    dashes: tuple[int, ...] | None


#: Merged claim and link edges: the colour says who stands where, the label the relation.
STANCE_STYLES: Final[Mapping[Stance, StanceStyle]] = {
    "supports": StanceStyle("supports", "Claimed (every claim supports)", "#2b6cb0", None),
    "disputes": StanceStyle("disputes", "Disputed (every claim disputes)", "#e53e3e", (8, 6)),
    "contested": StanceStyle(
        "contested", "Contested (some support, some dispute)", "#b7791f", None
    ),
    "sequence": StanceStyle(
        "sequence", "Sequence (a casebook link, not causal)", "#4a5568", (3, 4)
    ),
}

#: The halo of an edge whose dates do not fit: its cause begins after its effect ends.
CONSISTENCY_STYLES: Final[Mapping[str, tuple[str, str]]] = {
    "inconsistent": ("rgba(229, 62, 62, 0.95)", "The cause begins after the effect ends (dates)"),
    "possibly-inconsistent": (
        "rgba(236, 201, 75, 0.95)",
        "The cause may begin after the effect ends (uncertain dates)",
    ),
}
CONSISTENCY_MARK: Final = "\N{WARNING SIGN}"

#: Link relations that are causal, so a link with one is drawn as a claim is, not as a sequence.
CAUSAL_LINK_RELATIONS: Final = frozenset(
    {
        "causes",
        "contributesTo",
        "enables",
        "triggers",
        "prevents",
        "respondsTo",
        "hasNoMaterialEffectOn",
        "creditedWith",
        "riskTo",
    }
)

#: What each layer of a graph view holds, in the order the toggles list them.
LAYERS: Final[tuple[tuple[LayerName, str], ...]] = (
    ("spine", "Causal spine"),
    ("events", "More events"),
    ("actors", "Actors"),
    ("places", "Places"),
    ("sources", "Sources"),
    ("observations", "Observations"),
    ("claims", "Claim and link records"),
    ("cases", "Cases"),
)
_LAYER_BY_FAMILY: Final[Mapping[str, LayerName]] = {
    "Claim": "claims",
    "Observation": "observations",
    "Case": "cases",
    "Source": "sources",
    "Event": "events",
    "Person": "actors",
    "Organization": "actors",
    "Place": "places",
    "Phenomenon": "events",
    "Other": "events",
}

#: Between the two ends of a date range in the text the views show.
DASH: Final = "\N{EN DASH}"

DATE_MARK_LEGEND: Final = "~ approximate date, ? uncertain date (dashed border)"


def vis_groups() -> dict[str, dict[str, Any]]:
    """vis-network `groups` options: one group per family."""
    return {
        s.family: {
            "shape": s.shape,
            "size": s.size,
            "color": {
                "background": s.color,
                "border": s.border,
                "highlight": {"background": s.color, "border": "#1a202c"},
                "hover": {"background": s.color, "border": "#1a202c"},
            },
        }
        for s in FAMILIES
    }


def vis_edge_styles() -> dict[str, dict[str, Any]]:
    """The look of each edge kind, as the page script applies it."""
    return {
        kind: {
            "color": s.color,
            "width": s.width,
            "dashes": list(s.dashes) if s.dashes else False,
            "arrow": s.arrow,
        }
        for kind, s in EDGE_STYLES.items()
    }


def node_style(labels: Iterable[str]) -> NodeStyle:
    """The style of the first family found among `labels` (falls back to `Other`)."""
    present = set(labels)
    for style in FAMILIES:
        if style.family in present:
            return style
    for label, family in _LABEL_FAMILY.items():
        if label in present:
            return _BY_FAMILY[family]
    return _BY_FAMILY["Other"]


def entity_kind(labels: Iterable[str]) -> str:
    """The `<kind>` part of an entity IRI for a node with these labels (`event`, `agent`, ...)."""
    present = set(labels)
    for label, kind in _KIND_BY_LABEL.items():
        if label in present:
            return kind
    return node_style(present).kind


def edge_kind(rel_type: str, stance: object = None) -> EdgeKind:
    """The kind of a relationship: causal (or disputed), temporal, participation, provenance."""
    if rel_type in CAUSAL_TYPES:
        return "disputed" if stance == "disputes" else "causal"
    if rel_type.startswith("INTERVAL_") or rel_type in {"BEFORE", "AFTER", "PRECEDES"}:
        return "temporal"
    if rel_type in PARTICIPATION_TYPES:
        return "participation"
    if rel_type in PROVENANCE_TYPES:
        return "provenance"
    return "other"


def date_marker(*, approximate: bool, uncertain: bool) -> str:
    """The suffix shown after a label: `~` approximate, `?` uncertain, `~?` both, else empty."""
    return ("~" if approximate else "") + ("?" if uncertain else "")


def relation_text(rel_type: str) -> str:
    """`CONTRIBUTES_TO` or `contributesTo` -> `contributes to`."""
    if "_" in rel_type or rel_type.isupper():
        return rel_type.lower().replace("_", " ")
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r" \1", rel_type).lower().replace("-", " ")


def node_layer(labels: Iterable[str]) -> LayerName:
    """The layer a node that is not on the causal spine belongs to (by its family)."""
    present = set(labels)
    if "Link" in present:
        return "claims"
    if "Measure" in present:
        return "observations"
    return _LAYER_BY_FAMILY[node_style(present).family]


def stance_of(stances: Iterable[str], *, causal: bool) -> Stance:
    """The look of a merged edge from its items' stances (`causal`: some item is causal)."""
    found = set(stances)
    if not causal:
        return "sequence"
    if found == {"disputes"}:
        return "disputes"
    if "disputes" in found:
        return "contested"
    return "supports"


def type_text(class_name: str) -> str:
    """`MilitaryOperation` -> `Military operation`; `NGO` stays `NGO`."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", class_name)
    if not words:
        return class_name
    rest = [w if w.isupper() else w.lower() for w in words[1:]]
    return " ".join([words[0], *rest])
