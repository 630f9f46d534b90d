"""Entity linking: which incoming records denote entities the graph already has.

A pure function over small records, no store: `link(candidates, existing)` matches each
candidate first by a shared Wikidata QID, then by a normalised label or alias among existing
records of the same kind (agent with agent, place with place, event with event). Exactly one
match is a link; several are reported as ambiguous and not linked; none leaves the candidate
unlinked. `LinkResult.triples()` gives the `owl:sameAs` or `skos:exactMatch` statements for the
caller to write.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from ontology.namespaces import CG, OWL, SKOS
from ontology.vocab import class_chain

FAMILY_ROOTS = frozenset({"Agent", "Place", "Event"})
"""Classes whose instances may be linked to each other across their subclasses."""

_QID = re.compile(r"(Q[1-9][0-9]*)$")
_NOT_WORD = re.compile(r"[^\w]+")


def family(kind_or_class: str) -> str:
    """The kind family (`agent`, `place`, `event`, …) of a kind, a class name or a class IRI."""
    name = kind_or_class.removeprefix(CG)
    try:
        chain = class_chain(name)
    except KeyError:
        return name.lower()
    root = next((c for c in chain if c in FAMILY_ROOTS), name)
    return root.lower()


def normalise_label(label: str) -> str:
    """Accents stripped (NFKD), case folded, punctuation and spaces collapsed, a leading
    "the" dropped: `The Sinaloa Cartel` and `sinaloa cartel` compare equal."""
    decomposed = unicodedata.normalize("NFKD", label)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = _NOT_WORD.sub(" ", bare.casefold().replace("&", " and ")).replace("_", " ").split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def qid_of(value: str) -> str | None:
    """`Q96` from `Q96`, `wd:Q96` or `http://www.wikidata.org/entity/Q96`."""
    match = _QID.search(value.strip())
    return match.group(1) if match else None


@dataclass(frozen=True, slots=True)
class Entry:
    """One record for linking: its IRI, kind (or class), every label and alias, its QIDs."""

    iri: str
    kind: str
    labels: tuple[str, ...] = ()
    qids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Link:
    source: str
    target: str
    evidence: str
    """`wikidata:Q96` or `label:mexico`."""


@dataclass(frozen=True, slots=True)
class Ambiguous:
    iri: str
    candidates: tuple[str, ...]
    evidence: str


@dataclass(frozen=True, slots=True)
class LinkResult:
    links: tuple[Link, ...]
    ambiguous: tuple[Ambiguous, ...]
    unlinked: tuple[str, ...]

    def triples(
        self, predicate: Literal["sameAs", "exactMatch"] = "sameAs"
    ) -> list[tuple[str, str, str]]:
        """`(subject, predicate, object)` IRIs, one per link."""
        iri = f"{OWL}sameAs" if predicate == "sameAs" else f"{SKOS}exactMatch"
        return [(link.source, iri, link.target) for link in self.links]


def _qids(entry: Entry) -> set[str]:
    return {q for q in (qid_of(v) for v in entry.qids) if q is not None}


def link(candidates: Iterable[Entry], existing: Sequence[Entry]) -> LinkResult:
    """Match each candidate against the existing records (see the module docstring)."""
    by_qid: dict[str, list[Entry]] = defaultdict(list)
    by_label: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for entry in existing:
        for qid in _qids(entry):
            by_qid[qid].append(entry)
        for label in {normalise_label(x) for x in entry.labels}:
            if label:
                by_label[(family(entry.kind), label)].append(entry)
    links: list[Link] = []
    ambiguous: list[Ambiguous] = []
    unlinked: list[str] = []
    for candidate in candidates:
        qids = _qids(candidate)
        found = False
        for qid in sorted(qids):
            targets = _distinct(by_qid.get(qid, ()), candidate.iri)
            if len(targets) == 1:
                links.append(Link(candidate.iri, targets[0], f"wikidata:{qid}"))
                found = True
                break
            if len(targets) > 1:
                ambiguous.append(Ambiguous(candidate.iri, tuple(targets), f"wikidata:{qid}"))
                found = True
                break
        if found:
            continue
        kind = family(candidate.kind)
        matches: dict[str, str] = {}
        for label in candidate.labels:
            key = normalise_label(label)
            for entry in by_label.get((kind, key), ()):
                other = _qids(entry)
                if entry.iri == candidate.iri or (qids and other and not qids & other):
                    continue
                matches.setdefault(entry.iri, key)
        if len(matches) == 1:
            target, key = next(iter(matches.items()))
            links.append(Link(candidate.iri, target, f"label:{key}"))
        elif matches:
            keys = sorted(set(matches.values()))
            ambiguous.append(Ambiguous(candidate.iri, tuple(sorted(matches)), f"label:{keys[0]}"))
        else:
            unlinked.append(candidate.iri)
    return LinkResult(tuple(links), tuple(ambiguous), tuple(unlinked))


def _distinct(entries: Iterable[Entry], own: str) -> list[str]:
    seen: list[str] = []
    for entry in entries:
        if entry.iri != own and entry.iri not in seen:
            seen.append(entry.iri)
    return seen
