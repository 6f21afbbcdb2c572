"""The files a school deploys with: the Kubernetes manifests checked against the API's schemas
(kubernetes-validate, offline), the replicas' proxy configuration checked by HAProxy itself, and
what each promises (health probes, sizes, cookie affinity, a relay with minted credentials)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from app_server import REPO

KUBERNETES = REPO / "deploy" / "kubernetes"
HAPROXY_CFG = REPO / "deploy" / "haproxy.cfg"


def _validate(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kubernetes_validate", "--strict", *map(str, paths)],
                          capture_output=True, text=True)


def _manifests() -> dict[str, dict]:
    documents = [doc for path in sorted(KUBERNETES.glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text())]
    return {f"{doc['kind']}/{doc['metadata']['name']}": doc for doc in documents}


def test_the_kubernetes_manifests_pass_the_api_schemas_and_a_misspelt_field_does_not(tmp_path):
    checked = _validate(*sorted(KUBERNETES.glob("*.yaml")))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count(" passed ") == 5, checked.stdout
    misspelt = tmp_path / "misspelt.yaml"
    misspelt.write_text((KUBERNETES / "emotion-mirror.yaml").read_text().replace("readinessProbe:", "readinesProbe:"))
    assert _validate(misspelt).returncode != 0


def test_replicas_are_probed_sized_from_the_live_benchmark_and_kept_per_session():
    manifests = _manifests()
    app = manifests["Deployment/emotion-mirror"]["spec"]["template"]["spec"]
    assert app["securityContext"]["runAsNonRoot"] and app["securityContext"]["runAsUser"] == 10001
    container = app["containers"][0]
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/_stcore/health"
    requests = container["resources"]["requests"]
    assert float(requests["cpu"]) >= 1 and requests["memory"].endswith("Mi") and int(requests["memory"][:-2]) >= 400
    secret = {e["name"]: e for e in container["env"]}["EMOTION_TURN_SECRET"]["valueFrom"]["secretKeyRef"]
    annotations = manifests["Ingress/emotion-mirror"]["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600  # websockets stay open
    metric = manifests["HorizontalPodAutoscaler/emotion-mirror"]["spec"]["metrics"][0]["resource"]
    assert metric["name"] == "cpu"
    coturn = manifests["Deployment/coturn"]["spec"]["template"]["spec"]
    args = coturn["containers"][0]["args"]
    assert "--use-auth-secret" in args and "--static-auth-secret=$(TURN_SECRET)" in args
    assert coturn["containers"][0]["env"][0]["valueFrom"]["secretKeyRef"] == secret  # one secret, shared
    assert coturn["hostNetwork"] and {p["protocol"] for p in coturn["containers"][0]["ports"]} == {"UDP", "TCP"}


def test_the_compose_file_runs_replicas_behind_a_sticky_proxy_and_a_relay_with_minted_credentials():
    compose = yaml.safe_load((REPO / "compose.yaml").read_text())["services"]
    assert set(compose) == {"app", "proxy", "turn"}
    assert compose["app"]["build"]["dockerfile"] == "Containerfile" and "BASE_IMAGE" in compose["app"]["build"]["args"]
    assert "APP_REPLICAS" in str(compose["app"]["deploy"]["replicas"])
    assert compose["app"]["environment"]["EMOTION_TURN_SECRET"].startswith("${TURN_SECRET")
    assert "./deploy/haproxy.cfg:" in compose["proxy"]["volumes"][0]
    assert "--use-auth-secret" in compose["turn"]["command"] and "--static-auth-secret=${TURN_SECRET}" in compose["turn"]["command"]
    config = HAPROXY_CFG.read_text()
    assert re.search(r"^\s*cookie SERVERID insert indirect nocache dynamic", config, re.M)
    assert re.search(r"^\s*timeout tunnel", config, re.M)  # the page's websocket outlives an HTTP timeout


def test_compose_renders_with_the_secrets_given_and_refuses_to_start_without_them(tmp_path):
    """podman-compose reads compose.yaml as `podman compose up` would: the relay's address reaches the app's
    settings, and without TURN_SECRET it stops with the sentence the file gives."""
    command = [sys.executable, "-m", "podman_compose", "-f", str(REPO / "compose.yaml"), "config"]
    secret = "a-test-secret"
    given = {**os.environ, "TURN_HOST": "emotion.example.org", "TURN_SECRET": secret}
    rendered = subprocess.run(command, capture_output=True, text=True, env=given, cwd=tmp_path)
    assert rendered.returncode == 0, rendered.stderr[-2000:]
    services = yaml.safe_load(rendered.stdout)["services"]
    urls = services["app"]["environment"]["EMOTION_TURN_URLS"].split(",")
    assert urls == ["turn:emotion.example.org:3478?transport=udp", "turn:emotion.example.org:3478?transport=tcp"]
    assert f"--static-auth-secret={secret}" in services["turn"]["command"]
    assert int(services["app"]["deploy"]["replicas"]) == 2
    without = {key: value for key, value in given.items() if key != "TURN_SECRET"}
    refused = subprocess.run(command, capture_output=True, text=True, env=without, cwd=tmp_path)
    assert refused.returncode != 0 and "set TURN_SECRET" in refused.stderr


def test_haproxy_accepts_the_proxy_configuration():
    if shutil.which("haproxy") is None:
        pytest.fail("haproxy is not installed; ./scripts/test installs it")
    checked = subprocess.run(["haproxy", "-c", "-f", str(HAPROXY_CFG)], capture_output=True, text=True,
                             env={**os.environ, "COOKIE_KEY": "a-test-key"})
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_no_file_holds_a_turn_password():
    """Relay credentials are minted per session from a secret the environment holds: no tracked
    file sets a fixed TURN password or the relay's secret."""
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    placeholder = r"(?!\.\.\.\")"  # README's example: credential = "..."
    fixed = re.compile(r"static-auth-secret=(?![$({])|\"credential\"\s*:\s*\"" + placeholder + r"[^\"]"
                       r"|credential\s*=\s*\"" + placeholder + r"[^\"]")
    found = [name for name in tracked if name.endswith((".yaml", ".yml", ".cfg", ".toml", ".py", ".md", "Containerfile"))
             and (REPO / name).is_file() and fixed.search((REPO / name).read_text(errors="replace"))]
    assert found == []
