"""The graded scheme's contract: at every depth and bit width the SNN (emulator and Lava) *is*
the quantized FPNN, including with a dueling (advantage) readout."""
import numpy as np
import pytest
import torch

from neurochip.emulator import emulator_for
from neurochip.ir import SpecError
from neurochip.lava_backend import LavaNetwork
from rivc.convert import convert, encode, hidden_activations, readout_to_q
from rivc.metrics import agrees, greedy
from rivc.qnet import QuantQNetwork
from spec_factory import hand_graded_spec


@pytest.mark.parametrize("hidden,weight_bits,activation_bits,dueling",
                         [([64], 4, 4, False), ([32, 32], 4, 4, True), ([16, 16, 16], 2, 2, False), ([48], 8, 8, False)])
def test_graded_snn_equals_quantized_fpnn_at_every_depth(hidden, weight_bits, activation_bits, dueling):
    torch.manual_seed(len(hidden) + activation_bits)
    net = QuantQNetwork(5, 7, hidden, weight_bits, 15, clip_init=0.5, scheme="graded",
                        activation_bits=activation_bits, dueling=dueling)
    obs = torch.rand(3000, 5) * 2 - 1
    with torch.no_grad():
        fwd = net.forward_full(obs)
    spec = convert(net)
    assert spec.scheme == "graded" and spec.steps_per_inference == len(hidden) + 2
    v, sent = emulator_for(spec).infer(encode(spec, obs.numpy()))
    for got, want in zip(hidden_activations(spec, sent), fwd.counts):
        np.testing.assert_array_equal(got, want.numpy())
        assert got.max() <= 2 ** activation_bits - 1
    assert fwd.counts[0].max() > 0, "the test network should send payloads"
    q_snn = readout_to_q(spec, v)
    np.testing.assert_allclose(q_snn, fwd.readout.numpy(), rtol=1e-5, atol=1e-5 * np.abs(q_snn).max())
    np.testing.assert_array_equal(net.readout_units(fwd.readout).numpy(), v / spec.readout_unit)
    assert agrees(net.greedy_actions(obs), greedy(q_snn)).all()
    if dueling:   # the advantage readout acts like Q
        assert (fwd.q.argmax(1) == fwd.readout.argmax(1)).all()


@pytest.mark.parametrize("scheme", ["graded", "rate"])
def test_mse_weight_scale_clips_a_heavy_tail_and_keeps_the_snn_exact(scheme):
    """quant.weight_scale=mse: on a wide layer with a few large weights the clipped step has less
    rounding error than the max step, the outliers saturate at +-qmax, and the converted SNN
    still computes exactly what the quantized network computes."""
    torch.manual_seed(3)
    nets = {ws: QuantQNetwork(5, 7, [256], 4, 15, clip_init=0.5, scheme=scheme, weight_scale=ws)
            for ws in ("max", "mse")}
    with torch.no_grad():
        nets["max"].linears[1].weight[:, :4] *= 12                  # a heavy tail in the readout
    nets["mse"].load_state_dict(nets["max"].state_dict())
    w = nets["max"].linears[1].weight.detach()
    errors = {}
    for ws, net in nets.items():
        ints = net.integer_layers()[1]
        errors[ws] = (ints.weight * net.weight_q(w, 4)[1] - w).square().sum().item()
        assert ints.weight.abs().max() == 7
    assert errors["mse"] < 0.5 * errors["max"]
    net = nets["mse"]
    beyond = w.abs() > 7.5 * net.weight_q(w, 4)[1]              # outliers beyond the clip saturate
    assert beyond.any() and (net.integer_layers()[1].weight[beyond].abs() == 7).all()
    obs = torch.rand(2000, 5) * 2 - 1
    with torch.no_grad():
        fwd = net.forward_full(obs)
    spec = convert(net)
    v, sent = emulator_for(spec).infer(encode(spec, obs.numpy()))
    np.testing.assert_array_equal(hidden_activations(spec, sent)[0], fwd.counts[0].numpy())
    q_snn = readout_to_q(spec, v)
    np.testing.assert_allclose(q_snn, fwd.readout.numpy(), rtol=1e-5, atol=1e-5 * np.abs(q_snn).max())
    np.testing.assert_array_equal(net.readout_units(fwd.readout).numpy(), v / spec.readout_unit)
    assert agrees(net.greedy_actions(obs), greedy(q_snn)).all()


def test_graded_lava_equals_emulator_on_a_converted_network():
    torch.manual_seed(0)
    net = QuantQNetwork(4, 5, [24, 12], 4, 15, clip_init=0.5, scheme="graded", activation_bits=4)
    spec = convert(net)
    x = encode(spec, (torch.rand(8, 4) * 2 - 1).numpy())
    v_emu, _ = emulator_for(spec).infer(x)
    with LavaNetwork(spec) as lava:
        v_lava = np.stack([lava.infer(row) for row in x])
    np.testing.assert_array_equal(v_lava, v_emu)


@pytest.mark.parametrize("weight_bits,activation_bits", [(8, 4), (8, 8)])
def test_a_payload_step_beyond_state_exp_moves_onto_the_weight_exponent(weight_bits, activation_bits):
    """8-bit weights make one current unit 16x smaller than 4-bit ones, so lambda / L needs a shift
    of 2^10 and more, beyond state_exp's 0-7 (k_a = 8: 0-6). By default the step stops there (the
    clip is capped at 2^max_shift L s_cur); with max_weight_shift = 7 the rest goes onto the
    Dense's weight exponent, every hidden layer's clip stays within a factor sqrt(2) of lambda,
    and the SNN (emulator and Lava) is still exactly the quantized network, biases included."""
    torch.manual_seed(5)
    capped = QuantQNetwork(5, 7, [32, 32], weight_bits, 15, clip_init=1.0, scheme="graded",
                           activation_bits=activation_bits)
    assert all(layer.weight_exp == -1 for layer in convert(capped).layers)
    assert all(float(capped.levels * u * s) < 0.5 for (_, _, _, s, _, u) in capped._layers()[:-1])
    net = QuantQNetwork(5, 7, [32, 32], weight_bits, 15, clip_init=1.0, scheme="graded",
                        activation_bits=activation_bits, max_weight_shift=7)
    net.load_state_dict(capped.state_dict())
    with torch.no_grad():
        net.linears[0].bias.uniform_(-0.3, 0.3)
        net.linears[1].bias.uniform_(-0.3, 0.0)
    spec = convert(net)
    shifted = [layer for layer in spec.layers[:-1] if layer.weight_exp < -1]
    assert shifted and all(layer.state_exp == net.max_shift for layer in shifted)
    assert any(np.any(layer.bias_mant[: layer.n_out // 2] != 0) for layer in shifted)
    for l, (_, _, _, s_cur, _, unit_int) in enumerate(net._layers()[:-1]):
        clip, lam = net.levels * float(unit_int * s_cur), float(net.clips.detach()[l])
        assert lam / 2 ** 0.5 <= clip <= lam * 2 ** 0.5
    obs = torch.rand(3000, 5) * 2 - 1
    with torch.no_grad():
        fwd = net.forward_full(obs)
    x = encode(spec, obs.numpy())
    v, sent = emulator_for(spec).infer(x)
    for got, want in zip(hidden_activations(spec, sent), fwd.counts):
        np.testing.assert_array_equal(got, want.numpy())
    assert fwd.counts[1].max() > 0 and (fwd.counts[0] == net.levels).float().mean() < 0.5
    q_snn = readout_to_q(spec, v)
    np.testing.assert_allclose(q_snn, fwd.readout.numpy(), rtol=1e-5, atol=1e-5 * np.abs(q_snn).max())
    with LavaNetwork(spec) as lava:
        v_lava = np.stack([lava.infer(row) for row in x[:6]])
    np.testing.assert_array_equal(v_lava, v[:6])


def test_hand_derived_graded_network():
    """See spec_factory.hand_graded_spec: payloads 8 and 5, q = 3, readout 7."""
    spec = hand_graded_spec()
    act, sent = emulator_for(spec).infer(np.array([[10]]))
    assert sent[0].tolist() == [[8, 5]]
    assert hidden_activations(spec, sent)[0].tolist() == [[3]]
    assert act.tolist() == [[7]]


def test_graded_validation_rejects_a_positive_bias_after_the_first_layer():
    torch.manual_seed(0)
    spec = convert(QuantQNetwork(4, 3, [8, 8], 4, 15, scheme="graded"))
    spec.layers[1].bias_mant[0] = 3
    with pytest.raises(SpecError, match="hidden layers after the first need bias <= 0"):
        spec.validate()
