"""The emulator's contract: identical spikes and voltages to Lava's fixed_pt models, every step."""
import numpy as np
import psutil
import pytest

from lava_check import assert_emulator_equals_lava
from spec_factory import random_spec
from neurochip.emulator import Emulator
from neurochip.lava_backend import LavaNetwork

N_LAVA_NETWORKS = 24


def lava_children() -> list:
    """Live child processes of this test process, except Python's own multiprocessing
    resource tracker (a singleton that lives until the interpreter exits)."""
    children = psutil.Process().children(recursive=True)
    psutil.wait_procs(children, timeout=5)
    return [p for p in children if p.is_running() and p.status() != psutil.STATUS_ZOMBIE
            and "resource_tracker" not in " ".join(p.cmdline())]


@pytest.mark.parametrize("seed", range(N_LAVA_NETWORKS))
def test_emulator_matches_lava_every_spike_and_voltage(seed):
    rng = np.random.default_rng(1000 + seed)
    spec = random_spec(rng)
    x = rng.integers(-127, 128, (3, spec.layers[0].n_in))
    assert_emulator_equals_lava(spec, x, "voltage", "spikes")


def test_some_random_networks_spike_and_saturate():
    """The equivalence suite is only worth something if its networks actually spike."""
    rng = np.random.default_rng(1000)
    total = 0
    for _ in range(N_LAVA_NETWORKS):
        spec = random_spec(rng)
        x = rng.integers(-127, 128, (3, 1, spec.layers[0].n_in))
        total += int(sum(s.sum() for s in Emulator(spec).run_sequence(x).spikes[:-1]) > 0)
    assert total >= N_LAVA_NETWORKS // 2


def test_lava_readout_per_inference_matches_emulator_infer():
    """The deployment path (one run per observation, voltage read at the end) equals `infer`,
    and leaving the context stops every process Lava started."""
    rng = np.random.default_rng(7)
    spec = random_spec(rng, integrate_and_fire=True)
    x = rng.integers(-127, 128, (6, spec.layers[0].n_in))
    v_emu, _ = Emulator(spec).infer(x)
    with LavaNetwork(spec) as net:
        v_lava = np.stack([net.infer(row) for row in x])
        assert psutil.Process().children(recursive=True), "Lava runs its processes as OS processes"
    np.testing.assert_array_equal(v_lava, v_emu)
    assert not lava_children()


@pytest.mark.parametrize("exc", [ValueError, KeyboardInterrupt])
def test_lava_processes_stop_on_error_and_interrupt(exc):
    spec = random_spec(np.random.default_rng(8), integrate_and_fire=True)
    with pytest.raises(exc):
        with LavaNetwork(spec) as net:
            net.infer(np.zeros(spec.layers[0].n_in, np.int64))
            raise exc("boom")
    assert not lava_children()


@pytest.mark.parametrize("seed", range(60))
def test_windowed_infer_equals_step_by_step_run(seed):
    """`infer` (layer by layer over each window) is the same arithmetic as `step`, reordered."""
    rng = np.random.default_rng(seed)
    spec = random_spec(rng, integrate_and_fire=bool(seed % 2))
    emu = Emulator(spec)
    x = rng.integers(-127, 128, (3, 4, spec.layers[0].n_in))
    trace = emu.run_sequence(x)
    P, T = spec.steps_per_inference, spec.timesteps
    for k in range(3):
        v, counts = emu.infer(x[k])
        np.testing.assert_array_equal(v, trace.voltages[-1][(k + 1) * P - 1])
        for i, c in enumerate(counts):
            start = k * P + i + 1                       # window of layer i: steps i+2 .. i+1+T (1-based)
            np.testing.assert_array_equal(c, trace.spikes[i][start:start + T].sum(axis=0))
