"""The converted SNN as a policy: obs -> Q readout on the emulator or on Lava."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from neurochip.emulator import emulator_for
from neurochip.ir import NetworkSpec
from rivc.convert import hidden_activations, readout_to_q


class SNNOutput(NamedTuple):
    q: np.ndarray                 # (B, n_actions) float64, readout rescaled to Q units
    counts: list[np.ndarray]      # per hidden layer (B, n_l) int64 spike counts or graded payloads (emulator only; [] on Lava)


class SNNPolicy:
    """Runs a NetworkSpec on `backend`: 'emulator' (bit-exact, batched), 'lava' (Lava's CPU
    simulator, fixed_pt), 'loihi2' (the same Lava graph under Loihi2HwCfg; needs Intel's
    lava-loihi) or 'snntorch' (floating point, rate scheme). Use as a context manager: the
    Lava backends hold OS processes that must be stopped."""

    def __init__(self, spec: NetworkSpec, backend: str = "emulator"):
        self.backend = backend
        self._lava = None
        self.load(spec)

    def load(self, spec: NetworkSpec) -> None:
        """Deploy a new conversion. On Lava the compiled network is updated in place when only
        weights and biases changed (`LavaNetwork.update`; always for graded specs without delta
        thresholds), else rebuilt (Lava caches thresholds after its first run); the emulator is
        rebuilt in microseconds."""
        self.spec = spec
        if self.backend == "emulator":
            self._emu = emulator_for(spec)
        elif self.backend == "snntorch":
            from rivc.snntorch_backend import SnnTorchNetwork

            self._emu = SnnTorchNetwork(spec)
        else:
            from neurochip.lava_backend import LavaNetwork, loihi2_run_config

            if self._lava is not None and self._lava.update(spec):
                return
            self.close()
            self._lava = LavaNetwork(spec, run_cfg=loihi2_run_config() if self.backend == "loihi2" else None)

    def __call__(self, x_int: np.ndarray) -> SNNOutput:
        """x_int: (B, n_in) int64 encoded observations."""
        if self._lava is None:
            v, counts = self._emu.infer(x_int)
            return SNNOutput(readout_to_q(self.spec, v), hidden_activations(self.spec, counts))
        v = np.stack([self._lava.infer(x) for x in np.atleast_2d(x_int)])
        return SNNOutput(readout_to_q(self.spec, v), [])

    def close(self) -> None:
        if self._lava is not None:
            self._lava.stop()
            self._lava = None

    def __enter__(self) -> "SNNPolicy":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
