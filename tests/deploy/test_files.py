"""The deployment files: `docker compose config` where the compose plugin is installed, else the
same structure checked from the YAML; the nats-server configs parsed by the servers they are
for; the image multi-stage and non-root; the Kubernetes manifests complete."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from typing import Any

import pytest
import yaml

from . import servers

ROOT = servers.ROOT
SERVICES = ("submissions", "scoring", "nominations", "reporting", "audit")


def _env() -> dict[str, str]:
    return {
        **os.environ,
        **servers.password_env(servers.passwords()),
        "THIDUA_NATS_NODE": "nats",
    }


def _compose_plugin() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(
        ["docker", "compose", "version"], capture_output=True, check=False, timeout=30
    )
    return probe.returncode == 0


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


@pytest.mark.skipif(not _compose_plugin(), reason="docker compose plugin not installed")
@pytest.mark.parametrize("profile", [[], ["--profile", "cluster"]])
def test_docker_compose_accepts_the_file(profile: list[str]) -> None:
    done = subprocess.run(
        ["docker", "compose", *profile, "config", "--quiet"],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def test_compose_runs_every_part_with_health_checks_volumes_and_restarts() -> None:
    spec = compose()["services"]
    assert set(spec) == {"nats", "nats-2", "nats-3", "postgres", "provision", *SERVICES}
    for name, service in spec.items():
        assert service.get("restart") in {"unless-stopped", "no"}, name
        if name != "provision":
            assert service["healthcheck"]["test"], name
    for name in SERVICES:
        env = spec[name]["environment"]
        assert env["THIDUA_NATS_USER"] == name  # its own NATS user
        assert env[f"THIDUA_{name.upper()}_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert spec[name]["healthcheck"]["test"] == ["CMD", "thidua", "service", "status", name]
        assert spec[name]["depends_on"]["provision"]["condition"] == (
            "service_completed_successfully"
        )
    assert spec["audit"]["environment"]["THIDUA_PARTITIONS"] == "1"
    assert spec["provision"]["environment"]["THIDUA_NATS_USER"] == "admin"
    for node in ("nats-2", "nats-3"):
        assert spec[node]["profiles"] == ["cluster"]
    assert any("/data" in v for v in spec["nats"]["volumes"])
    assert any("/var/lib/postgresql/data" in v for v in spec["postgres"]["volumes"])
    major, minor = re.match(r"nats:(\d+)\.(\d+)", spec["nats"]["image"]).groups()  # type: ignore[union-attr]
    assert (int(major), int(minor)) >= (2, 10)  # single-node.conf needs sync_interval


def test_the_image_is_built_in_stages_and_runs_as_a_user() -> None:
    text = (ROOT / "deploy" / "Dockerfile").read_text()
    stages = re.findall(r"^FROM\s", text, flags=re.MULTILINE)
    assert len(stages) >= 2
    final = text.rsplit("\nFROM ", 1)[1]
    users = re.findall(r"^USER\s+(\S+)", final, flags=re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}
    assert "--uid 10001" in final


def test_kubernetes_manifests_cover_every_service_without_root() -> None:
    docs = [
        d
        for path in sorted((ROOT / "deploy" / "k8s").glob("*.yaml"))
        for d in yaml.safe_load_all(path.read_text())
        if d
    ]
    deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
    assert set(deployments) == set(SERVICES)
    assert any(d["kind"] == "Job" for d in docs)
    for name, d in deployments.items():
        pod = d["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        container = pod["containers"][0]
        assert container["args"] == ["service", "run", name]
        env = {e["name"]: e for e in container["env"]}
        assert env["THIDUA_REPLICA_ID"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
        assert env["THIDUA_NATS_USER"]["value"] == name


def _check(binary: str, config: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [binary, "-t", "-c", str(ROOT / "deploy" / "nats" / config)],
        env=_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )


def test_each_nats_config_is_accepted_by_the_servers_it_is_for() -> None:
    new = servers.binary((2, 10))
    for config in (
        "single-node.conf",
        "single-node-2.9.conf",
        "cluster-node-1.conf",
        "compose-cluster.conf",
    ):
        done = _check(new, config)
        assert done.returncode == 0, (config, done.stderr)
    old = servers.binary((2, 9))
    if servers.version(old) < (2, 10):
        for config in ("single-node-2.9.conf", "cluster-node-2.conf", "compose-cluster.conf"):
            done = _check(old, config)
            assert done.returncode == 0, (config, done.stderr)
        # Why the 2.9 variant exists: 2.9 refuses sync_interval.
        assert _check(old, "single-node.conf").returncode != 0


def test_the_example_environment_sets_every_password_the_accounts_read() -> None:
    wanted = set(
        re.findall(
            r"\$(THIDUA_NATS_\w+_PASSWORD)",
            (ROOT / "deploy" / "nats" / "accounts.conf").read_text(),
        )
    )
    example = (ROOT / "deploy" / "env.example").read_text()
    assert wanted == set(re.findall(r"^(THIDUA_NATS_\w+_PASSWORD)=", example, re.MULTILINE))
    assert wanted <= set(compose()["x-nats-passwords"])
