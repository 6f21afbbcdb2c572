"""A thread-safe LiteRT interpreter with a free batch size: how every model runs in the app.

The app runs .tflite files on LiteRT (`ai-edge-litert`) and never imports TensorFlow or Keras:
with keras in `sys.modules`, Streamlit calls `keras.backend.clear_session()` and a full garbage
collection after every rerun, which stalls the WebRTC threads (design.md). An interpreter call on
a small model also costs a fraction of a millisecond where a Keras call costs milliseconds.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
from ai_edge_litert.interpreter import Interpreter


def usable_cores() -> int:
    """CPU cores this process may run on (a container or `taskset` may allow fewer than exist)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class _Runner:
    """One interpreter and the input shapes its tensors are allocated for; used by one thread at a time."""

    def __init__(self, path: Path, num_threads: int) -> None:
        self.interpreter = Interpreter(model_path=str(path), num_threads=num_threads)
        self.inputs = self.interpreter.get_input_details()
        self.outputs = output_indices(self.interpreter)
        self.shapes: list[tuple[int, ...]] = []

    def run(self, batch: np.ndarray | dict[str, np.ndarray]) -> list[np.ndarray]:
        """`batch`: one float32 array, or for a model with several inputs one per input by its name."""
        arrays = [batch] if isinstance(batch, np.ndarray) else [batch[input_name(d)] for d in self.inputs]
        shapes = [a.shape for a in arrays]
        if self.shapes != shapes:
            for detail, shape in zip(self.inputs, shapes):
                self.interpreter.resize_tensor_input(detail["index"], shape)
            self.interpreter.allocate_tensors()
            self.shapes = shapes
        for detail, array in zip(self.inputs, arrays):
            self.interpreter.set_tensor(detail["index"], array)
        self.interpreter.invoke()
        return [self.interpreter.get_tensor(index).copy() for index in self.outputs]


def output_indices(interpreter: Interpreter) -> list[int]:
    """The tensor indices of a model's outputs in its author's order. The interpreter lists a
    converted Keras model's outputs in another order (two outputs came back reversed); the model's
    one signature names them output_0, output_1, ... in Keras's order. A model without such a
    signature (e.g. the face detector's) keeps the interpreter's order."""
    details = [detail["index"] for detail in interpreter.get_output_details()]
    signatures = interpreter.get_signature_list()
    if len(signatures) != 1:
        return details
    named = interpreter.get_signature_runner(next(iter(signatures))).get_output_details()
    numbers = [name.removeprefix("output_") for name in named]
    if not all(number.isdigit() for number in numbers):
        return details
    return [named[f"output_{k}"]["index"] for k in sorted(map(int, numbers))]


def input_name(detail: dict) -> str:
    """The Keras name of a converted model's input ("serving_default_log_mel:0" -> "log_mel")."""
    return detail["name"].removeprefix("serving_default_").rsplit(":", 1)[0]


class TFLiteModel:
    """Runs one .tflite file: `outputs` returns every output of a float32 batch, `predict` the first.

    Shared by every session of the server. An interpreter is not reentrant, so each call borrows
    one from a pool that grows on demand up to one interpreter per usable core: two people's
    frames are read at once on two cores instead of one waiting for the other's (measured in
    benchmarks/concurrency.py), and never more at once than the cores can run. An idle extra
    interpreter costs its tensor arena, a few MB for these models.
    """

    def __init__(self, path: Path, num_threads: int = 1, max_parallel: int | None = None) -> None:
        self._path, self._num_threads = path, num_threads
        first = _Runner(path, num_threads)
        self.input_shape: tuple[int, ...] = tuple(int(d) for d in first.inputs[0]["shape_signature"][1:])
        self.input_shapes: dict[str, tuple[int, ...]] = {
            input_name(d): tuple(int(n) for n in d["shape_signature"][1:]) for d in first.inputs}
        self._idle = [first]
        self._made = 1
        self.max_parallel = max(1, max_parallel or usable_cores())
        self._pool = threading.Condition()

    def _borrow(self) -> _Runner:
        with self._pool:
            while not self._idle and self._made >= self.max_parallel:
                self._pool.wait()
            if self._idle:
                return self._idle.pop()
            self._made += 1
        return _Runner(self._path, self._num_threads)  # built outside the lock: others keep running

    def _give_back(self, runner: _Runner) -> None:
        with self._pool:
            self._idle.append(runner)
            self._pool.notify()

    @property
    def interpreters(self) -> int:
        """How many interpreters the pool has built so far."""
        return self._made

    def outputs(self, batch: np.ndarray | dict[str, np.ndarray]) -> list[np.ndarray]:
        """Every output tensor for `batch` (one array, or one per input name for a model with
        several inputs), in the model's output order (copies, safe to keep)."""
        batch = ({name: np.ascontiguousarray(a, dtype=np.float32) for name, a in batch.items()} if isinstance(batch, dict)
                 else np.ascontiguousarray(batch, dtype=np.float32))
        runner = self._borrow()
        try:
            return runner.run(batch)
        finally:
            self._give_back(runner)

    def predict(self, batch: np.ndarray | dict[str, np.ndarray]) -> np.ndarray:
        return self.outputs(batch)[0]
