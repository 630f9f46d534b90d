"""An entity as the REST API, the views and search see it, computed from its merged facts.

An *entity* is a subject under `cgid:<kind>/<slug>` (slug without `/`: link steps are not
entities) with an `rdfs:label`. Its summary — the object every list and every reference in a
response uses — is encoded once, here, when the entity changes, and stored as JSON bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import orjson

from graph.readmodel.facts import Fact, Merged
from graph.readmodel.values import (
    STANCE_NAMES,
    STATUS_NAMES,
    ancestors,
    curie,
    date_of,
    fold,
    literal_value,
    most_specific,
)
from ontology.namespaces import CG, DCTERMS, RDF, RDFS, SKOS, split_entity_iri

LABEL = f"{RDFS}label"
TYPE = f"{RDF}type"
DESCRIPTION = f"{DCTERMS}description"
ALT_LABEL = f"{SKOS}altLabel"


@dataclass(slots=True)
class Entity:
    """The fields of one entity that lists, filters and search use."""

    iri: str
    id: str
    kind: str
    label: str
    label_lang: str | None = None
    description: str | None = None
    edtf: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    status: str | None = None
    types: tuple[str, ...] = ()
    type: str | None = None
    aliases: list[str] = field(default_factory=list)
    casebook_ids: list[str] = field(default_factory=list)
    value: Any = None
    """An observation's value (numbers as numbers), else None."""

    def is_a(self, cls: str) -> bool:
        return cls in self.types

    def summary(self) -> dict[str, Any]:
        """The summary object of the REST API."""
        out: dict[str, Any] = {
            "id": self.id,
            "iri": self.iri,
            "type": self.type,
            "types": list(self.types),
            "label": self.label,
            "description": self.description,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "date_edtf": self.edtf,
            "status": self.status,
        }
        if self.value is not None:
            out["value"] = self.value
        return out

    def summary_bytes(self) -> bytes:
        return orjson.dumps(self.summary())

    def search_text(self) -> tuple[str, str, str, str]:
        """Folded (ids, label, aliases, description) for the search index."""
        ids = " | ".join(dict.fromkeys(fold(i) for i in [self.id, *self.casebook_ids]))
        return (
            ids,
            fold(self.label),
            " | ".join(fold(alias) for alias in self.aliases),
            fold(self.description or ""),
        )


def entity_of(merged: Merged) -> Entity | None:
    """The entity a subject is, or None when it is none (no label, a link step, not `cgid:`)."""
    split = split_entity_iri(merged.iri)
    if split is None or "/" in split[1]:
        return None
    labels = [f for f in merged.facts if f[0] == LABEL and f[1] == "l"]
    if not labels:
        return None
    label = min(labels, key=_label_rank)
    lang = label[3][1:] if label[3].startswith("@") else None
    entity = Entity(iri=merged.iri, id=split[1], kind=split[0], label=label[2], label_lang=lang)
    entity.description = _first_text(merged, DESCRIPTION)
    entity.edtf = _first_text(merged, f"{CG}dateEDTF")
    entity.start = date_of(_first_text(merged, f"{CG}earliest"))
    entity.end = date_of(_first_text(merged, f"{CG}latest"))
    status = sorted(merged.iris(f"{CG}status"))
    if status:
        entity.status = STATUS_NAMES.get(status[0], curie(status[0]))
    own = {t.removeprefix(CG) for t in merged.types() if t.startswith(CG)}
    closed = set(own)
    for name in own:
        closed |= ancestors(name)
    entity.types = tuple(sorted(closed))
    entity.type = most_specific(closed)
    entity.aliases = sorted({f[2] for f in merged.values(ALT_LABEL) if f[1] == "l"})
    entity.casebook_ids = sorted({f[2] for f in merged.values(f"{CG}casebookId") if f[1] == "l"})
    if "Observation" in closed:
        values = [f for f in merged.values(f"{CG}value") if f[1] == "l"]
        if values:
            entity.value = literal_value(min(values))
    return entity


def _label_rank(fact: Fact) -> tuple[int, str, str]:
    extra = fact[3]
    if not extra.startswith("@"):
        return (0, fact[2], extra)
    lang = extra[1:].lower()
    return (1 if lang == "en" else 2 if lang.startswith("en-") else 3, fact[2], extra)


def _first_text(merged: Merged, predicate: str) -> str | None:
    values = sorted(f[2] for f in merged.values(predicate) if f[1] == "l")
    return values[0] if values else None


@dataclass(frozen=True, slots=True)
class Claim:
    """One causal claim: what it links, how, and who asserts it on what grounds."""

    iri: str
    id: str
    cause: str
    effect: str
    relation: str
    stance: str
    confidence: float | None
    note: str | None
    asserted_by: tuple[str, ...]
    sources: tuple[str, ...]


def claim_of(merged: Merged) -> Claim | None:
    """The claim a subject states (a `cg:Claim` with cause, effect and relation), or None."""
    split = split_entity_iri(merged.iri)
    own = {t.removeprefix(CG) for t in merged.types() if t.startswith(CG)}
    if split is None or not any(n == "Claim" or "Claim" in ancestors(n) for n in own):
        return None
    causes, effects = merged.iris(f"{CG}cause"), merged.iris(f"{CG}effect")
    relations = merged.iris(f"{CG}relation")
    if not (causes and effects and relations):
        return None
    stances = merged.iris(f"{CG}stance")
    confidence = _first_text(merged, f"{CG}confidence")
    try:
        score = float(confidence) if confidence is not None else None
    except ValueError:
        score = None
    return Claim(
        iri=merged.iri,
        id=split[1],
        cause=causes[0],
        effect=effects[0],
        relation=curie(relations[0]),
        stance=STANCE_NAMES.get(stances[0], "supports") if stances else "supports",
        confidence=score,
        note=_first_text(merged, f"{CG}note"),
        asserted_by=tuple(sorted(set(merged.iris(f"{CG}assertedBy")))),
        sources=tuple(sorted(set(merged.iris(f"{CG}source")))),
    )


def claim_record(claim: Claim) -> bytes:
    return orjson.dumps(
        {
            "iri": claim.iri,
            "id": claim.id,
            "cause": claim.cause,
            "effect": claim.effect,
            "relation": claim.relation,
            "stance": claim.stance,
            "confidence": claim.confidence,
            "note": claim.note,
            "asserted_by": list(claim.asserted_by),
            "sources": list(claim.sources),
        }
    )


def claim_from_record(data: bytes) -> Claim:
    raw = orjson.loads(data)
    return Claim(
        iri=raw["iri"],
        id=raw["id"],
        cause=raw["cause"],
        effect=raw["effect"],
        relation=raw["relation"],
        stance=raw["stance"],
        confidence=raw["confidence"],
        note=raw["note"],
        asserted_by=tuple(raw["asserted_by"]),
        sources=tuple(raw["sources"]),
    )


def stub_summary(iri: str) -> dict[str, Any]:
    """A summary for an IRI that is no entity (an external or unlabelled node)."""
    split = split_entity_iri(iri)
    return {
        "id": split[1] if split else None,
        "iri": iri,
        "type": None,
        "types": [],
        "label": split[1] if split else iri,
        "description": None,
        "start": None,
        "end": None,
        "date_edtf": None,
        "status": None,
    }


__all__ = [
    "Claim",
    "Entity",
    "claim_from_record",
    "claim_of",
    "claim_record",
    "entity_of",
    "stub_summary",
]
