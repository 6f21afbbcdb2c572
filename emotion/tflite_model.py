"""A thread-safe LiteRT interpreter with a free batch size: how every model runs in the app.

The app runs .tflite files on LiteRT (`ai-edge-litert`) and never imports TensorFlow or Keras:
with keras in `sys.modules`, Streamlit calls `keras.backend.clear_session()` and a full garbage
collection after every rerun, which stalls the WebRTC threads (design.md). An interpreter call on
a small model also costs a fraction of a millisecond where a Keras call costs milliseconds.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from ai_edge_litert.interpreter import Interpreter


class TFLiteModel:
    """Runs one .tflite file: `outputs` returns every output of a float32 batch, `predict` the first."""

    def __init__(self, path: Path, num_threads: int = 1) -> None:
        self._interpreter = Interpreter(model_path=str(path), num_threads=num_threads)
        self._input = self._interpreter.get_input_details()[0]
        self._outputs = [detail["index"] for detail in self._interpreter.get_output_details()]
        self.input_shape: tuple[int, ...] = tuple(int(d) for d in self._input["shape_signature"][1:])
        self._batch = 0
        # Live video, live audio and the page may call one model at once; the interpreter is not
        # reentrant, so the lock is load-bearing.
        self._lock = threading.Lock()

    def outputs(self, batch: np.ndarray) -> list[np.ndarray]:
        """Every output tensor for `batch`, in the model's output order (copies, safe to keep)."""
        batch = np.ascontiguousarray(batch, dtype=np.float32)
        with self._lock:
            if self._batch != len(batch):
                self._interpreter.resize_tensor_input(self._input["index"], batch.shape)
                self._interpreter.allocate_tensors()
                self._batch = len(batch)
            self._interpreter.set_tensor(self._input["index"], batch)
            self._interpreter.invoke()
            return [self._interpreter.get_tensor(index).copy() for index in self._outputs]

    def predict(self, batch: np.ndarray) -> np.ndarray:
        return self.outputs(batch)[0]
