#!/usr/bin/env bash
# How long a new user waits: a fresh clone, an empty uv cache, `./scripts/run` until
# /api/health answers 200 (target: 90 s). uv and Python 3.12 are taken as present (bootstrap
# installs uv with pip when it is missing; that minute is not counted here).
#
#   benchmarks/install.sh [REPO [BRANCH]]    (default: this repository, its current branch)
#
# Clones into a temporary folder, with UV_CACHE_DIR another empty temporary folder; starts
# scripts/run in its own process group on a free port and stops that group at the end.
# Writes benchmarks/results/install.json (seconds to clone and to serve; uv's own timings of the
# download and the install).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo="${1:-$here}"
branch="${2:-$(git -C "$repo" rev-parse --abbrev-ref HEAD)}"
limit_s="${INSTALL_BENCH_TIMEOUT_S:-600}"

work="$(mktemp -d)"
cache="$(mktemp -d)"
server=""
cleanup() {
  if [[ -n "$server" ]] && kill -0 "$server" 2>/dev/null; then
    kill -INT -- "-$server" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$server" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$server" 2>/dev/null || true
  fi
  rm -rf "$work" "$cache"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
ms() { date +%s%3N; }
start=$(ms)

git clone --quiet --branch "$branch" --single-branch "$repo" "$work/casegraph"
cloned=$(ms)

cd "$work/casegraph"
# setsid: scripts/run and everything it starts (uv, casegraph, redis-server) in one group.
UV_CACHE_DIR="$cache" setsid ./scripts/run --port "$port" >"$work/run.log" 2>&1 &
server=$!

served=""
while true; do
  if ! kill -0 "$server" 2>/dev/null; then
    echo "scripts/run exited before serving:" >&2
    tail -n 30 "$work/run.log" >&2
    exit 1
  fi
  if curl -fsS -o /dev/null "http://127.0.0.1:$port/api/health" 2>/dev/null; then
    served=$(ms)
    break
  fi
  if (($(ms) - start > limit_s * 1000)); then
    echo "not serving after $limit_s s:" >&2
    tail -n 30 "$work/run.log" >&2
    exit 1
  fi
  sleep 0.25
done

health="$(curl -fsS "http://127.0.0.1:$port/api/health")"
# The Cypher engines start and sync in the background: also time until health says they are
# ok (or have failed), when it reports them.
engines_state() {
  curl -fsS "http://127.0.0.1:$port/api/health" | python3 -c '
import json, sys
engines = json.load(sys.stdin).get("engines") or {}
states = {e["state"] for e in engines.values()}
print("done" if states <= {"ok", "failed", "unavailable"} else "waiting")'
}
while [[ "$(engines_state)" == waiting ]] && (($(ms) - start < limit_s * 1000)); do sleep 0.25; done
engines_done=$(ms)
engines_health="$(curl -fsS "http://127.0.0.1:$port/api/health")"
cache_mb="$(du -sm "$cache" | cut -f1)"
venv_mb="$(du -sm .venv | cut -f1)"
commit="$(git rev-parse --short HEAD)"

python3 - "$here/benchmarks/results/install.json" <<EOF
import json, os, platform, re, sys, time
start, cloned, served = $start / 1000, $cloned / 1000, $served / 1000
engines_done = $engines_done / 1000
log = open("$work/run.log", encoding="utf-8", errors="replace").read()
uv = {kind: m.group(0) for kind in ("Resolved", "Prepared", "Installed")
      for m in [re.search(kind + r" \d+ packages? in [\d.]+m?s", log)] if m}
result = {
    "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                "platform": platform.platform()},
    "date": time.strftime("%Y-%m-%d"),
    "command": "benchmarks/install.sh",
    "repo": "$repo", "branch": "$branch", "commit": "$commit",
    "loadavg_before": [float(x) for x in "$load_before".split()],
    "seconds_to_clone": round(cloned - start, 1),
    "uv_sync": uv,
    "seconds_to_serve_health": round(served - start, 1),
    "seconds_to_engines_ready": round(engines_done - start, 1),
    "target_seconds": 90,
    "uv_cache_mb": $cache_mb,
    "venv_mb": $venv_mb,
    "health": json.loads('''$health'''),
    "health_engines_ready": json.loads('''$engines_health'''),
}
with open(sys.argv[1], "w") as out:
    json.dump(result, out, indent=2)
    out.write("\n")
print(json.dumps(result, indent=2))
EOF
