"""The WebRTC callbacks and their buffers: camera and microphone in, labelled video and readings out.

Nothing here calls Streamlit; the page reads `snapshot()` on a timer. The two media kinds are
treated differently on purpose:

- Video goes through `on_video_frames`, streamlit-webrtc's queued callback: it runs on the track's
  worker thread and receives every frame that arrived since its last call, so it can count them,
  and it analyses only the newest. A slow model drops frames instead of falling behind.
- Sound goes to `on_audio`, the callback of an AudioSinkTrack (a consumer that receives every
  frame in order on aiortc's event loop, and sends nothing back, so the microphone is never
  echoed). It only copies the 20 ms of samples into a queue; a speech worker thread drains the
  queue into the SpeechStream, every frame of it, and classifies the newest window each hop.
  With the per-frame `audio_frame_callback`, streamlit-webrtc's worker hands over only the
  newest queued frame and silently drops the rest whenever the process stalls.

Counters of frames received and analysed are kept for the page's stats line, for the notice
when the server cannot keep up, and for benchmarks/live.py.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from typing import NamedTuple

import av
import numpy as np

from emotion.face.analyse import FaceAnalyzer
from emotion.i18n import SOURCE_LANGUAGE, _, in_language, number, percent
from emotion.media import audio_frame_samples
from emotion.memory import give_back_free_memory
from emotion.overlay import draw_faces
from emotion.speech.classify import SpeechClassifier, SpeechStream, VoiceReading
from emotion.speech.coverage import SpeechHeard, SpeechTally
from emotion.timeline import Timeline
from emotion.tracking import FaceTracker

VOICE_FRESH_S = 2.0
"""A voice reading older than this is no longer shown as the voice 'now'."""
FACES_FRESH_S = 1.0
"""Faces from a frame older than this are no longer shown (the camera stopped)."""
WORKER_IDLE_S = 0.1
LOAD_WINDOW_S = 10.0
"""The notice about falling behind looks at the last this many seconds."""
MAX_VIDEO_DROPPED = 0.2
"""The notice speaks when more than this share of the camera frames went unanalysed (one frame
in five: labels then lag visibly behind the face)..."""
MAX_SOUND_DROPPED = 0.03
"""...or more than this share of the sound did not reach the speech model (it never should)."""
MEDIA_STALL_S = 8.0
"""A camera or microphone that has sent nothing for this long while the stream plays gets a
sentence (a WebRTC start takes a few seconds; a covered camera still sends dark frames)."""


class FaceNow(NamedTuple):
    number: int
    probabilities: np.ndarray


class Counters(NamedTuple):
    """Media counted since the session started."""

    video_received: int  # camera frames that reached the server
    video_analysed: int  # ...and went through the face model
    audio_received: int  # 20 ms sound frames that reached the server
    audio_lost: int  # frames missing on the way, from gaps in the frames' timestamps
    audio_analysed: int  # frames the speech worker took into its stream
    audio_seconds: float  # seconds of sound received
    voice_readings: int


class LiveSnapshot(NamedTuple):
    """What the page shows: the newest readings and the counters."""

    faces: list[FaceNow]
    voice: VoiceReading | None  # None until the first hop; probabilities None = no speech
    counters: Counters


class _AudioClock:
    """Counts the sound frames that never arrived, from the timestamps of those that did."""

    def __init__(self) -> None:
        self.next_pts: int | None = None
        self.lost_samples = 0

    def arrived(self, frame: av.AudioFrame) -> None:
        if frame.pts is None:
            return
        if self.next_pts is not None and frame.pts > self.next_pts:
            self.lost_samples += frame.pts - self.next_pts
        self.next_pts = frame.pts + frame.samples


class LiveSession:
    """One browser session's live analysis. Shared by the media threads, the speech worker and
    the page: every mutable field is guarded by `_lock`, which is never held during inference."""

    def __init__(self, analyzer: FaceAnalyzer | None, speech: SpeechClassifier | None, timeline: Timeline) -> None:
        self.analyzer, self.speech, self.timeline = analyzer, speech, timeline
        self.face_threshold = 0.5  # set by the page; a float assignment is atomic
        self.language = SOURCE_LANGUAGE  # the page's, set by it: the video thread's captions are in it
        self._lock = threading.Lock()
        self._tracker = FaceTracker()  # touched by the video thread only
        self._faces: list[FaceNow] = []
        self._faces_at = 0.0
        self._voice: VoiceReading | None = None
        self._voice_at = 0.0
        self._speech = SpeechTally()  # the session's voice readings, for how much of its speech got one
        self._counts = Counters(0, 0, 0, 0, 0, 0.0, 0)
        self._audio_clock = _AudioClock()
        self._history: deque[tuple[float, Counters]] = deque()
        self._audio: queue.SimpleQueue = queue.SimpleQueue()
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None
        self._playing_since: float | None = None  # set by the page while the stream plays
        self._video_at = self._audio_at = 0.0  # when the last camera / sound frame arrived

    def _count(self, **increments: float) -> None:
        with self._lock:
            self._counts = self._counts._replace(**{k: getattr(self._counts, k) + v for k, v in increments.items()})

    # --- video: the track's worker thread ------------------------------------------------------
    async def on_video_frames(self, frames: list[av.VideoFrame]) -> list[av.VideoFrame]:
        """streamlit-webrtc's queued callback: every frame since the last call; the newest is analysed."""
        self._count(video_received=len(frames))
        self._video_at = time.monotonic()  # a float assignment: atomic
        return [self.analyse_video(frames[-1])]

    def analyse_video(self, frame: av.VideoFrame) -> av.VideoFrame:
        rgb = frame.to_ndarray(format="rgb24")
        readings = self.analyzer.analyse(rgb) if self.analyzer else []
        numbers = self._tracker.assign([r.box for r in readings])
        faces = [FaceNow(n, r.probabilities) for r, n in zip(readings, numbers)]
        self.timeline.add_faces(self.timeline.now(), np.array([f.probabilities for f in faces]))
        with self._lock:
            self._faces, self._faces_at = faces, time.monotonic()
        self._count(video_analysed=1)
        with in_language(self.language):
            drawn = draw_faces(rgb, readings, numbers, self.face_threshold)
        out = av.VideoFrame.from_ndarray(drawn, format="rgb24")
        out.pts = frame.pts
        if frame.time_base is not None:
            out.time_base = frame.time_base
        return out

    # --- sound: aiortc's event loop -------------------------------------------------------------
    def on_audio(self, frame: av.AudioFrame) -> None:
        """The audio sink's callback: copy the samples for the worker and return at once."""
        if self.speech is not None:
            self._audio.put(audio_frame_samples(frame))
        self._audio_at = time.monotonic()
        lost_before = self._audio_clock.lost_samples
        self._audio_clock.arrived(frame)
        self._count(audio_received=1, audio_seconds=frame.samples / frame.sample_rate,
                    audio_lost=round((self._audio_clock.lost_samples - lost_before) / frame.samples))
        self._ensure_worker()

    def _ensure_worker(self) -> None:
        with self._lock:
            if self.speech is None or (self._worker is not None and self._worker.is_alive()):
                return
            self._stop.clear()
            self._worker = threading.Thread(target=self._listen, name="speech-worker", daemon=True)
            self._worker.start()

    # --- speech worker ---------------------------------------------------------------------------
    def _listen(self) -> None:
        stream = SpeechStream(self.speech)
        while not self._stop.is_set():
            try:
                chunks = [self._audio.get(timeout=WORKER_IDLE_S)]
            except queue.Empty:
                continue
            while not self._audio.empty():
                chunks.append(self._audio.get_nowait())
            # Behind? Every frame goes into the stream, but only the newest window is classified.
            for samples, rate, channels in chunks[:-1]:
                stream.push_silently(samples, rate, channels)
            readings = stream.push(*chunks[-1], latest_only=True)
            self._count(audio_analysed=len(chunks))
            for reading in readings:
                self._record(reading)

    def _record(self, reading: VoiceReading) -> None:
        end = self.timeline.now()
        self.timeline.add_voice(end - (reading.end_s - reading.start_s), end, reading.probabilities)
        with self._lock:
            self._voice, self._voice_at = reading, time.monotonic()
            self._speech.add(reading)
        self._count(voice_readings=1)

    # --- page ------------------------------------------------------------------------------------
    def snapshot(self) -> LiveSnapshot:
        now = time.monotonic()
        with self._lock:
            faces = list(self._faces) if now - self._faces_at < FACES_FRESH_S else []
            voice = self._voice if now - self._voice_at <= VOICE_FRESH_S else None
            counts = self._counts
            self._history.append((now, counts))
            while len(self._history) > 1 and now - self._history[1][0] >= LOAD_WINDOW_S:
                self._history.popleft()
        return LiveSnapshot(faces, voice, counts)

    def voice_heard(self, not_sure_below: float) -> SpeechHeard:
        """The session's speech so far, and how much of it got a reading at this threshold."""
        with self._lock:
            return self._speech.heard(not_sure_below)

    def clear(self) -> None:
        """Forget what the session recorded: its timeline and its speech so far."""
        self.timeline.clear()
        with self._lock:
            self._speech.clear()

    def falling_behind(self) -> str | None:
        """A sentence when, over the last LOAD_WINDOW_S, too much video or sound went unanalysed."""
        with self._lock:
            if len(self._history) < 2:
                return None
            (start, before), (end, after) = self._history[0], self._history[-1]
        if end - start < LOAD_WINDOW_S / 2:
            return None
        problems = []
        video_in = after.video_received - before.video_received
        video_done = after.video_analysed - before.video_analysed
        if video_in >= 10 and video_done < (1 - MAX_VIDEO_DROPPED) * video_in:
            problems.append(_("{analysed} of {received} camera frames a second are analysed, so face labels update "
                              "less often").format(analysed=number(video_done / (end - start)),
                                                   received=number(video_in / (end - start))))
        sound_in = after.audio_received - before.audio_received + after.audio_lost - before.audio_lost
        sound_done = after.audio_analysed - before.audio_analysed
        if sound_in >= 50 and sound_done < (1 - MAX_SOUND_DROPPED) * sound_in:
            problems.append(_("{share} of the sound did not reach the voice model, so voice labels may lag or miss "
                              "words").format(share=percent(1 - sound_done / sound_in)))
        if not problems:
            return None
        return _("This server is busy and cannot keep up right now: {problems}.").format(problems="; ".join(problems))

    def playing(self) -> None:
        """The page saw the stream playing: media should arrive from now on."""
        if self._playing_since is None:
            self._playing_since = time.monotonic()
            give_back_free_memory()  # what the last stream's threads left in the heap

    def media_stalled(self, camera: bool, microphone: bool) -> str | None:
        """A sentence when the camera or microphone in use has sent nothing for MEDIA_STALL_S while
        the stream plays (unplugged, taken by another app, a network that stopped carrying it)."""
        since, now = self._playing_since, time.monotonic()
        if since is None:
            return None
        quiet = {name: now - max(at, since) for name, used, at in
                 (("camera", camera, self._video_at), ("microphone", microphone, self._audio_at))
                 if used and now - max(at, since) > MEDIA_STALL_S}
        if not quiet:
            return None
        sentence = (_("The camera and the microphone have sent nothing for {seconds} s.") if len(quiet) == 2
                    else _("The camera has sent nothing for {seconds} s.") if "camera" in quiet
                    else _("The microphone has sent nothing for {seconds} s."))
        return (sentence.format(seconds=number(max(quiet.values()))) + " "
                + _("Is it unplugged, switched off or in use by another app? Press Stop and then Start to connect again."))

    def stop(self) -> None:
        """Stop the speech worker; the audio callback starts it again if sound arrives, from a
        new stream whose timestamps start afresh."""
        self._playing_since = None
        self._stop.set()
        self._audio_clock = _AudioClock()
