"""Bit-exact, batched emulator of Lava's `fixed_pt` Dense and LIFReset process models.

Read side by side with `lava/proc/dense/models.py` (`AbstractPyDenseModelBitAcc`) and
`lava/proc/lif/models.py` (`AbstractPyLifModelFixed`, `PyLifResetModelBitAcc`): the steps
carry the same names. Integer state is int64 here (Lava uses int32 with the same values).
The emulator runs a batch of B independent networks at once; Lava runs one.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurochip.ir import (LayerSpec, NetworkSpec, accumulate, dense_shift, effective_weights, exactly_shifted_weights,
                          worst_case_input, worst_case_readout_voltage)

# Hardware constants of Loihi's LIF (AbstractPyLifModelFixed.__init__).
DS_OFFSET = 1            # added to du: du = 4095 means the current forgets everything
DM_OFFSET = 0            # added to dv
DECAY_SHIFT = 12         # decays are 12-bit fractions of 4096
DECAY_UNITY = 1 << DECAY_SHIFT
VTH_SHIFT = 6            # threshold is MSB-aligned by 6 bits
ACT_SHIFT = 6            # synaptic input is MSB-aligned by 6 bits
MAX_UV = 1 << 23         # u and v are 24-bit


def _decay(x: np.ndarray, decay_const: int) -> np.ndarray:
    """sign(x) * ((|x| * (4096 - decay_const)) >> 12): decay rounding toward zero."""
    if decay_const == 0:          # (|x| * 4096) >> 12 == |x|: no decay
        return x
    if decay_const == DECAY_UNITY:  # multiplier 0: nothing remains
        return np.zeros_like(x)
    prod = x * (DECAY_UNITY - decay_const)
    return np.sign(prod) * np.right_shift(np.abs(prod), DECAY_SHIFT)


@dataclass
class Trace:
    """Per-timestep record of a run. voltages[i], spikes[i]: (steps, B, n_out_i) int64."""

    voltages: list[np.ndarray]
    spikes: list[np.ndarray]


class Emulator:
    """Runs a NetworkSpec on a batch of B observations, exactly as Lava's fixed_pt models would.

    State: per layer the Dense buffer `a_buff` (B, n_out), current `u` and voltage `v` (B, n_out),
    and the global `time_step` (1-based, as in Lava's PyLoihiProcessModel).
    """

    def __init__(self, spec: NetworkSpec):
        self.spec = spec
        self.weights = [effective_weights(layer.weights).astype(np.float64) for layer in spec.layers]
        self.bias = [np.left_shift(layer.bias_mant.astype(np.int64), layer.bias_exp) for layer in spec.layers]
        self.vth = [np.int64(layer.vth) << VTH_SHIFT for layer in spec.layers]
        self.interval = spec.steps_per_inference
        self.offsets = [spec.reset_offset(i) for i in range(len(spec.layers))]
        # With du = 4095 the current is just this step's input; if that input << 6 cannot reach
        # 2^23, the 24-bit wrap can never trigger; otherwise mirror it.
        self.may_wrap = [layer.du != 4095 or int(worst_case_input(layer, spec.max_input(i)).max()) << ACT_SHIFT >= MAX_UV
                         for i, layer in enumerate(spec.layers)]
        self.is_if = [layer.du == 4095 and layer.dv == 0 for layer in spec.layers]
        # A non-spiking IF readout whose worst case stays below its threshold and the 24-bit range
        # (what NetworkSpec.validate checks) never fires or saturates: its v is a plain sum.
        self.readout_never_fires = [
            not layer.spiking and
            int(worst_case_readout_voltage(layer, spec.max_input(i), spec.timesteps).max()) <= min(self.vth[i], MAX_UV - 1)
            for i, layer in enumerate(spec.layers)]
        # ... and if the weight shift is exact on every product, the sum can use the spike counts.
        self.readout_closed_form = [i > 0 and self.is_if[i] and self.readout_never_fires[i] and
                                    exactly_shifted_weights(layer) is not None
                                    for i, layer in enumerate(spec.layers)]
        self.time_step = 0
        self.state: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None

    def reset(self, batch: int) -> None:
        """Zero all state and the clock (a freshly built Lava network)."""
        self.time_step = 0
        self.state = [tuple(np.zeros((batch, layer.n_out), np.int64) for _ in range(3)) for layer in self.spec.layers]

    def step(self, x_in: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Advance one timestep. x_in: (B, n_in) int, the graded input payload this step.
        Returns per-layer voltages and spikes after the step, each (B, n_out) int64."""
        self.time_step += 1
        s_prev = np.asarray(x_in, dtype=np.int64)
        volts, spikes = [], []
        for i, layer in enumerate(self.spec.layers):
            a_buff, u, v = self.state[i]
            # Dense: send the buffer from t-1, then accumulate this step's input.
            a_in = a_buff
            s_in = s_prev if layer.num_message_bits > 0 else (s_prev != 0).astype(np.int64)
            a_buff = self._dense(i, s_in)
            # LIFReset: clear state at the layer's offset in the inference period.
            if self.time_step % self.interval == self.offsets[i]:
                u = np.zeros_like(u)
                v = np.zeros_like(v)
            u, v, s = self._lif(layer, i, a_in, u, v)
            self.state[i] = (a_buff, u, v)
            volts.append(v)
            spikes.append(s)
            s_prev = s
        return volts, spikes

    def _if_constant_drive_counts(self, i: int, a_in: np.ndarray, T: int):
        """Closed form of `_if_window` for a constant input a_in (B, n) when v cannot saturate:
        v after j steps is j * d (d = u + bias), a spike resets it, so the neuron fires exactly at
        steps k, 2k, ... with k = floor(vth / d) + 1 (d > 0) and never for d <= 0.
        Returns (v_final, counts) int64, or (None, None) if saturation is possible."""
        d = np.left_shift(a_in, ACT_SHIFT) + self.bias[i]
        vth = int(self.vth[i])
        if int(np.abs(d).max(initial=0)) * T + vth >= MAX_UV - 1:
            return None, None
        positive = d > 0
        k = np.where(positive, vth // np.where(positive, d, 1) + 1, T + 1)
        counts = np.where(positive, T // k, 0)
        v = np.where(positive, (T % k) * d, T * d)
        return v, counts

    def _if_window(self, i: int, a_seq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`_lif` over a window from zero state for an IF layer (du = 4095, dv = 0): then
        u = a_in << 6 each step and v is not decayed, so the same integers come from fewer ops.
        The 24-bit saturation is applied only when this window's drive could reach it.
        a_seq: (T, B, n) synaptic inputs. Returns the final v (B, n) int64 and spikes (T, B, n) bool."""
        T = a_seq.shape[0]
        constant = a_seq.strides[0] == 0                                 # the same input every step
        drive = np.left_shift(a_seq[0] if constant else a_seq, ACT_SHIFT) + self.bias[i]   # u + bias
        bound = int(np.abs(drive).max(initial=0)) * T + int(self.vth[i])
        may_saturate = bound >= MAX_UV - 1
        dtype = np.int64 if may_saturate else np.int32                   # |v| < 2^23 fits int32
        drive = drive.astype(dtype)
        vth = dtype(self.vth[i])
        v = np.zeros(a_seq.shape[1:], dtype)
        spikes = np.empty(a_seq.shape, bool)
        for j in range(T):
            v += drive if constant else drive[j]
            if may_saturate:
                np.clip(v, -MAX_UV + 1, MAX_UV - 1, out=v)
            np.greater(v, vth, out=spikes[j])
            np.putmask(v, spikes[j], 0)
        return v.astype(np.int64), spikes

    def _lif(self, layer: LayerSpec, i: int, a_in, u, v):
        """subthr_dynamics + spiking_activation + reset_voltage of AbstractPyLifModelFixed."""
        decayed_curr = _decay(u, layer.du + DS_OFFSET) + np.left_shift(a_in, ACT_SHIFT)
        if self.may_wrap[i]:
            wrapped_curr = np.where(decayed_curr > MAX_UV, decayed_curr - 2 * MAX_UV, decayed_curr)
            wrapped_curr = np.where(wrapped_curr <= -MAX_UV, decayed_curr + 2 * MAX_UV, wrapped_curr)
            decayed_curr = wrapped_curr
        u = decayed_curr
        v = _decay(v, layer.dv + DM_OFFSET) + u
        v += self.bias[i]
        np.clip(v, -MAX_UV + 1, MAX_UV - 1, out=v)
        s = v > self.vth[i]
        v[s] = 0
        return u, v, s.astype(np.int64)

    def run_sequence(self, x_seq: np.ndarray) -> Trace:
        """Run samples back to back from a fresh state, each held for one inference period.

        x_seq: (S, B, n_in) int, S samples. Returns a Trace over S * steps_per_inference steps."""
        S, B, _ = x_seq.shape
        self.reset(B)
        volts, spikes = [[] for _ in self.spec.layers], [[] for _ in self.spec.layers]
        for k in range(S):
            for _ in range(self.interval):
                vs, ss = self.step(x_seq[k])
                for i in range(len(vs)):
                    volts[i].append(vs[i])
                    spikes[i].append(ss[i])
        return Trace([np.stack(v) for v in volts], [np.stack(s) for s in spikes])

    def infer(self, x_int: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """One inference per row, as a fresh network (or one between LIFReset windows) computes it.

        Layer i's state is cleared at step i + 2 (its window is steps i + 2 .. i + 1 + T) and
        nothing it does before reaches the readout, so each layer is run for exactly its T window
        steps, one layer after another: the arithmetic of `step`, reordered. At window step j,
        layer i receives the Dense output of layer i-1's spikes at *its* window step j (the Dense
        delay equals the one-step offset between the windows); layer 0 receives the observation.

        x_int: (B, n_in) int in the input range. Returns the readout voltage (B, n_actions) int64
        at the last step, and the spike count of every spiking layer over its window, (B, n_i)."""
        x_int = np.asarray(x_int, dtype=np.int64)
        B, T = x_int.shape[0], self.spec.timesteps
        s_seq = None            # (T, B, n) spikes of the layer below; layer 0 sees x_int every step
        counts = []
        for i, layer in enumerate(self.spec.layers):
            if i == 0:          # constant input: one Dense accumulation serves all T steps
                s_in = x_int if layer.num_message_bits > 0 else (x_int != 0)
                a_seq = np.broadcast_to(self._dense(i, s_in), (T, B, layer.n_out))
            elif self.readout_closed_form[i]:
                # Never spikes, never saturates, and the shift is exact: v = 64 * (W @ n) + T * bias.
                a_sum = self._dense(i, counts[-1])
                return np.left_shift(a_sum, ACT_SHIFT) + T * self.bias[i], counts
            else:
                s_in = s_seq if layer.num_message_bits > 0 else (s_seq != 0)
                a_seq = self._dense(i, s_in.reshape(T * B, -1)).reshape(T, B, -1)
            if not layer.spiking and self.is_if[i] and self.readout_never_fires[i]:
                v = np.left_shift(a_seq, ACT_SHIFT).sum(axis=0) + T * self.bias[i]
                return v, counts
            if self.is_if[i] and a_seq.strides[0] == 0 and i + 1 < len(self.spec.layers) \
                    and self.readout_closed_form[i + 1]:
                v, count = self._if_constant_drive_counts(i, a_seq[0], T)
                if count is not None:           # the next layer needs only the counts
                    counts.append(count)
                    continue
            if self.is_if[i]:
                v, spikes = self._if_window(i, a_seq)
            else:
                spikes = np.empty((T, B, layer.n_out), np.int64)
                u = np.zeros((B, layer.n_out), np.int64)
                v = np.zeros_like(u)
                for j in range(T):
                    u, v, spikes[j] = self._lif(layer, i, a_seq[j], u, v)
            counts.append(spikes.sum(axis=0, dtype=np.int64))
            s_seq = spikes
        return v, counts[:-1]

    def _dense(self, i: int, s_in: np.ndarray) -> np.ndarray:
        """Dense accumulation and weight_exp shift: (..., n_in) -> (..., n_out) int64."""
        a_accum = np.rint(accumulate(self.spec.layers[i], self.weights[i], s_in)).astype(np.int64)
        return dense_shift(a_accum, self.spec.layers[i].weight_exp)


def emulator_for(spec: NetworkSpec):
    """The bit-exact emulator of the spec's scheme: `Emulator` (rate) or `GradedEmulator`."""
    if spec.scheme == "graded":
        from neurochip.emulator_graded import GradedEmulator

        return GradedEmulator(spec)
    return Emulator(spec)
