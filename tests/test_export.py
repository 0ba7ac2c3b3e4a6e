"""Interoperability: rivc-export (spec, netx, nir), the snnTorch backend, and the Loihi 2 switch."""
import json
import subprocess
import sys

import h5py
import numpy as np
import pytest
import torch

from conftest import run
from neurochip.emulator import emulator_for
from neurochip.export import read_netx
from neurochip.lava_backend import LavaNetwork
from rivc.checkpoint import load_checkpoint
from rivc.convert import convert, encode
from rivc.qnet import QuantQNetwork
from rivc.snn_policy import SNNPolicy
from test_entry_points import one_line_error


@pytest.fixture(scope="module")
def visited(trained):
    """The trained checkpoint, its converted spec, and 400 encoded states of the task visited
    under exploration (the tiny policy's own greedy episodes end after a few steps)."""
    from envs import make_env

    ckpt = load_checkpoint(trained / "checkpoint.pt")
    spec = convert(ckpt.net)
    env = make_env(ckpt.env_id, ckpt.scaling, ckpt.action_bins)
    env.action_space.seed(0)
    states, (obs, _) = [], env.reset(seed=5)
    while len(states) < 400:
        states.append(obs)
        obs, _, terminated, truncated, _ = env.step(env.action_space.sample())
        if terminated or truncated:
            obs, _ = env.reset()
    env.close()
    return ckpt, spec, encode(spec, np.asarray(states))


def test_nir_export_reads_back_and_runs_in_snntorch(trained, visited, tmp_path, cli_env):
    import nir
    import snntorch.utils
    from snntorch.import_nir import import_from_nir

    _, spec, x = visited
    out = tmp_path / "policy.nir"
    run(["rivc-export", f"checkpoint={trained / 'checkpoint.pt'}", "format=nir", f"out={out}",
         f"hydra.run.dir={tmp_path}"], cli_env)
    graph = nir.read(out)
    assert {"input", "fc0", "lif0", "fc1", "output"} <= set(graph.nodes)
    net = import_from_nir(graph)
    snntorch.utils.reset(net)
    total = 0
    xt = torch.as_tensor(x, dtype=torch.float32)
    with torch.no_grad():
        for _ in range(spec.timesteps):
            out_t = net(xt)
            total = total + (out_t[0] if isinstance(out_t, tuple) else out_t)   # (output, state) for some graphs
    v_emu, _ = emulator_for(spec).infer(x)
    agreement = (total.numpy().argmax(axis=1) == v_emu.argmax(axis=1)).mean()
    assert agreement >= 0.99
    assert len(x) == 400


def test_netx_export_layout_and_rebuild_on_lava(trained, visited, tmp_path, cli_env):
    _, spec, x = visited
    out = tmp_path / "policy.net"
    run(["rivc-export", f"checkpoint={trained / 'checkpoint.pt'}", "format=netx", f"out={out}",
         f"hydra.run.dir={tmp_path}"], cli_env)
    with h5py.File(out, "r") as f:
        assert int(f["simulation/tSample"][()]) == spec.steps_per_inference
        assert sorted(f["layer"].keys()) == ["0", "1"]
        for i, layer in enumerate(spec.layers):
            g = f[f"layer/{i}"]
            assert g["type"][()].decode() == "dense" and g["neuron/type"][()].decode() == "CUBA"
            assert g["weight"].shape == (layer.n_out, layer.n_in) and g["bias"].shape == (layer.n_out,)
            assert int(g["neuron/iDecay"][()]) == 4096 and int(g["neuron/vDecay"][()]) == 0
            assert int(g["neuron/vThMant"][()]) == layer.vth
            np.testing.assert_array_equal(g["weight"][()] * 2, layer.weights)
    rebuilt = read_netx(out)
    v_emu, _ = emulator_for(spec).infer(x[:6])
    with LavaNetwork(rebuilt) as lava:
        v_lava = np.stack([lava.infer(row) for row in x[:6]])
    np.testing.assert_array_equal(v_lava, v_emu)


def test_exported_spec_gives_the_same_actions_in_a_fresh_process(trained, visited, tmp_path, cli_env):
    _, spec, x = visited
    out = tmp_path / "policy.spec"
    run(["rivc-export", f"checkpoint={trained / 'checkpoint.pt'}", "format=spec", f"out={out}",
         f"hydra.run.dir={tmp_path}"], cli_env)
    np.save(tmp_path / "x.npy", x)
    code = ("import sys, numpy as np; from neurochip.ir import NetworkSpec; from neurochip.emulator import emulator_for; "
            "s = NetworkSpec.load(sys.argv[1]).validate(); x = np.load(sys.argv[2]); "
            "print(','.join(map(str, emulator_for(s).infer(x)[0].argmax(axis=1))))")
    proc = subprocess.run([sys.executable, "-c", code, str(out), str(tmp_path / "x.npy")],
                          capture_output=True, text=True, timeout=300, check=True)
    fresh = np.array(proc.stdout.strip().split(","), dtype=np.int64)
    np.testing.assert_array_equal(fresh, emulator_for(spec).infer(x)[0].argmax(axis=1))


@pytest.mark.parametrize("hidden", [[16], [24, 12], [8, 8, 8]])
def test_snntorch_backend_equals_the_emulator(hidden):
    torch.manual_seed(len(hidden))
    spec = convert(QuantQNetwork(5, 6, hidden, 4, 15, clip_init=0.4))
    x = encode(spec, np.random.default_rng(0).uniform(-1, 1, (2000, 5)))
    v_emu, counts_emu = emulator_for(spec).infer(x)
    with SNNPolicy(spec, "snntorch") as snn:
        out = snn(x)
    from rivc.snntorch_backend import SnnTorchNetwork

    v_st, counts_st = SnnTorchNetwork(spec).infer(x)
    np.testing.assert_array_equal(v_st, v_emu)
    np.testing.assert_array_equal(counts_st[0], counts_emu[0])
    assert (out.q.argmax(axis=1) == v_emu.argmax(axis=1)).all()
    assert counts_emu[0].sum() > 0


def test_deploy_on_snntorch_takes_the_emulators_actions(trained, tmp_path, cli_env):
    hashes = {}
    for backend in ("emulator", "snntorch"):
        run(["rivc-deploy", f"checkpoint={trained / 'checkpoint.pt'}", f"backend={backend}", "episodes=2",
             "max_episode_steps=40", f"hydra.run.dir={tmp_path / backend}"], cli_env)
        hashes[backend] = json.loads((tmp_path / backend / "result.json").read_text())["actions_sha256"]
    assert hashes["emulator"] == hashes["snntorch"]


def test_loihi2_backend_without_lava_loihi_is_one_clear_line(trained, tmp_path, cli_env):
    proc = run(["rivc-deploy", f"checkpoint={trained / 'checkpoint.pt'}", "backend=loihi2", "episodes=1",
                f"hydra.run.dir={tmp_path}"], cli_env, check=False)
    one_line_error(proc, "rivc-deploy", "needs Intel's lava-loihi extension")


@pytest.mark.parametrize("fmt", ["nir", "netx"])
def test_graded_spec_to_netx_or_nir_is_refused_with_one_line(fmt, tmp_path, cli_env):
    torch.manual_seed(0)
    spec_path = convert(QuantQNetwork(4, 3, [8], 4, 15, scheme="graded")).save(tmp_path / "g.spec")
    proc = run(["rivc-export", f"spec={spec_path}", f"format={fmt}", f"hydra.run.dir={tmp_path}"], cli_env, check=False)
    one_line_error(proc, "rivc-export", "supports the rate scheme")
    assert not list(tmp_path.glob("network.*"))


def test_a_rate_cnn_exports_as_unrolled_dense_layers(tmp_path):
    """Conv layers go to netx/NIR/snnTorch with their unrolled connectivity: the netx file
    rebuilt on Lava and the snnTorch network both give the emulator's readout."""
    from neurochip.export import to_nir, write_netx
    from rivc.snntorch_backend import SnnTorchNetwork

    torch.manual_seed(0)
    net = QuantQNetwork(64, 4, [8], 4, 15, clip_init=0.3, conv=[[3, 3, 2]], input_shape=[1, 8, 8])
    spec = convert(net)
    assert spec.layers[0].conv is not None
    x = encode(spec, np.random.default_rng(0).uniform(0, 1, (40, 64)))
    v_emu, counts = emulator_for(spec).infer(x)
    assert counts[0].sum() > 0
    v_st, _ = SnnTorchNetwork(spec, dtype=torch.float64).infer(x)
    np.testing.assert_array_equal(v_st, v_emu)
    rebuilt = read_netx(write_netx(spec, tmp_path / "cnn.net"))
    assert rebuilt.layers[0].weights.shape == (spec.layers[0].n_out, 64)
    with LavaNetwork(rebuilt) as lava:
        v_lava = np.stack([lava.infer(row) for row in x[:4]])
    np.testing.assert_array_equal(v_lava, v_emu[:4])
    assert {"fc0", "lif0", "fc1"} <= set(to_nir(spec).nodes)
