"""Speech benchmark: ms per 3 s window (features + model) and the real-time factor of a 60 s clip.

    .venv/bin/python benchmarks/speech.py [--data-dir DIR]

Prints one JSON object. The clip is RAVDESS test-actor speech strung together to 60 s, analysed
by the same `classify_clip` the Upload page uses; the window timing is the live path's cost.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from emotion.data_dir import data_dir  # noqa: E402
from emotion.registry import load_speech_classifier  # noqa: E402
from emotion.speech.corpus import load_clips, read_manifest  # noqa: E402
from emotion.speech.classify import PAIR  # noqa: E402
from emotion.speech.features import SAMPLE_RATE, WINDOW_SAMPLES, log_mel  # noqa: E402
from emotion.speech.whisper_features import whisper_log_mel  # noqa: E402
from emotion.timing import median_ms, peak_rss_mib  # noqa: E402

CLIP_SECONDS = 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir")
    args = parser.parse_args()
    classifier = load_speech_classifier()
    table = read_manifest(data_dir(args.data_dir) / "ravdess" / "manifest.csv")
    clips = load_clips(list(table[table.actor >= 19].file[:20]))
    clip = np.concatenate(clips)[: CLIP_SECONDS * SAMPLE_RATE]
    window = clip[SAMPLE_RATE : SAMPLE_RATE + WINDOW_SAMPLES]

    front_ends = {"log_mel": [log_mel], "whisper_log_mel": [whisper_log_mel], PAIR: [log_mel, whisper_log_mel]}

    def features(w: np.ndarray) -> None:
        for front_end in front_ends[classifier.front_end]:
            front_end(w)

    start = time.perf_counter()
    readings = classifier.classify_clip(clip)
    clip_seconds = time.perf_counter() - start
    result = {
        "benchmark": "speech",
        "front_end": classifier.front_end,
        "ms_per_window_total": median_ms(lambda: classifier.predict_windows([window]), runs=100),
        "ms_per_window_features": median_ms(lambda: features(window), runs=100),
        "target_ms_per_window": 20,
        "clip_seconds": len(clip) / SAMPLE_RATE,
        "clip_windows": len(readings),
        "clip_analysis_seconds": round(clip_seconds, 3),
        "real_time_factor": round(clip_seconds / (len(clip) / SAMPLE_RATE), 4),
        "peak_rss_mib": peak_rss_mib(),
    }
    result["ms_per_window_model"] = round(result["ms_per_window_total"] - result["ms_per_window_features"], 3)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
