"""Bit-exact, batched emulator of Lava's `fixed_pt` Dense and SigmaDelta models (graded scheme).

Read side by side with `lava/proc/sdn/models.py` (`AbstractSigmaDeltaModel`,
`PySigmaDeltaModelFixed`) and `lava/proc/dense/models.py`. Per timestep a SigmaDelta neuron does

    sigma    += a_in                                  # sigma decoding
    act_new   = relu(sigma + bias)  (unit: sigma + bias)
    delta     = act_new - act + residue               # delta encoding
    s         = delta if |delta| >= vth << state_exp else 0
    residue   = delta - s;  act = act_new
    send        s >> state_exp                        # graded spike payload (0 = no spike)

How one inference runs (what `neurochip.lava_backend` does on Lava, mirrored in `run_sequence`):
the network starts with `steps_per_inference` quiet steps (zero input, so that a positive bias
has sent its first delta before any sample). Then per observation: a *load* step in which the
input RingBuffer sends the observation once (zero on every other step), then every SigmaDelta
is cleared (sigma = act = residue = 0, Var.set in Lava), then one step per layer. Each hidden
neuron then sends its activation exactly once, as one graded spike of `act >> state_exp`, so
the network computes, layer by layer,

    q_l = relu(W_l q_{l-1} >> weight_exp + b_l) >> state_exp_l ,   readout = W q + b

which is what `infer` evaluates directly (same integers, no time loop).
"""
from __future__ import annotations

import numpy as np

from neurochip.emulator import Trace
from neurochip.ir import NetworkSpec, accumulate, dense_shift, effective_weights


class GradedEmulator:
    """Runs a graded NetworkSpec on a batch of B observations, exactly as Lava's fixed_pt models.

    State per layer: Dense buffer `a_buff`, SigmaDelta `sigma`, `act`, `residue`, each (B, n_out)."""

    def __init__(self, spec: NetworkSpec):
        self.spec = spec
        self.weights = [effective_weights(layer.weights).astype(np.float64) for layer in spec.layers]
        self.bias = [layer.bias_mant.astype(np.int64) for layer in spec.layers]
        self.vth = [np.int64(layer.vth) << layer.state_exp for layer in spec.layers]
        self.time_step = 0
        self.state: list[list[np.ndarray]] | None = None

    def reset(self, batch: int) -> None:
        """Zero all state and the clock (a freshly built Lava network)."""
        self.time_step = 0
        self.state = [[np.zeros((batch, layer.n_out), np.int64) for _ in range(4)] for layer in self.spec.layers]

    def clear_neurons(self) -> None:
        """Zero every SigmaDelta's sigma, act and residue (Dense buffers keep their values)."""
        for st in self.state:
            for k in (1, 2, 3):
                st[k] = np.zeros_like(st[k])

    def step(self, x_in: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Advance one timestep. x_in: (B, n_in) int, what the input RingBuffer sends this step.
        Returns per-layer `act` and sent payloads after the step, each (B, n_out) int64."""
        self.time_step += 1
        s_prev = np.asarray(x_in, dtype=np.int64)
        acts, sent = [], []
        for i, layer in enumerate(self.spec.layers):
            a_buff, sigma, act, residue = self.state[i]
            a_in = a_buff                               # Dense sends the buffer from t-1 ...
            a_buff = self._dense(i, s_prev)             # ... then accumulates this step's payloads
            sigma = sigma + a_in
            act_new = sigma + self.bias[i]
            if layer.act_mode == "relu":
                act_new = np.maximum(act_new, 0)
            delta = act_new - act + residue
            s_scaled = np.where(np.abs(delta) >= self.vth[i], delta, 0)
            residue = delta - s_scaled
            s_out = np.right_shift(s_scaled, layer.state_exp)
            self.state[i] = [a_buff, sigma, act_new, residue]
            acts.append(act_new)
            sent.append(s_out)
            s_prev = s_out
        return acts, sent

    def run_sequence(self, x_seq: np.ndarray) -> Trace:
        """The deployment protocol step by step (see the module docstring), samples back to back.

        x_seq: (S, B, n_in) int. Returns a Trace over (S + 1) * steps_per_inference steps (the quiet
        start, then each sample); `voltages` hold each layer's `act`, `spikes` the sent payloads."""
        S, B, n_in = x_seq.shape
        P = self.spec.steps_per_inference
        self.reset(B)
        acts, sent = [[] for _ in self.spec.layers], [[] for _ in self.spec.layers]

        def record(step_out):
            for i, (a, s) in enumerate(zip(*step_out)):
                acts[i].append(a)
                sent[i].append(s)

        zeros = np.zeros((B, n_in), np.int64)
        for _ in range(P):
            record(self.step(zeros))
        for k in range(S):
            record(self.step(x_seq[k]))                 # load step
            self.clear_neurons()
            for _ in range(P - 1):
                record(self.step(zeros))
        return Trace([np.stack(a) for a in acts], [np.stack(s) for s in sent])

    def infer(self, x_int: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """x_int: (B, n_in) int. Returns the readout `act` (B, n_actions) int64 after the inference
        and, per hidden layer, the payload each neuron sent (B, n_l) int64."""
        s = np.asarray(x_int, dtype=np.int64)
        sent = []
        for i, layer in enumerate(self.spec.layers):
            act = self._dense(i, s) + self.bias[i]
            if layer.act_mode == "unit":
                return act, sent
            act = np.maximum(act, 0)
            s = np.where(act >= self.vth[i], np.right_shift(act, layer.state_exp), 0)
            sent.append(s)
        raise AssertionError("a graded spec ends with a unit readout")

    def _dense(self, i: int, s_in: np.ndarray) -> np.ndarray:
        """Dense accumulation and weight_exp shift: (..., n_in) -> (..., n_out) int64."""
        a_accum = np.rint(accumulate(self.spec.layers[i], self.weights[i], s_in)).astype(np.int64)
        return dense_shift(a_accum, self.spec.layers[i].weight_exp)
