"""CNN policies: the converter handles conv layers in both schemes, the graded CNN SNN is the
quantized CNN exactly, and Lava runs the converted CNN like the emulator."""
import numpy as np
import pytest
import torch

from lava_check import assert_emulator_equals_lava
from neurochip.emulator import emulator_for
from neurochip.ir import clamp_pair_levels, graded_bounds
from rivc.convert import convert, encode, hidden_activations, readout_to_q
from rivc.qnet import QuantQNetwork


def cnn(scheme: str, shape=(2, 12, 12), seed=0) -> QuantQNetwork:
    torch.manual_seed(seed)
    return QuantQNetwork(int(np.prod(shape)), 5, [16], 4, 15, clip_init=0.5, scheme=scheme, activation_bits=4,
                         conv=[[4, 4, 2], [6, 3, 1]], input_shape=shape)


def frames(n: int, size: int) -> torch.Tensor:
    """Sparse bright blobs on black, like the pixel task: values u8 / 255."""
    x = torch.zeros(n, size)
    idx = torch.randint(0, size, (n, size // 8))
    x.scatter_(1, idx, torch.randint(1, 256, idx.shape).float() / 255)
    return x


def fpnn_and_snn(scheme: str, n: int):
    """The quantized CNN's forward pass and its converted SNN's (readout, sent) on n frames."""
    net, obs = cnn(scheme), frames(n, 288)
    with torch.no_grad():
        fwd = net.forward_full(obs)
    spec = convert(net)
    return fwd, spec, emulator_for(spec).infer(encode(spec, obs.numpy()))


def test_graded_cnn_snn_equals_the_quantized_cnn_at_every_layer():
    fwd, spec, (v, sent) = fpnn_and_snn("graded", 500)
    assert [layer.conv is not None for layer in spec.layers] == [True, True, False, False]
    assert spec.layers[1].conv["in_shape"] == [8, 5, 5]           # 4 channels as clamp pairs
    for got, want in zip(hidden_activations(spec, sent), fwd.counts):
        np.testing.assert_array_equal(got, want.numpy())
    assert all(c.max() > 0 for c in fwd.counts[:2]), "the conv layers should send payloads"
    q = readout_to_q(spec, v)
    np.testing.assert_allclose(q, fwd.readout.numpy(), rtol=1e-5, atol=1e-5 * np.abs(q).max())
    assert (q.argmax(1) == fwd.readout.numpy().argmax(1)).all()


@pytest.mark.parametrize("activation_bits", [2, 4, 8])
def test_graded_forward_without_autograd_is_the_autograd_forward_bit_for_bit(activation_bits):
    """Without autograd (target network, acting) a graded layer's output is its payload value
    itself, skipping the straight-through node: h_s + (value - h_s) is value exactly, since h_s
    = min(relu(z), clip) lies within a factor 2 of value (or value is 0). Clipped and silent units
    included; Q and payloads equal bit for bit."""
    torch.manual_seed(activation_bits)
    net = QuantQNetwork(288, 5, [16, 8], activation_bits, 15, clip_init=0.05, scheme="graded",
                        activation_bits=activation_bits, conv=[[4, 4, 2], [6, 3, 1]], input_shape=(2, 12, 12))
    obs = frames(400, 288) * 3
    grad_fwd = net.forward_full(obs)
    with torch.no_grad():
        fwd = net.forward_full(obs)
    assert torch.equal(fwd.q, grad_fwd.q.detach())
    for got, want in zip(fwd.counts, grad_fwd.counts):
        assert torch.equal(got, want)
    levels = 2 ** activation_bits - 1
    assert (fwd.counts[0] == levels).any() and (fwd.counts[0] == 0).any(), "clipped and silent units"


def test_rate_cnn_first_conv_layer_counts_are_exact():
    fwd, _, (_, counts) = fpnn_and_snn("rate", 300)
    np.testing.assert_array_equal(counts[0], fwd.counts[0].numpy())
    assert fwd.counts[0].max() > 0


@pytest.mark.parametrize("scheme", ["rate", "graded"])
def test_lava_runs_a_converted_cnn_like_the_emulator(scheme):
    net = cnn(scheme, shape=(1, 8, 8), seed=1)
    spec = convert(net)
    x = encode(spec, frames(2, 64).numpy())
    assert_emulator_equals_lava(spec, x, "state", "output")


def test_clamp_pairs_bound_the_next_layer_by_the_payload_levels():
    """The worst case of a layer fed by clamp pairs uses a - c <= L, not each member's range; a
    spec whose pairs are broken falls back to the member-wise bound."""
    net = cnn("graded", shape=(2, 32, 32))
    spec = convert(net)                                          # 2048 inputs: only valid with pair bounds
    assert [clamp_pair_levels(spec, i) for i in range(4)] == [None, 15, 15, 15]
    paired = graded_bounds(spec)
    spec.layers[0].bias_mant = spec.layers[0].bias_mant.copy()
    spec.layers[0].bias_mant[-1] -= 1                            # one clamp twin off by one
    assert clamp_pair_levels(spec, 1) is None
    assert graded_bounds(spec)[1][0] > paired[1][0]


def test_fpnn_macs_count_conv_outputs_times_fan_in():
    net = cnn("graded")                                          # 2x12x12 -> 4x5x5 -> 6x3x3 -> 16 -> 5
    assert net.macs() == 4 * 25 * 2 * 16 + 6 * 9 * 4 * 9 + 54 * 16 + 16 * 5


def test_an_8_bit_input_layer_under_4_bit_layers_stays_exact():
    """layer_weight_bits = [8, 4, 4, 4] (BrainChip Akida's 8-bit input layer): the first conv
    layer's integer weights use the 8-bit range, the others stay within 4 bits, and the graded SNN
    (emulator and Lava) is still the quantized CNN payload for payload."""
    torch.manual_seed(3)
    shape = (1, 8, 8)
    net = QuantQNetwork(64, 5, [16], 4, 15, clip_init=0.5, scheme="graded", activation_bits=4,
                        conv=[[4, 4, 2], [6, 3, 1]], input_shape=shape, max_weight_shift=7,
                        layer_weight_bits=[8, 4, 4, 4])
    assert net.model_args()["layer_weight_bits"] == [8, 4, 4, 4]
    peaks = [int(li.weight.abs().max()) for li in net.integer_layers()]
    assert peaks == [127, 7, 7, 7]
    obs = frames(400, 64)
    with torch.no_grad():
        fwd = net.forward_full(obs)
    spec = convert(net)
    assert spec.weight_bits == 8
    x = encode(spec, obs.numpy())
    v, sent = emulator_for(spec).infer(x)
    for got, want in zip(hidden_activations(spec, sent), fwd.counts):
        np.testing.assert_array_equal(got, want.numpy())
    assert fwd.counts[0].max() > 0
    q = readout_to_q(spec, v)
    np.testing.assert_allclose(q, fwd.readout.numpy(), rtol=1e-5, atol=1e-5 * np.abs(q).max())
    assert_emulator_equals_lava(spec, x[:2], "state", "output")
    with pytest.raises(ValueError, match="layer_weight_bits must give 2..8 bits for each of the 4 layers"):
        QuantQNetwork(64, 5, [16], 4, 15, conv=[[4, 4, 2], [6, 3, 1]], input_shape=shape, layer_weight_bits=[8, 4])
