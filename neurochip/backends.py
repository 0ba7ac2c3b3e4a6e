"""One interface for every runtime of a NetworkSpec, chosen by name like Lava's run-config tags.

    backend = make_backend("lava", spec)      # emulator | lava | loihi2 (| snntorch, registered by rivc)
    readout, counts = backend.infer(x_int)    # (B, n_in) int -> (B, n_actions) int64, per-layer counts or None
    backend.load(new_spec)                    # in place where the runtime allows it
    backend.close()

A new chip is a new class with these three methods, `register_backend`ed under its name, plus a
validation profile of its ranges (NetworkSpec.validate for Loihi).
"""
from __future__ import annotations

from typing import Callable, Protocol

import numpy as np

from neurochip.emulator import emulator_for
from neurochip.ir import NetworkSpec


class ClosesOnExit:
    """`with obj:` closes it on exit: for anything whose close() releases a backend."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Backend(Protocol):
    def infer(self, x_int: np.ndarray) -> tuple[np.ndarray, list[np.ndarray] | None]:
        """x_int (B, n_in) int64 encoded observations -> (readout (B, n_actions) in the readout's
        integer units: LIF voltage (rate) or SigmaDelta act (graded); per hidden layer (B, n_l)
        spike counts or payloads, or None where the runtime does not expose them)."""

    def load(self, spec: NetworkSpec) -> None:
        """Run `spec` from now on."""

    def close(self) -> None:
        """Release what the runtime holds (Lava: its OS processes); safe to call twice."""


class EmulatorBackend:
    """The batched bit-exact emulator of the spec's scheme (neurochip.emulator*); rebuilt in microseconds."""

    def __init__(self, spec: NetworkSpec):
        self.load(spec)

    def load(self, spec: NetworkSpec) -> None:
        self._emulator = emulator_for(spec)

    def infer(self, x_int: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        return self._emulator.infer(x_int)

    def close(self) -> None:
        pass


class LavaBackend:
    """Lava's CPU simulator (Loihi2SimCfg, fixed_pt), one observation at a time; a new spec is
    loaded in place when only weights and biases changed (LavaNetwork.update), else rebuilt."""

    def __init__(self, spec: NetworkSpec):
        self._net = None
        self.load(spec)

    def _run_cfg(self):
        return None                      # LavaNetwork's default: Loihi2SimCfg(select_tag="fixed_pt")

    def load(self, spec: NetworkSpec) -> None:
        from neurochip.lava_backend import LavaNetwork

        if self._net is not None and self._net.update(spec):
            return
        self.close()
        self._net = LavaNetwork(spec, run_cfg=self._run_cfg())

    def infer(self, x_int: np.ndarray) -> tuple[np.ndarray, None]:
        return np.stack([self._net.infer(x) for x in np.atleast_2d(x_int)]), None

    def close(self) -> None:
        if self._net is not None:
            self._net.stop()
            self._net = None


class Loihi2Backend(LavaBackend):
    """The same Lava process graph under Loihi2HwCfg (needs Intel's lava-loihi)."""

    def _run_cfg(self):
        from neurochip.lava_backend import loihi2_run_config

        return loihi2_run_config()


_BACKENDS: dict[str, Callable[[NetworkSpec], Backend]] = {
    "emulator": EmulatorBackend, "lava": LavaBackend, "loihi2": Loihi2Backend}


def register_backend(name: str, factory: Callable[[NetworkSpec], Backend]) -> None:
    """Make `factory(spec)` available as backend `name`."""
    _BACKENDS[name] = factory


def backend_names() -> tuple[str, ...]:
    return tuple(_BACKENDS)


def make_backend(name: str, spec: NetworkSpec) -> Backend:
    """The backend called `name`, running `spec`; ValueError naming the allowed ones otherwise."""
    if name not in _BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(map(repr, _BACKENDS))}, got {name!r}")
    return _BACKENDS[name](spec)
