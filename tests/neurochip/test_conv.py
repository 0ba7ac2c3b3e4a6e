"""Conv layers: the integer arithmetic equals torch's convolution and the unrolled Dense matrix,
and the emulator equals Lava (which runs the unrolled matrix) on random conv networks."""
import numpy as np
import pytest
import torch
from torch.nn import functional as F

from lava_check import assert_emulator_equals_lava
from spec_factory import random_conv_spec
from neurochip.conv import conv_accumulate, conv_out_shape, conv_to_dense, fan_out
from neurochip.ir import LayerSpec, NetworkSpec, SpecError


@pytest.mark.parametrize("in_shape,k,stride", [((1, 5, 5), 3, 1), ((2, 7, 6), 2, 2), ((3, 8, 8), 3, 2)])
def test_conv_accumulate_equals_torch_and_unrolled_matrix(in_shape, k, stride):
    rng = np.random.default_rng(0)
    kernel = rng.integers(-255, 256, (4, in_shape[0], k, k))
    x = rng.integers(-127, 128, (5, int(np.prod(in_shape))))
    ours = conv_accumulate(x, kernel, in_shape, stride)
    ref = F.conv2d(torch.as_tensor(x, dtype=torch.float64).view(5, *in_shape),
                   torch.as_tensor(kernel, dtype=torch.float64), stride=stride).flatten(1).numpy()
    np.testing.assert_array_equal(ours, ref)
    dense = conv_to_dense(kernel, in_shape, stride)
    assert dense.shape == (int(np.prod(conv_out_shape(in_shape, 4, k, stride))), int(np.prod(in_shape)))
    np.testing.assert_array_equal(x @ dense.T, ours)
    # fan-out: each input's synapse count is its column's number of structural connections
    ones = conv_to_dense(np.ones_like(kernel), in_shape, stride)
    np.testing.assert_array_equal(fan_out(in_shape, 4, k, stride), ones.sum(axis=0))


@pytest.mark.parametrize("scheme,seed", [("rate", s) for s in range(4)] + [("graded", s) for s in range(4)])
def test_emulator_matches_lava_on_conv_networks(scheme, seed):
    rng = np.random.default_rng(500 + seed)
    spec = random_conv_spec(rng, scheme)
    assert spec.layers[0].conv is not None
    x = rng.integers(-127, 128, (3, spec.layers[0].n_in))
    assert_emulator_equals_lava(spec, x, "state", "output")


def test_conv_spec_round_trips_and_bad_geometry_is_one_line(tmp_path):
    spec = random_conv_spec(np.random.default_rng(3), "rate")
    back = NetworkSpec.load(spec.save(tmp_path / "conv.spec"))
    assert back.layers[0].conv == spec.layers[0].conv
    np.testing.assert_array_equal(back.layers[0].weights, spec.layers[0].weights)
    bad = LayerSpec("c", np.ones((2, 1, 9, 9), np.int32), 0, np.zeros(2, np.int32), 0, vth=10,
                    num_message_bits=8, conv={"in_shape": [1, 5, 5], "stride": 1})
    readout = LayerSpec("r", np.ones((2, 2), np.int32), 0, np.zeros(2, np.int32), 0, vth=131071, spiking=False)
    with pytest.raises(SpecError, match="kernel does not fit"):
        NetworkSpec([bad, readout], timesteps=3).validate()
