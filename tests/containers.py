"""The app's container image, built and run with podman the way this project's machines allow
(scripts/build-image; no image registry, no systemd). Plain code, no pytest."""

from __future__ import annotations

import json
import shutil
import subprocess
import time

from app_server import REPO, answers_health_check, free_port

PODMAN = ["podman", "--cgroup-manager", "cgroupfs"]
RUN_FLAGS = ["--runtime", "/usr/sbin/runc", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024",
             "--network", "host"]
IMAGE = "localhost/emotion-mirror:test"


def build_image(tag: str = IMAGE) -> str:
    """Build the image from the Containerfile (and its base from Debian's packages); returns the tag."""
    if shutil.which("podman") is None:
        raise RuntimeError("podman is not installed; ./scripts/test installs it")
    subprocess.run([str(REPO / "scripts" / "build-image"), tag], cwd=REPO, check=True, capture_output=True, text=True)
    return tag


def image_inspect(tag: str) -> dict:
    """What podman knows of the image: its Config, Healthcheck, Size, ..."""
    inspected = subprocess.run([*PODMAN, "image", "inspect", tag], check=True, capture_output=True, text=True).stdout
    return json.loads(inspected)[0]


class AppContainer:
    """`with AppContainer(image, env) as app:` the image running on loopback port `app.port`;
    `app.started_healthy_s` is how long it took to answer its health endpoint."""

    def __init__(self, image: str, env: dict[str, str] | None = None, name: str | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.name = name or f"emotion-mirror-test-{self.port}"
        settings = {"STREAMLIT_SERVER_PORT": str(self.port), "STREAMLIT_SERVER_ADDRESS": "127.0.0.1", **(env or {})}
        started = time.monotonic()
        subprocess.run([*PODMAN, "run", "--detach", "--rm", "--name", self.name, *RUN_FLAGS,
                        *(arg for key, value in settings.items() for arg in ("--env", f"{key}={value}")), image],
                       check=True, capture_output=True, text=True)
        self.started_healthy_s = self._wait_healthy(started)

    def _wait_healthy(self, started: float, timeout_s: float = 90) -> float:
        if not answers_health_check(self.url, timeout_s - (time.monotonic() - started)):
            self.stop()
            raise TimeoutError(f"the container did not answer its health check in {timeout_s} s")
        return time.monotonic() - started

    def logs(self) -> str:
        done = subprocess.run([*PODMAN, "logs", self.name], capture_output=True, text=True)
        return done.stdout + done.stderr

    def exec(self, *command: str) -> str:
        return subprocess.run([*PODMAN, "exec", self.name, *command], check=True, capture_output=True, text=True).stdout

    def __enter__(self) -> AppContainer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def stop(self) -> None:
        subprocess.run([*PODMAN, "stop", "--time", "5", self.name], capture_output=True)
