"""The converter's contract: for one hidden layer the SNN *is* the quantized FPNN."""
import numpy as np
import pytest
import torch

from neurochip.emulator import Emulator
from neurochip.ir import LayerSpec, NetworkSpec
from rivc.convert import convert, readout_to_q
from rivc.metrics import agrees, greedy
from rivc.qnet import QuantQNetwork, if_spike_count


def brute_force_if_count(z: int, theta: int, T: int) -> int:
    v, n = 0, 0
    for _ in range(T):
        v += z
        if v > theta:
            n, v = n + 1, 0
    return n


def test_if_spike_count_matches_a_simulated_neuron():
    rng = np.random.default_rng(0)
    z = rng.integers(-50, 400, 2000)
    theta = rng.integers(1, 300, 2000)
    for T in (1, 7, 15, 31):
        got = if_spike_count(torch.tensor(z * T), torch.tensor(theta), T).numpy()
        want = [brute_force_if_count(int(a), int(b), T) for a, b in zip(z, theta)]
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("weight_bits,timesteps,hidden", [(4, 15, 64), (2, 3, 32), (8, 31, 16), (3, 7, 128)])
def test_one_hidden_layer_snn_equals_quantized_fpnn(weight_bits, timesteps, hidden):
    torch.manual_seed(weight_bits)
    net = QuantQNetwork(5, 7, [hidden], weight_bits, timesteps, clip_init=0.5)
    obs = torch.rand(3000, 5) * 2 - 1
    with torch.no_grad():
        fwd = net.forward_full(obs)
    spec = convert(net)
    v, counts = Emulator(spec).infer(net.encode(obs).numpy())
    np.testing.assert_array_equal(counts[0], fwd.counts[0].numpy())
    q_snn = readout_to_q(spec, v)
    np.testing.assert_allclose(q_snn, fwd.q.numpy(), rtol=1e-5, atol=1e-5 * np.abs(q_snn).max())
    # the FPNN's readout in the SNN's integer units is the chip's readout voltage / 64, exactly
    np.testing.assert_array_equal(net.readout_units(fwd.readout).numpy(), v / spec.readout_unit)
    assert agrees(net.greedy_actions(obs), greedy(q_snn)).all()
    assert counts[0].max() > 0, "the test network should spike"


def test_converted_spec_uses_even_weights_and_loihi_ranges():
    net = QuantQNetwork(4, 3, [16], 4, 15)
    spec = convert(net)
    assert all((layer.weights % 2 == 0).all() for layer in spec.layers)
    assert spec.steps_per_inference == 15 + 2
    assert spec.layers[0].num_message_bits == 8 and spec.layers[1].num_message_bits == 0
    assert not spec.layers[-1].spiking


def test_hand_derived_network():
    """One input of 10 per step, weight 1 -> drive 10/step; vth 25 -> spikes at steps 3, 6, 9:
    3 spikes in T = 9; readout weight 2 -> v / 64 = 2 * 3 = 6."""
    spec = NetworkSpec(layers=[
        LayerSpec("h", np.array([[2]], np.int32), -1, np.array([0], np.int32), 6, vth=25, num_message_bits=8),
        LayerSpec("out", np.array([[4]], np.int32), -1, np.array([0], np.int32), 6, vth=131071, spiking=False),
    ], timesteps=9).validate()
    v, counts = Emulator(spec).infer(np.array([[10]]))
    assert counts[0].tolist() == [[3]]
    assert v.tolist() == [[6 * 64]]


def test_fast_paths_of_infer_equal_the_step_by_step_emulator():
    """A converted network takes infer's closed forms (constant-drive IF layer, summed readout);
    they must give the integers that stepping Lava's models one timestep at a time gives."""
    torch.manual_seed(3)
    net = QuantQNetwork(4, 5, [32], 4, 15, clip_init=0.3)
    spec = convert(net)
    emu = Emulator(spec)
    assert emu.readout_closed_form[1]
    x = net.encode(torch.rand(64, 4) * 2 - 1).numpy()
    v, counts = emu.infer(x)
    trace = emu.run_sequence(x[None])
    np.testing.assert_array_equal(v, trace.voltages[-1][-1])
    np.testing.assert_array_equal(counts[0], trace.spikes[0][1:1 + spec.timesteps].sum(axis=0))
    assert counts[0].sum() > 0
