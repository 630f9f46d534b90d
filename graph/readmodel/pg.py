"""Property-graph records (`graph.records`) as the read model stores them: JSON bytes that keep
dates as dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import orjson

from graph.records import NodeRecord, PropertyValue, RelRecord

SEP = "\x1f"
"""Separates the parts of a relationship key in `pg_change` (type, source, target, key)."""


def _plain(properties: Mapping[str, PropertyValue]) -> tuple[dict[str, Any], list[str]]:
    dates = []
    for name, value in properties.items():
        if isinstance(value, dt.date) or (
            isinstance(value, list | tuple) and value and isinstance(value[0], dt.date)
        ):
            dates.append(name)
    return dict(properties), sorted(dates)


def _typed(properties: dict[str, Any], dates: list[str]) -> dict[str, PropertyValue]:
    for name in dates:
        value = properties.get(name)
        if isinstance(value, str):
            properties[name] = dt.date.fromisoformat(value)
        elif isinstance(value, list):
            properties[name] = [dt.date.fromisoformat(v) for v in value]
    return properties


def encode_node(node: NodeRecord) -> bytes:
    props, dates = _plain(node.properties)
    return orjson.dumps(
        {"id": node.id, "labels": list(node.labels), "props": props, "dates": dates}
    )


def decode_node(data: bytes) -> NodeRecord:
    raw = orjson.loads(data)
    return NodeRecord(raw["id"], tuple(raw["labels"]), _typed(raw["props"], raw["dates"]))


def encode_rel(rel: RelRecord) -> bytes:
    props, dates = _plain(rel.properties)
    return orjson.dumps(
        {
            "type": rel.type,
            "source": rel.source,
            "target": rel.target,
            "key": rel.key,
            "props": props,
            "dates": dates,
        }
    )


def decode_rel(data: bytes) -> RelRecord:
    raw = orjson.loads(data)
    return RelRecord(
        raw["type"], raw["source"], raw["target"], raw["key"], _typed(raw["props"], raw["dates"])
    )


def rel_change_key(rel_type: str, source: str, target: str, key: str) -> str:
    return SEP.join((rel_type, source, target, key))


def split_rel_change_key(text: str) -> tuple[str, str, str, str]:
    rel_type, source, target, key = text.split(SEP)
    return rel_type, source, target, key


__all__ = [
    "decode_node",
    "decode_rel",
    "encode_node",
    "encode_rel",
    "rel_change_key",
    "split_rel_change_key",
]
