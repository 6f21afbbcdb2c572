"""The face network trains in PyTorch and ships as Keras/.tflite: the port must be exact.

Real FER2013 faces through a PyTorch FaceNet with non-trivial weights and batch-norm statistics,
then through its Keras port: the logits must agree to PORT_TOLERANCE. Both twins are built from
emotion/face/architecture.py, and the shipped model must have that shape.
"""

from __future__ import annotations

import numpy as np
import pytest

from emotion.data_dir import data_dir

torch = pytest.importorskip("torch")

from emotion.face.architecture import BLOCK_WIDTHS, FACE_SIZE, scaled_widths  # noqa: E402
from emotion.train.face import (PORT_TOLERANCE, FaceNet, augment, logits_of, teacher_probabilities,  # noqa: E402
                                to_keras)


@pytest.fixture(scope="module")
def faces() -> np.ndarray:
    path = data_dir() / "fer2013" / "fer2013.npz"
    if not path.exists():
        pytest.skip("FER2013 is not at $EMOTION_DATA_DIR or ../shared/data")
    with np.load(path) as data:
        return data["x_val"][:64]


def _trained_looking(seed: int, widths: tuple[int, ...] = BLOCK_WIDTHS) -> FaceNet:
    """A FaceNet whose batch norms have moved away from identity, as after training."""
    torch.manual_seed(seed)
    net = FaceNet(widths=widths)
    with torch.no_grad():
        for module in net.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.2, 0.2)
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.5, 2.0)
    return net.eval()


@pytest.mark.parametrize("widths", [BLOCK_WIDTHS, scaled_widths(0.35)], ids=["shipped shape", "narrower"])
def test_ported_keras_network_gives_the_trained_logits(faces, widths):
    net = _trained_looking(0, widths)
    expected = logits_of(net, faces, torch.device("cpu"), bf16=False)
    ported = to_keras(net.state_dict()).predict(faces[..., None].astype("float32"), verbose=0)
    assert np.abs(ported - expected).max() < PORT_TOLERANCE
    assert (ported.argmax(1) == expected.argmax(1)).all()
    # The comparison can fail: another network's weights give other logits.
    other = logits_of(_trained_looking(1, widths), faces, torch.device("cpu"), bf16=False)
    assert np.abs(ported - other).max() > 100 * PORT_TOLERANCE


def test_both_twins_and_the_shipped_model_have_one_shape():
    import keras

    from emotion.face.network import build_face_network
    from emotion.registry import FACE

    net = FaceNet()
    torch_count = sum(p.numel() for p in net.parameters()) + sum(
        b.numel() for name, b in net.named_buffers() if not name.endswith("num_batches_tracked"))
    assert build_face_network().count_params() == torch_count
    assert keras.models.load_model(FACE.weights).count_params() == torch_count


def test_augmentation_moves_faces_but_keeps_them_faces(faces):
    pixels = torch.from_numpy(faces).float().unsqueeze(1)
    first = augment(pixels, torch.Generator().manual_seed(3))
    again = augment(pixels, torch.Generator().manual_seed(3))
    assert first.shape == (len(faces), 1, FACE_SIZE, FACE_SIZE)
    assert float(first.min()) >= 0.0 and float(first.max()) <= 255.0
    assert torch.equal(first, again)  # seeded: a resumed run replays the same epoch
    changed = (first - pixels).abs().mean(dim=(1, 2, 3))
    assert float(changed.min()) > 1.0  # every face was moved, zoomed, turned or erased
    # ... but stays close to itself: its correlation with the original is still high on average.
    flat_a, flat_b = first.flatten(1), pixels.flatten(1)
    corr = torch.nn.functional.cosine_similarity(flat_a - flat_a.mean(1, keepdim=True), flat_b - flat_b.mean(1, keepdim=True))
    assert float(corr.abs().mean()) > 0.3


def test_a_shipped_network_ports_back_to_pytorch_for_fine_tuning(faces, tmp_path):
    """--init: the Keras network (alone, or calibrated as it ships) back into a FaceNet gives the same logits."""
    from emotion.export import with_temperature
    from emotion.train.face import from_keras

    net = _trained_looking(2)
    expected = logits_of(net, faces, torch.device("cpu"), bf16=False)
    keras_net = to_keras(net.state_dict())
    keras_net.save(tmp_path / "net.keras")
    with_temperature(keras_net, 2.0).save(tmp_path / "shipped.keras")
    for path in (tmp_path / "net.keras", tmp_path / "shipped.keras"):
        back = FaceNet()
        back.load_state_dict(from_keras(path))
        assert np.abs(logits_of(back, faces, torch.device("cpu"), bf16=False) - expected).max() < PORT_TOLERANCE


def test_stronger_augmentation_moves_faces_further(faces):
    pixels = torch.from_numpy(faces).float().unsqueeze(1)

    def distance(strength: float) -> float:
        moved = augment(pixels, torch.Generator().manual_seed(5), strength)
        return float((moved - pixels).abs().mean())

    none, recipe, strong = distance(0.0), distance(1.0), distance(1.5)
    # Strength 0 keeps only the flips; each step up moves the faces further from themselves.
    assert none < recipe < strong
    unflipped = augment(pixels, torch.Generator().manual_seed(5), 0.0)
    assert all(torch.allclose(face, original, atol=1e-3) or torch.allclose(face, original.flip(-1), atol=1e-3)
               for face, original in zip(unflipped, pixels))


def test_a_teachers_probabilities_are_the_shipped_reading_made_softer(faces):
    """At the shipped model's own temperature the distillation targets are what the shipped model reads; at a higher
    one (the CLI's default 3) the same ranking, less sure."""
    import json

    import keras

    import emotion.export  # noqa: F401 - registers the shipped model's temperature layer
    from conftest import REPO

    shipped = REPO / "models" / "face.keras"
    temperature = json.loads(shipped.with_suffix(".train.json").read_text())["temperature"]
    reading = keras.models.load_model(shipped, compile=False).predict(faces[..., None].astype("float32"), verbose=0)
    cpu = torch.device("cpu")
    assert np.abs(teacher_probabilities(shipped, faces, temperature, cpu, bf16=False) - reading).max() < 1e-3
    softer = teacher_probabilities(shipped, faces, 3.0, cpu, bf16=False)
    assert (softer.argmax(axis=1) == reading.argmax(axis=1)).all()
    assert softer.max(axis=1).mean() < reading.max(axis=1).mean() - 0.05
