"""The Upload page in a real browser: a generated video becomes a report; bad files get a sentence."""

from __future__ import annotations

import re

import pytest

from accessibility import blocking_violations
from conftest import save_screenshot
from media import face_and_speech_mp4
from streamlit_page import (LAPTOP, exception_texts, in_view_without_scrolling, open_app_page, upload_file,
                            wait_until_idle)

pytestmark = pytest.mark.browser




def test_video_with_face_and_speech_becomes_a_report(page, app_server, tmp_path):
    video = face_and_speech_mp4(tmp_path)
    open_app_page(page, app_server.url, "upload", "Upload")
    upload_file(page, video)
    page.get_by_text("Download timeline (CSV)").wait_for(timeout=240_000)
    main = page.inner_text('[data-testid="stMain"]')
    assert "Timeline" in main and "Key frames" in main and "Summary" in main
    assert "Face 1:" in main
    with page.expect_download() as download:
        page.get_by_text("Download timeline (CSV)").click()
    rows = download.value.path().read_text().splitlines()
    assert rows[0].startswith("t,source,label,confidence,p_")
    assert {row.split(",")[1] for row in rows[1:]} == {"face", "voice", "face+voice"}
    save_screenshot(page, "upload-video-report")
    assert exception_texts(page) == []


def test_corrupt_upload_shows_a_sentence_and_the_page_keeps_working(page, app_server, tmp_path):
    broken = tmp_path / "holiday.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(4000))
    open_app_page(page, app_server.url, "upload", "Upload")
    upload_file(page, broken)
    alert = page.locator('[data-testid="stAlert"]', has_text="could not be read")
    alert.wait_for(timeout=60_000)
    save_screenshot(page, "upload-corrupt")
    assert exception_texts(page) == []
    # The page still works: a good file in place of the bad one gives a report.
    upload_file(page, face_and_speech_mp4(tmp_path, with_audio=False))
    page.get_by_text("This video has no sound track").wait_for(timeout=240_000)
    page.get_by_text("Download timeline (CSV)").wait_for(timeout=240_000)
    save_screenshot(page, "upload-silent-video-report")
    assert exception_texts(page) == []


def test_photo_gets_a_label_per_face(page, app_server, tmp_path):
    import cv2

    from media import astronaut_rgb

    photo = tmp_path / "astronaut.jpg"
    cv2.imwrite(str(photo), cv2.cvtColor(astronaut_rgb(), cv2.COLOR_RGB2BGR))
    open_app_page(page, app_server.url, "upload", "Upload")
    page.set_viewport_size(LAPTOP)
    upload_file(page, photo)
    page.get_by_text("Face 1: happy").wait_for(timeout=60_000)
    # The answer, big, beside the picture: in view on a laptop screen without scrolling.
    assert in_view_without_scrolling(page, page.locator("h3", has_text=re.compile(r"happy .*\d+%")).first)
    assert in_view_without_scrolling(page, page.locator('[data-testid="stPlotlyChart"]').first)
    save_screenshot(page, "upload-photo")
    alt = page.locator('[data-testid="stImage"] img').first.get_attribute("alt")
    assert alt.startswith("Your picture, with a box and a label on each face: Face 1: happy ("), alt
    assert blocking_violations(page) == []
    assert exception_texts(page) == []


def test_sound_clip_gets_a_voice_label_and_bars_and_no_face_rows(page, app_server, tmp_path):
    from media import recorded_voice_16k, write_wav

    clip = write_wav(tmp_path / "hello.wav", recorded_voice_16k()[0])  # a person's voice, as a family would upload
    open_app_page(page, app_server.url, "upload", "Upload")
    page.set_viewport_size(LAPTOP)
    upload_file(page, clip)
    page.get_by_text("Voice, over the whole clip").wait_for(timeout=120_000)
    assert in_view_without_scrolling(page, page.locator("h3", has_text="%").first)  # "😀 happy — 71%"
    main = page.inner_text('[data-testid="stMain"]')
    assert "Face, over the whole clip" not in main and "no face" not in main
    assert "unlike the voices" not in main
    assert re.search(r"Energy in the voice: (high|low) .*, \d+% sure", main), main
    charts = page.locator('[data-testid="stPlotlyChart"]')
    charts.nth(1).wait_for(state="attached", timeout=30_000)  # the voice's bars and the timeline draw after the text
    with page.expect_download() as download:
        page.get_by_text("Download timeline (CSV)").click()
    sources = {row.split(",")[1] for row in download.value.path().read_text().splitlines()[1:]}
    assert sources == {"voice"}
    save_screenshot(page, "upload-sound")
    wait_until_idle(page)
    assert blocking_violations(page) == []
    assert exception_texts(page) == []


def test_a_synthetic_voice_reads_not_sure_and_the_page_says_why(page, app_server, tmp_path):
    """espeak-ng's formant voice is unlike every voice the speech model learnt from: the clip's
    voice reads "not sure", with a sentence saying why (once: under the voice, not again in a note
    above it), how much of the speech got a reading, and no energy reading."""
    from media import speech_16k, write_wav

    open_app_page(page, app_server.url, "upload", "Upload")
    upload_file(page, write_wav(tmp_path / "robot.wav", speech_16k(tmp_path)))
    page.get_by_text("Voice, over the whole clip").wait_for(timeout=120_000)
    main = page.inner_text('[data-testid="stMain"]')
    unlike = r"All \d+ half-second steps of speech sound unlike a person talking"
    assert len(re.findall(unlike, main)) == 1, main
    coverage = r"The voice got no reading in \d\.\d seconds of speech: it said \"not sure\" throughout\."
    assert re.search(coverage, main), main
    assert page.locator("h3", has_text="not sure").count() >= 1 and "Energy in the voice" not in main
    save_screenshot(page, "upload-synthetic-voice")
    assert exception_texts(page) == []


def test_a_clip_cut_short_says_how_much_was_read(page, app_server, tmp_path):
    """A streamable video cut in half still decodes its first part: the report says it covers only that."""
    whole = face_and_speech_mp4(tmp_path, ".webm").read_bytes()
    cut = tmp_path / "cut.webm"
    cut.write_bytes(whole[: len(whole) // 2])
    open_app_page(page, app_server.url, "upload", "Upload")
    upload_file(page, cut)
    page.get_by_text("clip could be read, so the report covers only that part").wait_for(timeout=120_000)
    save_screenshot(page, "upload-cut-short")
    assert exception_texts(page) == []
