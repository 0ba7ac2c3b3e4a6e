"""The power and latency model on hand-derived networks: per-event times of the slowest core, the
barrier every timestep, host I/O per observation, both energy tables, the A72 and system sides."""
import numpy as np
import pytest

from neurochip import calibration, constants
from neurochip import energy as E
from neurochip.opcount import count_inference_ops
from spec_factory import hand_spec


@pytest.fixture(scope="module")
def counts():
    """hand_spec on x = 10: 11 steps; layer h: 11 graded synops, 10 active + 1 inactive updates,
    3 spikes; layer out: 6 synops, 7 active + 15 inactive updates, no spikes."""
    return count_inference_ops(hand_spec(), np.array([[10]]))


def test_slowest_core_per_step_is_derived_by_hand(counts):
    h = (11 * 3.5 + 10 * 8.4 + 1 * 5.3 + 3 * 2.1) / 11
    out = (6 * 3.5 + 7 * 8.4 + 15 * 5.3) / 11
    assert E.slowest_core_step_ns(counts) == pytest.approx(max(h, out))


def test_barrier_is_paid_every_timestep(counts):
    ev = E.slowest_core_step_ns(counts)
    lat = E.compute_latency(counts)
    assert lat.low == pytest.approx(11 * (ev + 113) * 1e-9)
    assert lat.high == pytest.approx(11 * (ev + 465) * 1e-9)
    scaled = E.compute_latency(counts, loihi2_speed=0.5)        # measured faster: the low end drops
    assert scaled.low == pytest.approx(11 * (0.5 * ev + 113) * 1e-9) and scaled.high == pytest.approx(lat.high)
    slower = E.compute_latency(counts, loihi2_speed=2.0)        # measured slower: the high end rises
    assert slower.high == pytest.approx(11 * (2 * ev + 465) * 1e-9) and slower.low == pytest.approx(lat.low)


def test_host_io_per_observation_and_which_term_dominates(counts):
    io = E.io_latency(4)
    assert io.low == pytest.approx(4 / (16.87 * 200 * 66 * 3))
    assert io.high == pytest.approx((8e-3 - 1.5e-3) * 10 / 9)            # 7.2 ms from the two nengo-loihi figures
    compute = E.compute_latency(counts)
    e2e = compute + io
    assert e2e.low == pytest.approx(compute.low + io.low) and e2e.high == pytest.approx(compute.high + io.high)
    assert E.dominant_term(compute, E.Band(1.0, 2.0, "", "")) == "host I/O dominates across the band"
    assert E.dominant_term(compute, E.Band(1e-12, 2e-12, "", "")) == "on-chip compute dominates across the band"


def test_event_energy_band_over_the_two_tables_and_the_graded_assumption(counts):
    dyn = E.chip_dynamic_energy(counts)
    # hand_spec's 11 input synops are graded, 6 binary; 17 active, 16 inactive updates, 3 spikes
    davies = 1e-12 * (17 * 23.6 + 17 * 81.0 + 16 * 52.0 + 3 * 1.7)
    sanafe = 1e-12 * (17 * 35.5 + 17 * 72.8 + 16 * 51.2 + 3 * 1.7)
    graded = 1e-12 * (6 * 23.6 + 11 * 71.0 + 17 * 81.0 + 16 * 52.0 + 3 * 1.7)   # under Davies' other events
    assert dyn.low == pytest.approx(min(davies, sanafe))
    assert dyn.high == pytest.approx(graded) and graded > max(davies, sanafe)
    lat = E.compute_latency(counts)
    chip = E.chip_energy(dyn, lat)
    assert chip.low == pytest.approx(dyn.low + 0.1 * lat.low) and chip.high == pytest.approx(dyn.high + 0.232 * lat.high)


def test_a72_and_system_sides_and_the_verdicts():
    lat = E.a72_latency(1500)
    assert lat.low == pytest.approx(1500 / (4 * 1.5e9)) and lat.high == pytest.approx(1500 / 1.5e9)
    assert E.a72_core_w_high() == pytest.approx((6.4 - 2.7) / 4)
    pi4 = E.pi4_system(lat, control_hz=50)
    assert pi4.power_w.low == pytest.approx(2.7 + E.a72_core_w_high() * lat.low * 50)
    ratio = E.Band(20, 30, "", "").over(E.Band(1, 2, "", ""))
    assert (ratio.low, ratio.high) == (10, 30)
    assert E.verdict(ratio, 5) == "shown across the band"
    assert E.verdict(ratio, 15) == "shown only at the band's favourable end"
    assert E.verdict(ratio, 31) == "not shown"


def test_pilotnet_check_reproduces_the_measured_energy_and_brackets_the_step_time():
    m = calibration.measured()
    assert m["step_s"] == pytest.approx(1 / (408.91 * 16)) and m["cores"] == 74
    for table in ("davies", "sanafe"):
        c = calibration.check(table)
        neurons = sum(n for _, n, _, _ in calibration.PILOTNET)
        synapses = sum(n * k for _, n, k, _ in calibration.PILOTNET)
        per_step = 1e-12 * (neurons * constants.value(f"neuron_active_pj_{table}")
                            + c.activity * (synapses * constants.value(f"synop_pj_{table}") + neurons * 1.7))
        assert 16 * per_step == pytest.approx(m["dynamic_j"])              # the inferred activity reproduces it
        assert 0 < c.activity < 1
        assert c.balanced_step_s < c.measured_step_s < c.predicted_step_s  # the measurement lies between
    assert calibration.loihi2_speed() == pytest.approx(min(calibration.check(t).measured_over_predicted
                                                           for t in ("davies", "sanafe")))


def test_every_constant_has_a_source_and_a_kind():
    for name, c in constants.C.items():
        assert c.source and c.unit and c.what, name
        assert c.kind in ("published", "derived", "assumption")
        if c.kind == "assumption":
            assert len(c.source) > len("ASSUMPTION: ") + 20, f"{name}: an assumption says why no source exists"
