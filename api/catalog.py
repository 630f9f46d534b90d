"""The REST API's side indexes, rebuilt from the store at start-up and after every write.

SPARQL cannot do two things the API needs: match names without regard to accents ("calderon"
finds "Felipe Calderón": SPARQL has no unaccent), and keep events in date order cheaply
(Oxigraph has no range index on date literals, so every timeline query scans). So the API keeps,
in memory, one `Entry` per entity (its summary fields, its labels and aliases folded with
Unicode NFKD, and the links the filters use), the events sorted by earliest start, and the claims.
The catalog is built by the `.rq` queries in `api/queries/`; it is a cache of the store, never
written to directly. At the curated scale (thousands of entities) a rebuild takes milliseconds;
at 100k entities expect about a second and ~1 KB of memory per entity.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from api.queries import sparql
from graph.store import Store
from ontology.namespaces import CG, PREFIXES, split_entity_iri

STATUS_NAMES = {
    f"{CG}Verified": "VERIFIED",
    f"{CG}ReportedS00": "REPORTED(S00)",
    f"{CG}Unverified": "UNVERIFIED",
}
STANCE_NAMES = {f"{CG}Supports": "supports", f"{CG}Disputes": "disputes"}

_PREFIXES_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
_NON_WORD = re.compile(r"[^0-9a-z]+")


def curie(iri: str) -> str:
    """`cg:participant` for a known namespace, else the IRI itself."""
    for prefix, namespace in _PREFIXES_BY_LENGTH:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def fold(text: str) -> str:
    """Case- and accent-insensitive form: NFKD, combining marks dropped, casefolded, words only."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped.casefold()).strip()


def _date(term: ox.Literal | None) -> dt.date | None:
    if term is None:
        return None
    try:
        return dt.date.fromisoformat(term.value)
    except ValueError:
        return None


def _literal_value(term: ox.Literal) -> Any:
    """A JSON-safe Python value for a literal (numbers and booleans as such)."""
    datatype = term.datatype.value.removeprefix("http://www.w3.org/2001/XMLSchema#")
    value = term.value
    try:
        if datatype in {"integer", "int", "long", "short", "nonNegativeInteger"}:
            return int(value)
        if datatype in {"decimal", "double", "float"}:
            number = float(value)
            return int(number) if datatype == "decimal" and number.is_integer() else number
    except ValueError:
        return value
    if datatype == "boolean":
        return value in {"true", "1"}
    return value


@dataclass(slots=True)
class Entry:
    """One entity as the REST API lists it."""

    iri: str
    id: str
    kind: str
    label: str = ""
    label_lang: str | None = None
    description: str | None = None
    edtf: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    status: str | None = None
    types: tuple[str, ...] = ()
    type: str | None = None
    aliases: list[str] = field(default_factory=list)
    links: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    folded_label: str = ""
    folded_aliases: tuple[str, ...] = ()
    _summary: dict[str, Any] | None = None

    def summary(self) -> dict[str, Any]:
        """The summary object of the REST API (built once per catalog)."""
        if self._summary is None:
            self._summary = {
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
        return self._summary

    def is_a(self, cls: str) -> bool:
        return cls in self.types


@dataclass(slots=True)
class Claim:
    """One causal claim, folded from the rows of `claims.rq`."""

    iri: str
    id: str
    cause: str
    effect: str
    relation: str
    stance: str = "supports"
    confidence: float | None = None
    note: str | None = None
    asserted_by: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def stub_summary(iri: str) -> dict[str, Any]:
    """A summary for an IRI the catalog does not know (an external or unlabelled node)."""
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


class Catalog:
    """Entities, their search index, events in date order and claims; see the module doc."""

    def __init__(
        self,
        entries: Iterable[Entry],
        claims: Iterable[Claim],
        supers: dict[str, set[str]],
        triples: int,
    ) -> None:
        self.by_iri: dict[str, Entry] = {}
        self.by_id: dict[str, Entry] = {}
        for entry in sorted(entries, key=lambda e: (e.kind, e.id)):
            self.by_iri[entry.iri] = entry
            self.by_id.setdefault(entry.id, entry)
        self.supers = supers
        self.triples = triples
        self.claims = sorted(claims, key=lambda c: c.id)
        self.claims_by_id = {c.id: c for c in self.claims}
        self.claims_about: dict[str, list[Claim]] = defaultdict(list)
        for claim in self.claims:
            self.claims_about[claim.cause].append(claim)
            if claim.effect != claim.cause:
                self.claims_about[claim.effect].append(claim)
        self.referrers: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for entry in self.by_iri.values():
            for predicate, targets in entry.links.items():
                for target in targets:
                    self.referrers[target].append((predicate, entry.iri))
        self.events = sorted(
            (e for e in self.by_iri.values() if e.is_a("Event")),
            key=lambda e: (e.start is None, e.start or dt.date.max, e.label.casefold(), e.id),
        )
        self._event_starts = [e.start for e in self.events if e.start is not None]
        self._derived: dict[str, Any] = {}
        self._derived_lock = threading.Lock()

    def derived(self, name: str, compute: Callable[[], Any]) -> Any:
        """A value computed once per catalog (for example the networkx graphs)."""
        with self._derived_lock:
            if name not in self._derived:
                self._derived[name] = compute()
            return self._derived[name]

    # -- building ----------------------------------------------------------------------------

    @classmethod
    def build(cls, store: Store) -> Catalog:
        """Read everything the indexes need from the store."""
        entries: dict[str, Entry] = {}
        for row in store.select(sparql("entities")):
            iri = row["s"].value
            split = split_entity_iri(iri)
            if split is None or "/" in split[1]:
                continue
            entry = entries.get(iri)
            label = row["label"]
            if entry is None:
                entry = entries[iri] = Entry(iri=iri, id=split[1], kind=split[0])
            if not entry.label or (entry.label_lang and label.language in {None, "en"}):
                entry.label, entry.label_lang = label.value, label.language
            for name, attr in (("description", "description"), ("edtf", "edtf")):
                if row[name] is not None and getattr(entry, attr) is None:
                    setattr(entry, attr, row[name].value)
            entry.start = entry.start or _date(row["earliest"])
            entry.end = entry.end or _date(row["latest"])
            if row["status"] is not None and entry.status is None:
                entry.status = STATUS_NAMES.get(row["status"].value, curie(row["status"].value))
        supers: dict[str, set[str]] = defaultdict(set)
        for row in store.select(sparql("class_hierarchy")):
            supers[row["class"].value.removeprefix(CG)].add(row["super"].value.removeprefix(CG))
        types: dict[str, set[str]] = defaultdict(set)
        for row in store.select(sparql("entity_types")):
            types[row["s"].value].add(row["type"].value.removeprefix(CG))
        for iri, entry in entries.items():
            own = types.get(iri, set())
            closed = set(own)
            for cls_name in own:
                closed |= supers.get(cls_name, set())
            entry.types = tuple(sorted(closed))
            entry.type = _most_specific(closed, supers)
        for row in store.select(sparql("aliases")):
            entry = entries.get(row["s"].value)
            if entry is not None:
                entry.aliases.append(row["alias"].value)
        for row in store.select(sparql("links")):
            entry = entries.get(row["s"].value)
            if entry is not None:
                entry.links[curie(row["p"].value)].append(row["o"].value)
        for entry in entries.values():
            entry.folded_label = fold(entry.label)
            entry.folded_aliases = tuple(fold(alias) for alias in entry.aliases)
        claims = _claims(store)
        count = next(store.select(sparql("triple_count")))["n"]
        return cls(entries.values(), claims.values(), supers, int(count.value))

    # -- lookups -----------------------------------------------------------------------------

    def get(self, entity_id: str) -> Entry | None:
        return self.by_id.get(entity_id)

    def summary(self, iri: str) -> dict[str, Any]:
        entry = self.by_iri.get(iri)
        return entry.summary() if entry is not None else stub_summary(iri)

    def search(self, q: str | None, type_name: str | None) -> list[Entry]:
        """Entities whose label or an alias matches `q`, best match first; all if `q` is empty."""
        wanted = type_name.removeprefix("cg:") if type_name else None
        pool = [e for e in self.by_iri.values() if wanted is None or e.is_a(wanted)]
        folded = fold(q or "")
        if not folded:
            return sorted(pool, key=lambda e: (e.label.casefold(), e.id))
        scored = [(score, e) for e in pool if (score := _score(folded, e)) > 0]
        scored.sort(key=lambda item: (-item[0], len(item[1].label), item[1].label.casefold()))
        return [entry for _score_value, entry in scored]

    def events_between(self, start: dt.date | None, end: dt.date | None) -> Iterator[Entry]:
        """Events whose interval overlaps [start, end], by earliest start (undated last)."""
        if start is None and end is None:
            yield from self.events
            return
        stop = (
            bisect.bisect_right(self._event_starts, end)
            if end is not None
            else len(self._event_starts)
        )
        for event in self.events[:stop]:
            if start is not None and event.end is not None and event.end < start:
                continue
            yield event

    def places_within(self, place_iri: str) -> set[str]:
        """The place and every place located (transitively) in it."""
        inside: dict[str, list[str]] = defaultdict(list)
        for entry in self.by_iri.values():
            for parent in entry.links.get("cg:locatedIn", ()):
                inside[parent].append(entry.iri)
        found, todo = {place_iri}, [place_iri]
        while todo:
            for child in inside.get(todo.pop(), ()):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return found

    def claim_json(self, claim: Claim) -> dict[str, Any]:
        """A claim as the REST API returns it."""
        entry = self.by_iri.get(claim.iri)
        return {
            "id": claim.id,
            "iri": claim.iri,
            "label": entry.label if entry else claim.id,
            "cause": self.summary(claim.cause),
            "effect": self.summary(claim.effect),
            "relation": claim.relation,
            "stance": claim.stance,
            "confidence": claim.confidence,
            "note": claim.note,
            "asserted_by": [self.summary(iri) for iri in claim.asserted_by],
            "sources": [self.summary(iri) for iri in claim.sources],
            "status": entry.status if entry else None,
        }


def _most_specific(types: set[str], supers: dict[str, set[str]]) -> str | None:
    if not types:
        return None
    ancestors: set[str] = set()
    for name in types:
        ancestors |= supers.get(name, set())
    leaves = [name for name in types if name not in ancestors] or list(types)
    return max(leaves, key=lambda name: (len(supers.get(name, ())), name))


def _claims(store: Store) -> dict[str, Claim]:
    claims: dict[str, Claim] = {}
    for row in store.select(sparql("claims")):
        iri = row["claim"].value
        claim = claims.get(iri)
        if claim is None:
            split = split_entity_iri(iri)
            stance, confidence, note = row["stance"], row["confidence"], row["note"]
            claim = claims[iri] = Claim(
                iri=iri,
                id=split[1] if split else iri,
                cause=row["cause"].value,
                effect=row["effect"].value,
                relation=curie(row["relation"].value),
                stance=STANCE_NAMES.get(stance.value, "supports") if stance else "supports",
                confidence=float(confidence.value) if confidence is not None else None,
                note=note.value if note is not None else None,
            )
        by, source = row["by"], row["source"]
        if by is not None and by.value not in claim.asserted_by:
            claim.asserted_by.append(by.value)
        if source is not None and source.value not in claim.sources:
            claim.sources.append(source.value)
    return claims


def _score(folded_query: str, entry: Entry) -> int:
    """How well a folded query matches an entry: 0 for no match, higher is better."""
    best = _match(folded_query, entry.folded_label, exact=100, prefix=80, word=60, inner=40)
    for alias in entry.folded_aliases:
        best = max(best, _match(folded_query, alias, exact=90, prefix=70, word=50, inner=30))
    return best


def _match(query: str, text: str, *, exact: int, prefix: int, word: int, inner: int) -> int:
    if not text:
        return 0
    if text == query:
        return exact
    if text.startswith(query):
        return prefix
    words = text.split()
    tokens = query.split()
    if all(any(w.startswith(t) for w in words) for t in tokens):
        return word
    if query in text:
        return inner
    return 0


__all__ = ["Catalog", "Claim", "Entry", "curie", "fold", "stub_summary"]
