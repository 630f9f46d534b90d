"""docker-compose.yml and the Dockerfile, checked statically (no Docker engine runs here)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()
VARIABLE = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?P<op>:\?|:-|\?|-)?(?P<arg>[^}]*)\}")


def variables(node: object) -> list[re.Match[str]]:
    if isinstance(node, dict):
        return [m for value in node.values() for m in variables(value)]
    if isinstance(node, list):
        return [m for value in node for m in variables(value)]
    if isinstance(node, str):
        return list(VARIABLE.finditer(node.replace("$$", "")))
    return []


def test_services_and_wiring() -> None:
    services = COMPOSE["services"]
    assert set(services) == {"neo4j", "api"}
    assert services["neo4j"]["image"].startswith("neo4j:5.26")
    assert "community" in services["neo4j"]["image"]
    api = services["api"]
    assert api["build"] == "."
    assert api["environment"]["NEO4J_URI"] == "bolt://neo4j:7687"
    assert api["environment"]["CASEGRAPH_CYPHER_BACKEND"] == "neo4j"
    assert api["depends_on"]["neo4j"]["condition"] == "service_healthy"
    for service in services.values():
        assert "healthcheck" in service or service is api
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), "publish on loopback only by default"
    named = {v.split(":")[0] for s in services.values() for v in s.get("volumes", [])}
    assert named <= set(COMPOSE["volumes"])


def test_secrets_are_required_not_defaulted() -> None:
    found = variables(COMPOSE)
    password = [m for m in found if m["name"] == "NEO4J_PASSWORD"]
    assert password, "the compose file reads NEO4J_PASSWORD"
    assert all(m["op"] == ":?" for m in password), "NEO4J_PASSWORD must use ${VAR:?message}"
    assert "neo4j/password" not in (ROOT / "docker-compose.yml").read_text()
    for match in found:
        assert match["op"] in {":?", ":-"}, f"{match.group(0)} has neither a default nor a check"


def test_every_variable_resolves_with_the_password_set() -> None:
    env = {"NEO4J_PASSWORD": "secret"}
    for match in variables(COMPOSE):
        if match["op"] == ":?":
            assert match["name"] in env


def test_dockerfile_is_multi_stage_non_root_with_healthcheck() -> None:
    assert len(re.findall(r"^FROM ", DOCKERFILE, re.M)) >= 2
    user = re.findall(r"^USER (\S+)", DOCKERFILE, re.M)
    assert user and user[-1] not in {"root", "0"}
    assert "HEALTHCHECK" in DOCKERFILE and "/api/health" in DOCKERFILE
    assert "uv.lock" in DOCKERFILE and "--frozen" in DOCKERFILE
    for folder in ("ontology", "loaders", "graph", "api", "data"):
        assert f"COPY {folder} {folder}" in DOCKERFILE


def test_dockerfile_installs_runtime_wheels_only() -> None:
    syncs = re.findall(r"^RUN (uv sync .*)$", DOCKERFILE, re.M)
    assert syncs
    for command in syncs:
        assert "--no-dev" in command and "--no-build" in command, command
    final_stage = DOCKERFILE.rsplit("\nFROM ", 1)[1]
    assert "libgomp1" in final_stage, "the FalkorDB module links libgomp at run time"
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "var", ".git"} <= set(ignored)


def test_run_installs_runtime_dependencies_and_test_adds_the_dev_group() -> None:
    run = (ROOT / "scripts" / "run").read_text()
    assert "scripts/bootstrap --no-dev" in run
    assert "--no-sync" in run, "uv run would sync the dev group back in"
    test = (ROOT / "scripts" / "test").read_text()
    assert re.search(r"^scripts/bootstrap(\s|$)", test, re.M)
    assert "--no-dev" not in test
