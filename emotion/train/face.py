"""Train the facial-expression network on FER2013 in PyTorch; ship it as Keras + .tflite.

    python -m emotion.train.face [--data-dir DIR] [--epochs 250] [--resume] [--device auto]
    python -m emotion.train.face --targets votes --init models/face.keras --epochs 3 --lr 0.005 --warmup 1 --no-release
    python -m emotion.train.face --release-now [--run-dir DIR ...]

Why PyTorch: on this project's CPUs (AMX / AVX-512 bf16) a training step of the face network
runs 1.9x as fast with PyTorch's channels-last bf16 kernels as with TensorFlow, which does not
use those units (benchmarks/face_training.py); the same code runs on a GPU where there is one.
The app never sees PyTorch: the release step ports the weights into the Keras twin of the
network (emotion/face/network.py, same shape from emotion/face/architecture.py), checks that
both give the same logits on real faces, fits the temperature and writes models/face.keras +
models/face.tflite (int8 weights).

Data: the Training split only. PublicTest ("val") picks the best epoch and fits the
temperature; PrivateTest ("test") is never read here -- the evaluate CLI touches it once, for
the model card. Targets (`--targets`): FER2013's one label per face, or FER+'s ten votes per face
(emotion/train/ferplus.py; issue 40: the single labels are noisy and the network memorised them):
"votes" trains on the vote distribution (FER+'s "cross-entropy" scheme), "drawn" on one label
drawn from it every epoch ("probability"), "blend" on half FER2013's label and half the votes (the app is
scored against both label sets); all three leave out the faces FER+ gives no emotion of ours.
PublicTest is read with both label sets every epoch, and `--pick` says which picks the epoch.
Narrower and faster (issue 40's 2 ms a face on slower CPUs): `--width` scales the filters, `--teacher`
distils a shipped network into it. Against memorising: `--augment-strength` (wider zoom, shift,
turn and contrast, more erasing), `--mixup` (mixup of faces and targets), `--ema` (an exponential
moving average of the weights, validated and shipped instead of the raw ones), `--patience` (stop
when the picked score has not improved for that many epochs); `--init` fine-tunes a shipped network.
Recipe (after the published 72-73% FER2013 VGG recipes): random zoom, shift, rotation and flips,
mild contrast changes and random erasing; SGD with Nesterov momentum,
warm-up then cosine decay; class weights (inverse square-root frequency) keep rare "disgust"
from being ignored. Every epoch is checkpointed under ~/.cache/emotion/face (last.pt with the
optimizer, best.pt when validation improves, state.json) so --resume goes on after a break.
"""

from __future__ import annotations

import argparse
import json
import math
import shlex
import shutil
import sys
import time
from collections import OrderedDict
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from emotion.data_dir import data_dir
from emotion.face.architecture import BLOCK_WIDTHS, BN_EPSILON, FACE_SIZE, conv_layers, scaled_widths
from emotion.labels import FACE_CLASSES
from emotion.train.ferplus import LEFT_OUT, load_votes
from emotion.train.run_state import DEFAULT_CACHE, RunState, resume_or_reset, save_resume_point, save_state

FER_FILE = Path("fer2013") / "fer2013.npz"
REPO = Path(__file__).resolve().parents[2]
DATA_RECORD = {
    "name": "FER2013 (fer2013.npz)", "train": "Training, 28,709 faces",
    "validation": "PublicTest, 3,589 faces: best epoch and temperature",
    "test": "PrivateTest, 3,589 faces: read only by the evaluate CLI",
}
VOTES_DATA = {
    "targets": "FER+ votes of the seven classes (contempt, unknown and not-a-face votes dropped), faces FER+ gives "
               "no emotion of ours left out (emotion/train/ferplus.py)",
    "validation_labels": "PublicTest read with FER2013's labels and FER+'s majority",
}
BLEND_DATA = {
    **VOTES_DATA,
    "targets": "half FER2013's label, half FER+'s votes of the seven classes (contempt, unknown and not-a-face votes "
               "dropped); faces FER+ gives no emotion of ours left out (emotion/train/ferplus.py)",
}
PICKS = {
    "fer2013": lambda record: record["val_accuracy"],
    "ferplus": lambda record: record["val_ferplus_accuracy"],
    "both": lambda record: (record["val_accuracy"] + record["val_ferplus_accuracy"]) / 2,
}
"""What picks the best epoch: PublicTest accuracy against FER2013's labels, FER+'s majority, or their mean."""
INIT_RECORD = "init.train.json"
"""In a fine-tune's run folder: the training record of the network it started from (--init)."""
TEACHER_RECORD = "teacher.train.json"
"""In a distilled run's folder: the training record of the network it learnt from (--teacher)."""
PORT_TOLERANCE = 1e-3
"""Largest difference allowed between the PyTorch and the ported Keras logits on real faces."""


class FaceNet(nn.Module):
    """The PyTorch twin of emotion/face/network.py: same layers, same names, same 0..255 input."""

    def __init__(self, head_dropout: float = 0.3, widths: tuple[int, ...] = BLOCK_WIDTHS) -> None:
        super().__init__()
        layers: OrderedDict[str, nn.Module] = OrderedDict()
        for layer in conv_layers(widths):
            layers[f"{layer.name}_conv"] = nn.Conv2d(layer.in_channels, layer.out_channels, 3, padding=1, bias=False)
            layers[f"{layer.name}_bn"] = nn.BatchNorm2d(layer.out_channels, eps=BN_EPSILON)
            layers[f"{layer.name}_relu"] = nn.ReLU(inplace=True)
            if layer.pools:
                layers[f"b{layer.block}_pool"] = nn.MaxPool2d(2)
        self.features = nn.Sequential(layers)
        self.head_drop = nn.Dropout(head_dropout)
        self.logits = nn.Linear(widths[-1], len(FACE_CLASSES))

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        """(n, 1, 48, 48) grey pixels in 0..255 -> (n, 7) logits."""
        x = self.features(pixels / 255.0)
        return self.logits(self.head_drop(x.mean(dim=(2, 3))))


def load_fer(root: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """(n, 48, 48) uint8 pixels and (n,) int64 labels of one FER2013 split."""
    with np.load(root / FER_FILE) as data:
        return data[f"x_{split}"], data[f"y_{split}"].astype("int64")


class Faces(NamedTuple):
    """One split's faces with what training reads: `targets` (n, 7) class distributions (one-hot for FER2013's
    labels) and `labels` (n,) the class the class weights count (the target's top class)."""

    pixels: np.ndarray
    targets: np.ndarray
    labels: np.ndarray


def training_faces(root: Path, targets: str) -> Faces:
    """The Training split with FER2013's labels one-hot ("fer2013"), FER+'s vote distributions ("votes",
    "drawn"), or the mean of the two ("blend"), leaving out the faces FER+ gives no emotion of ours."""
    pixels, labels = load_fer(root, "train")
    one_hot = np.eye(len(FACE_CLASSES), dtype="float32")[labels]
    if targets == "fer2013":
        return Faces(pixels, one_hot, labels)
    votes = load_votes(root, "train")
    kept = votes.majority != LEFT_OUT
    distribution = votes.distribution if targets != "blend" else (one_hot + votes.distribution) / 2
    return Faces(pixels[kept], distribution[kept].astype("float32"), distribution[kept].argmax(axis=1))


def class_weights(labels: np.ndarray, how: str) -> np.ndarray:
    """Per-class loss weights: 'sqrt' (inverse square-root frequency, mean 1 over samples) or 'none'."""
    counts = np.bincount(labels, minlength=len(FACE_CLASSES)).astype("float64")
    if how == "none":
        return np.ones(len(FACE_CLASSES), "float32")
    weights = 1.0 / np.sqrt(np.maximum(counts, 1.0))  # a class absent from a small draw: any finite weight
    return (weights * len(labels) / (weights * counts).sum()).astype("float32")


def augment(pixels: torch.Tensor, generator: torch.Generator, strength: float = 1.0) -> torch.Tensor:
    """Random zoom (±15%), shift (±10%), rotation (±10°), flip, contrast (±30%) and erasing (half
    the faces lose a 2-15% rectangle) of (n, 1, 48, 48) float pixels, on the pixels' device.
    `strength` scales the ranges and the share of faces erased (1.5: ±22%, ±15%, ±15°, ±45%, 75%):
    stronger augmentation is one of issue 40's levers against memorising."""
    n, device = pixels.shape[0], pixels.device

    def uniform(*shape: int, low: float = -1.0, high: float = 1.0) -> torch.Tensor:
        return low + (high - low) * torch.rand(*shape, generator=generator, device=device)

    moved = _move(pixels, uniform, strength)
    mean = moved.mean(dim=(1, 2, 3), keepdim=True)
    moved = (moved - mean) * (1.0 + uniform(n, 1, 1, 1) * 0.3 * strength) + mean
    erased = _erase_mask(n, uniform, share=min(1.0, 0.5 * strength))
    moved = torch.where(erased, uniform(n, 1, 1, 1, low=0.0, high=255.0), moved)
    return moved.clamp(0.0, 255.0)


def _move(pixels: torch.Tensor, uniform, strength: float) -> torch.Tensor:
    """One random affine map per face (zoom, rotation, shift, flip), edges repeated outward."""
    n = pixels.shape[0]
    angle = uniform(n) * math.radians(10) * strength
    zoom = 1.0 + uniform(n) * 0.15 * strength
    flip = torch.where(uniform(n, low=0.0) < 0.5, -1.0, 1.0)
    shift = 0.2 * strength  # of the half-width: 0.2 is 10% of the face
    theta = torch.stack([
        torch.stack([flip * torch.cos(angle) / zoom, -torch.sin(angle) / zoom, uniform(n) * shift], dim=1),
        torch.stack([flip * torch.sin(angle) / zoom, torch.cos(angle) / zoom, uniform(n) * shift], dim=1),
    ], dim=1)
    grid = F.affine_grid(theta, list(pixels.shape), align_corners=False)
    return F.grid_sample(pixels, grid, mode="bilinear", padding_mode="border", align_corners=False)


def _erase_mask(n: int, uniform, share: float) -> torch.Tensor:
    """(n, 1, 48, 48) True inside one random rectangle (2-15% of the face, aspect 1:3 to 3:1) for
    `share` of the faces, as random erasing does; all False for the others."""
    area = uniform(n, low=0.02, high=0.15) * FACE_SIZE * FACE_SIZE
    aspect = torch.exp(uniform(n) * math.log(3.0))
    height = torch.sqrt(area * aspect).clamp(1, FACE_SIZE - 1).view(n, 1, 1)
    width = torch.sqrt(area / aspect).clamp(1, FACE_SIZE - 1).view(n, 1, 1)
    top = uniform(n, low=0.0).view(n, 1, 1) * (FACE_SIZE - height)
    left = uniform(n, low=0.0).view(n, 1, 1) * (FACE_SIZE - width)
    rows = torch.arange(FACE_SIZE, device=area.device).view(1, FACE_SIZE, 1)
    cols = torch.arange(FACE_SIZE, device=area.device).view(1, 1, FACE_SIZE)
    inside = (rows >= top) & (rows < top + height) & (cols >= left) & (cols < left + width)
    return (inside & (uniform(n, low=0.0) < share).view(n, 1, 1)).unsqueeze(1)


def learning_rate(step: int, total_steps: int, warmup_steps: int, peak: float) -> float:
    """Linear warm-up from peak/10, then cosine decay to peak/100."""
    if step < warmup_steps:
        return peak / 10 + (peak - peak / 10) * step / warmup_steps
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return peak * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def pick_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def bf16_helps(device: torch.device) -> bool:
    """bf16 autocast where the hardware has bf16 units (CUDA, or a CPU with AVX-512 bf16 / AMX)."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    cpuinfo = Path("/proc/cpuinfo")
    return cpuinfo.exists() and any(flag in cpuinfo.read_text() for flag in ("avx512_bf16", "amx_bf16"))


def uses_bf16(precision: str, device: torch.device) -> bool:
    """--precision: "bf16", "fp32", or "auto" (bf16 where the hardware has bf16 units)."""
    return precision == "bf16" or (precision == "auto" and bf16_helps(device))


def logits_of(model: nn.Module, pixels: np.ndarray, device: torch.device, bf16: bool, batch: int = 1024) -> np.ndarray:
    """Logits of (n, 48, 48) uint8 faces in evaluation mode, as float32 numpy."""
    model.eval()
    out = []
    with torch.no_grad(), torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
        for start in range(0, len(pixels), batch):
            x = torch.from_numpy(pixels[start:start + batch]).to(device).float().unsqueeze(1)
            out.append(model(x.contiguous(memory_format=torch.channels_last)).float().cpu())
    return torch.cat(out).numpy()


def where_it_ran(device: torch.device, bf16: bool) -> str:
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU, {torch.get_num_threads()} threads"
    return f"PyTorch {torch.__version__}, {name}, {'bf16 autocast' if bf16 else 'float32'}"


def train(args: argparse.Namespace, command: str, faces: Faces, x_val: np.ndarray, y_val: np.ndarray,
          val_majority: np.ndarray) -> None:
    """Train (or go on training) one run until args.epochs, or until `--patience` epochs pass without a better
    picked PublicTest score, checkpointing every epoch."""
    device = pick_device(args.device)
    bf16 = uses_bf16(args.precision, device)
    torch.manual_seed(args.seed)
    torch.backends.cudnn.benchmark = True
    run_dir: Path = args.run_dir[0]
    model = FaceNet(args.head_dropout, scaled_widths(args.width)).to(device, memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True, weight_decay=args.weight_decay)
    averaged = (torch.optim.swa_utils.AveragedModel(model, multi_avg_fn=torch.optim.swa_utils.get_ema_multi_avg_fn(args.ema),
                                                    use_buffers=True) if args.ema else None)
    state = _open(run_dir, args.resume, model, optimizer, averaged, command, args.init)
    shown = averaged.module if averaged is not None else model  # what is validated, checkpointed and shipped

    pixels = torch.from_numpy(faces.pixels).to(device).unsqueeze(1)
    targets = torch.from_numpy(faces.targets).to(device)
    weights = torch.from_numpy(class_weights(faces.labels, args.class_weights)).to(device)
    has_majority = val_majority != LEFT_OUT
    steps = math.ceil(len(pixels) / args.batch_size)
    where = where_it_ran(device, bf16)
    print(f"train {len(pixels)} ({args.targets}) val {len(x_val)} steps/epoch {steps} on {where}", flush=True)
    for epoch in range(state.epochs_done, args.epochs):
        if args.patience and state.best_epoch and epoch - state.best_epoch >= args.patience:
            print(f"stopped: no better PublicTest score ({args.pick}) for {args.patience} epochs", flush=True)
            break
        started = time.time()
        model.train()
        generator = torch.Generator(device).manual_seed(args.seed * 1000 + epoch)
        order = torch.randperm(len(pixels), generator=generator, device=device)
        epoch_targets = drawn_targets(targets, generator) if args.targets == "drawn" else targets
        mixup_rng = np.random.default_rng((args.seed, epoch))
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), device=device)
        for step in range(steps):
            lr = learning_rate(epoch * steps + step, args.epochs * steps, min(args.warmup, args.epochs - 1) * steps, args.lr)
            for group in optimizer.param_groups:
                group["lr"] = lr
            pick = order[step * args.batch_size:(step + 1) * args.batch_size]
            batch = augment(pixels[pick].float(), generator, args.augment_strength)
            batch_targets = epoch_targets[pick]
            if args.mixup:
                batch, batch_targets = mixed(batch, batch_targets, args.mixup, mixup_rng, generator)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
                logits = model(batch.contiguous(memory_format=torch.channels_last))
            loss = face_loss(logits, batch_targets, weights)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if averaged is not None:
                averaged.update_parameters(model)
            loss_sum += loss.detach() * len(pick)
            correct += (logits.argmax(dim=1) == batch_targets.argmax(dim=1)).sum()
        val_logits = logits_of(shown, x_val, device, bf16)
        took = time.time() - started
        record = {"epoch": epoch + 1, "seconds": round(took, 1), "loss": float(loss_sum) / len(pixels),
                  "accuracy": float(correct) / len(pixels),
                  "val_loss": float(F.cross_entropy(torch.from_numpy(val_logits), torch.from_numpy(y_val))),
                  "val_accuracy": float(np.mean(val_logits.argmax(axis=1) == y_val)),
                  "val_ferplus_accuracy": float(np.mean(val_logits[has_majority].argmax(axis=1) == val_majority[has_majority])),
                  "lr": lr, "where": where}
        state.epochs_done, state.seconds = epoch + 1, state.seconds + took
        state.history.append(record)
        picked = PICKS[args.pick](record)
        improved = picked > state.best_val_accuracy
        if improved:
            state.best_val_accuracy, state.best_epoch = picked, epoch + 1
            torch.save(shown.state_dict(), run_dir / "best.pt")
        # The checkpoint before the state, so a crash between them only repeats an epoch.
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "averaged": averaged.state_dict() if averaged is not None else None}, run_dir / "last.pt")
        save_state(run_dir, state)
        print(f"epoch {epoch + 1}/{args.epochs} {took:.0f}s loss {record['loss']:.4f} acc {record['accuracy']:.4f}"
              f" val_loss {record['val_loss']:.4f} val_acc {record['val_accuracy']:.4f}"
              f" val_ferplus_acc {record['val_ferplus_accuracy']:.4f} lr {lr:.5f}{' *best*' if improved else ''}", flush=True)


def face_loss(logits: torch.Tensor, targets: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """-sum_c w_c t_c log p_c, the mean over faces: the class-weighted cross-entropy against a distribution over the
    classes (FER+'s votes, or a FER2013 label one-hot; divided by the number of faces where PyTorch's form for class
    indices divides by the weights' sum: the same scale, the weights averaging 1 over the training faces)."""
    return F.cross_entropy(logits.float(), targets, weight=weights)


def drawn_targets(targets: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """One class per face drawn from its vote distribution, one-hot (FER+'s "probability" scheme)."""
    drawn = torch.multinomial(targets, 1, generator=generator).squeeze(1)
    return F.one_hot(drawn, targets.shape[1]).to(targets.dtype)


def mixed(batch: torch.Tensor, targets: torch.Tensor, alpha: float, rng: np.random.Generator,
          generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Mixup: each face blended with another face of the batch, and its target likewise, by one weight drawn from
    Beta(alpha, alpha) for the batch (kept at least 1/2, so the face's own target leads)."""
    weight = float(rng.beta(alpha, alpha))
    weight = max(weight, 1.0 - weight)
    partner = torch.randperm(len(batch), generator=generator, device=batch.device)
    return weight * batch + (1 - weight) * batch[partner], weight * targets + (1 - weight) * targets[partner]


def _open(run_dir: Path, resume: bool, model: nn.Module, optimizer: torch.optim.Optimizer,
          averaged: nn.Module | None, command: str, init: Path | None) -> RunState:
    """Load last.pt into `model`, `optimizer` and `averaged` when resuming (from the cache, or else from a
    committed models/_resume/face/), or clear the run folder for a fresh start: from `init`'s weights (a shipped
    .keras network) where given."""
    state, resumed = resume_or_reset(run_dir, resume, command, "face", ".pt")
    if resumed:
        checkpoint = torch.load(run_dir / "last.pt", map_location=next(model.parameters()).device)
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        if averaged is not None and checkpoint.get("averaged") is not None:
            averaged.load_state_dict(checkpoint["averaged"])
    elif init is not None:
        model.load_state_dict(from_keras(init))
        if averaged is not None:
            averaged.module.load_state_dict(model.state_dict())
        started_from = init.with_suffix(".train.json")  # how the network it starts from was made: kept for the record
        if started_from.exists():
            shutil.copyfile(started_from, run_dir / INIT_RECORD)
    return state


def to_keras(weights: dict[str, torch.Tensor]):
    """The Keras twin of a FaceNet state dict: conv kernels (out, in, h, w) -> (h, w, in, out),
    batch norms' scale/shift/running statistics, the dense layer transposed."""
    from emotion.face.network import build_face_network

    widths = widths_in(weights)
    model = build_face_network(widths)
    for layer in conv_layers(widths):
        kernel = weights[f"features.{layer.name}_conv.weight"].numpy().transpose(2, 3, 1, 0)
        model.get_layer(f"{layer.name}_conv").set_weights([kernel])
        bn = f"features.{layer.name}_bn."
        model.get_layer(f"{layer.name}_bn").set_weights(
            [weights[bn + part].numpy() for part in ("weight", "bias", "running_mean", "running_var")])
    model.get_layer("logits").set_weights([weights["logits.weight"].numpy().T, weights["logits.bias"].numpy()])
    return model


def teacher_probabilities(path: Path, pixels: np.ndarray, temperature: float, device: torch.device,
                          bf16: bool) -> np.ndarray:
    """A shipped face network's class probabilities of `pixels` at `temperature`: distillation
    targets for a narrower network. Softer than the shipped reading: on the faces it trained on,
    the network is surer than it is anywhere else."""
    weights = from_keras(path)
    net = FaceNet(widths=widths_in(weights))
    net.load_state_dict(weights)
    logits = logits_of(net.to(device, memory_format=torch.channels_last), pixels, device, bf16)
    return torch.softmax(torch.from_numpy(logits) / temperature, dim=1).numpy()


def widths_in(weights: dict[str, torch.Tensor]) -> tuple[int, ...]:
    """The filters per block of a FaceNet state dict (its blocks' last convs' outputs)."""
    return tuple(int(weights[f"features.{layer.name}_conv.weight"].shape[0])
                 for layer in conv_layers() if layer.pools)


def from_keras(path: Path) -> dict[str, torch.Tensor]:
    """A FaceNet state dict from a shipped face network (.keras: the network, or the network with its temperature
    and softmax appended): `to_keras` the other way round, so a run can fine-tune what ships."""
    import keras

    import emotion.export  # noqa: F401 - registers the temperature layer of a shipped model

    shipped = keras.models.load_model(path, compile=False)
    if "face_net" in [layer.name for layer in shipped.layers]:  # the network inside the calibrated model
        shipped = shipped.get_layer("face_net")
    weights: dict[str, torch.Tensor] = {}
    for layer in conv_layers():
        (kernel,) = shipped.get_layer(f"{layer.name}_conv").get_weights()
        weights[f"features.{layer.name}_conv.weight"] = torch.from_numpy(kernel.transpose(3, 2, 0, 1).copy())
        parts = shipped.get_layer(f"{layer.name}_bn").get_weights()
        for part, value in zip(("weight", "bias", "running_mean", "running_var"), parts):
            weights[f"features.{layer.name}_bn.{part}"] = torch.from_numpy(value.copy())
        weights[f"features.{layer.name}_bn.num_batches_tracked"] = torch.tensor(0)
    kernel, bias = shipped.get_layer("logits").get_weights()
    weights["logits.weight"], weights["logits.bias"] = torch.from_numpy(kernel.T.copy()), torch.from_numpy(bias.copy())
    return weights


def port(run_dirs: list[Path], faces: np.ndarray):
    """One Keras logit model from the runs' best.pt (several runs: their logits averaged), and the
    largest difference between its logits and PyTorch's on `faces`, which must stay tiny."""
    from emotion.export import averaged_logits

    torch_logits, members = [], []
    for run_dir in run_dirs:
        weights = torch.load(run_dir / "best.pt", map_location="cpu")
        net = FaceNet(widths=widths_in(weights))
        net.load_state_dict(weights)
        torch_logits.append(logits_of(net, faces, torch.device("cpu"), bf16=False))
        members.append(to_keras(weights))
    keras_model = members[0] if len(members) == 1 else averaged_logits(members)
    difference = float(np.abs(keras_model.predict(faces[..., None].astype("float32"), verbose=0)
                              - np.mean(torch_logits, axis=0)).max())
    if difference > PORT_TOLERANCE:
        raise SystemExit(f"the ported network differs from the trained one by {difference:.2g} (> {PORT_TOLERANCE})")
    return keras_model, difference


def release_runs(args: argparse.Namespace, command: str, x_val: np.ndarray, y_val: np.ndarray, data: dict) -> None:
    """Port the runs' best epochs, fit the temperature on (x_val, y_val) and ship, with `data` in the record."""
    from emotion.train.checkpoints import ship

    keras_model, difference = port(args.run_dir, x_val[:512])
    print(f"ported to Keras: largest logit difference on 512 validation faces {difference:.2g}", flush=True)
    extra = {"data": data, "port_max_logit_difference": difference, "tflite_weights": "int8 (dynamic range)"}
    for file, key in ((INIT_RECORD, "fine_tuned_from"), (TEACHER_RECORD, "distilled_from")):
        started_from = args.run_dir[0] / file
        if started_from.exists():  # the commands that made the network it started from or learnt from, to rebuild it
            record = json.loads(started_from.read_text())
            extra[key] = {part: record[part] for part in ("training_commands", "release_command", "data") if part in record}
    ship(keras_model, args.run_dir, x_val.astype("float32")[..., None], y_val, args.out, command, args.epochs, extra,
         quantize=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="data root (default $EMOTION_DATA_DIR or ../shared/data)")
    parser.add_argument("--epochs", type=int, default=250)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=0.03)
    parser.add_argument("--weight-decay", type=float, default=5e-4)
    parser.add_argument("--head-dropout", type=float, default=0.3)
    parser.add_argument("--class-weights", choices=("sqrt", "none"), default="sqrt")
    parser.add_argument("--targets", choices=("fer2013", "votes", "drawn", "blend"),
                        default="fer2013", help="FER2013's labels, FER+'s vote distribution, a label drawn from it every"
                                                " epoch, or half label and half votes")
    parser.add_argument("--pick", choices=tuple(PICKS), default="both",
                        help="PublicTest accuracy that picks the best epoch: FER2013 labels, FER+ majority, their mean")
    parser.add_argument("--init", type=Path, help="start from this shipped face network (.keras): a fine-tune")
    parser.add_argument("--warmup", type=int, default=2, help="epochs of linear learning-rate warm-up")
    parser.add_argument("--width", type=float, default=1.0,
                        help="the blocks' filters times this (0.35: about 1/8 of the multiply-adds); 1: the shipped shape")
    parser.add_argument("--teacher", type=Path,
                        help="distil: a shipped face network (.keras) whose probabilities join the targets")
    parser.add_argument("--teacher-weight", type=float, default=0.5, help="the teacher's share of each target")
    parser.add_argument("--teacher-temperature", type=float, default=3.0,
                        help="softens the teacher's logits (3: about the temperature FER2013-trained networks fit)")
    parser.add_argument("--augment-strength", type=float, default=1.0,
                        help="scales the augmentation's ranges and erased share (1: the recipe's)")
    parser.add_argument("--mixup", type=float, default=0.0, help="mixup's Beta(alpha, alpha); 0: none")
    parser.add_argument("--ema", type=float, default=0.0,
                        help="validate and ship an exponential moving average of the weights with this decay per step")
    parser.add_argument("--patience", type=int, default=0,
                        help="stop after this many epochs without a better picked PublicTest score; 0: never")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--device", default="auto", help="auto (a GPU if there is one), cpu, cuda, ...")
    parser.add_argument("--precision", choices=("auto", "bf16", "fp32"), default="auto")
    parser.add_argument("--run-dir", type=Path, action="append",
                        help="checkpoint folder (default ~/.cache/emotion/face); several with --release-now ship"
                             " the average of their networks")
    parser.add_argument("--out", type=Path, default=REPO / "models" / "face.keras")
    parser.add_argument("--resume", action="store_true", help="continue from run-dir/last.pt")
    parser.add_argument("--limit", type=int, default=0, help="use only N training images (smoke tests)")
    parser.add_argument("--val-limit", type=int, default=0, help="read only the first N PublicTest faces (smoke tests)")
    parser.add_argument("--no-release", action="store_true",
                        help="train only (a machine without TensorFlow); release later with --release-now")
    parser.add_argument("--release-now", action="store_true",
                        help="do not train: port, calibrate and release the best epoch so far")
    parser.add_argument("--save-resume-point", action="store_true",
                        help="do not train: copy the last checkpoint to models/_resume/face for committing")
    args = parser.parse_args(argv)
    args.run_dir = args.run_dir or [DEFAULT_CACHE / "face"]
    command = "python -m emotion.train.face " + shlex.join(argv if argv is not None else sys.argv[1:])

    root = data_dir(args.data_dir)
    x_val, y_val = load_fer(root, "val")
    val_majority = load_votes(root, "val").majority
    if args.val_limit:
        x_val, y_val, val_majority = x_val[: args.val_limit], y_val[: args.val_limit], val_majority[: args.val_limit]
    if args.save_resume_point:
        print(f"saved {save_resume_point(args.run_dir[0], 'face', ('last.pt', 'state.json'))}", flush=True)
        return
    if not args.release_now:
        faces = training_faces(root, args.targets)
        if args.limit:
            pick = np.random.default_rng(args.seed).permutation(len(faces.pixels))[: args.limit]
            faces = Faces(*(part[pick] for part in faces))
        assert faces.pixels.shape[1:] == (FACE_SIZE, FACE_SIZE)
        if args.teacher:
            args.run_dir[0].mkdir(parents=True, exist_ok=True)
            shutil.copyfile(args.teacher.with_suffix(".train.json"), args.run_dir[0] / TEACHER_RECORD)
            device = pick_device(args.device)
            taught = teacher_probabilities(args.teacher, faces.pixels, args.teacher_temperature, device,
                                           uses_bf16(args.precision, device))
            faces = faces._replace(targets=((1 - args.teacher_weight) * faces.targets
                                            + args.teacher_weight * taught).astype("float32"))
            print(f"distilling {args.teacher} (temperature {args.teacher_temperature}): {args.teacher_weight:.0%} of"
                  f" each target; the teacher's answer is the target's top class for"
                  f" {np.mean(taught.argmax(axis=1) == faces.targets.argmax(axis=1)):.0%} of the faces", flush=True)
        train(args, command, faces, x_val, y_val, val_majority)
        if args.no_release:
            return
    if args.targets == "fer2013":
        release_runs(args, command, x_val, y_val, DATA_RECORD)
    elif args.targets == "blend":  # half its targets are FER2013's labels: calibrated against them, as before
        release_runs(args, command, x_val, y_val, {**DATA_RECORD, **BLEND_DATA})
    else:  # calibrated against FER+'s majority, the labels it learnt
        kept = val_majority != LEFT_OUT
        release_runs(args, command, x_val[kept], val_majority[kept], {**DATA_RECORD, **VOTES_DATA})


if __name__ == "__main__":
    main()
