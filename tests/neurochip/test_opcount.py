"""Operation counts: exact on a hand-derived network, and the spikes equal Lava's."""
import numpy as np
import pytest

from neurochip.energy import DAVIES_2018, arm_estimates, chip_energy
from neurochip.ir import LayerSpec, NetworkSpec
from neurochip.lava_backend import LavaNetwork
from neurochip.opcount import count_inference_ops
from spec_factory import hand_graded_spec, random_spec


def hand_spec() -> NetworkSpec:
    """Input 10 per step into one IF neuron (weight 1, vth 25) feeding a readout (weight 2) and a
    second readout neuron with weight 0. T = 9, so an inference is 11 steps. The hidden neuron
    sees 0 at step 1 (Dense delay), then 10 per step: v = 10, 20, 30 > 25 -> spikes at steps
    4, 7, 10, and v = 10 at step 11: 3 spikes."""
    return NetworkSpec(layers=[
        LayerSpec("h", np.array([[2]], np.int32), -1, np.array([0], np.int32), 6, vth=25, num_message_bits=8),
        LayerSpec("out", np.array([[4], [0]], np.int32), -1, np.array([0, 0], np.int32), 6, vth=131071, spiking=False),
    ], timesteps=9).validate()


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
    e = chip_energy(c, latency_s=1e-6, table=DAVIES_2018)
    assert e.energy_j == pytest.approx(1e-12 * (17 * 23.6 + 17 * 81.0 + 16 * 52.0 + 3 * 1.7) + 0.1 * 1e-6)


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


def test_arm_estimates_scale_with_macs():
    best, real = arm_estimates(1000)
    assert best.energy_j == pytest.approx(1000 * 180e-12)
    assert best.latency_s == pytest.approx(1000 / (4 * 1.5e9 * 4))
    assert real.latency_s > best.latency_s and real.energy_j > best.energy_j


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
