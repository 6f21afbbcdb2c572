"""The container image a school runs (Containerfile): built here from Debian's packages with
podman, it holds the app alone, runs as a non-root user, answers its health check soon after it
starts and labels a smiling face on Live through a real browser."""

from __future__ import annotations


import pytest

from containers import AppContainer, image_inspect
from media import face_frames, recorded_voice_16k, write_wav, write_y4m
from streamlit_page import FACE_LINE, LAPTOP, exception_texts, open_app_page, start_stream, wait_for_text

pytestmark = pytest.mark.browser

HEALTHY_WITHIN_S = 30
MAX_IMAGE_BYTES = 1.5e9
TRAINING_AND_TEST_PACKAGES = ("tensorflow", "keras", "torch", "pytest", "playwright", "librosa", "scikit-learn")


def test_the_image_holds_the_app_alone_and_runs_it_as_a_user_with_a_health_check(app_image):
    image = image_inspect(app_image)
    config = image["Config"]
    assert config["User"] == "10001:10001" and "8501/tcp" in config["ExposedPorts"]
    assert "MALLOC_ARENA_MAX=2" in config["Env"]
    assert image["Size"] <= MAX_IMAGE_BYTES
    with AppContainer(app_image) as app:
        assert app.started_healthy_s <= HEALTHY_WITHIN_S, app.logs()
        assert app.exec("id", "-u").strip() == "10001"
        health = image["Healthcheck"]["Test"]  # the image's own check, run inside it: exits 0 while the app answers
        assert health[0] == "CMD" and "/_stcore/health" in health[-1]
        app.exec(*health[1:])
        installed = app.exec("pip", "list", "--format=freeze").lower()
        assert "streamlit==" in installed and "ai-edge-litert==" in installed
        assert not [name for name in TRAINING_AND_TEST_PACKAGES if f"\n{name}==" in f"\n{installed}"]
        shipped = app.exec("ls", "models").split()  # what the app reads: the networks, their cards and training records
        assert shipped == sorted(f"{name}{suffix}" for name in ("face", "speech") for suffix in (".json", ".tflite", ".train.json"))


def test_live_through_the_image_labels_a_smiling_face_happy(app_image, launch_browser, tmp_path):
    camera = write_y4m(tmp_path / "camera.y4m", face_frames(4.0, fps=10))
    microphone = write_wav(tmp_path / "microphone.wav", recorded_voice_16k()[0])
    with AppContainer(app_image, env={"EMOTION_ICE_SERVERS": "[]"}) as app:
        browser = launch_browser(video=camera, audio=microphone)
        page = browser.new_page(viewport=LAPTOP)
        open_app_page(page, app.url, "live", "Live")
        start_stream(page)
        face = wait_for_text(page, FACE_LINE, 60)
        assert face and face.group(1) == "happy", app.logs()[-3000:]
        assert exception_texts(page) == []
        page.close()
