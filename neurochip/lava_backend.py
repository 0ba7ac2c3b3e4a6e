"""Run a NetworkSpec on Lava's simulator (`Loihi2SimCfg(select_tag="fixed_pt")`).

One network is compiled once and reused for every observation: the input RingBuffer holds
one sample (set between runs), each inference runs `steps_per_inference` steps, and the
readout voltage is read once at the end. LIFReset clears each layer between samples.
Graded specs run Dense -> SigmaDelta layers with the protocol of `neurochip.emulator_graded`
(quiet start; per observation a load step, a Var.set clear of every SigmaDelta, one step per
layer; the readout's `act` is read at the end).
Processes are always stopped: use `LavaNetwork` as a context manager.
"""
from __future__ import annotations

import logging

import numpy as np

from neurochip.ir import NetworkSpec, effective_weights

log = logging.getLogger(__name__)


def import_lava():
    """Import the Lava modules this backend uses (installing the Python 3.11 fix first)."""
    from neurochip import lava_compat

    lava_compat.install()
    with lava_compat.forced_fork_start_method():
        from lava.magma.core.run_conditions import RunSteps
        from lava.magma.core.run_configs import Loihi2SimCfg
        from lava.proc.dense.process import Dense
        from lava.proc.io.source import RingBuffer
        from lava.proc.lif.process import LIFReset
        from lava.proc.monitor.process import Monitor

    return RunSteps, Loihi2SimCfg, Dense, RingBuffer, LIFReset, Monitor


LOIHI2_MISSING = ("backend=loihi2 needs Intel's lava-loihi extension (Loihi 2 hardware access is through the "
                  "Intel Neuromorphic Research Community, INRC), which is not importable here; backend=lava runs "
                  "the same process graph on Lava's bit-accurate CPU simulator")


def loihi2_run_config():
    """`Loihi2HwCfg()` when lava-loihi is installed; SpecError (one line: what is missing, what
    to use instead) otherwise. The spec was validated against Loihi's ranges at conversion."""
    from neurochip.ir import SpecError

    import_lava()
    from lava.utils.loihi import is_installed

    if not is_installed():
        raise SpecError(LOIHI2_MISSING)
    from lava.magma.core.run_configs import Loihi2HwCfg

    return Loihi2HwCfg()


def _sigma_delta_class():
    """Lava's SigmaDelta process (call after `import_lava`, which installs the 3.11 fix)."""
    from lava.proc.sdn.process import ActivationMode, SigmaDelta

    return SigmaDelta, ActivationMode


class LavaNetwork:
    """A NetworkSpec built as Lava processes: RingBuffer -> (Dense -> LIFReset) x L.

    monitor_steps: if > 0, attach Monitors to every layer's v and s_out for that many steps
    (used by the equivalence tests; Monitors slow Lava down by about 60%).
    """

    def __init__(self, spec: NetworkSpec, monitor_steps: int = 0, run_cfg=None):
        spec.validate()
        RunSteps, Loihi2SimCfg, Dense, RingBuffer, LIFReset, Monitor = import_lava()
        self.spec = spec
        self._run_steps = RunSteps
        self.run_cfg = run_cfg or Loihi2SimCfg(select_tag="fixed_pt")
        n_in = spec.layers[0].n_in
        self.graded = spec.scheme == "graded"
        # Graded: the observation sits in column 0 (the load step), zeros elsewhere.
        self._period = spec.steps_per_inference if self.graded else 1
        self.source = RingBuffer(data=np.zeros((n_in, self._period), dtype=np.int32))
        self.lifs, self.denses, self.monitors = [], [], []
        self._state_var = "act" if self.graded else "v"
        port = self.source.s_out
        for i, layer in enumerate(spec.layers):
            # conv layers run as Dense with their unrolled connectivity
            dense = Dense(weights=layer.dense_weights().astype(np.int32), weight_exp=layer.weight_exp,
                          num_message_bits=layer.num_message_bits, name=f"{layer.name}_dense")
            neuron = self._sigma_delta(layer) if self.graded else LIFReset(
                shape=(layer.n_out,), du=layer.du, dv=layer.dv, vth=layer.vth,
                bias_mant=layer.bias_mant.astype(np.int32), bias_exp=layer.bias_exp,
                reset_interval=spec.steps_per_inference, reset_offset=spec.reset_offset(i),
                name=f"{layer.name}_lif")
            self.denses.append(dense)
            port.connect(dense.s_in)
            dense.a_out.connect(neuron.a_in)
            port = neuron.s_out
            self.lifs.append(neuron)
            if monitor_steps:
                mv, ms = Monitor(), Monitor()
                mv.probe(getattr(neuron, self._state_var), monitor_steps)
                ms.probe(neuron.s_out, monitor_steps)
                self.monitors.append((mv, ms))
        self.readout = self.lifs[-1]
        self._started = False

    @staticmethod
    def _sigma_delta(layer):
        SigmaDelta, ActivationMode = _sigma_delta_class()
        mode = ActivationMode.RELU if layer.act_mode == "relu" else ActivationMode.UNIT
        sd = SigmaDelta(shape=(layer.n_out,), vth=int(layer.vth), bias=0, act_mode=mode,
                        state_exp=int(layer.state_exp), name=f"{layer.name}_sd")
        sd.bias.init = layer.bias_mant.astype(np.int32)    # whole-integer bias in sigma units
        return sd

    def __enter__(self) -> "LavaNetwork":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop every Lava process this network started (safe to call twice)."""
        if self._started:
            self._started = False
            self.readout.stop()

    def update(self, spec: NetworkSpec) -> bool:
        """Load a new conversion into this compiled network in place, if Lava allows it: only
        weights and biases (and, for SigmaDelta without a delta threshold, state_exp) differ;
        thresholds, decays, shapes and exponents are cached by Lava's models after the first run.
        Returns False (nothing changed) when `spec` needs a new network, or when this one has not
        run yet (nothing is compiled: building a new one costs the same).

        Dense scales its weights only on its first step, so the effective weights are written.
        A new bias changes an idle neuron's activation, which would send a delta into the next
        observation; the network is therefore settled again with the quiet start's P zero steps,
        after which an inference equals one on a freshly built network (test)."""
        spec.validate()
        fixed = ("weight_exp", "num_message_bits", "vth", "du", "dv", "bias_exp", "spiking", "neuron", "act_mode")
        same = (spec.scheme == self.spec.scheme and len(spec.layers) == len(self.spec.layers) and
                spec.steps_per_inference == self.spec.steps_per_inference and all(
                    new.weights.shape == old.weights.shape and new.conv == old.conv and
                    all(getattr(new, k) == getattr(old, k) for k in fixed) and
                    (new.state_exp == old.state_exp or (self.graded and new.vth == 0))
                    for new, old in zip(spec.layers, self.spec.layers)))
        if not same or not self._started:
            return False
        for dense, neuron, new, old in zip(self.denses, self.lifs, spec.layers, self.spec.layers):
            if not np.array_equal(new.weights, old.weights):
                dense.weights.set(effective_weights(new.dense_weights()).astype(np.int32))
            if not np.array_equal(new.bias_mant, old.bias_mant):
                (neuron.bias if self.graded else neuron.bias_mant).set(new.bias_mant.astype(np.int32))
            if new.state_exp != old.state_exp:
                neuron.state_exp.set(np.array([new.state_exp], np.int32))
        self.spec = spec
        if self.graded:
            self._settle()
        return True

    def _settle(self) -> None:
        """Quiet steps (zero input) until every neuron's activation is steady."""
        self._set_source(np.zeros((self.spec.layers[0].n_in, self._period), dtype=np.int32))
        self._steps(self._period)

    def _run(self, x_int: np.ndarray) -> None:
        x = np.zeros((self.spec.layers[0].n_in, self._period), dtype=np.int32)
        x[:, 0] = np.asarray(x_int, dtype=np.int32)
        if not self.graded:
            self._set_source(x)
            self._steps(self.spec.steps_per_inference)
            return
        if not self._started:               # quiet start: every positive bias has sent its delta
            self._settle()
        self._set_source(x)
        self._steps(1)                      # load step: the RingBuffer sends the observation
        for sd in self.lifs:                # clear (Dense buffers keep the observation)
            zeros = np.zeros(sd.shape, np.int32)
            sd.sigma.set(zeros)
            sd.act.set(zeros)
            if sd.vth.init:                 # a residue exists only with a delta threshold
                sd.residue.set(zeros)
        self._steps(self._period - 1)

    def _set_source(self, x: np.ndarray) -> None:
        if self._started:
            self.source.data.set(x)
        else:
            self.source.data.init = x       # before the first run (compile), a Var's init is its value

    def _steps(self, n: int) -> None:
        self._started = True
        self.readout.run(condition=self._run_steps(n), run_cfg=self.run_cfg)

    def infer(self, x_int: np.ndarray) -> np.ndarray:
        """One observation. x_int: (n_in,) int in the input range. Returns the readout voltage
        (rate) or `act` (graded), (n_out,) int64."""
        self._run(x_int)
        return np.asarray(getattr(self.readout, self._state_var).get()).astype(np.int64)

    def run_sequence(self, x_seq: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Samples back to back (x_seq: (S, n_in)); returns per-layer voltages and spikes,
        each (S * steps_per_inference, n_out) int64 (graded: `act`, and (S + 1) * steps with the
        quiet start). Needs monitor_steps >= that many steps."""
        for x in x_seq:
            self._run(x)
        volts, spikes = [], []
        for (mv, ms), lif in zip(self.monitors, self.lifs):
            volts.append(np.asarray(mv.get_data()[lif.name][self._state_var], dtype=np.int64))
            spikes.append(np.asarray(ms.get_data()[lif.name]["s_out"], dtype=np.int64))
        return volts, spikes
