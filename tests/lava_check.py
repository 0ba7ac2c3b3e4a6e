"""The emulator-vs-Lava comparison both schemes' equivalence tests run."""
from __future__ import annotations

import numpy as np

from neurochip.emulator import emulator_for
from neurochip.ir import NetworkSpec
from neurochip.lava_backend import LavaNetwork


def assert_emulator_equals_lava(spec: NetworkSpec, x: np.ndarray, state: str, sent: str) -> None:
    """Run samples x (S, n_in) back to back on the emulator and on Lava (with monitors) and
    require identical state (LIF `v` / SigmaDelta `act`) and output (spikes / payloads) for
    every layer at every step; `state`/`sent` name them in failure messages."""
    trace = emulator_for(spec).run_sequence(x[:, None, :])
    steps = len(trace.voltages[0])
    with LavaNetwork(spec, monitor_steps=steps) as net:
        states, outputs = net.run_sequence(x)
    for i in range(len(spec.layers)):
        assert states[i].shape == (steps, spec.layers[i].n_out)
        np.testing.assert_array_equal(states[i], trace.voltages[i][:, 0], err_msg=f"{state}, layer {i}")
        np.testing.assert_array_equal(outputs[i], trace.spikes[i][:, 0], err_msg=f"{sent}, layer {i}")
