"""Deterministic synthetic data shaped like the curated cases, as N-Triples.

Cases with dated events (a few subtypes, sub-events), actors (people and organisations with
memberships), places (countries, regions, cities), sources, causal claims (cause, effect,
relation, asserter, source, stance, confidence, note) and observations. The proportions follow
the curated data; the names are generated and mean nothing.

    uv run python benchmarks/generate.py --triples 1000000 -o var/bench/synthetic-1m.nt
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loaders import terms as t
from loaders.edtf import parse_edtf

EVENT_TYPES = (
    "Event",
    "MilitaryOperation",
    "Arrest",
    "Designation",
    "LegislativeAction",
    "Publication",
    "Strike",
    "ExecutiveAction",
)
AGENT_TYPES = ("Person", "Person", "CriminalOrganization", "GovernmentAgency", "NGO")
RELATIONS = (
    "causes",
    "contributesTo",
    "enables",
    "triggers",
    "prevents",
    "respondsTo",
    "hasNoMaterialEffectOn",
)
STATUSES = tuple(t.STATUS_IRIS.values())
TRIPLES_PER_CASE = 1_950
"""About how many triples one generated case yields (measured); used to size the output."""


def _date(rng: random.Random) -> str:
    day = dt.date(1990, 1, 1) + dt.timedelta(days=rng.randrange(0, 35 * 365))
    shape = rng.random()
    if shape < 0.6:
        return day.isoformat()
    if shape < 0.75:
        return day.strftime("%Y-%m")
    if shape < 0.85:
        return f"{day.year}~"
    end = day + dt.timedelta(days=rng.randrange(1, 900))
    return f"{day.isoformat()}/{end.isoformat()}"


def case_triples(index: int, rng: random.Random) -> Iterator[ox.Triple]:
    """One case: 60 events, 25 agents, 8 places, 10 sources, 40 claims, 30 observations."""
    prefix = f"c{index}"
    case = t.entity("case", prefix)
    yield ox.Triple(case, t.RDF_TYPE, t.cg("Case"))
    yield ox.Triple(case, t.RDFS_LABEL, t.text(f"Case {index}"))
    places = [t.entity("place", f"{prefix}-p{i}") for i in range(8)]
    for i, place in enumerate(places):
        yield ox.Triple(place, t.RDF_TYPE, t.cg("Country" if i == 0 else "City"))
        yield ox.Triple(place, t.RDFS_LABEL, t.text(f"Place {index}.{i}"))
        if i:
            yield ox.Triple(place, t.cg("locatedIn"), places[0])
    sources = [t.entity("source", f"{prefix}-s{i}") for i in range(10)]
    for i, source in enumerate(sources):
        yield ox.Triple(source, t.RDF_TYPE, t.cg("NewsArticle" if i % 3 else "Report"))
        yield ox.Triple(source, t.RDFS_LABEL, t.text(f"Source {index}.{i}"))
        yield ox.Triple(source, t.cg("publisher"), t.text(f"Publisher {i % 4}"))
        yield from t.date_triples(source, parse_edtf(_date(rng)))
    agents = [t.entity("agent", f"{prefix}-a{i}") for i in range(25)]
    for i, agent in enumerate(agents):
        yield ox.Triple(agent, t.RDF_TYPE, t.cg(rng.choice(AGENT_TYPES)))
        yield ox.Triple(agent, t.RDFS_LABEL, t.text(f"Agent {index}.{i}"))
        yield ox.Triple(agent, t.SKOS_ALT_LABEL, t.text(f"A{index}-{i}"))
        yield ox.Triple(agent, t.cg("basedIn"), rng.choice(places))
        if i > 5:
            yield ox.Triple(agent, t.cg("memberOf"), agents[rng.randrange(0, 5)])
    events = [t.entity("event", f"{prefix}-e{i}") for i in range(60)]
    for i, event in enumerate(events):
        yield ox.Triple(event, t.RDF_TYPE, t.cg(rng.choice(EVENT_TYPES)))
        yield ox.Triple(event, t.RDFS_LABEL, t.text(f"Event {index}.{i}"))
        yield ox.Triple(event, t.cg("status"), rng.choice(STATUSES))
        yield ox.Triple(event, t.cg("inCase"), case)
        yield from t.date_triples(event, parse_edtf(_date(rng)))
        for agent in rng.sample(agents, 2):
            yield ox.Triple(event, t.cg("participant"), agent)
        yield ox.Triple(event, t.cg("target"), rng.choice(agents))
        yield ox.Triple(event, t.cg("place"), rng.choice(places))
        yield ox.Triple(event, t.cg("source"), rng.choice(sources))
        if i % 6:
            yield ox.Triple(event, t.cg("partOf"), events[i - i % 6])
    for i in range(40):
        claim = t.entity("claim", f"{prefix}-cl{i}")
        cause, effect = rng.sample(events, 2)
        yield ox.Triple(claim, t.RDF_TYPE, t.cg("CausalClaim"))
        yield ox.Triple(claim, t.RDFS_LABEL, t.text(f"Claim {index}.{i}"))
        yield ox.Triple(claim, t.cg("cause"), cause)
        yield ox.Triple(claim, t.cg("effect"), effect)
        yield ox.Triple(claim, t.cg("relation"), t.cg(rng.choice(RELATIONS)))
        yield ox.Triple(claim, t.cg("assertedBy"), rng.choice(agents))
        yield ox.Triple(claim, t.cg("source"), rng.choice(sources))
        stance = "Supports" if rng.random() < 0.8 else "Disputes"
        yield ox.Triple(claim, t.cg("stance"), t.cg(stance))
        yield ox.Triple(claim, t.cg("confidence"), t.decimal(round(rng.random(), 2)))
        yield ox.Triple(claim, t.cg("note"), t.text(f"Generated claim {index}.{i}"))
    measure = t.entity("measure", f"{prefix}-m")
    yield ox.Triple(measure, t.RDF_TYPE, t.cg("Measure"))
    yield ox.Triple(measure, t.RDFS_LABEL, t.text(f"Measure {index}"))
    for i in range(30):
        observation = t.entity("observation", f"{prefix}-o{i}")
        yield ox.Triple(observation, t.RDF_TYPE, t.cg("Observation"))
        yield ox.Triple(observation, t.RDFS_LABEL, t.text(f"Observation {index}.{i}"))
        yield ox.Triple(observation, t.cg("measure"), measure)
        yield ox.Triple(observation, t.cg("value"), t.decimal(rng.randrange(0, 100_000)))
        yield ox.Triple(observation, t.cg("refPlace"), places[0])
        yield ox.Triple(observation, t.cg("source"), rng.choice(sources))
        yield from t.date_triples(observation, parse_edtf(str(1990 + i)))


def generate(triples: int, *, seed: int = 42) -> Iterator[ox.Triple]:
    """About `triples` triples (whole cases), the same for the same seed."""
    rng = random.Random(seed)
    cases = max(1, round(triples / TRIPLES_PER_CASE))
    for index in range(cases):
        yield from case_triples(index, rng)


def write(path: Path, triples: int, *, seed: int = 42) -> int:
    """Write N-Triples; return how many triples were written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0

    def counted() -> Iterator[ox.Triple]:
        nonlocal count
        for triple in generate(triples, seed=seed):
            count += 1
            yield triple

    with path.open("wb") as handle:
        ox.serialize(counted(), handle, ox.RdfFormat.N_TRIPLES)
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    count = write(args.output, args.triples, seed=args.seed)
    print(f"wrote {count} triples to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
