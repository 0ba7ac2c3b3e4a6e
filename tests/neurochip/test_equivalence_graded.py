"""The graded scheme's contract: the emulator equals Lava's fixed_pt SigmaDelta network on every
payload and every `act`, at every timestep of the deployment protocol, on random networks."""
import numpy as np
import pytest

from lava_check import assert_emulator_equals_lava
from spec_factory import random_graded_spec
from neurochip.emulator_graded import GradedEmulator
from neurochip.lava_backend import LavaNetwork

N_LAVA_NETWORKS = 16


@pytest.mark.parametrize("seed", range(N_LAVA_NETWORKS))
def test_graded_emulator_matches_lava_every_payload_and_act(seed):
    rng = np.random.default_rng(2000 + seed)
    spec = random_graded_spec(rng)
    x = rng.integers(-127, 128, (3, spec.layers[0].n_in))
    assert_emulator_equals_lava(spec, x, "act", "payloads")     # steps: quiet start + 3 samples


def test_random_graded_networks_send_large_payloads():
    """Worth something only if hidden neurons actually send multi-bit payloads."""
    rng = np.random.default_rng(2000)
    big = 0
    for _ in range(N_LAVA_NETWORKS):
        spec = random_graded_spec(rng)
        x = rng.integers(-127, 128, (3, 1, spec.layers[0].n_in))
        big += int(max(int(np.abs(s).max()) for s in GradedEmulator(spec).run_sequence(x).spikes[:-1]) > 1)
    assert big >= N_LAVA_NETWORKS // 2


@pytest.mark.parametrize("seed", range(40))
def test_graded_infer_equals_step_by_step_protocol(seed):
    rng = np.random.default_rng(seed)
    spec = random_graded_spec(rng)
    emu = GradedEmulator(spec)
    x = rng.integers(-127, 128, (3, 4, spec.layers[0].n_in))
    trace = emu.run_sequence(x)
    P = spec.steps_per_inference
    for k in range(3):
        act, sent = emu.infer(x[k])
        end = (k + 2) * P - 1                                  # last step of sample k
        np.testing.assert_array_equal(act, trace.voltages[-1][end])
        for i, s in enumerate(sent):                           # each hidden neuron sends once per sample
            np.testing.assert_array_equal(s, trace.spikes[i][(k + 1) * P:(k + 2) * P].sum(axis=0))


def test_lava_graded_infer_matches_emulator():
    rng = np.random.default_rng(5)
    spec = random_graded_spec(rng)
    x = rng.integers(-127, 128, (6, spec.layers[0].n_in))
    act_emu, _ = GradedEmulator(spec).infer(x)
    with LavaNetwork(spec) as net:
        act_lava = np.stack([net.infer(row) for row in x])
    np.testing.assert_array_equal(act_lava, act_emu)
