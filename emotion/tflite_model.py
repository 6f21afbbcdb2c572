"""A thread-safe TFLite interpreter with a free batch size: how both models run at inference.

An interpreter call on a small model costs a fraction of a millisecond of overhead where a
Keras or tf.function call costs milliseconds on a small CPU, so live video can afford it.
"""

from __future__ import annotations

import threading
import warnings
from pathlib import Path

import numpy as np
import tensorflow as tf


class TFLiteModel:
    """Runs one .tflite file; `predict` takes a float32 batch and returns the first output."""

    def __init__(self, path: Path, num_threads: int = 1) -> None:
        with warnings.catch_warnings():  # tf.lite.Interpreter's deprecation notice, once per load
            warnings.simplefilter("ignore")
            self._interpreter = tf.lite.Interpreter(model_path=str(path), num_threads=num_threads)
        self._input = self._interpreter.get_input_details()[0]
        self._output = self._interpreter.get_output_details()[0]["index"]
        self.input_shape: tuple[int, ...] = tuple(int(d) for d in self._input["shape_signature"][1:])
        self._batch = 0
        # Live video, live audio and the page may call one model at once; the interpreter is not
        # reentrant, so the lock is load-bearing.
        self._lock = threading.Lock()

    def predict(self, batch: np.ndarray) -> np.ndarray:
        batch = np.ascontiguousarray(batch, dtype=np.float32)
        with self._lock:
            if self._batch != len(batch):
                self._interpreter.resize_tensor_input(self._input["index"], batch.shape)
                self._interpreter.allocate_tensors()
                self._batch = len(batch)
            self._interpreter.set_tensor(self._input["index"], batch)
            self._interpreter.invoke()
            return self._interpreter.get_tensor(self._output).copy()
