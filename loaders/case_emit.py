"""A parsed case file as RDF triples: each record's statements, with references resolved against
the document itself and the ids the caller knows, and the causal order of claims checked.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping

from pyoxigraph import NamedNode, Triple

from loaders import terms as t
from loaders.base import LoadReport
from loaders.case_model import (
    Agent,
    Claim,
    Dated,
    Event,
    Link,
    Measure,
    Observation,
    Place,
    Record,
    Source,
    Statement,
)
from loaders.case_parse import ParsedCaseFile
from loaders.edtf import EDTF, parse_edtf
from ontology.errors import LoadError
from ontology.namespaces import DCTERMS

CAUSAL_PROPERTY = {
    "causes": "causes",
    "contributes-to": "contributesTo",
    "enables": "enables",
    "triggers": "triggers",
    "prevents": "prevents",
    "responds-to": "respondsTo",
    "has-no-material-effect-on": "hasNoMaterialEffectOn",
    "precedes": "precedes",
    "escalates-to": "escalatesTo",
    "superseded-by": "supersededBy",
    "documented-in": "documentedIn",
    "evaluated-by": "evaluatedBy",
    "cited-as-analogy-by": "citedAsAnalogyBy",
    "credited-with": "creditedWith",
    "risk-to": "riskTo",
    "cited-by": "citedBy",
}
"""Relation names used in case files -> local names of the ontology's relation properties."""


_DESCRIPTION = NamedNode(f"{DCTERMS}description")


type Resolver = Callable[[str], str | None]
"""Maps a record id to its kind (`event`, `agent`, ...) or None when it is unknown."""


class Emitter:
    """Emits the triples of one parsed file's records, checking each reference as it goes."""

    def __init__(
        self,
        parsed: ParsedCaseFile,
        own: Mapping[str, str],
        resolve: Resolver,
        report: LoadReport,
    ) -> None:
        self.parsed = parsed
        self.own = own
        self.resolve = resolve
        self.report = report
        self.dates: dict[str, EDTF] = {}
        self.claims: list[tuple[str, int, Claim]] = []

    def kind_of(self, ref: str, loc: tuple[str | int, ...], record: str) -> str:
        kind = self.own.get(ref) or self.resolve(ref)
        if kind is None:
            raise LoadError(
                f"reference to undefined id {ref!r}",
                file=str(self.parsed.path),
                line=self.parsed.line_of(loc),
                record=record,
                field=".".join(map(str, loc)),
            )
        return kind

    def ref(
        self, ref: str, loc: tuple[str | int, ...], record: str, *, expect: set[str] | None = None
    ) -> NamedNode:
        kind = self.kind_of(ref, loc, record)
        if expect is not None and kind not in expect:
            raise LoadError(
                f"{ref!r} is a {kind}; expected a {' or '.join(sorted(expect))}",
                file=str(self.parsed.path),
                line=self.parsed.line_of(loc),
                record=record,
                field=".".join(map(str, loc)),
            )
        return t.entity(kind, ref)

    def refs(
        self,
        key: str,
        index: int,
        record: Record,
        field: str,
        prop: str,
        expect: set[str] | None = None,
    ) -> Iterator[Triple]:
        subject = t.entity(self.own[record.id], record.id)
        for position, ref in enumerate(getattr(record, field)):
            target = self.ref(ref, (key, index, field, position), record.id, expect=expect)
            yield Triple(subject, t.cg(prop), target)

    def record(self, key: str, kind: str, index: int, record: Record) -> Iterator[Triple]:
        subject = t.entity(kind, record.id)
        yield Triple(subject, t.RDF_TYPE, t.cg(_class_of(record)))
        yield Triple(subject, t.RDFS_LABEL, t.text(record.label or _generated_label(record)))
        for alias in record.aliases:
            if isinstance(alias, str):
                yield Triple(subject, t.SKOS_ALT_LABEL, t.text(alias))
            else:
                yield Triple(subject, t.SKOS_ALT_LABEL, t.text(alias.text, alias.lang))
        if record.description:
            yield Triple(subject, _DESCRIPTION, t.text(record.description))
        for casebook_id in record.casebook_id:
            yield Triple(subject, t.cg("casebookId"), t.text(casebook_id))
        if record.status:
            yield Triple(subject, t.cg("status"), t.STATUS_IRIS[record.status])
        if record.status_note:
            yield Triple(subject, t.cg("statusNote"), t.text(record.status_note))
        yield from self.refs(key, index, record, "sources", "source", {"source"})
        yield from self.refs(key, index, record, "cases", "inCase", {"case"})
        qid = getattr(record, "wikidata", None)
        if qid:
            yield Triple(subject, t.SKOS_EXACT_MATCH, t.wikidata(qid))
        if isinstance(record, Dated) and record.date:
            value = parse_edtf(record.date)
            self.dates[record.id] = value
            yield from t.date_triples(subject, value)
        yield from self.specific(key, index, record, subject)

    def specific(
        self, key: str, index: int, record: Record, subject: NamedNode
    ) -> Iterator[Triple]:
        if isinstance(record, Source):
            if record.publisher:
                yield Triple(subject, t.cg("publisher"), t.text(record.publisher))
            for author in record.authors:
                yield Triple(subject, t.cg("author"), t.text(author))
            for position, url in enumerate(record.urls):
                try:
                    node = NamedNode(url)
                except ValueError as e:
                    raise LoadError(
                        f"not a valid IRI: {url!r} ({e})",
                        file=str(self.parsed.path),
                        line=self.parsed.line_of((key, index, "urls", position)),
                        record=record.id,
                        field=f"{key}.{index}.urls.{position}",
                    ) from e
                yield Triple(subject, t.cg("url"), node)
            if record.note:
                yield Triple(subject, t.cg("note"), t.text(record.note))
        elif isinstance(record, Agent):
            yield from self.refs(key, index, record, "member_of", "memberOf", {"agent"})
            yield from self.refs(key, index, record, "based_in", "basedIn", {"place"})
        elif isinstance(record, Place):
            yield from self.refs(key, index, record, "located_in", "locatedIn", {"place"})
            if record.latitude is not None:
                yield Triple(subject, t.cg("latitude"), t.decimal(record.latitude))
            if record.longitude is not None:
                yield Triple(subject, t.cg("longitude"), t.decimal(record.longitude))
        elif isinstance(record, Event):
            yield from self.refs(key, index, record, "participants", "participant", {"agent"})
            yield from self.refs(key, index, record, "targets", "target", {"agent", "place"})
            yield from self.refs(key, index, record, "places", "place", {"place"})
            yield from self.refs(key, index, record, "part_of", "partOf", {"event"})
        elif isinstance(record, Measure):
            if record.unit:
                yield Triple(subject, t.cg("unit"), t.text(record.unit))
        elif isinstance(record, Observation):
            yield from self.observation(key, index, record, subject)
        elif isinstance(record, Statement):
            yield from self.refs(key, index, record, "about", "about")
        elif isinstance(record, Claim):
            yield from self.claim(key, index, record, subject)
        elif isinstance(record, Link):
            yield from self.link(key, index, record, subject)

    def observation(
        self, key: str, index: int, record: Observation, subject: NamedNode
    ) -> Iterator[Triple]:
        measure = self.ref(record.measure, (key, index, "measure"), record.id, expect={"measure"})
        yield Triple(subject, t.cg("measure"), measure)
        yield Triple(subject, t.cg("value"), t.decimal(record.value))
        yield Triple(subject, t.cg("qualifier"), t.text(record.qualifier))
        if record.unit:
            yield Triple(subject, t.cg("unit"), t.text(record.unit))
        if record.place:
            place = self.ref(record.place, (key, index, "place"), record.id, expect={"place"})
            yield Triple(subject, t.cg("refPlace"), place)
        if record.revision:
            yield Triple(subject, t.cg("revision"), t.text(record.revision))
        if record.note:
            yield Triple(subject, t.cg("note"), t.text(record.note))
        yield from self.refs(key, index, record, "about", "about")

    def claim(self, key: str, index: int, record: Claim, subject: NamedNode) -> Iterator[Triple]:
        cause = self.ref(record.cause, (key, index, "cause"), record.id)
        effect = self.ref(record.effect, (key, index, "effect"), record.id)
        yield Triple(subject, t.RDF_TYPE, t.cg("Claim"))
        yield Triple(subject, t.cg("cause"), cause)
        yield Triple(subject, t.cg("effect"), effect)
        yield Triple(subject, t.cg("relation"), t.cg(CAUSAL_PROPERTY[record.relation]))
        yield from self.refs(key, index, record, "asserted_by", "assertedBy", {"agent"})
        stance = "Supports" if record.stance == "supports" else "Disputes"
        yield Triple(subject, t.cg("stance"), t.cg(stance))
        yield Triple(subject, t.cg("confidence"), t.decimal(record.confidence))
        yield Triple(subject, t.cg("note"), t.text(record.note))
        self.claims.append((key, index, record))

    def link(self, key: str, index: int, record: Link, subject: NamedNode) -> Iterator[Triple]:
        yield Triple(subject, t.cg("linkRelation"), t.cg(CAUSAL_PROPERTY[record.relation]))
        for position, basis in enumerate(record.basis):
            node = self.ref(
                basis, (key, index, "basis", position), record.id, expect={"claim", "source"}
            )
            yield Triple(subject, t.cg("basis"), node)
        for position, claim in enumerate(record.illustrates):
            node = self.ref(
                claim, (key, index, "illustrates", position), record.id, expect={"claim"}
            )
            yield Triple(subject, t.cg("illustrates"), node)
        if record.note:
            yield Triple(subject, t.cg("note"), t.text(record.note))
        elements = [
            [(position, element)]
            if isinstance(element, str)
            else [(position, item) for item in element]
            for position, element in enumerate(record.chain)
        ]
        step = 0
        for left, right in itertools.pairwise(elements):
            for left_pos, left_id in left:
                for right_pos, right_id in right:
                    step += 1
                    node = NamedNode(f"{t.entity('link', record.id).value}/step-{step}")
                    source = self.ref(left_id, (key, index, "chain", left_pos), record.id)
                    target = self.ref(right_id, (key, index, "chain", right_pos), record.id)
                    yield Triple(subject, t.cg("step"), node)
                    yield Triple(node, t.RDF_TYPE, t.cg("LinkStep"))
                    yield Triple(node, t.RDFS_LABEL, t.text(f"{left_id} → {right_id}"))
                    yield Triple(node, t.cg("from"), source)
                    yield Triple(node, t.cg("to"), target)
                    yield Triple(node, t.cg("stepIndex"), t.integer(step))

    def check_causal_order(self) -> None:
        """Warn (do not fail) when a claim's cause is dated certainly after its effect."""
        for _key, _index, claim in self.claims:
            cause, effect = self.dates.get(claim.cause), self.dates.get(claim.effect)
            if (
                cause
                and effect
                and cause.earliest
                and effect.latest
                and cause.earliest > effect.latest
            ):
                self.report.warnings.append(
                    f"{self.parsed.path}: claim {claim.id}: its cause {claim.cause} "
                    f"({cause.text}) is dated after its effect {claim.effect} ({effect.text})"
                )


def _class_of(record: Record) -> str:
    record_type = getattr(record, "type", None)
    if isinstance(record_type, str):
        return record_type
    return {
        "Case": "Case",
        "Phenomenon": "Phenomenon",
        "Measure": "Measure",
        "Observation": "Observation",
        "Statement": "Statement",
        "Claim": "CausalClaim",
        "Link": "Link",
    }[type(record).__name__]


def _generated_label(record: Record) -> str:
    if isinstance(record, Claim):
        return f"{record.cause} {record.relation.replace('-', ' ')} {record.effect}"
    if isinstance(record, Observation):
        return f"{record.measure}: {record.value:g} ({record.date or 'undated'})"
    if isinstance(record, Link):
        return f"{record.relation.replace('-', ' ')}: " + " → ".join(
            element if isinstance(element, str) else ", ".join(element) for element in record.chain
        )
    return record.id
