"""Live page benchmark: the real app on one CPU core, streamed to by Chromium's fake camera and mic.

    .venv/bin/python benchmarks/live.py [--quick] > benchmarks/results/live.json

Prints one JSON object; progress goes to stderr. `streamlit run app.py` is pinned to CPU core 0
and this script, Playwright's driver and Chromium to core 1, so the server's figures are what
one core does while the browser encodes elsewhere. Chromium plays generated media: a Y4M camera
(the astronaut drifting across a 480x360 frame at 15 fps) and a WAV microphone that loops every
MICROPHONE_LOOP_S: SILENCE_S of silence, an espeak-ng sentence, silence.

Scenarios, each in a fresh browser context: camera_and_mic, camera_only and mic_only (the Live
page's "Use" choice), and two_streams (two pages, both camera and microphone, started together;
its rates and latency are the worse stream's, its frame counts the sum, `per_stream` has both).
Once media flow and WARMUP_S has passed, the page's stats line ("Camera: A of R frames analysed
· Microphone: A of R sound frames analysed (S s) · ...") is read at both ends of a window, each
reading taken as the line next refreshes, so both ends are equally fresh:

  fps_sent, fps_analysed     camera frames the server received / the face model analysed, per wall second
  audio_realtime_ratio       seconds of sound the server received per wall second (1.0: none lost)
  audio_frames_received, _analysed, _lost   20 ms sound frames in the window: received, pushed to the speech model, lost on the way
  server_cores               the server's CPU time (utime + stime over all its threads, /proc/PID/stat) per wall second
  server_cores_per_stream    server_cores / streams; streams_per_core is its inverse
  rss_mb                     the server's VmRSS at the window's end; rss_growth_mb, its change over the window

idle_server_cores is the same CPU measure over IDLE_S with the Live page open and no stream.

page_live_s is how long after Start the page first showed media arriving (its stats line
refreshes only once a rerun has seen the stream playing).

voice_label_latency_s: Chromium's fake microphone plays its WAV from the start whenever a capture
starts, in real time, and streamlit-webrtc captures when Start is pressed. (Checked separately:
pages that called getUserMedia with this flag heard a tone placed 5 s into the file 5.04-5.12 s
later, each capture from the file's start, two at once too.) What plays before the connection is
up never reaches the server, and a label the page was not yet refreshing for is never seen, so
the reference is the first sentence that began once both were up, at Start + SILENCE_S +
k * MICROPHONE_LOOP_S (`speech_from_s`; k is 0 unless `sound_from_s`, when the server's first
sound left the browser, or page_live_s came later). The latency is the wall time from then until
the page first shows "Voice: <label> (N%)", polled every POLL_S: WebRTC transport, the speech
worker's window and hop, the model, and up to one 0.5 s page refresh. `sound_s_at_voice_label`,
the sound the server had received by then, checks the alignment: it should be about
speech_from_s + latency - sound_from_s.

The full run (default) uses WINDOW_S windows and then a SOAK_S soak of one camera+mic stream:
rss_growth_mb_10min is its resident memory at the end less after its first SOAK_FIRST_S.
--quick uses QUICK_WINDOW_S windows and no soak: under 3 minutes in all.

--soak-minutes N runs only a soak of one camera+mic stream for N minutes (issue 17 asks for 30)
and samples the stats line and the server's memory once a minute: `samples` holds each minute's
resident memory and its frames analysed, voice readings and sound frames lost in that minute;
`rss_growth_mb_after_first_minute` is the last sample less the first minute's (target: within
SOAK_MAX_GROWTH_MB), and `labels_kept_flowing` says every minute had frames analysed and voice
readings.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import operator
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from app_server import CHROMIUM, StreamlitServer, chromium_args  # noqa: E402
from media import face_frames, speech_16k, write_wav, write_y4m  # noqa: E402
from streamlit_page import WEBRTC_IFRAME_SELECTOR, open_app_page, webrtc_button  # noqa: E402
from emotion.timing import cpu_model  # noqa: E402

SERVER_CORE, BROWSER_CORE = 0, 1
SERVER_LOG = REPO / "artifacts" / "benchmark-live-streamlit.log"
CAMERA_SIZE, CAMERA_FPS, CAMERA_LOOP_S = (480, 360), 15, 8.0
SAMPLE_RATE = 16_000
SILENCE_S, MICROPHONE_LOOP_S, MIN_GAP_S = 5.0, 15.0, 8.0
"""The microphone's WAV: silence, the sentence from SILENCE_S, silence to MICROPHONE_LOOP_S. At
least MIN_GAP_S of silence between sentences lets the voice label lapse before the next one."""
WARMUP_S, WINDOW_S, QUICK_WINDOW_S = 3.0, 60.0, 12.0
IDLE_S = 3.0
SOAK_S, SOAK_FIRST_S = 600.0, 60.0
SOAK_MAX_GROWTH_MB = 50.0
POLL_S = 0.1
MEDIA_TIMEOUT_S, START_ATTEMPTS = 45.0, 3
LABEL_TIMEOUT_S = 10.0
"""How long after the speech began to keep waiting for a voice label once the window is over."""
TARGETS = {
    "audio_realtime_ratio": ">= 0.97",
    "fps_analysed": f">= {CAMERA_FPS - 1}",
    "server_cores_per_stream": "<= 0.35",
    "voice_label_latency_s": "<= 3.5",
    "streams_per_core": ">= 3",
    "rss_mb": "<= 400",
    "rss_growth_mb_10min": "<= 20",  # flat: no more than allocator noise
}
COMPARE = {">=": operator.ge, "<=": operator.le}
SUMMARY_KEYS = ("server_cores_per_stream", "fps_sent", "fps_analysed", "audio_realtime_ratio", "voice_label_latency_s",
                "rss_mb", "streams_per_core")
"""The camera_and_mic figures that the JSON's top level repeats."""

MAIN_SELECTOR = '[data-testid="stMain"]'
SIDEBAR_SELECTOR = '[data-testid="stSidebar"]'
STATS = re.compile(r"Camera: (\d+) of (\d+) frames analysed · Microphone: (\d+) of (\d+) sound frames analysed "
                   r"\(([\d.]+) s\) · voice readings: (\d+)(?: · (\d+) sound frames lost on the way)?")
VOICE_LABEL = re.compile(r"Voice: (?!no speech)(\w[\w ]*) \((\d+)%\)")
NEXT_STATS_JS = """([selector, pattern, previous]) => {
    // innerText, not textContent: it ends each block with a newline, so the digits of a chart that
    // follows the stats line do not run on into its last number.
    const match = document.querySelector(selector).innerText.match(new RegExp(pattern));
    return match && match[0] !== previous ? {line: match[0], at: Date.now() / 1000} : null;
}"""
STATS_POLL_MS, STATS_TIMEOUT_MS = 20, 5_000


class Scenario(NamedTuple):
    mode: str  # the Live page's "Use" choice
    camera: bool
    microphone: bool
    streams: int = 1


SCENARIOS = {
    "camera_and_mic": Scenario("Camera and microphone", camera=True, microphone=True),
    "camera_only": Scenario("Camera only", camera=True, microphone=False),
    "mic_only": Scenario("Microphone only", camera=False, microphone=True),
    "two_streams": Scenario("Camera and microphone", camera=True, microphone=True, streams=2),
}
DEFAULT_MODE = "Camera and microphone"


class Stats(NamedTuple):
    """One reading of the stats line."""

    frames_analysed: int
    frames_received: int
    sound_frames_analysed: int
    sound_frames_received: int
    sound_s: float
    voice_readings: int
    sound_frames_lost: int  # gaps in the sound frames' timestamps: lost between browser and server


def parse_stats(text: str) -> Stats | None:
    match = STATS.search(text)
    return None if match is None else Stats(*map(int, match.groups()[:4]), float(match[5]), int(match[6]),
                                            int(match[7] or 0))


def log(message: str) -> None:
    print(f"[live {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the server, seen from /proc ---------------------------------------------------------------

def cpu_seconds(pid: int) -> float:
    """utime + stime of the whole process (all threads); the fields after the ")" of its name."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


# --- media ---------------------------------------------------------------------------------------

def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), np.float32)


def make_media(folder: Path) -> tuple[Path, Path]:
    """The fake camera (.y4m) and microphone (.wav) files; returns them and logs the speech's length."""
    camera = write_y4m(folder / "camera.y4m", face_frames(CAMERA_LOOP_S, fps=CAMERA_FPS, size=CAMERA_SIZE),
                       fps=CAMERA_FPS)
    speech = speech_16k(folder)
    tail_s = MICROPHONE_LOOP_S - SILENCE_S - len(speech) / SAMPLE_RATE
    assert tail_s + SILENCE_S >= MIN_GAP_S, f"the sentence is too long for a {MICROPHONE_LOOP_S} s loop"
    microphone = write_wav(folder / "microphone.wav", np.concatenate([silence(SILENCE_S), speech, silence(tail_s)]))
    log(f"microphone loop: {SILENCE_S} s silence, {len(speech) / SAMPLE_RATE:.1f} s speech, {tail_s:.1f} s silence")
    return camera, microphone


# --- one Live page -------------------------------------------------------------------------------

class LivePage:
    """One Live page in `mode`: presses Start and Stop, reads the stats line, notes the first voice label."""

    def __init__(self, context, url: str, mode: str) -> None:
        self.page = context.new_page()
        open_app_page(self.page, url, "live", "Live")
        if mode != DEFAULT_MODE:
            # The component's key follows the mode: wait for the old one to go before pressing Start.
            old_component = self.page.locator(WEBRTC_IFRAME_SELECTOR).element_handle()
            self.page.locator(SIDEBAR_SELECTOR).get_by_text(mode, exact=True).click()
            self.page.wait_for_function("element => !element.isConnected", arg=old_component, timeout=60_000)
        self.start_at = 0.0
        self.live_at: float | None = None  # when the page first showed media arriving
        self.sound_from: float | None = None  # the wall time of the first sound the server received
        self.label_onsets: list[tuple[float, Stats | None]] = []  # a voice label appeared; the stats then
        self._label_shown = False

    def start(self) -> None:
        webrtc_button(self.page, "Start").click(timeout=30_000)
        self.start_at, self.live_at, self.sound_from, self.label_onsets = time.monotonic(), None, None, []

    def stop(self) -> None:
        webrtc_button(self.page, "Stop").click(timeout=30_000)

    def poll(self) -> Stats | None:
        text, now = self.page.inner_text(MAIN_SELECTOR), time.monotonic()
        stats, shown = parse_stats(text), VOICE_LABEL.search(text) is not None
        if shown and not self._label_shown:
            self.label_onsets.append((now, stats))
        self._label_shown = shown
        if stats and stats.sound_frames_received:
            # Sound arrives in real time once connected; the least stale reading gives the earliest start.
            self.sound_from = min(self.sound_from or now, now - stats.sound_s)
        return stats

    def media_flowing(self) -> bool:
        stats = self.poll()
        if stats is not None and (stats.frames_received > 0 or stats.sound_frames_received > 0):
            self.live_at = self.live_at or time.monotonic()
        return self.live_at is not None

    def fresh_stats(self) -> tuple[float, Stats]:
        """The stats line as it next changes, and when (epoch seconds, timed in the page: a round
        trip from here takes 0.1-0.3 s on a busy core), so both ends of a window are equally stale."""
        now = self.page.evaluate(NEXT_STATS_JS, [MAIN_SELECTOR, STATS.pattern, None])
        try:
            handle = self.page.wait_for_function(NEXT_STATS_JS, arg=[MAIN_SELECTOR, STATS.pattern, now["line"]],
                                                 polling=STATS_POLL_MS, timeout=STATS_TIMEOUT_MS)
            now = handle.json_value()
        except PlaywrightTimeoutError:
            log("the stats line did not change: the page has stopped refreshing")
        return now["at"], parse_stats(now["line"])

    def speech_onset(self) -> float | None:
        """When the first sentence began that the server got whole and the page was live for: the
        WAV loops from the Start click, and what it played before the connection was up never arrived."""
        if self.sound_from is None or self.live_at is None:
            return None
        ready_s = max(self.sound_from, self.live_at) - self.start_at
        loops_missed = max(0, math.ceil((ready_s - SILENCE_S) / MICROPHONE_LOOP_S))
        return self.start_at + SILENCE_S + loops_missed * MICROPHONE_LOOP_S

    def voice_label(self) -> tuple[float, Stats | None] | None:
        """The first voice label shown after that utterance began, and the stats line then."""
        onset = self.speech_onset()
        return next(((at, stats) for at, stats in self.label_onsets if onset is not None and at >= onset), None)


def start_together(pages: list[LivePage]) -> None:
    """Press Start on every page, then wait for media; a start that stalls (headless Chromium
    sometimes does) is stopped and pressed again."""
    waiting = list(pages)
    for attempt in range(START_ATTEMPTS):
        for page in waiting:
            page.start()
        deadline = time.monotonic() + MEDIA_TIMEOUT_S
        while waiting and time.monotonic() < deadline:
            waiting = [page for page in waiting if not page.media_flowing()]
            time.sleep(POLL_S)
        if not waiting:
            log(f"media flowing {time.monotonic() - pages[0].start_at:.1f} s after Start")
            return
        log(f"{len(waiting)} stream(s) stalled on attempt {attempt + 1}: pressing Start again")
        for page in waiting:
            page.stop()
        time.sleep(2)
    raise RuntimeError("the live stream never delivered media")


def watch(pages: list[LivePage], until: float, microphone: bool) -> None:
    """Wait until `until`, polling for voice labels while any page still lacks one."""
    while (now := time.monotonic()) < until:
        if microphone and any(page.voice_label() is None for page in pages):
            for page in pages:
                page.poll()
            time.sleep(POLL_S)
        else:
            time.sleep(min(1.0, until - now))


# --- measuring -----------------------------------------------------------------------------------

def stream_figures(begin: tuple[float, Stats], end: tuple[float, Stats], page: LivePage, scenario: Scenario) -> dict:
    (t0, a), (t1, b) = begin, end
    wall_s = t1 - t0

    def after_start(at: float | None) -> float | None:
        return None if at is None else round(at - page.start_at, 2)

    figures = {"page_live_s": after_start(page.live_at)}
    if scenario.camera:
        figures["fps_sent"] = round((b.frames_received - a.frames_received) / wall_s, 2)
        figures["fps_analysed"] = round((b.frames_analysed - a.frames_analysed) / wall_s, 2)
    if scenario.microphone:
        label = page.voice_label()
        figures |= {
            "audio_realtime_ratio": round((b.sound_s - a.sound_s) / wall_s, 3),
            "audio_frames_received": b.sound_frames_received - a.sound_frames_received,
            "audio_frames_analysed": b.sound_frames_analysed - a.sound_frames_analysed,
            "audio_frames_lost": b.sound_frames_lost - a.sound_frames_lost,
            "voice_label_latency_s": None if label is None else round(label[0] - page.speech_onset(), 2),
            "sound_s_at_voice_label": label[1].sound_s if label and label[1] else None,
            "sound_from_s": after_start(page.sound_from),
            "speech_from_s": after_start(page.speech_onset()),
        }
    return figures


def worst(per_stream: list[dict]) -> dict:
    """Several streams as one: the lower rate, the longer latency, frame counts added up."""
    combined = {}
    for key in per_stream[0]:
        values = [figures[key] for figures in per_stream if figures[key] is not None]
        if not values:
            combined[key] = None
        elif key.startswith("audio_frames"):
            combined[key] = sum(values)
        else:
            combined[key] = min(values) if key.startswith(("fps", "audio_realtime")) else max(values)
    return combined


def run_scenario(browser, server: StreamlitServer, name: str, warmup_s: float, window_s: float,
                 scenario: Scenario | None = None) -> dict:
    """One scenario's figures: SCENARIOS[name], or `scenario` under that name (benchmarks/capacity.py)."""
    scenario, pid = scenario or SCENARIOS[name], server.process.pid
    log(f"{name}: {scenario.streams} x {scenario.mode!r}, window {window_s:.0f} s")
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    pages: list[LivePage] = []
    try:
        pages = [LivePage(context, server.url, scenario.mode) for _ in range(scenario.streams)]
        start_together(pages)
        watch(pages, time.monotonic() + warmup_s, scenario.microphone)
        begins = [page.fresh_stats() for page in pages]
        t0, cpu0, rss0 = time.monotonic(), cpu_seconds(pid), rss_mb(pid)
        watch(pages, t0 + window_s, scenario.microphone)
        t1, cpu1, rss1 = time.monotonic(), cpu_seconds(pid), rss_mb(pid)
        ends = [page.fresh_stats() for page in pages]
        if scenario.microphone:
            watch(pages, max(page.speech_onset() or t1 for page in pages) + LABEL_TIMEOUT_S, True)
    finally:
        for page in pages:
            try:
                page.stop()
            except Exception as error:  # noqa: BLE001 - stopping is best effort; closing the context ends it anyway
                log(f"{name}: Stop failed: {error}")
        context.close()
    per_stream = [stream_figures(begin, end, page, scenario) for begin, end, page in zip(begins, ends, pages)]
    server_cores = (cpu1 - cpu0) / (t1 - t0)
    result = {
        "streams": scenario.streams,
        "window_s": round(t1 - t0, 1),
        **worst(per_stream),
        "server_cores": round(server_cores, 3),
        "server_cores_per_stream": round(server_cores / scenario.streams, 3),
        "streams_per_core": round(scenario.streams / server_cores, 2),
        "rss_mb": round(rss1, 1),
        "rss_growth_mb": round(rss1 - rss0, 1),
    }
    if scenario.streams > 1:
        result["per_stream"] = per_stream
    log(f"{name}: {json.dumps(result)}")
    return result


def idle_server_cores(browser, server: StreamlitServer) -> float:
    context = browser.new_context()
    try:
        LivePage(context, server.url, DEFAULT_MODE)
        time.sleep(1)
        t0, cpu0 = time.monotonic(), cpu_seconds(server.process.pid)
        time.sleep(IDLE_S)
        return round((cpu_seconds(server.process.pid) - cpu0) / (time.monotonic() - t0), 3)
    finally:
        context.close()


def targets_met(summary: dict) -> dict[str, bool]:
    """Each measured target against its bound. A figure the run should have measured but could not
    (no voice label ever shown: the speech model switched off, say) is a target missed, not skipped."""
    met = {}
    for key, target in TARGETS.items():
        if key in summary:
            comparison, bound = target.split()
            met[key] = summary[key] is not None and COMPARE[comparison](summary[key], float(bound))
    return met


def measure(browser, server: StreamlitServer, quick: bool) -> dict:
    window_s = QUICK_WINDOW_S if quick else WINDOW_S
    idle = idle_server_cores(browser, server)
    log(f"idle server: {idle} cores")
    scenarios = {name: run_scenario(browser, server, name, WARMUP_S, window_s) for name in SCENARIOS}
    single = scenarios["camera_and_mic"]
    summary = {key: single[key] for key in SUMMARY_KEYS}
    if not quick:
        soak = run_scenario(browser, server, "camera_and_mic", SOAK_FIRST_S, SOAK_S - SOAK_FIRST_S)
        scenarios["soak"] = soak
        summary["rss_growth_mb_10min"] = soak["rss_growth_mb"]
    return {
        "benchmark": "live",
        **summary,
        "idle_server_cores": idle,
        "targets": TARGETS,
        "targets_met": targets_met(summary),
        "scenarios": scenarios,
        "camera": {"width": CAMERA_SIZE[0], "height": CAMERA_SIZE[1], "fps": CAMERA_FPS},
        "microphone": {"speech_from_s": SILENCE_S, "loop_s": MICROPHONE_LOOP_S},
        "window_s": window_s,
        "quick": quick,
        "cpu": cpu_model(),
        "date": datetime.date.today().isoformat(),
    }


def long_soak(browser, server: StreamlitServer, minutes: float) -> dict:
    """One camera+mic stream for `minutes`, sampled once a minute: memory, and labels still coming."""
    pid = server.process.pid
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    try:
        page = LivePage(context, server.url, DEFAULT_MODE)
        page.start()
        watch([page], time.monotonic() + WARMUP_S, True)
        started, (_, previous) = time.monotonic(), page.fresh_stats()
        samples = []
        while time.monotonic() - started < minutes * 60:
            watch([page], started + 60 * (len(samples) + 1), True)
            _, now = page.fresh_stats()
            samples.append({"minute": len(samples) + 1, "rss_mb": round(rss_mb(pid), 1),
                            "frames_analysed": now.frames_analysed - previous.frames_analysed,
                            "voice_readings": now.voice_readings - previous.voice_readings,
                            "sound_frames_lost": now.sound_frames_lost - previous.sound_frames_lost})
            log(f"soak: {json.dumps(samples[-1])}")
            previous = now
        page.stop()
    finally:
        context.close()
    growth = samples[-1]["rss_mb"] - samples[0]["rss_mb"]
    return {
        "benchmark": "live_soak",
        "minutes": minutes,
        "rss_growth_mb_after_first_minute": round(growth, 1),
        "labels_kept_flowing": all(s["frames_analysed"] > 0 and s["voice_readings"] > 0 for s in samples),
        "targets": {"rss_growth_mb_after_first_minute": f"<= {SOAK_MAX_GROWTH_MB}"},
        "targets_met": {"rss_growth_mb_after_first_minute": growth <= SOAK_MAX_GROWTH_MB},
        "samples": samples,
        "camera": {"width": CAMERA_SIZE[0], "height": CAMERA_SIZE[1], "fps": CAMERA_FPS},
        "cpu": cpu_model(),
        "date": datetime.date.today().isoformat(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short windows and no soak: under 3 minutes")
    parser.add_argument("--soak-minutes", type=float, help="only a soak of one stream this long, sampled each minute")
    args = parser.parse_args()
    started = time.monotonic()
    # Pinned before Playwright starts, so its driver and Chromium inherit core 1.
    os.sched_setaffinity(0, {BROWSER_CORE})
    with tempfile.TemporaryDirectory() as folder:
        camera, microphone = make_media(Path(folder))
        log(f"server log: {SERVER_LOG}")
        with StreamlitServer(SERVER_LOG, command_prefix=["taskset", "-c", str(SERVER_CORE)]) as server, \
                sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=chromium_args(camera, microphone))
            try:
                result = (long_soak(browser, server, args.soak_minutes) if args.soak_minutes
                          else measure(browser, server, args.quick))
            finally:
                browser.close()
    log(f"done in {time.monotonic() - started:.0f} s")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
