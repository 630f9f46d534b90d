"""The property graph as files other tools read: GraphML, GEXF 1.3, node-link JSON, Neo4j CSV.

Every writer takes iterables of `NodeRecord` and `RelRecord` and streams them: memory stays
bounded whatever the size of the graph (XML and JSON are written by hand, record by record; no
networkx graph is built). GraphML and GEXF declare their attributes before the nodes, so the
nodes and edges go to a temporary file first and are copied after the declarations.

What a node and an edge carry, in every format (docs/property-graph.md has examples):

- a node: its id, the attribute `labels` (its labels) and its properties;
- an edge: a unique id `source|TYPE|key|target` (also the networkx multigraph key when read
  back), the attributes `type` and `rel_key` (the relationship's `key` property, renamed
  because networkx's readers reserve `key` for the multigraph key) and its properties.

GraphML and GEXF have no list or date types: lists are JSON text (`["Entity", "Event"]`, dates
inside as ISO strings), dates ISO strings, both typed `string`. An attribute declared with
mixed numeric types is `double`; any other mixture is `string` (the values as text). GEXF nodes
also have a `label` (the `label` property, else the id) and edges the label `TYPE`, as Gephi
shows them. Characters XML 1.0 cannot hold (control characters other than tab and line breaks)
are replaced by U+FFFD. Node-link JSON is networkx's layout (`nx.node_link_graph` reads it) with
native JSON values and dates as ISO strings.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final, Literal

from graph.records import NodeRecord, PropertyValue, RelRecord

FORMATS: Final = ("graphml", "gexf", "nodelink", "neo4j-csv")
type Format = Literal["graphml", "gexf", "nodelink", "neo4j-csv"]
type Domain = Literal["node", "edge"]

GRAPHML_NS: Final = "http://graphml.graphdrawing.org/xmlns"
GEXF_NS: Final = "http://gexf.net/1.3"
_XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ATTR_SPECIAL = re.compile('[&<>"\x00-\x1f\ufffe\uffff]')
_TEXT_SPECIAL = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]")
_ATTR_ESCAPES: Final = {
    ord("&"): "&amp;",
    ord("<"): "&lt;",
    ord(">"): "&gt;",
    ord('"'): "&quot;",
    ord("\n"): "&#10;",
    ord("\r"): "&#13;",
    ord("\t"): "&#9;",
}
_TEXT_ESCAPES: Final = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord("\r"): "&#13;"}


@dataclass(slots=True)
class ExportSummary:
    """What an export wrote."""

    format: str
    path: Path | None
    nodes: int = 0
    relationships: int = 0
    files: list[str] = field(default_factory=list)


def edge_id(rel: RelRecord) -> str:
    """The unique id of a relationship in the exports: `source|TYPE|key|target`."""
    return f"{rel.source}|{rel.type}|{rel.key}|{rel.target}"


def xml_kind(value: PropertyValue) -> str:
    """The GraphML/GEXF attribute type of a value (before mixing)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    return "string"


def mixed_kind(a: str, b: str) -> str:
    """The declared type of an attribute seen with values of types `a` and `b`."""
    if a == b:
        return a
    if {a, b} == {"long", "double"}:
        return "double"
    return "string"


def xml_text(value: PropertyValue) -> str:
    """A value as GraphML/GEXF text: lists as JSON, dates ISO, booleans `true`/`false`."""
    if type(value) is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(list(value), ensure_ascii=False, default=_iso)


def _iso(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {value!r}")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


@functools.lru_cache(maxsize=1 << 16)
def _attr(text: str) -> str:
    """Text for an XML attribute value (most values need nothing: one regex search)."""
    if _ATTR_SPECIAL.search(text) is None:
        return text
    return _clean(text).translate(_ATTR_ESCAPES)


@functools.lru_cache(maxsize=1 << 16)
def _text(text: str) -> str:
    """Text for XML character data."""
    if _TEXT_SPECIAL.search(text) is None:
        return text
    return _clean(text).translate(_TEXT_ESCAPES)


def node_attributes(node: NodeRecord) -> dict[str, PropertyValue]:
    """The attributes a node is exported with: `labels`, then its properties."""
    return {"labels": list(node.labels), **node.properties}


def edge_attributes(rel: RelRecord) -> dict[str, PropertyValue]:
    """The attributes an edge is exported with: `type`, `rel_key`, then its properties."""
    return {"type": rel.type, "rel_key": rel.key, **rel.properties}


class _Keys:
    """Attribute declarations collected while the body is written: (domain, name) -> id, type."""

    def __init__(self, prefix: Callable[[Domain, int], str]) -> None:
        self.prefix = prefix
        self.ids: dict[tuple[Domain, str], str] = {}
        self.kinds: dict[tuple[Domain, str], str] = {}
        self._seen: dict[tuple[Domain, str, type], str] = {}

    def id(self, domain: Domain, name: str, value: PropertyValue) -> str:
        seen = self._seen.get((domain, name, type(value)))
        if seen is not None:
            return seen
        key = (domain, name)
        kind = xml_kind(value)
        known = self.ids.get(key)
        if known is None:
            known = self.ids[key] = self.prefix(domain, len(self.ids))
            self.kinds[key] = kind
        elif self.kinds[key] != kind:
            self.kinds[key] = mixed_kind(self.kinds[key], kind)
        self._seen[(domain, name, type(value))] = known
        return known


def write_graphml(
    nodes: Iterable[NodeRecord], relationships: Iterable[RelRecord], out: IO[str]
) -> ExportSummary:
    """GraphML (a directed graph; networkx reads it with `nx.read_graphml`)."""
    keys = _Keys(lambda domain, n: f"{domain[0]}{n}")
    summary = ExportSummary("graphml", None)
    with tempfile.TemporaryFile("w+", encoding="utf-8") as body:
        write = body.write
        for node in nodes:
            parts = [f'    <node id="{_attr(node.id)}">']
            for name, value in node_attributes(node).items():
                key = keys.id("node", name, value)
                parts.append(f'<data key="{key}">{_text(xml_text(value))}</data>')
            parts.append("</node>\n")
            write("".join(parts))
            summary.nodes += 1
        for rel in relationships:
            parts = [
                f'    <edge id="{_attr(edge_id(rel))}" source="{_attr(rel.source)}" '
                f'target="{_attr(rel.target)}">'
            ]
            for name, value in edge_attributes(rel).items():
                key = keys.id("edge", name, value)
                parts.append(f'<data key="{key}">{_text(xml_text(value))}</data>')
            parts.append("</edge>\n")
            write("".join(parts))
            summary.relationships += 1
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(
            f'<graphml xmlns="{GRAPHML_NS}" xmlns:xsi="{_XSI}" xsi:schemaLocation="{GRAPHML_NS} '
            f'{GRAPHML_NS}/1.0/graphml.xsd">\n'
        )
        for (domain, name), key in keys.ids.items():
            kind = keys.kinds[(domain, name)]
            out.write(
                f'  <key id="{key}" for="{domain}" attr.name="{_attr(name)}" attr.type="{kind}"/>\n'
            )
        out.write('  <graph id="casegraph" edgedefault="directed">\n')
        body.seek(0)
        shutil.copyfileobj(body, out)
        out.write("  </graph>\n</graphml>\n")
    return summary


def write_gexf(
    nodes: Iterable[NodeRecord],
    relationships: Iterable[RelRecord],
    out: IO[str],
    *,
    today: dt.date | None = None,
) -> ExportSummary:
    """GEXF 1.3 (Gephi; networkx reads it with `nx.read_gexf`)."""
    keys = _Keys(lambda _domain, n: str(n))
    summary = ExportSummary("gexf", None)
    with tempfile.TemporaryFile("w+", encoding="utf-8") as body:
        write = body.write
        write("    <nodes>\n")
        for node in nodes:
            label = node.properties.get("label", node.id)
            write(
                f'      <node id="{_attr(node.id)}" label="{_attr(xml_text(label))}">'
                f"{_attvalues(keys, 'node', node_attributes(node))}</node>\n"
            )
            summary.nodes += 1
        write("    </nodes>\n    <edges>\n")
        for rel in relationships:
            write(
                f'      <edge id="{_attr(edge_id(rel))}" source="{_attr(rel.source)}" '
                f'target="{_attr(rel.target)}" label="{_attr(rel.type)}">'
                f"{_attvalues(keys, 'edge', edge_attributes(rel))}</edge>\n"
            )
            summary.relationships += 1
        write("    </edges>\n")
        date = (today or dt.date.today()).isoformat()
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(
            f'<gexf xmlns="{GEXF_NS}" xmlns:xsi="{_XSI}" '
            f'xsi:schemaLocation="{GEXF_NS} {GEXF_NS}/gexf.xsd" version="1.3">\n'
            f'  <meta lastmodifieddate="{date}"><creator>casegraph</creator>'
            "<description>The casegraph property graph</description></meta>\n"
            '  <graph defaultedgetype="directed" mode="static">\n'
        )
        for domain in ("node", "edge"):
            declared = [(n, k) for (d, n), k in keys.ids.items() if d == domain]
            if not declared:
                continue
            out.write(f'    <attributes class="{domain}" mode="static">\n')
            for name, key in declared:
                kind = keys.kinds[(domain, name)]
                out.write(f'      <attribute id="{key}" title="{_attr(name)}" type="{kind}"/>\n')
            out.write("    </attributes>\n")
        body.seek(0)
        shutil.copyfileobj(body, out)
        out.write("  </graph>\n</gexf>\n")
    return summary


def _attvalues(keys: _Keys, domain: Domain, attributes: Mapping[str, PropertyValue]) -> str:
    if not attributes:
        return ""
    parts = ["<attvalues>"]
    for name, value in attributes.items():
        key = keys.id(domain, name, value)
        parts.append(f'<attvalue for="{key}" value="{_attr(xml_text(value))}"/>')
    parts.append("</attvalues>")
    return "".join(parts)


def write_nodelink(
    nodes: Iterable[NodeRecord], relationships: Iterable[RelRecord], out: IO[str]
) -> ExportSummary:
    """networkx's node-link JSON (`nx.node_link_graph(json.load(f))` reads it)."""
    summary = ExportSummary("nodelink", None)
    dumps = json.JSONEncoder(ensure_ascii=False, default=_iso).encode
    out.write('{"directed": true, "multigraph": true, "graph": {"name": "casegraph"},\n')
    out.write(' "nodes": [')
    separator = "\n  "
    for node in nodes:
        record: dict[str, Any] = {"id": node.id, **node_attributes(node)}
        record["id"] = node.id
        out.write(separator + dumps(record))
        separator = ",\n  "
        summary.nodes += 1
    out.write('\n ],\n "edges": [')
    separator = "\n  "
    for rel in relationships:
        attributes: dict[str, Any] = dict(edge_attributes(rel))
        attributes.update(source=rel.source, target=rel.target, key=edge_id(rel))
        out.write(separator + dumps(attributes))
        separator = ",\n  "
        summary.relationships += 1
    out.write("\n ]}\n")
    return summary


def export_graph(
    format: str,
    nodes: Iterable[NodeRecord],
    relationships: Iterable[RelRecord],
    path: Path | None,
    *,
    stdout: IO[str] | None = None,
) -> ExportSummary:
    """Write the graph in `format` to `path` (a folder for `neo4j-csv`), or to `stdout`."""
    if format == "neo4j-csv":
        from graph.cypher.neo4j_csv import write_neo4j_csv

        if path is None:
            raise ValueError("neo4j-csv writes a folder of files: give a path")
        written = write_neo4j_csv(nodes, relationships, path)
        return ExportSummary(
            format,
            path,
            written.nodes,
            written.relationships,
            [*written.node_files, *written.relationship_files],
        )
    writers = {"graphml": write_graphml, "gexf": write_gexf, "nodelink": write_nodelink}
    writer = writers.get(format)
    if writer is None:
        raise ValueError(f"unknown graph format {format!r}; use one of {', '.join(FORMATS)}")
    if path is None:
        if stdout is None:
            raise ValueError("give a path or a stream")
        return writer(nodes, relationships, stdout)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        summary = writer(nodes, relationships, handle)
    summary.path = path
    return summary


__all__ = [
    "FORMATS",
    "ExportSummary",
    "edge_attributes",
    "edge_id",
    "export_graph",
    "mixed_kind",
    "node_attributes",
    "write_gexf",
    "write_graphml",
    "write_nodelink",
    "xml_kind",
    "xml_text",
]
