"""Operation counts: exact on a hand-derived network, and the spikes equal Lava's."""
import numpy as np
import pytest

from neurochip.lava_backend import LavaNetwork
from neurochip.opcount import count_inference_ops
from spec_factory import hand_graded_spec, hand_spec, random_spec


def test_counts_on_a_hand_derived_network():
    c = count_inference_ops(hand_spec(), np.array([[10], [10]]))
    assert c.timesteps == 11
    assert c.synops_graded == 11 * 1          # the graded input is nonzero on all 11 steps, fan-out 1
    assert c.synops_binary == 3 * 2           # 3 hidden spikes, fan-out 2
    assert c.spikes_per_layer == [3.0, 0.0]
    # Hidden neuron holds state on steps 2..11 (10 updates; step 1 v = 0); readout 1 from step 4
    # (first spike reaches it at step 5 after the Dense delay, v != 0 from step 5: 7 steps), readout 2 never.
    assert c.neuron_updates_active == 10 + 7
    assert c.neuron_updates_active + c.neuron_updates_inactive == 11 * 3
    # per layer: 11 graded synops into "h", 6 into "out"; h active 10 of 11, the two readouts 7 of 22
    assert c.synops_per_layer == [11.0, 6.0]
    assert c.active_per_layer == [10.0, 7.0] and c.inactive_per_layer == [1.0, 15.0]


def test_zero_input_gives_no_graded_synops():
    c = count_inference_ops(hand_spec(), np.array([[0]]))
    assert c.synops_graded == 0 and c.spikes == 0


@pytest.mark.parametrize("seed", range(3))
def test_emulator_spike_counts_equal_lavas(seed):
    rng = np.random.default_rng(500 + seed)
    spec = random_spec(rng, integrate_and_fire=True)
    x = rng.integers(-127, 128, (1, spec.layers[0].n_in))
    counts = count_inference_ops(spec, x)
    with LavaNetwork(spec, monitor_steps=spec.steps_per_inference) as net:
        _, spikes = net.run_sequence(x)
    assert counts.spikes_per_layer == [float(s.sum()) for s in spikes]


def test_counts_on_a_hand_derived_graded_network():
    """spec_factory.hand_graded_spec (x = 10): P = 3 steps after the
    quiet start. Load step: the input sends 10 to both hidden neurons (2 graded synops); hidden
    "a" still holds act 5 (its bias), "c" holds 0, the readout holds 3. Step 1 (after the clear):
    the hidden pair sends payloads 8 and 5 (2 synops into the one readout neuron), readout act 1.
    Step 2: readout act 7; the hidden pair keeps act 35 and 23."""
    spec = hand_graded_spec()
    c = count_inference_ops(spec, np.array([[10]]))
    assert c.timesteps == 3
    assert c.synops_graded == 2 + 2 and c.synops_binary == 0
    assert c.spikes_per_layer == [2.0, 0.0]
    assert c.neuron_updates_active == (1 + 2 + 2) + 3
    assert c.neuron_updates_active + c.neuron_updates_inactive == 3 * 3
