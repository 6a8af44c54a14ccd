"""Map label glyphs: signed distance fields of a font's characters, in the protocol-buffer
format MapLibre GL reads from a style's ``glyphs`` URL, 256 characters a file.

Each character is drawn by FreeType at ``FONT_SIZE`` pixels; its distance field extends
``BUFFER`` pixels round it and fades over ``RADIUS`` pixels, the edge at ``1 - CUTOFF`` of
full scale: the parameters MapLibre's own glyphs are made with, so labels look the same.
"""

from __future__ import annotations

from pathlib import Path

import freetype
import numpy as np
from scipy.ndimage import distance_transform_edt

FONT_SIZE = 24
BUFFER = 3
RADIUS = 8
CUTOFF = 0.25
RANGE_SIZE = 256
LAST_CODE_POINT = 65535


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, value: int | bytes, *, signed: bool = False) -> bytes:
    """One protocol-buffer field: a varint (zigzag when ``signed``) or length-delimited."""
    if isinstance(value, bytes):
        return _varint(number << 3 | 2) + _varint(len(value)) + value
    if signed:
        value = (value << 1) ^ (value >> 63)
    return _varint(number << 3) + _varint(value)


def distance_field(alpha: np.ndarray) -> np.ndarray:
    """The glyph's coverage (0 to 1) as a signed distance field of bytes, ``BUFFER`` wider
    on every side; 255 deep inside, ``(1 - CUTOFF) * 255`` on the edge, 0 far outside."""
    padded = np.pad(alpha, BUFFER)
    inside = padded >= 0.5
    to_inside = distance_transform_edt(~inside)
    to_outside = distance_transform_edt(inside)
    # Half a pixel of the coverage's own gradient keeps the edge where the pixel's ink is.
    signed = np.where(inside, 0.5 - to_outside, to_inside - 0.5) - (padded - 0.5)
    values = 255 - 255 * (signed / RADIUS + CUTOFF)
    result: np.ndarray = np.clip(np.round(values), 0, 255).astype(np.uint8)
    return result


def glyph_range(font: Path, fontstack: str, start: int) -> bytes:
    """The glyphs of code points ``start`` to ``start + 255`` that ``font`` has."""
    face = freetype.Face(str(font))
    face.set_pixel_sizes(0, FONT_SIZE)
    ascender = face.size.ascender >> 6
    glyphs = []
    for code in range(start, start + RANGE_SIZE):
        index = face.get_char_index(code)
        if index == 0:
            continue
        face.load_glyph(index, freetype.FT_LOAD_RENDER | freetype.FT_LOAD_NO_HINTING)
        slot = face.glyph
        bitmap = slot.bitmap
        width, height = bitmap.width, bitmap.rows
        fields = [_field(1, code)]
        if width and height:
            rows = np.frombuffer(bytes(bitmap.buffer), dtype=np.uint8)
            alpha = rows.reshape(height, bitmap.pitch)[:, :width] / 255.0
            fields.append(_field(2, distance_field(alpha).tobytes()))
        fields += [
            _field(3, width),
            _field(4, height),
            _field(5, slot.bitmap_left, signed=True),
            _field(6, slot.bitmap_top - ascender, signed=True),
            _field(7, round(slot.advance.x / 64)),
        ]
        glyphs.append(_field(3, b"".join(fields)))
    stack = (
        _field(1, fontstack.encode())
        + _field(2, f"{start}-{start + RANGE_SIZE - 1}".encode())
        + b"".join(glyphs)
    )
    return _field(1, stack)
