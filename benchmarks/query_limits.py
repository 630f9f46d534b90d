"""Where the engines' parsers crash or stall, and what the query guard's limits leave of it.

1. pyoxigraph: for each shape (nested groups, parentheses, `!`, OPTIONAL, function calls,
   chained BIND / `+` / UNION, nested JSON-LD objects), the smallest size that kills a fresh
   process (bisection, one subprocess per try, 8 MiB stack);
2. FalkorDB: the first parse (no plan cache) of `RETURN ((…(1)…))` and nested `CASE` by depth;
3. FalkorDB at the guard's limits: random mixes of nested constructs at the deepest and most
   numerous the guard accepts; the slowest first parse.

    uv run python benchmarks/query_limits.py            # all, a few minutes
    uv run python benchmarks/query_limits.py --quick    # fewer shapes and mixes
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import random
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import write_results  # noqa: E402
from graph import query_guard  # noqa: E402

SPARQL_SHAPES: dict[str, str] = {
    "nested {": "'SELECT * { ' + '{' * n + '}' * n + ' }'",
    "nested ( in FILTER": "'SELECT * { FILTER(' + '(' * n + '1' + ')' * n + ') }'",
    "! run": "'SELECT * { FILTER(' + '!' * n + 'true) }'",
    "nested OPTIONAL": "'SELECT * { ?s ?p ?o ' + 'OPTIONAL { ?s ?p ?o ' * n + '}' * n + ' }'",
    "nested STR(": "'SELECT * { FILTER(' + 'STR(' * n + '1' + ')' * n + ') }'",
    "BIND chain": "'SELECT * { ' + ''.join(f'BIND(1 AS ?v{i}) ' for i in range(n)) + '}'",
    "+ chain": "'SELECT * { FILTER(' + '1 + ' * n + '1 > 0) }'",
    "UNION chain": "'SELECT * { ' + '{ ?s ?p ?o } UNION ' * n + '{ ?s ?p ?o } }'",
    "JSON-LD objects": (
        '\'{"@id": "http://a/", "http://p/q": \''
        " + '{\"http://p/q\": ' * n + '1' + '}' * (n + 1)"
    ),
}
RUN = textwrap.dedent(
    """
    import sys, pyoxigraph as ox
    shape, n = sys.argv[1], int(sys.argv[2])
    text = eval(shape)
    if text.startswith("{"):
        list(ox.parse(text.encode(), format=ox.RdfFormat.JSON_LD))
    else:
        try:
            result = ox.Store().query(text)
            if not isinstance(result, ox.QueryBoolean):
                list(result)
        except SyntaxError:
            pass
    """
)


def crashes(shape: str, n: int) -> bool:
    result = subprocess.run(
        [sys.executable, "-c", RUN, shape, str(n)], capture_output=True, timeout=600, check=False
    )
    return result.returncode < 0


def crash_threshold(shape: str, high: int = 40_000) -> int | None:
    """The smallest n (within 2 %) that kills the process, or None up to `high`."""
    if not crashes(shape, high):
        return None
    low = 1
    while high - low > max(1, low // 50):
        middle = (low + high) // 2
        if crashes(shape, middle):
            high = middle
        else:
            low = middle
    return high


def falkordb_parse_ms(backend: Any, body: str, counter: itertools.count[int]) -> float:
    from ontology.errors import CasegraphError

    query = f"RETURN {body} AS x{next(counter)}"  # a new text each time: no plan cache
    started = time.perf_counter()
    with contextlib.suppress(CasegraphError):  # type errors are fine: the parse is timed
        backend.query(query, read_only=True, timeout_s=120)
    return (time.perf_counter() - started) * 1000


NESTING = [
    ("(", ")"),
    ("[", "]"),
    ("{a: ", "}"),
    ("NOT ", ""),
    ("- ", ""),
    ("abs(", ")"),
    ("[x IN [1] | ", "]"),
    ("CASE WHEN true THEN ", " END"),
    ("size([", "])"),
    ("coalesce(", ", 1)"),
    ("reduce(s = 0, x IN [1] | ", ")"),
    ("(1 + ", ")"),
    ("all(x IN [1] WHERE ", ")"),
    ("toString(", ")"),
]


def nest(pattern: list[tuple[str, str]], depth: int, inner: str) -> str:
    opens = [pattern[i % len(pattern)] for i in range(depth)]
    return "".join(o for o, _ in opens) + inner + "".join(c for _, c in reversed(opens))


def accepted(text: str) -> bool:
    try:
        query_guard.check_cypher(text)
    except query_guard.QueryRefused:
        return False
    return True


def at_the_limits(backend: Any, trials: int, counter: itertools.count[int]) -> dict[str, Any]:
    rng = random.Random(15)
    worst: tuple[float, str] = (0.0, "")
    for _ in range(trials):
        pattern = rng.sample(NESTING, rng.randint(1, 4))
        depth = 1
        while accepted("RETURN " + nest(pattern, depth + 1, "1") + " AS x"):
            depth += 1
        body = nest(pattern, depth, "1")
        copies = 1
        while copies < 5000 and accepted("RETURN " + ", ".join([body] * (copies + 1))):
            copies += 1
        ms = falkordb_parse_ms(backend, ", ".join([body] * copies), counter)
        if ms > worst[0]:
            worst = (ms, f"{copies} x {body[:120]}")
    return {"trials": trials, "slowest_ms": round(worst[0], 1), "slowest_text": worst[1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    shapes = list(SPARQL_SHAPES.items())[: 3 if args.quick else None]
    pyoxigraph = {}
    for name, shape in shapes:
        pyoxigraph[name] = crash_threshold(shape)
        print(f"pyoxigraph {name}: crashes from {pyoxigraph[name]}", flush=True)

    from graph.cypher import FalkorDBBackend

    counter = itertools.count()
    with tempfile.TemporaryDirectory() as folder:
        backend = FalkorDBBackend(Path(folder) / "falkordb", socket_timeout_s=600)
        try:
            by_depth = {}
            for depth in range(6, 15 if args.quick else 17):
                by_depth[depth] = {
                    "parentheses": round(
                        falkordb_parse_ms(backend, nest([("(", ")")], depth, "1"), counter), 1
                    ),
                    "CASE": round(
                        falkordb_parse_ms(backend, nest([NESTING[7]], depth, "1"), counter), 1
                    ),
                }
                print(f"FalkorDB depth {depth}: {by_depth[depth]} ms", flush=True)
            limits = at_the_limits(backend, 20 if args.quick else 120, counter)
            print(f"FalkorDB at the guard's limits: {limits}", flush=True)
        finally:
            backend.close()
    path = write_results(
        "query_limits",
        {
            "pyoxigraph_crash_from": pyoxigraph,
            "falkordb_first_parse_ms_by_depth": by_depth,
            "falkordb_at_the_guard_limits": limits,
            "guard": {
                "sparql_max_depth": query_guard.SPARQL_MAX_DEPTH,
                "sparql_max_operators": query_guard.SPARQL_MAX_OPERATORS,
                "cypher_max_depth": query_guard.CYPHER_MAX_DEPTH,
                "cypher_max_cost": query_guard.CYPHER_MAX_COST,
            },
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
