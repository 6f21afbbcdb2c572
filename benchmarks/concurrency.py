"""Concurrency benchmark: does one person's face reading wait on another's?

    .venv/bin/python benchmarks/concurrency.py [--seconds 10] > benchmarks/results/concurrency.json

Prints one JSON object. Several people on one server share one FaceAnalyzer (BlazeFace +
the face model, each a TFLiteModel); this times what a live stream's video thread does per
frame, `FaceAnalyzer.analyse` on a 480x360 frame with one face (the astronaut, as the browser
tests' fake camera shows her), from 1 and from 3 threads at once ("streams"), each as fast as
it can for --seconds, with the interpreter pool at its default size (one interpreter per usable
core) and limited to 1 (one interpreter behind a lock: how every model ran before). Per setting:

  ms_per_frame_median, _p90   wall time of one analyse call, as one stream sees it
  frames_per_s_total          all streams together
  interpreters                interpreters the pools built (detector + classifier)

and `ratios`: 3 streams vs 1 stream in per-frame time, for both pool sizes. On N usable cores
no pool can make 3 streams cost what 1 does; what the pool removes is the wait for a lock while
a core is free. Pause other CPU work (a training run) while this runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from emotion.registry import load_face_analyzer  # noqa: E402
from emotion.tflite_model import TFLiteModel, usable_cores  # noqa: E402


def astronaut_frame() -> np.ndarray:
    """480x360 RGB: the astronaut's face on grey, as the Live page's camera size delivers it."""
    from skimage import data

    face = cv2.resize(data.astronaut(), (360, 360))
    frame = np.full((360, 480, 3), 90, np.uint8)
    frame[:, 60:420] = face
    return frame


def models_of(analyzer) -> list[TFLiteModel]:
    """The analyzer's TFLiteModels (detector and classifier), wherever they sit."""
    found, seen, todo = [], set(), [analyzer]
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, TFLiteModel):
            found.append(obj)
        elif hasattr(obj, "__dict__"):
            todo.extend(vars(obj).values())
    return found


def run(analyzer, frame: np.ndarray, streams: int, seconds: float) -> dict:
    times: list[list[float]] = [[] for _ in range(streams)]
    start = threading.Barrier(streams)

    def stream(k: int) -> None:
        start.wait()
        until = time.perf_counter() + seconds
        while time.perf_counter() < until:
            tick = time.perf_counter()
            readings = analyzer.analyse(frame)
            times[k].append(time.perf_counter() - tick)
            assert len(readings) == 1

    threads = [threading.Thread(target=stream, args=(k,)) for k in range(streams)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = np.array([t for per in times for t in per]) * 1000
    return {"streams": streams, "frames": int(len(every)), "ms_per_frame_median": round(float(np.median(every)), 2),
            "ms_per_frame_p90": round(float(np.percentile(every, 90)), 2),
            "frames_per_s_total": round(len(every) / seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    frame = astronaut_frame()
    results = {}
    for pool in ("one_per_core", "one_interpreter"):
        analyzer = load_face_analyzer()
        if analyzer is None:
            sys.exit("no face model installed")
        models = models_of(analyzer)
        if pool == "one_interpreter":
            for model in models:
                model.max_parallel = 1
        analyzer.analyse(frame)  # warm up: allocate tensors
        results[pool] = {}
        for streams in (1, 3):
            print(f"{pool}: {streams} stream(s)", file=sys.stderr, flush=True)
            results[pool][f"{streams}_streams"] = run(analyzer, frame, streams, args.seconds)
        results[pool]["interpreters"] = sum(model.interpreters for model in models)
    print(json.dumps({
        "benchmark": "concurrency",
        "usable_cores": usable_cores(),
        "seconds_per_setting": args.seconds,
        "work": "FaceAnalyzer.analyse on a 480x360 RGB frame with one face (detect + classify)",
        "results": results,
        "ratios": {pool: round(results[pool]["3_streams"]["ms_per_frame_median"]
                               / results[pool]["1_streams"]["ms_per_frame_median"], 2) for pool in results},
        "throughput_gain_of_pool_at_3_streams": round(results["one_per_core"]["3_streams"]["frames_per_s_total"]
                                                      / results["one_interpreter"]["3_streams"]["frames_per_s_total"], 2),
    }, indent=1))


if __name__ == "__main__":
    main()
