"""NetworkSpec: the integer network that runs on the chip, as a versioned, checksummed file.

Two schemes. `rate`: a chain of Dense -> LIF layers (Lava processes), described below.
`graded`: a chain of Dense -> SigmaDelta layers (Loihi 2 graded spikes, `lava.proc.sdn`); see
`neurochip.emulator_graded` for its timing and the per-inference clearing of neuron state.

Rate scheme. The observation enters from
the host as graded input spikes: an 8-bit signed integer vector sent every timestep into the
first Dense (`num_message_bits = input_bits`). Hidden layers are integrate-and-fire LIFs
(`du = 4095`: no current memory, `dv = 0`: no leak) that reset to zero after a spike; the last
layer never spikes and its membrane voltage, read after the run, is the Q readout.

Timing (mirrors Lava): each Dense adds one timestep of delay, so layer `i` (0-based) first sees
the current sample at step `i + 2` of an inference. Every LIF is a `LIFReset` with
`reset_interval = steps_per_inference` and `reset_offset = i + 2`, so each layer integrates
exactly `timesteps` steps of the current sample and its state never leaks into the next one.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from neurochip.conv import conv_accumulate, conv_out_shape, conv_to_dense, fan_out

SPEC_VERSION = 1

# Loihi ranges (Lava's PyLifModelBitAcc docstring and LavaPyType precisions; Davies 2018).
WEIGHT_RANGE = (-256, 255)          # 8-bit synaptic weight mantissa, mixed-sign mode
WEIGHT_EXP_RANGE = (-8, 7)          # weight exponent
BIAS_MANT_RANGE = (-4096, 4095)     # 13-bit signed bias mantissa
BIAS_EXP_RANGE = (0, 7)             # 3-bit bias exponent
VTH_RANGE = (0, 2**17 - 1)          # 17-bit unsigned threshold mantissa
DECAY_RANGE = (0, 4095)             # 12-bit unsigned du, dv
ACTIVATION_LIMIT = 2**17 - 1        # synaptic input per step: a_in << 6 must fit the 24-bit current u
VOLTAGE_LIMIT = 2**23 - 1           # 24-bit membrane voltage
MESSAGE_BITS_RANGE = (0, 24)        # graded spike payload
SD_BIAS_RANGE = (-2**15, 2**15 - 1)  # SigmaDelta bias: 16-bit (its LavaPyType precision)
STATE_EXP_RANGE = (0, 7)            # SigmaDelta state_exp: 3 bits
SD_STATE_LIMIT = 2**23 - 1          # sigma / act are 24-bit


class SpecError(ValueError):
    """A NetworkSpec is out of Loihi's ranges, or a spec file is unreadable."""


@dataclass
class LayerSpec:
    """One Dense -> LIF stage.

    weights: (n_out, n_in) int32, Lava weight mantissas (even numbers in mixed-sign mode).
    weight_exp: Dense output is `(W @ s) << weight_exp` (right shift, rounding down, if < 0).
    bias_mant: (n_out,) int32; the voltage gains `bias_mant << bias_exp` every timestep.
    vth: threshold mantissa; a neuron spikes when `v > vth << 6`.
    num_message_bits: 0 for binary input spikes, > 0 for graded input payloads.
    spiking: False for the readout layer (its `vth` is the maximum and must never be reached).

    Graded scheme (`neuron = "sigma_delta"`): bias_mant is the SigmaDelta bias in sigma units
    (16-bit, bias_exp unused), vth the delta threshold as passed to Lava (scaled there by
    2^state_exp), state_exp the right shift of the sent deltas, act_mode "relu" (hidden) or
    "unit" (readout); du/dv are unused.
    """

    name: str
    weights: np.ndarray
    weight_exp: int
    bias_mant: np.ndarray
    bias_exp: int
    vth: int
    du: int = 4095
    dv: int = 0
    num_message_bits: int = 0
    spiking: bool = True
    neuron: str = "lif"
    state_exp: int = 0
    act_mode: str = "relu"
    conv: dict | None = None

    @property
    def n_in(self) -> int:
        return int(np.prod(self.conv["in_shape"])) if self.conv else int(self.weights.shape[1])

    @property
    def n_out(self) -> int:
        return int(np.prod(self.out_shape)) if self.conv else int(self.weights.shape[0])

    @property
    def out_shape(self) -> tuple[int, ...]:
        """(O, Ho, Wo) for a conv layer, (n_out,) for a dense one."""
        if not self.conv:
            return (int(self.weights.shape[0]),)
        return conv_out_shape(self.conv["in_shape"], self.weights.shape[0], self.weights.shape[-1], self.conv["stride"])

    def dense_weights(self, weights: np.ndarray | None = None) -> np.ndarray:
        """`weights` (default: the layer's own) as the (n_out, n_in) matrix; conv kernels unrolled."""
        w = self.weights if weights is None else weights
        return conv_to_dense(w, self.conv["in_shape"], self.conv["stride"]) if self.conv else w

    def fan_out(self) -> np.ndarray | int:
        """Synapses leaving each input neuron: n_out for a dense layer, (n_in,) for a conv layer
        (output channels x the positions whose receptive field holds the input)."""
        if not self.conv:
            return self.n_out
        return fan_out(self.conv["in_shape"], self.weights.shape[0], self.weights.shape[-1], self.conv["stride"])

    @property
    def synapse_count(self) -> int:
        """Structural synapses (a conv layer's unrolled connections: n_out x C*k*k)."""
        return self.n_out * (int(np.prod(self.weights.shape[1:])) if self.conv else self.n_in)

    def fan_in_abs_sum(self, weights: np.ndarray) -> np.ndarray:
        """(n_out,) sum of |w| over each output neuron's synapses (weights: the layer's shape)."""
        w = np.abs(np.asarray(weights, np.int64))
        if not self.conv:
            return w.sum(axis=1)
        return np.repeat(w.reshape(w.shape[0], -1).sum(axis=1), self.n_out // w.shape[0])


@dataclass
class NetworkSpec:
    """A whole chip network plus the scales that map it to and from real units.

    input_scale: real observation = input_scale * x_int, x_int in [-(2^(input_bits-1)-1), ...].
    output_scale: Q value = output_scale * v_readout / 64 (v_readout in voltage units).
    timesteps: T, the steps each layer integrates one sample for.
    """

    layers: list[LayerSpec]
    timesteps: int
    input_bits: int = 8
    input_scale: float = 1.0 / 127
    output_scale: float = 1.0
    weight_bits: int = 8
    activation_bits: int = 8
    scheme: str = "rate"
    meta: dict = field(default_factory=dict)
    version: int = SPEC_VERSION

    @property
    def steps_per_inference(self) -> int:
        """Timesteps one observation occupies the chip: T plus one per Dense (pipeline delay).
        Graded: T = 1 (the load step that sends the observation), then one step per layer."""
        return self.timesteps + len(self.layers)

    @property
    def readout_unit(self) -> int:
        """Readout integer per unit of `output_scale`: LIF voltages are MSB-aligned by 6 bits."""
        return 1 if self.scheme == "graded" else 64

    @property
    def input_max(self) -> int:
        return 2 ** (self.input_bits - 1) - 1

    def max_input(self, layer_index: int) -> int:
        """Largest |input| of a layer per timestep: the graded observation, one spike (rate), or
        the largest payload the layer below can send (graded)."""
        if layer_index == 0:
            return self.input_max
        if self.scheme == "graded":
            return int(graded_bounds(self)[layer_index - 1][1])
        return 1

    def reset_offset(self, layer_index: int) -> int:
        """The step (mod steps_per_inference) at which layer `layer_index` clears u and v."""
        return (layer_index + 2) % self.steps_per_inference

    # ----------------------------------------------------------------- validation
    def validate(self) -> "NetworkSpec":
        """Check every field against Loihi's ranges; raise SpecError naming layer, field, range, value."""
        if self.scheme not in ("rate", "graded"):
            raise SpecError(f"spec: scheme must be 'rate' or 'graded', got {self.scheme!r}")
        if not 1 <= self.timesteps <= 4096:
            raise SpecError(f"spec: timesteps must be in [1, 4096], got {self.timesteps}")
        if not 2 <= self.input_bits <= 8:
            raise SpecError(f"spec: input_bits must be in [2, 8], got {self.input_bits}")
        if not self.layers:
            raise SpecError("spec: a network needs at least one layer")
        if self.scheme == "graded":
            return self._validate_graded()
        for i, layer in enumerate(self.layers):
            if layer.neuron != "lif":
                raise SpecError(f"layer {layer.name}: the rate scheme uses LIF neurons, got {layer.neuron!r}")
            _check_range(layer.name, "weights", layer.weights, WEIGHT_RANGE)
            _check_range(layer.name, "weight_exp", layer.weight_exp, WEIGHT_EXP_RANGE)
            _check_range(layer.name, "bias_mant", layer.bias_mant, BIAS_MANT_RANGE)
            _check_range(layer.name, "bias_exp", layer.bias_exp, BIAS_EXP_RANGE)
            _check_range(layer.name, "vth", layer.vth, VTH_RANGE)
            _check_range(layer.name, "du", layer.du, DECAY_RANGE)
            _check_range(layer.name, "dv", layer.dv, DECAY_RANGE)
            _check_range(layer.name, "num_message_bits", layer.num_message_bits, MESSAGE_BITS_RANGE)
            _check_shape(layer, i == len(self.layers) - 1)
            if layer.bias_mant.shape != (layer.n_out,):
                raise SpecError(f"layer {layer.name}: bias_mant shape {layer.bias_mant.shape} != ({layer.n_out},)")
            n_prev = self.layers[i - 1].n_out if i else None
            if n_prev is not None and layer.n_in != n_prev:
                raise SpecError(f"layer {layer.name}: n_in {layer.n_in} != previous layer's n_out {n_prev}")
            if layer.spiking == (i == len(self.layers) - 1):
                raise SpecError(f"layer {layer.name}: only the last layer is the non-spiking readout")
            worst = int(worst_case_input(layer, self.max_input(i)).max())
            if worst > ACTIVATION_LIMIT:
                raise SpecError(f"layer {layer.name}: worst-case synaptic input {worst} exceeds the "
                                f"range [-{ACTIVATION_LIMIT}, {ACTIVATION_LIMIT}]")
            if not layer.spiking:
                v_worst = int(worst_case_readout_voltage(layer, self.max_input(i), self.timesteps).max())
                if v_worst > layer.vth << 6 or v_worst > VOLTAGE_LIMIT:
                    raise SpecError(f"layer {layer.name}: worst-case readout voltage {v_worst} exceeds "
                                    f"min(vth << 6, 2^23 - 1) = {min(layer.vth << 6, VOLTAGE_LIMIT)}; "
                                    f"use fewer timesteps or smaller weights")
        return self

    def _validate_graded(self) -> "NetworkSpec":
        if self.timesteps != 1:
            raise SpecError(f"spec: the graded scheme sends each observation once (timesteps 1), got {self.timesteps}")
        for i, layer in enumerate(self.layers):
            last = i == len(self.layers) - 1
            if layer.neuron != "sigma_delta":
                raise SpecError(f"layer {layer.name}: the graded scheme uses sigma_delta neurons, got {layer.neuron!r}")
            if layer.act_mode != ("unit" if last else "relu"):
                raise SpecError(f"layer {layer.name}: act_mode must be {'unit' if last else 'relu'}, got {layer.act_mode!r}")
            _check_range(layer.name, "weights", layer.weights, WEIGHT_RANGE)
            _check_range(layer.name, "weight_exp", layer.weight_exp, WEIGHT_EXP_RANGE)
            _check_range(layer.name, "bias_mant", layer.bias_mant, SD_BIAS_RANGE)
            _check_range(layer.name, "state_exp", layer.state_exp, STATE_EXP_RANGE)
            _check_range(layer.name, "vth", layer.vth, (0, SD_STATE_LIMIT >> layer.state_exp))
            _check_range(layer.name, "num_message_bits", layer.num_message_bits, (1, 24))
            _check_shape(layer, last)
            if layer.bias_mant.shape != (layer.n_out,):
                raise SpecError(f"layer {layer.name}: bias_mant shape {layer.bias_mant.shape} != ({layer.n_out},)")
            if i and layer.n_in != self.layers[i - 1].n_out:
                raise SpecError(f"layer {layer.name}: n_in {layer.n_in} != previous layer's n_out {self.layers[i - 1].n_out}")
            if layer.spiking == last:
                raise SpecError(f"layer {layer.name}: only the last layer is the non-spiking readout")
            if i and not last and layer.bias_mant.max() > 0:
                # After the per-inference clear, a positive bias would make the neuron send before
                # its input arrives (one step per layer later), and the two shifted deltas would
                # not sum to the shifted activation.
                raise SpecError(f"layer {layer.name}: hidden layers after the first need bias <= 0 in the "
                                f"graded scheme, got {int(layer.bias_mant.max())}")
        for layer, (state, payload) in zip(self.layers, graded_bounds(self)):
            if state > SD_STATE_LIMIT:
                raise SpecError(f"layer {layer.name}: worst-case sigma + bias {state} exceeds the 24-bit "
                                f"range [-{SD_STATE_LIMIT}, {SD_STATE_LIMIT}]")
            if payload >= 2 ** 23:
                raise SpecError(f"layer {layer.name}: worst-case graded payload {payload} needs more than 24 bits")
        return self

    # ----------------------------------------------------------------- file format
    def save(self, path: str | os.PathLike) -> Path:
        """Write the spec atomically as an .npz with a version field and a SHA-256 checksum."""
        arrays, header = self._to_arrays()
        payload = _npz_bytes(arrays)
        header["sha256"] = hashlib.sha256(payload).hexdigest()
        blob = json.dumps(header).encode()
        data = len(blob).to_bytes(8, "little") + blob + payload
        return atomic_write_bytes(Path(path), data)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "NetworkSpec":
        """Read a spec written by `save`; SpecError if it is missing, corrupt or of another version."""
        path = Path(path)
        if not path.is_file():
            raise SpecError(f"spec file {path} does not exist")
        data = path.read_bytes()
        try:
            n = int.from_bytes(data[:8], "little")
            header = json.loads(data[8:8 + n])
            payload = data[8 + n:]
        except (ValueError, UnicodeDecodeError) as exc:
            raise SpecError(f"spec file {path} is corrupt (unreadable header: {exc})") from None
        if header.get("version") != SPEC_VERSION:
            raise SpecError(f"spec file {path} has version {header.get('version')}, this framework reads {SPEC_VERSION}")
        if hashlib.sha256(payload).hexdigest() != header.get("sha256"):
            raise SpecError(f"spec file {path} is corrupt (checksum mismatch)")
        with np.load(io.BytesIO(payload)) as arrays:
            return cls._from_arrays(header, {k: arrays[k] for k in arrays.files})

    def _to_arrays(self) -> tuple[dict, dict]:
        arrays, layers = {}, []
        for i, layer in enumerate(self.layers):
            meta = {k: v for k, v in asdict(layer).items() if k not in ("weights", "bias_mant")}
            layers.append(meta)
            arrays[f"w{i}"] = layer.weights.astype(np.int32)
            arrays[f"b{i}"] = layer.bias_mant.astype(np.int32)
        header = {k: v for k, v in asdict(self).items() if k != "layers"}
        header["layers"] = layers
        return arrays, header

    @classmethod
    def _from_arrays(cls, header: dict, arrays: dict) -> "NetworkSpec":
        layers = [LayerSpec(weights=arrays[f"w{i}"], bias_mant=arrays[f"b{i}"], **meta)
                  for i, meta in enumerate(header.pop("layers"))]
        header.pop("sha256", None)
        return cls(layers=layers, **header)


def _check_shape(layer: LayerSpec, last: bool) -> None:
    """A dense layer has a 2-D weight matrix; a conv layer a 4-D square kernel, a valid geometry,
    and is never the readout."""
    if not layer.conv:
        if layer.weights.ndim != 2:
            raise SpecError(f"layer {layer.name}: dense weights must be (n_out, n_in), got shape {layer.weights.shape}")
        return
    w, geom = layer.weights, layer.conv
    if last:
        raise SpecError(f"layer {layer.name}: the readout must be a dense layer, not a convolution")
    if w.ndim != 4 or w.shape[2] != w.shape[3]:
        raise SpecError(f"layer {layer.name}: a conv kernel must be (O, C, k, k), got shape {w.shape}")
    if set(geom) != {"in_shape", "stride"} or len(geom["in_shape"]) != 3 or int(geom["stride"]) < 1:
        raise SpecError(f"layer {layer.name}: conv must be {{'in_shape': [C, H, W], 'stride': s >= 1}}, got {geom}")
    if geom["in_shape"][0] != w.shape[1]:
        raise SpecError(f"layer {layer.name}: kernel has {w.shape[1]} input channels, in_shape {geom['in_shape']}")
    try:
        layer.out_shape
    except ValueError as exc:
        raise SpecError(f"layer {layer.name}: {exc}") from None


def _check_range(layer: str, name: str, value, bounds: tuple[int, int]) -> None:
    arr = np.asarray(value)
    lo, hi = bounds
    if arr.size and (arr.min() < lo or arr.max() > hi):
        bad = arr.min() if arr.min() < lo else arr.max()
        raise SpecError(f"layer {layer}: {name} must be in [{lo}, {hi}], got {int(bad)}")


def dense_shift(x: np.ndarray, exp: int) -> np.ndarray:
    """Dense's weight exponent: `x << exp`, or an arithmetic right shift (rounding down) if exp < 0."""
    return np.left_shift(x, exp) if exp > 0 else np.right_shift(x, -exp)


def effective_weights(weights: np.ndarray) -> np.ndarray:
    """Weights as Lava's fixed_pt Dense uses them: clipped to 8 bits, then the lowest bit dropped
    in mixed-sign mode (`clip_weights`, `truncate_weights` with num_weight_bits = 8). int64."""
    w = np.asarray(weights).astype(np.int64)
    if w.min() >= 0:
        mode = "excitatory"
    elif w.max() <= 0:
        mode = "inhibitory"
    else:
        mode = "mixed"
    sign = -1 if mode == "inhibitory" else 1
    w = np.clip(sign * w, -(2 ** 8) if mode == "mixed" else 0, 2 ** 8 - 1)
    truncate = int(mode == "mixed")
    return sign * ((w >> truncate) << truncate)


def exactly_shifted_weights(layer: LayerSpec) -> np.ndarray | None:
    """(n_out, n_in) int64 effective weights times 2^weight_exp when that shift is exact on every
    weight (then Dense's per-step shift of the sum never rounds: W @ s >> e == (W >> e) @ s),
    else None."""
    w = effective_weights(layer.weights)
    if layer.weight_exp >= 0:
        return w << layer.weight_exp
    if np.any(w % (1 << -layer.weight_exp)):
        return None
    return w >> -layer.weight_exp


def worst_case_input(layer: LayerSpec, max_input: int) -> np.ndarray:
    """(n_out,) largest |synaptic input| per timestep of each neuron (after the weight exponent)."""
    return dense_shift(layer.fan_in_abs_sum(effective_weights(layer.weights)) * max_input, layer.weight_exp)


def accumulate(layer: LayerSpec, weights: np.ndarray, s_in: np.ndarray) -> np.ndarray:
    """The layer's synaptic sum W @ s before the weight exponent: (..., n_in) -> (..., n_out)
    float64, exact on integers (weights: the layer's effective weights, dense or conv kernel)."""
    if not layer.conv:
        return np.asarray(s_in, np.float64) @ weights.T
    lead = s_in.shape[:-1]
    out = conv_accumulate(s_in.reshape(-1, s_in.shape[-1]), weights, layer.conv["in_shape"], layer.conv["stride"])
    return out.reshape(*lead, -1)


def graded_bounds(spec: NetworkSpec) -> list[tuple[int, int]]:
    """Per layer of a graded spec: (largest |sigma + bias|, largest |payload| it sends), from the
    8-bit input forward. After the per-inference clear a neuron sends its activation once,
    shifted right by state_exp, so a payload never exceeds |act| >> state_exp.

    A layer fed by clamp pairs (`clamp_pair_levels`) sums w * (a - c) with a - c in [0, L], so its
    input is bounded by L per pair, whatever the pair members send (the Dense sum is exact in
    Lava's wrapping integers and in the emulator's float64 whenever the final sum fits)."""
    bounds, max_in = [], spec.input_max
    for i, layer in enumerate(spec.layers):
        levels = clamp_pair_levels(spec, i)
        if levels is None:
            drive = worst_case_input(layer, max_in)
        else:
            half = np.split(effective_weights(layer.weights), 2, axis=1)[0]
            drive = dense_shift(layer.fan_in_abs_sum(half) * levels, layer.weight_exp)
        state = int((drive + np.abs(layer.bias_mant.astype(np.int64))).max())
        max_in = state >> layer.state_exp
        bounds.append((state, max_in))
    return bounds


def clamp_pair_levels(spec: NetworkSpec, i: int) -> int | None:
    """L = 2^activation_bits - 1 if layer i of a graded spec reads clamp pairs, else None.

    Clamp pairs (rivc.convert.convert_graded): layer i-1's outputs are two equal halves "a" and
    "c" (same weights, no delta threshold, biases b and b - L 2^m), so a - c = clamp(floor(z /
    2^m), 0, L); layer i's weights on them are [W, -W]. Conv layers pair whole channels."""
    if i == 0 or spec.scheme != "graded":
        return None
    below, layer = spec.layers[i - 1], spec.layers[i]
    levels = 2 ** spec.activation_bits - 1
    w_below, w = below.weights, layer.weights
    if below.vth != 0 or below.n_out % 2 or w_below.shape[0] % 2 or w.shape[1] % 2:
        return None
    a_rows, c_rows = np.split(w_below, 2, axis=0)
    b_a, b_c = np.split(below.bias_mant.astype(np.int64), 2)
    w_a, w_c = np.split(w, 2, axis=1)
    if not (np.array_equal(a_rows, c_rows) and np.array_equal(w_a, -w_c)
            and np.all(b_a - b_c == levels << below.state_exp)):
        return None
    return levels


def worst_case_readout_voltage(layer: LayerSpec, max_input: int, timesteps: int) -> np.ndarray:
    """(n_out,) largest |v| an integrate-and-fire neuron can reach in `timesteps` steps."""
    bias = np.abs(layer.bias_mant.astype(np.int64)) << layer.bias_exp
    return timesteps * (64 * worst_case_input(layer, max_input) + bias)


def _npz_bytes(arrays: dict) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write `data` to `path` via a temporary file and rename: a crash never leaves half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:            # name the file the caller asked for, not the temporary one
        raise OSError(exc.errno, f"cannot write {path} ({exc.strerror})", str(path)) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
