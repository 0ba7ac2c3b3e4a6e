"""Convolution layers on the chip: geometry and the exact integer arithmetic.

A conv layer of a NetworkSpec keeps its kernel (O, C, k, k) in `LayerSpec.weights` and its
geometry in `LayerSpec.conv = {"in_shape": [C, H, W], "stride": s}` (no padding, no
dilation). Its input and output are flattened in (channel, row, column) order, so a conv
layer reads the layer below exactly like a Dense layer would: output neuron
`o * Ho * Wo + y * Wo + x` sums `kernel[o] * input[:, s*y : s*y+k, s*x : s*x+k]`.

On Lava the layer runs as a `Dense` process with the unrolled (n_out, n_in) matrix
(`conv_to_dense`), i.e. the connectivity that Loihi's synapse memory holds; the emulator and
the op counts use the same weights without unrolling them (`conv_accumulate`).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np


def conv_out_shape(in_shape, out_channels: int, kernel: int, stride: int) -> tuple[int, int, int]:
    """(O, Ho, Wo) of a valid (unpadded) convolution of an input (C, H, W)."""
    _, h, w = in_shape
    if h < kernel or w < kernel:
        raise ValueError(f"a {kernel}x{kernel} kernel does not fit a {h}x{w} input")
    return out_channels, (h - kernel) // stride + 1, (w - kernel) // stride + 1


@lru_cache(maxsize=32)
def patch_index(in_shape: tuple[int, int, int], kernel: int, stride: int) -> np.ndarray:
    """(P, C*k*k) int64: for every output position p (row-major), the flat input indices of its
    receptive field in (channel, ky, kx) order, the order of `kernel.reshape(O, -1)`."""
    c, h, w = in_shape
    _, ho, wo = conv_out_shape(in_shape, 1, kernel, stride)
    ch, ky, kx = np.meshgrid(np.arange(c), np.arange(kernel), np.arange(kernel), indexing="ij")
    field = (ch * h * w + ky * w + kx).ravel()                            # (C*k*k,) offsets at (0, 0)
    oy, ox = np.meshgrid(np.arange(ho) * stride, np.arange(wo) * stride, indexing="ij")
    origin = (oy * w + ox).ravel()                                        # (P,)
    index = origin[:, None] + field[None, :]
    index.setflags(write=False)
    return index


def conv_accumulate(x: np.ndarray, kernel: np.ndarray, in_shape, stride: int) -> np.ndarray:
    """Integer convolution of flat inputs. x: (N, C*H*W), kernel: (O, C, k, k) integer-valued.
    Returns (N, O*Ho*Wo) float64, exact while every sum stays below 2^53 (always, for 8-bit
    weights and 24-bit inputs over fewer than 2^21 terms)."""
    k = kernel.shape[-1]
    index = patch_index(tuple(int(v) for v in in_shape), k, stride)
    patches = np.asarray(x, np.float64)[:, index]                          # (N, P, C*k*k)
    out = patches @ kernel.reshape(kernel.shape[0], -1).astype(np.float64).T   # (N, P, O)
    return out.transpose(0, 2, 1).reshape(x.shape[0], -1)


def conv_to_dense(kernel: np.ndarray, in_shape, stride: int) -> np.ndarray:
    """The unrolled (O*Ho*Wo, C*H*W) weight matrix of a conv layer (zeros off the receptive fields)."""
    o = kernel.shape[0]
    index = patch_index(tuple(int(v) for v in in_shape), kernel.shape[-1], stride)
    n_pos = index.shape[0]
    dense = np.zeros((o, n_pos, int(np.prod(in_shape))), kernel.dtype)
    rows = np.arange(n_pos)[:, None]
    for ch in range(o):
        dense[ch][rows, index] = kernel[ch].ravel()[None, :]
    return dense.reshape(o * n_pos, -1)


def fan_out(in_shape, out_channels: int, kernel: int, stride: int) -> np.ndarray:
    """(C*H*W,) number of synapses leaving each input neuron (its structural fan-out)."""
    index = patch_index(tuple(int(v) for v in in_shape), kernel, stride)
    return np.bincount(index.ravel(), minlength=int(np.prod(in_shape))) * out_channels
