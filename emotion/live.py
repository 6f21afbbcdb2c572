"""The WebRTC callbacks and their buffers: camera and microphone in, labelled video and readings out.

The callbacks run on streamlit-webrtc's worker threads, so nothing here calls Streamlit; the
page reads `snapshot()` on a timer. Video: the callback analyses the frame it is given; with
async processing streamlit-webrtc hands it only the newest frame, so a slow model drops frames
instead of queueing them. Audio: every frame matters, so the callback only copies samples into
a queue and returns silence (the microphone is not echoed back); a speech worker thread drains
the queue and, if it fell behind, classifies only the newest window.

Measured here with streamlit-webrtc 0.79 and headless Chromium (fake camera and microphone, in
SENDRECV with a video callback): `queued_audio_frames_callback` received one frame and then
nothing, whether it echoed or silenced; `audio_frame_callback` received every 20 ms frame
(48 kHz stereo s16), because a callback this cheap never falls behind.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import NamedTuple

import av
import numpy as np

from emotion.face.analyse import FaceAnalyzer
from emotion.fusion import fuse
from emotion.media import audio_frame_samples, silent_like
from emotion.overlay import draw_faces
from emotion.speech.classify import SpeechClassifier, SpeechStream, VoiceReading
from emotion.timeline import Timeline
from emotion.tracking import FaceTracker

VOICE_FRESH_S = 2.0
"""A voice reading older than this no longer counts for the fused reading or the label."""
WORKER_IDLE_S = 0.1


class FaceNow(NamedTuple):
    number: int
    probabilities: np.ndarray


class LiveSnapshot(NamedTuple):
    """What the page shows: the newest readings and how much media has arrived."""

    faces: list[FaceNow]
    voice: VoiceReading | None  # None until the first hop; probabilities None = no speech
    fused: np.ndarray | None
    video_frames: int
    audio_seconds: float
    voice_readings: int


class LiveSession:
    """One browser session's live analysis. Shared by two media threads, a worker and the page:
    every mutable field is guarded by `_lock`, and the lock is never held during inference."""

    def __init__(self, analyzer: FaceAnalyzer | None, speech: SpeechClassifier | None, timeline: Timeline) -> None:
        self.analyzer, self.speech, self.timeline = analyzer, speech, timeline
        self.face_threshold = 0.5  # set by the page; a float assignment is atomic
        self._lock = threading.Lock()
        self._tracker = FaceTracker()  # touched by the video thread only
        self._faces: list[FaceNow] = []
        self._faces_at = 0.0
        self._voice: VoiceReading | None = None
        self._voice_at = 0.0
        self._video_frames = 0
        self._audio_seconds = 0.0
        self._voice_readings = 0
        self._audio: queue.SimpleQueue = queue.SimpleQueue()
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None

    # --- video thread -------------------------------------------------------------------------
    def on_video(self, frame: av.VideoFrame) -> av.VideoFrame:
        rgb = frame.to_ndarray(format="rgb24")
        readings = self.analyzer.analyse(rgb) if self.analyzer else []
        numbers = self._tracker.assign([r.box for r in readings])
        faces = [FaceNow(n, r.probabilities) for r, n in zip(readings, numbers)]
        now = self.timeline.now()
        with self._lock:
            self._faces, self._faces_at = faces, time.monotonic()
            self._video_frames += 1
            voice = self._fresh_voice_locked()
        if not faces:
            self.timeline.add("face", None, t=now)
        for face in faces:
            self.timeline.add("face", face.probabilities, track=face.number, t=now)
        face_mean = np.mean([f.probabilities for f in faces], axis=0) if faces else None
        self.timeline.add("fused", fuse(face_mean, voice), t=now)
        out = av.VideoFrame.from_ndarray(draw_faces(rgb, readings, numbers, self.face_threshold), format="rgb24")
        out.pts = frame.pts
        if frame.time_base is not None:
            out.time_base = frame.time_base
        return out

    # --- audio thread -------------------------------------------------------------------------
    def on_audio(self, frame: av.AudioFrame) -> av.AudioFrame:
        self._audio.put(audio_frame_samples(frame))
        with self._lock:
            self._audio_seconds += frame.samples / frame.sample_rate
        self._ensure_worker()
        return silent_like(frame)

    def _ensure_worker(self) -> None:
        with self._lock:
            if self.speech is None or (self._worker is not None and self._worker.is_alive()):
                return
            self._stop.clear()
            self._worker = threading.Thread(target=self._listen, name="speech-worker", daemon=True)
            self._worker.start()

    # --- speech worker ------------------------------------------------------------------------
    def _listen(self) -> None:
        stream = SpeechStream(self.speech)
        while not self._stop.is_set():
            try:
                chunks = [self._audio.get(timeout=WORKER_IDLE_S)]
            except queue.Empty:
                continue
            while not self._audio.empty():
                chunks.append(self._audio.get_nowait())
            # Behind? Take the backlog in, but classify only once, at its newest sound.
            for samples, rate, channels in chunks[:-1]:
                stream.push_silently(samples, rate, channels)
            self._record(stream.push(*chunks[-1], latest_only=True))

    def _record(self, readings: list[VoiceReading]) -> None:
        for reading in readings:
            t = self.timeline.now() - (reading.end_s - reading.start_s) / 2
            self.timeline.add("voice", reading.probabilities, t=t)
            with self._lock:
                self._voice, self._voice_at = reading, time.monotonic()
                self._voice_readings += 1
                video_live = time.monotonic() - self._faces_at < 1.0
            if not video_live:  # microphone only: the fused reading follows the voice
                self.timeline.add("fused", fuse(None, reading.probabilities), t=t)

    # --- page ---------------------------------------------------------------------------------
    def _fresh_voice_locked(self) -> np.ndarray | None:
        if self._voice is None or time.monotonic() - self._voice_at > VOICE_FRESH_S:
            return None
        return self._voice.probabilities

    def snapshot(self) -> LiveSnapshot:
        with self._lock:
            faces = self._faces if time.monotonic() - self._faces_at < 1.0 else []
            voice = self._voice if time.monotonic() - self._voice_at <= VOICE_FRESH_S else None
            face_mean = np.mean([f.probabilities for f in faces], axis=0) if faces else None
            return LiveSnapshot(list(faces), voice, fuse(face_mean, voice.probabilities if voice else None),
                                self._video_frames, round(self._audio_seconds, 2), self._voice_readings)

    def stop(self) -> None:
        """Stop the speech worker; the callbacks start it again if media arrive."""
        self._stop.set()
