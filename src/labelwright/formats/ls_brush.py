"""Label Studio's brush masks: thi.ng `rle-pack` bit streams of an RGBA image.

A brush `rle` is a list of bytes holding a bit stream: 32 bits for the number of values `n`
(`h * w * 4`: RGBA, row-major), 5 bits `word size - 1`, 4 x 4 bits `run-length sizes - 1`,
then records: one bit (1 = a run of one repeated word, 0 = literal words), 2 bits choosing a
run-length size, that many bits for `length - 1`, then one word (a run) or `length` words.
The mask is the alpha channel being non-zero.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from labelwright.errors import Invalid

_SIZES = (3, 4, 8, 16)


class _Bits:
    def __init__(self, data: Sequence[int]) -> None:
        self.bits = np.unpackbits(np.asarray(data, dtype=np.uint8))
        self.at = 0

    def read(self, count: int) -> int:
        if self.at + count > len(self.bits):
            raise Invalid("Label Studio brush rle ends early.")
        value = 0
        for bit in self.bits[self.at : self.at + count]:
            value = (value << 1) | int(bit)
        self.at += count
        return value


def decode_brush(rle: Sequence[int], height: int, width: int) -> npt.NDArray[np.uint8]:
    """The `(height, width)` 0/1 mask of a Label Studio brush `rle`."""
    if not isinstance(rle, list | tuple) or not all(
        isinstance(b, int) and 0 <= b < 256 for b in rle
    ):
        raise Invalid("A Label Studio brush rle must be a list of bytes (0-255).")
    bits = _Bits(rle)
    count = bits.read(32)
    word = bits.read(5) + 1
    sizes = [bits.read(4) + 1 for _ in range(4)]
    if count != height * width * 4:
        raise Invalid(
            f"The brush rle holds {count} values; a {width}x{height} RGBA image has "
            f"{height * width * 4}."
        )
    out = np.zeros(count, dtype=np.uint8)
    i = 0
    while i < count:
        repeated = bits.read(1)
        j = min(count, i + 1 + bits.read(sizes[bits.read(2)]))
        if repeated:
            out[i:j] = bits.read(word)
        else:
            for k in range(i, j):
                out[k] = bits.read(word)
        i = j
    return (out.reshape(height, width, 4)[:, :, 3] > 0).astype(np.uint8)


def encode_brush(mask: npt.ArrayLike) -> list[int]:
    """A Label Studio brush `rle` of a 2-D mask (foreground written as 255 in every channel)."""
    flat = np.repeat((np.asarray(mask) != 0).astype(np.uint8).ravel() * 255, 4)
    head = f"{flat.size:032b}{7:05b}" + "".join(f"{s - 1:04b}" for s in _SIZES)
    parts = [head]
    changes = np.flatnonzero(np.diff(flat)) + 1
    starts = np.concatenate(([0], changes))
    ends = np.concatenate((changes, [flat.size]))
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        value = f"{int(flat[start]):08b}"
        length = end - start
        while length > 0:
            piece = min(length, 1 << 16)
            size = next(index for index, s in enumerate(_SIZES) if piece <= 1 << s)
            parts.append(f"1{size:02b}{piece - 1:0{_SIZES[size]}b}{value}")
            length -= piece
    bits = "".join(parts)
    bits += "0" * (-len(bits) % 8)
    return [int(bits[i : i + 8], 2) for i in range(0, len(bits), 8)]
