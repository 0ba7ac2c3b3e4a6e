"""The per-layer conversion metrics on networks whose spike counts are derived by hand."""
import pytest
import torch

from neurochip.emulator import emulator_for
from rivc.convert import convert, encode, hidden_activations, readout_to_q
from rivc.metrics import conversion_metrics
from rivc.qnet import QuantQNetwork


def two_single_neuron_layers() -> QuantQNetwork:
    """obs -> 1 -> 1 -> 2 actions, T = 6, 4-bit weights (a single weight quantizes to W_int = 7).

    Layer 0: input x = 10 -> drive 70 per step, threshold 150 -> fires at window steps 3 and 6:
    2 spikes, and the FPNN's count (constant drive) is also 2.
    Layer 1: each spike brings 7 current units, threshold 3 -> the SNN fires on both: 2 spikes.
    The FPNN models layer 1 with the mean drive 7 * 2 / 6 per step: over 6 steps 14 against a
    threshold of 3 * 6 = 18 -> it fires every floor(18 / 14) + 1 = 2 steps: 3 spikes.
    So the count error is 0 for layer 0 and exactly 1 for layer 1; spike rates 2/6 and 2/6."""
    net = QuantQNetwork(1, 2, [1, 1], weight_bits=4, timesteps=6)
    s_cur0 = 0.1 / 127
    theta0 = 150
    s_cur1 = (0.7 / 7) * theta0 * s_cur0
    with torch.no_grad():
        net.linears[0].weight.fill_(0.7)
        net.linears[1].weight.fill_(0.7)
        net.linears[2].weight.copy_(torch.tensor([[0.5], [-0.5]]))
        for lin in net.linears:
            lin.bias.zero_()
        net.clips.copy_(torch.tensor([theta0 * s_cur0, 3 * s_cur1]))
    return net


def test_rate_count_error_per_layer_is_exact_on_a_hand_derived_network():
    net = two_single_neuron_layers()
    obs = torch.tensor([[10 / 127]])
    with torch.no_grad():
        fwd = net.forward_full(obs)
    assert [c.item() for c in fwd.counts] == [2, 3]
    spec = convert(net)
    assert [layer.vth for layer in spec.layers[:2]] == [150, 3]
    v, counts = emulator_for(spec).infer(encode(spec, obs.numpy()))
    assert [c.item() for c in counts] == [2, 2]
    cm = conversion_metrics(fwd.readout.numpy(), readout_to_q(spec, v), [c.numpy() for c in fwd.counts], counts,
                            spec.timesteps)
    assert cm.count_error == [0.0, 1.0]
    assert cm.spike_rate == pytest.approx([2 / 6, 2 / 6])


def test_graded_value_error_is_zero_at_every_layer():
    torch.manual_seed(1)
    net = QuantQNetwork(4, 5, [16, 16, 8], 4, 15, clip_init=0.5, scheme="graded")
    obs = torch.rand(500, 4) * 2 - 1
    with torch.no_grad():
        fwd = net.forward_full(obs)
    spec = convert(net)
    v, sent = emulator_for(spec).infer(encode(spec, obs.numpy()))
    cm = conversion_metrics(fwd.readout.numpy(), readout_to_q(spec, v), [c.numpy() for c in fwd.counts],
                            hidden_activations(spec, sent), spec.timesteps)
    assert cm.count_error == [0.0, 0.0, 0.0] and cm.action_agreement == 1.0
    assert cm.spike_rate[0] > 0
