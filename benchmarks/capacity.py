"""Capacity: how many people one replica core serves on Live, and the replicas and cores for N people.

    .venv/bin/python benchmarks/capacity.py [--max-streams 6] [--window 20] > benchmarks/results/capacity.json

Prints one JSON object; progress goes to stderr. The app runs on CPU core 0 (one replica core,
as benchmarks/live.py pins it) and Chromium on core 1. For N = 1, 2, ... camera-and-microphone
streams started together (benchmarks/live.py's scenario machinery: the same media, stats line and
figures), it measures the worst stream's analysed frame rate, sound kept in real time and voice
label latency against the live benchmark's targets, and stops at the first N that misses one.
streams_per_replica_core is the largest N that met them all. A run where the browser itself could
not send the frames (fps_sent under target) says so: its core, not the server's, was the limit.

The table ("people at once" -> replicas, cores, memory) assumes replicas of REPLICA_CORES cores,
each serving streams_per_replica_core streams per core, and memory = replicas x (the process at
rest + the memory per stream x its streams), with one replica spare so that losing one (or
scaling) still seats everyone. Memory per stream: what each stream added between the first step
and the last; at rest: the one-stream process less one stream's share.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from live import (BROWSER_CORE, CAMERA_FPS, CHROMIUM, REPO, SCENARIOS, SERVER_CORE, TARGETS, WARMUP_S, StreamlitServer,
                  chromium_args, log, make_media, run_scenario)

from emotion.timing import cpu_model  # the repository is on the path once live is imported

SERVER_LOG = REPO / "artifacts" / "benchmark-capacity-streamlit.log"
REPLICA_CORES = 2
PEOPLE = (6, 12, 30, 60, 120)
PER_STREAM_TARGETS = {key: TARGETS[key] for key in ("fps_analysed", "audio_realtime_ratio", "voice_label_latency_s")}


def meets(figures: dict) -> dict[str, bool]:
    met = {}
    for key, target in PER_STREAM_TARGETS.items():
        comparison, bound = target.split()
        value = figures.get(key)
        met[key] = value is not None and (value >= float(bound) if comparison == ">=" else value <= float(bound))
    return met


def table(streams_per_core: int, rest_mb: float, mb_per_stream: float) -> list[dict]:
    rows = []
    per_replica = streams_per_core * REPLICA_CORES
    for people in PEOPLE:
        replicas = math.ceil(people / per_replica) + 1  # one spare
        rows.append({"people": people, "replicas": replicas, "cores": replicas * REPLICA_CORES,
                     "memory_gb": round(replicas * (rest_mb + mb_per_stream * per_replica) / 1024, 1)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-streams", type=int, default=6)
    parser.add_argument("--window", type=float, default=20.0, help="seconds measured per step")
    args = parser.parse_args()
    started = time.monotonic()
    os.sched_setaffinity(0, {BROWSER_CORE})
    steps, capacity, browser_limited = [], 0, False
    with tempfile.TemporaryDirectory() as folder:
        camera, microphone = make_media(Path(folder))
        with StreamlitServer(SERVER_LOG, command_prefix=["taskset", "-c", str(SERVER_CORE)]) as server, \
                sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=chromium_args(camera, microphone))
            try:
                for streams in range(1, args.max_streams + 1):
                    scenario = SCENARIOS["camera_and_mic"]._replace(streams=streams)
                    figures = run_scenario(browser, server, f"{streams}_streams", WARMUP_S, args.window, scenario)
                    met = meets(figures)
                    steps.append({**figures, "targets_met": met})
                    if not all(met.values()):
                        browser_limited = figures["fps_sent"] < CAMERA_FPS - 1
                        break
                    capacity = streams
            finally:
                browser.close()
    # Memory: the process with one stream, and what each further stream added (every step measured).
    first, last = steps[0], steps[-1]
    mb_per_stream = max(0.0, (last["rss_mb"] - first["rss_mb"]) / (last["streams"] - 1)) if len(steps) > 1 else 0.0
    rest_mb = first["rss_mb"] - mb_per_stream
    result = {
        "benchmark": "capacity",
        "streams_per_replica_core": capacity,
        "limited_by": "browser" if browser_limited else ("server" if len(steps) > capacity else "max_streams"),
        "rss_mb_at_rest": round(rest_mb, 1),
        "mb_per_stream": round(mb_per_stream, 1),
        "replica_cores": REPLICA_CORES,
        "table": table(capacity, rest_mb, mb_per_stream) if capacity else [],
        "per_stream_targets": PER_STREAM_TARGETS,
        "steps": steps,
        "window_s": args.window,
        "cpu": cpu_model(),
        "date": datetime.date.today().isoformat(),
    }
    log(f"done in {time.monotonic() - started:.0f} s")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
