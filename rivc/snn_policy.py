"""The converted SNN as a policy: encoded obs -> Q readout, on any registered backend."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from neurochip.backends import ClosesOnExit, make_backend, register_backend
from neurochip.ir import NetworkSpec
from rivc.convert import hidden_activations, readout_to_q


class SNNOutput(NamedTuple):
    q: np.ndarray                 # (B, n_actions) float64, readout rescaled to Q units
    counts: list[np.ndarray]      # per hidden layer (B, n_l) int64 spike counts or graded payloads ([] on Lava)


class SnnTorchBackend:
    """snnTorch modules of a rate spec (rivc.snntorch_backend), on the neurochip.backends interface."""

    def __init__(self, spec: NetworkSpec):
        self.load(spec)

    def load(self, spec: NetworkSpec) -> None:
        from rivc.snntorch_backend import SnnTorchNetwork

        self._net = SnnTorchNetwork(spec)

    def infer(self, x_int: np.ndarray):
        return self._net.infer(x_int)

    def close(self) -> None:
        pass


register_backend("snntorch", SnnTorchBackend)


class SNNPolicy(ClosesOnExit):
    """Runs a NetworkSpec on `backend`: 'emulator' (bit-exact, batched), 'lava' (Lava's CPU
    simulator, fixed_pt), 'loihi2' (the same Lava graph under Loihi2HwCfg; needs Intel's
    lava-loihi) or 'snntorch' (floating point, rate scheme); neurochip.backends has the
    interface they share. Use as a context manager: the Lava backends hold OS processes."""

    def __init__(self, spec: NetworkSpec, backend: str = "emulator"):
        self.backend, self.spec = backend, spec
        self._runtime = make_backend(backend, spec)

    def load(self, spec: NetworkSpec) -> None:
        """Deploy a new conversion (in place on Lava when only weights and biases changed)."""
        self.spec = spec
        self._runtime.load(spec)

    def __call__(self, x_int: np.ndarray) -> SNNOutput:
        """x_int: (B, n_in) int64 encoded observations."""
        v, counts = self._runtime.infer(np.atleast_2d(x_int))
        return SNNOutput(readout_to_q(self.spec, v), [] if counts is None else hidden_activations(self.spec, counts))

    def close(self) -> None:
        self._runtime.close()

