"""The app as it is really used, in real browsers against its own server: Start and Stop many
times, a tab closed mid-stream, three people at once, and nothing kept afterwards.

The module starts its own server, with its own empty TMPDIR, so that its thread counts and temp
files are its own and no other test's sessions linger in them.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from app_server import StreamlitServer
from conftest import ARTIFACTS, REPO, save_screenshot
from media import face_frames, hum, speech_16k, write_wav, write_y4m
from streamlit_page import (FACE_LINE, UPLOAD_INPUT, WEBRTC_IFRAME_SELECTOR, exception_texts, main_text,
                            mirrored_video_shows, open_app_page, upload_file, wait_for_text, webrtc_button)

pytestmark = pytest.mark.browser

CYCLES = 10
POOL_SLACK = 4
"""Threads that may come and go without a leak: the web server's worker pools grow and shrink by
a few with the requests of the moment (measured: 17-19 idle threads between streams; 3 more than
before a stream, 60 s after its tab closed, in one run with a training on both cores, 2 more 90 s
after in another: pool threads that stay, not the stream's). One stream adds 11-14 threads
(WebRTC transports, media tracks, the speech worker, its watcher), so a stream whose threads stay
behind, or one thread left per Start/Stop over 10 cycles, exceeds it."""
STEADY_S = 5.0
SETTLE_S = 30
"""How long threads may take to finish after a stream is stopped (WebRTC closes its transports lazily)."""
GONE_S = 60
"""How long a stream whose browser vanished may take to end: nothing says goodbye, so the server
learns it when WebRTC's consent checks fail (aioice gives up after about 30 s of silence; the
media threads end then), and the session itself goes DISCONNECTED_TTL_S after its websocket
closed (streamlit-webrtc's watcher thread ends with it)."""
DISCONNECTED_TTL_S = 10
"""Streamlit keeps a disconnected session 120 s by default, so a tab that lost its network can
reconnect to it; the test server keeps it 10 s so the suite need not wait two minutes."""


@pytest.fixture(scope="module")
def server_tmp(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("server-tmp")


@pytest.fixture(scope="module")
def working_tree_before() -> str:
    return _working_tree()


@pytest.fixture(scope="module")
def server(server_tmp, working_tree_before):
    env = {"TMPDIR": str(server_tmp), "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(DISCONNECTED_TTL_S)}
    with StreamlitServer(ARTIFACTS / "streamlit-reliability.log", env=env) as app:
        yield app


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("reliability-media")
    grey = [np.full((480, 640, 3), 90, np.uint8) for _ in range(20)]
    speech = speech_16k(folder)
    return {"face": write_y4m(folder / "face.y4m", face_frames(4.0, fps=10)),
            "speech": write_wav(folder / "speech.wav", np.concatenate([speech, np.zeros(8000, np.float32)])),
            "empty_room": write_y4m(folder / "grey.y4m", grey),
            "hum": write_wav(folder / "hum.wav", hum(4.0))}


@pytest.fixture(scope="module")
def warmed_server(server, launch_browser, media):
    """The server after one stream: the first one starts what stays for the server's life (the
    WebRTC event loop, model interpreters and their thread pools), which no later stream adds to."""
    page = launch_browser(video=media["face"], audio=media["speech"]).new_page()
    open_app_page(page, server.url, "live", "Live")
    _start(page)
    _stop(page)
    page.close()
    return server


def _working_tree() -> str:
    """Every file git sees, tracked or not, ignored or not, outside the folders tests write to."""
    listing = subprocess.run(["git", "status", "--porcelain", "--ignored", "--untracked-files=all"], cwd=REPO,
                             capture_output=True, text=True, check=True).stdout.splitlines()
    return "\n".join(line for line in listing if not re.search(r"(^|[ /])(artifacts|__pycache__|\.pytest_cache)/", line))


def _threads(pid: int) -> list[str]:
    """The names of the server's threads (one that ends while this reads them is left out)."""
    names = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            names.append((Path(f"/proc/{pid}/task") / task / "comm").read_text().strip())
        except FileNotFoundError:
            continue
    return sorted(names)


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def _settled_threads(pid: int, at_most: int | None = None, within_s: float = SETTLE_S) -> list[str]:
    """The server's threads once they have come down to `at_most`, or without a bound once their
    count has held still for STEADY_S (either way at most `within_s` later)."""
    deadline, steady_since, count = time.monotonic() + within_s, time.monotonic(), len(_threads(pid))
    while time.monotonic() < deadline:
        if at_most is not None and count <= at_most:
            break
        if at_most is None and time.monotonic() - steady_since >= STEADY_S:
            break
        time.sleep(0.5)
        now = len(_threads(pid))
        steady_since, count = (steady_since, now) if now == count else (time.monotonic(), now)
    return _threads(pid)






def _camera_frames(page) -> int:
    """Camera frames the session has received so far (its stats line counts across streams)."""
    match = re.search(r"Camera: \d+ of (\d+) frames", main_text(page))
    return int(match.group(1)) if match else 0


def _start(page, attempts: int = 3) -> None:
    """Press Start and wait until new frames arrive and the page shows the stream, as a person
    waits for their picture before pressing Stop; in headless Chromium on a busy machine a start
    sometimes stalls (no frames, or no Stop button), so stop what there is and press Start again."""
    for _ in range(attempts):
        before = _camera_frames(page)
        webrtc_button(page, "Start").click(timeout=30_000)
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:
            if _camera_frames(page) > before and mirrored_video_shows(page):
                return
            time.sleep(0.3)
        if webrtc_button(page, "Stop").count():
            _stop(page)
    pytest.fail(f"no new camera frames after {attempts} starts: {main_text(page)}")


def _stop(page) -> None:
    webrtc_button(page, "Stop").click(timeout=30_000)
    webrtc_button(page, "Start").wait_for(timeout=30_000)


def _server_remote_hosts(pid: int) -> set[str]:
    """Remote addresses of the server's TCP connections (IPv4 and IPv6), from /proc."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    hosts = set()
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes and fields[3] == "01":  # ESTABLISHED
                hosts.add(fields[2].rsplit(":", 1)[0])
    return hosts


ONNXRUNTIME_MARKER = ".ses"
ONNXRUNTIME_MARKER_TEXT = re.compile(r"\d{13}\n[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n")
"""onnxruntime (which runs the voice detector) writes this 51-byte file into the temp folder when
it is imported, before any user's input: a launch time and a random id of its telemetry library,
rewritten by each process. No user data; SECURITY.md names it."""
LOOPBACK_HEX = {"0100007F", "00000000000000000000000001000000", "0000000000000000FFFF00000100007F"}


def test_start_and_stop_ten_times_leave_no_threads_behind(launch_browser, warmed_server, media):
    server = warmed_server
    pid = server.process.pid
    page = launch_browser(video=media["face"], audio=media["speech"]).new_page()
    open_app_page(page, server.url, "live", "Live")
    # The first stream's one-time allocations (codecs, the voice detector's runtime, the speech
    # model's arena: +19 MB measured) are not a leak; a leak grows with every cycle after it.
    _start(page)
    _stop(page)
    baseline = _settled_threads(pid)
    rss_before = _rss_mb(pid)
    for _ in range(CYCLES):
        _start(page)
        _stop(page)
    after = _settled_threads(pid, at_most=len(baseline))
    assert len(after) <= len(baseline) + POOL_SLACK, f"threads left behind: {len(after)} > {len(baseline)}"
    assert _rss_mb(pid) - rss_before < 60, f"memory grew from {rss_before:.0f} MB to {_rss_mb(pid):.0f} MB"
    assert exception_texts(page) == []
    page.close()


def test_a_tab_closed_mid_stream_leaves_no_threads_behind(launch_browser, warmed_server, media):
    """A browser that vanishes mid-stream: its stream's threads end once the server notices."""
    server = warmed_server
    pid = server.process.pid
    before = _settled_threads(pid)
    page = launch_browser(video=media["face"], audio=media["speech"]).new_page()
    open_app_page(page, server.url, "live", "Live")
    _start(page)
    streaming = len(_threads(pid))
    assert streaming > len(before) + POOL_SLACK  # the stream runs on threads of its own
    page.close()  # no Stop: the tab just goes
    closed = time.monotonic()
    after = _settled_threads(pid, at_most=len(before), within_s=GONE_S)
    print(f"threads: {len(before)} before, {streaming} streaming, {len(after)} {time.monotonic() - closed:.0f} s "
          "after the tab closed")
    assert len(after) <= len(before) + POOL_SLACK, f"threads left behind: {len(after)} > {len(before)}"
    assert "Traceback" not in server.log()


def test_three_people_at_once_each_see_only_their_own(launch_browser, server, media, tmp_path):
    """Two live streams (a smiling face and speech; an empty room with a humming fridge) and an
    upload, at the same time: each page shows and downloads only its own readings."""
    smiling = launch_browser(video=media["face"], audio=media["speech"]).new_page()
    empty_room = launch_browser(video=media["empty_room"], audio=media["hum"]).new_page()
    uploader = launch_browser().new_page()
    for page in (smiling, empty_room):
        open_app_page(page, server.url, "live", "Live")
    open_app_page(uploader, server.url, "upload", "Upload")
    _start(smiling)
    _start(empty_room)
    upload_file(uploader, write_wav(tmp_path / "hello.wav", speech_16k(tmp_path)))
    uploader.get_by_text("Voice, over the whole clip").wait_for(timeout=120_000)

    if not wait_for_text(smiling, FACE_LINE.pattern, 60):
        # Seen once in a full run (the page said "no face in view" for 60 s, passing alone): the
        # picture says whether the camera sent the face or the server did not find it.
        pytest.fail(f"{main_text(smiling)}\nvideo back from the server: {_picture_in(smiling)}\n"
                    f"screenshot: {save_screenshot(smiling, 'three-people-smiling-no-face')}")
    assert wait_for_text(smiling, r"Voice: (?!no speech)\w", 90), main_text(smiling)
    assert wait_for_text(empty_room, r"no face in view", 30), main_text(empty_room)
    time.sleep(3)  # the empty room keeps streaming beside the others
    assert not FACE_LINE.search(main_text(empty_room)) and not re.search(r"Voice: (?!no speech)\w", main_text(empty_room))

    downloads = {}
    for name, page in (("smiling", smiling), ("empty_room", empty_room)):
        _stop(page)
        page.get_by_text("Download timeline (CSV)").wait_for(timeout=60_000)
        with page.expect_download() as download:
            page.get_by_text("Download timeline (CSV)").click()
        downloads[name] = [row.split(",") for row in download.value.path().read_text().splitlines()[1:]]
    with uploader.expect_download() as download:
        uploader.get_by_text("Download timeline (CSV)").click()
    downloads["uploader"] = [row.split(",") for row in download.value.path().read_text().splitlines()[1:]]

    assert {row[1] for row in downloads["smiling"]} == {"face", "voice", "face+voice"}
    assert any(row[1] == "face" and row[2] == "happy" for row in downloads["smiling"])
    # The empty room: its rows say no face and no speech, never the smiling stream's readings.
    assert {row[2] for row in downloads["empty_room"]} <= {"no face", "no speech"}, downloads["empty_room"][:5]
    assert {row[1] for row in downloads["uploader"]} == {"voice"}  # a sound file: no live face rows
    for page in (smiling, empty_room, uploader):
        assert exception_texts(page) == []
        page.close()


def _picture_in(page) -> str:
    """The size and brightness spread of the picture the server sends back: a face shows a wide
    spread, the grey frame of an empty room (or a camera that sent nothing) almost none."""
    video = page.frame_locator(WEBRTC_IFRAME_SELECTOR).locator("video").first
    return video.evaluate("""v => {
        const canvas = document.createElement('canvas');
        canvas.width = v.videoWidth; canvas.height = v.videoHeight;
        if (!canvas.width) return 'no picture';
        const context = canvas.getContext('2d');
        context.drawImage(v, 0, 0);
        const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
        let sum = 0, squares = 0;
        for (let i = 0; i < data.length; i += 4) { sum += data[i + 1]; squares += data[i + 1] * data[i + 1]; }
        const n = data.length / 4, mean = sum / n;
        return `${canvas.width}x${canvas.height}, green mean ${mean.toFixed(0)}, spread ${Math.sqrt(squares / n - mean * mean).toFixed(0)}`;
    }""", timeout=10_000)


def test_nothing_is_kept_and_nothing_leaves_the_machine(launch_browser, server, media, server_tmp,
                                                        working_tree_before, tmp_path):
    """After live streams and uploads (the tests above, and one more here): the server's temp
    folder is empty, the working tree is as it was, the page asked nothing of any other host, and
    the server holds no TCP connection to one."""
    requests: list[str] = []
    page = launch_browser(video=media["face"], audio=media["speech"]).new_page()
    page.on("request", lambda request: requests.append(request.url))
    open_app_page(page, server.url, "upload", "Upload")
    import cv2

    from media import astronaut_rgb

    photo = tmp_path / "astronaut.jpg"
    cv2.imwrite(str(photo), cv2.cvtColor(astronaut_rgb(), cv2.COLOR_RGB2BGR))
    page.set_input_files(UPLOAD_INPUT, str(photo))
    page.get_by_text("Face 1: happy").wait_for(timeout=60_000)
    open_app_page(page, server.url, "live", "Live")
    _start(page)
    remote = _server_remote_hosts(server.process.pid)
    _stop(page)
    page.close()

    assert not [url for url in requests if not url.startswith((server.url, "data:", "blob:"))]
    assert remote <= LOOPBACK_HEX, remote
    assert [path for path in server_tmp.rglob("*") if path.name != ONNXRUNTIME_MARKER] == []
    marker = server_tmp / ONNXRUNTIME_MARKER
    assert not marker.exists() or ONNXRUNTIME_MARKER_TEXT.fullmatch(marker.read_text())
    assert _working_tree() == working_tree_before
    assert "Traceback" not in server.log()  # nothing above ended in an error, on the page or off it
