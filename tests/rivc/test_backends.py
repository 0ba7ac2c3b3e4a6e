"""Every backend implements one interface (infer batched, load, close), chosen by name, and the
rate-scheme backends give the same readout on the same spec."""
import numpy as np
import pytest
import torch

from neurochip.backends import backend_names, make_backend
from rivc.config import DEPLOY_BACKENDS
from rivc.convert import convert
from rivc.qnet import QuantQNetwork
from rivc.snn_policy import SNNPolicy


def spec_of(seed):
    torch.manual_seed(seed)
    return convert(QuantQNetwork(4, 3, [12], 4, 15, clip_init=0.5))


def test_the_names_users_may_choose_are_the_registered_backends():
    assert set(DEPLOY_BACKENDS) == set(backend_names())
    with pytest.raises(ValueError, match="backend must be one of 'emulator', 'lava', 'loihi2'"):
        make_backend("gpu", spec_of(0))


@pytest.mark.parametrize("name", ["emulator", "lava", "snntorch"])
def test_batched_inference_load_and_close(name):
    x = np.random.default_rng(0).integers(-127, 128, (5, 4))
    want = {}
    for seed in (0, 1):
        with SNNPolicy(spec_of(seed), "emulator") as emu:
            want[seed] = emu(x).q
    backend = SNNPolicy(spec_of(0), name)
    np.testing.assert_array_equal(backend(x).q, want[0])
    backend.load(spec_of(1))                        # a new conversion on the same backend
    np.testing.assert_array_equal(backend(x).q, want[1])
    backend.close()
    backend.close()                                 # twice is safe
