"""Random NetworkSpecs covering depths, widths, bit widths, thresholds, decays (for the tests)."""
from __future__ import annotations

import numpy as np

from neurochip.ir import LayerSpec, NetworkSpec


def random_spec(rng: np.random.Generator, integrate_and_fire: bool = False) -> NetworkSpec:
    """A valid random network: 1-3 hidden layers, 2-9 neurons, weights up to 8 bits, any du/dv."""
    while True:
        depth = int(rng.integers(1, 4))
        sizes = [int(rng.integers(2, 6))] + [int(rng.integers(2, 10)) for _ in range(depth)] + [int(rng.integers(2, 5))]
        T = int(rng.integers(1, 12))
        wmax = int(rng.choice([3, 15, 60, 255]))
        layers = []
        for i in range(len(sizes) - 1):
            last = i == len(sizes) - 2
            w = rng.integers(-wmax, wmax + 1, (sizes[i + 1], sizes[i]))
            if not last and rng.random() < 0.2:
                w = np.abs(w)                                  # excitatory sign mode
            if integrate_and_fire or last:
                du, dv = 4095, 0
            else:
                du = int(rng.choice([4095, 0, int(rng.integers(0, 4096))]))
                dv = int(rng.choice([0, int(rng.integers(0, 4096))]))
            layers.append(LayerSpec(
                name=f"l{i}", weights=w.astype(np.int32), weight_exp=int(rng.integers(-3, 2)),
                bias_mant=rng.integers(-60, 60, sizes[i + 1]).astype(np.int32), bias_exp=int(rng.integers(0, 7)),
                vth=131071 if last else int(rng.integers(1, 2000)), du=du, dv=dv,
                num_message_bits=8 if i == 0 else 0, spiking=not last))
        spec = NetworkSpec(layers=layers, timesteps=T)
        try:
            return spec.validate()
        except ValueError:
            continue


def random_graded_spec(rng: np.random.Generator) -> NetworkSpec:
    """A valid random graded network: 1-3 hidden SigmaDelta (ReLU) layers of 2-9 neurons, weights
    up to 8 bits, state_exp 0-7, some delta thresholds, and a unit readout."""
    while True:
        depth = int(rng.integers(1, 4))
        sizes = [int(rng.integers(2, 6))] + [int(rng.integers(2, 10)) for _ in range(depth)] + [int(rng.integers(2, 5))]
        wmax = int(rng.choice([3, 15, 60, 255]))
        layers = []
        for i in range(len(sizes) - 1):
            last = i == len(sizes) - 2
            w = rng.integers(-wmax, wmax + 1, (sizes[i + 1], sizes[i]))
            if not last and rng.random() < 0.2:
                w = np.abs(w)                                  # excitatory sign mode
            bias = rng.integers(-3000, 3000, sizes[i + 1])
            if 0 < i and not last:
                bias = -np.abs(bias)                           # hidden layers after the first: bias <= 0
            layers.append(LayerSpec(
                name=f"l{i}", weights=w.astype(np.int32), weight_exp=int(rng.integers(-3, 2)),
                bias_mant=bias.astype(np.int32), bias_exp=0,
                vth=0 if last or rng.random() < 0.6 else int(rng.integers(1, 20)),
                num_message_bits=8 if i == 0 else 24, spiking=not last, neuron="sigma_delta",
                state_exp=0 if last else int(rng.integers(0, 8)), act_mode="unit" if last else "relu"))
        spec = NetworkSpec(layers=layers, timesteps=1, scheme="graded")
        try:
            return spec.validate()
        except ValueError:
            continue
