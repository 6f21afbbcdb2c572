"""Boxes and labels drawn onto frames, for the live video and the upload report's key frames."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from emotion.face.analyse import FaceReading
from emotion.i18n import _, percent
from emotion.labels import COLOURS, EMOJI, FACE_CLASSES, emotion_name, top_label

NOT_SURE_COLOUR = "#999999"  # light grey: apart from neutral's black
EMOJI_FONT = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
"""Debian's fonts-noto-color-emoji (packages.txt installs it on Streamlit Community Cloud);
without it the captions are drawn without emoji."""
EMOJI_FONT_SIZE = 109  # the one size the colour bitmap font is drawn at; scaled afterwards
TEXT_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
"""Debian's fonts-dejavu-core (packages.txt): every letter of the app's languages (ą, ñ, è...), which
OpenCV's own fonts (ASCII only) cannot draw; without it Pillow's built-in font is used."""


@lru_cache(maxsize=64)
def emoji_image(emoji: str, height: int) -> np.ndarray | None:
    """(height, w, 4) uint8 RGBA picture of one emoji, or None when no emoji font is installed."""
    if not EMOJI_FONT.exists():
        return None
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(EMOJI_FONT), EMOJI_FONT_SIZE)
    canvas = Image.new("RGBA", (EMOJI_FONT_SIZE * 2, EMOJI_FONT_SIZE * 2), (0, 0, 0, 0))
    ImageDraw.Draw(canvas).text((0, 0), emoji, font=font, embedded_color=True)
    box = canvas.getbbox()
    if box is None:
        return None
    glyph = canvas.crop(box)
    width = max(1, round(glyph.width * height / glyph.height))
    return np.asarray(glyph.resize((width, height), Image.LANCZOS))


@lru_cache(maxsize=256)
def text_image(text: str, font_px: int, rgb: tuple[int, int, int]) -> np.ndarray:
    """(h, w, 4) uint8 RGBA picture of `text` in `rgb`, as tall as the font's ascent plus descent
    whatever the letters, so every caption of one size has one height."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(TEXT_FONT), font_px) if TEXT_FONT.exists() else ImageFont.load_default(font_px)
    ascent, descent = font.getmetrics()
    width = max(1, round(font.getlength(text)))
    canvas = Image.new("RGBA", (width, ascent + descent), (0, 0, 0, 0))
    ImageDraw.Draw(canvas).text((0, 0), text, font=font, fill=(*rgb, 255))
    return np.asarray(canvas)


def _paste(out: np.ndarray, rgba: np.ndarray, x: int, y: int) -> None:
    """Alpha-blend an RGBA picture onto `out` at (x, y), clipped to the frame."""
    h, w = rgba.shape[:2]
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, out.shape[1]), min(y + h, out.shape[0])
    if x0 >= x1 or y0 >= y1:
        return
    patch = rgba[y0 - y : y1 - y, x0 - x : x1 - x]
    alpha = patch[..., 3:4].astype(np.float32) / 255.0
    region = out[y0:y1, x0:x1]
    region[:] = (patch[..., :3] * alpha + region * (1 - alpha)).astype(np.uint8)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


@lru_cache(maxsize=16)
def text_rgb(hex_colour: str) -> tuple[int, int, int]:
    """Black or white, whichever contrasts more with a label's background (WCAG's luminance):
    white on the palette's orange or sky blue would be hard to read."""
    linear = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in _rgb(hex_colour)]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return (0, 0, 0) if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else (255, 255, 255)


def face_caption(number: int, probabilities: np.ndarray, not_sure_below: float) -> tuple[str, str]:
    """('Face 1: happy (92%)', colour): the same words the page shows as text, in its language."""
    label, confidence = top_label(probabilities, FACE_CLASSES, not_sure_below)
    caption = _("Face {number}: {label} ({confidence})").format(number=number, label=emotion_name(label),
                                                                  confidence=percent(confidence))
    return caption, COLOURS.get(label, NOT_SURE_COLOUR)


def draw_faces(rgb: np.ndarray, readings: list[FaceReading], numbers: list[int], not_sure_below: float) -> np.ndarray:
    """A copy of `rgb` with a box and a caption on every face, sized to the face."""
    out = np.ascontiguousarray(rgb).copy()
    for reading, number in zip(readings, numbers):
        box = reading.box
        caption, colour = face_caption(number, reading.probabilities, not_sure_below)
        colour_rgb = _rgb(colour)
        thickness = max(2, box.w // 60)
        cv2.rectangle(out, (box.x, box.y), (box.x + box.w, box.y + box.h), colour_rgb, thickness)
        text = text_image(caption, round(24 * float(np.clip(box.w / 160, 0.6, 1.8))), text_rgb(colour))
        label_h = text.shape[0] + 6
        top = box.y - label_h
        if top < 0:  # no room above the face: put the caption inside the box's top edge
            top = box.y
        icon = emoji_image(EMOJI.get(top_label(reading.probabilities, FACE_CLASSES, not_sure_below)[0], ""), label_h)
        icon_w = icon.shape[1] + 4 if icon is not None else 0
        cv2.rectangle(out, (box.x, top), (box.x + text.shape[1] + 8 + icon_w, top + label_h), colour_rgb, -1)
        if icon is not None:
            _paste(out, icon, box.x + 2, top)
        _paste(out, text, box.x + 4 + icon_w, top + 3)
    return out
