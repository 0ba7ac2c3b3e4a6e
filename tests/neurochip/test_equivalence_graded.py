"""The graded scheme's contract: the emulator equals Lava's fixed_pt SigmaDelta network on every
payload and every `act`, at every timestep of the deployment protocol, on random networks."""
import numpy as np
import pytest

from lava_check import assert_emulator_equals_lava
from spec_factory import random_graded_spec
from neurochip.emulator import emulator_for
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


def test_lava_network_updated_in_place_equals_a_fresh_one():
    """New conversions of a training network (weights, biases and state_exp change) loaded into
    the compiled Lava network give the emulator's readout; a rate spec with other thresholds is
    refused (Lava caches them) and leaves the network as it was."""
    import torch

    from rivc.convert import convert, encode
    from rivc.qnet import QuantQNetwork

    torch.manual_seed(0)
    net = QuantQNetwork(4, 5, [24], 4, 15, clip_init=0.5, scheme="graded")
    specs = []
    for _ in range(3):
        specs.append(convert(net))
        with torch.no_grad():
            for p in net.parameters():
                p.add_(0.1 * torch.randn_like(p))
            net.clips.mul_(0.5)                                 # a smaller payload step: state_exp - 1
    assert len({tuple(layer.state_exp for layer in s.layers) for s in specs}) > 1, "state_exp should change"
    x = encode(specs[0], np.random.default_rng(0).uniform(-1, 1, (3, 4)))
    with LavaNetwork(specs[0]) as lava:
        lava.infer(x[0])
        for spec in specs[1:]:
            assert lava.update(spec)
            np.testing.assert_array_equal(np.stack([lava.infer(r) for r in x]), emulator_for(spec).infer(x)[0])
    rate = QuantQNetwork(4, 5, [24], 4, 15, clip_init=0.5)
    first = convert(rate)
    with torch.no_grad():
        rate.clips.mul_(2)                                      # other thresholds
    with LavaNetwork(first) as lava:
        lava.infer(x[0])
        assert not lava.update(convert(rate))
        np.testing.assert_array_equal(lava.infer(x[1]), emulator_for(first).infer(x[1:2])[0][0])
