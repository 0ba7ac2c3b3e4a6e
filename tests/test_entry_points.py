"""Smoke runs of the real console entry points on tiny budgets, and their bad-input behaviour."""
import json
import subprocess
from pathlib import Path

import pytest

from conftest import TINY, run


def test_train_writes_result_checkpoint_and_logs(trained):
    result = json.loads((trained / "result.json").read_text())
    for key in ("env_id", "env_steps", "wall_s", "checkpoint"):
        assert key in result
    assert result["env_id"] == "InvertedPendulum-v5" and result["env_steps"] == 300
    ev = result["final_eval"]
    assert set(ev) >= {"fpnn_return", "snn_return", "action_agreement", "episodes"}
    assert ev["action_agreement"] == 1.0        # one hidden layer: the SNN is the quantized FPNN
    assert ev["episodes"] == 2 and len(ev["snn_episode_returns"]) == 2      # train.final_episodes
    assert Path(result["checkpoint"]).is_file() and (trained / "network.spec").is_file()
    rows = (trained / "metrics.csv").read_text().splitlines()
    assert rows[0].startswith("env_step,") and len(rows) == 1 + 3
    assert any(p.name.startswith("events") for p in (trained / "tb").iterdir())


def test_deploy_emulator_and_lava_take_the_same_actions(trained, tmp_path, cli_env):
    results = {}
    for backend in ("emulator", "lava"):
        out = tmp_path / backend
        run(["rivc-deploy", f"checkpoint={trained / 'checkpoint.pt'}", f"backend={backend}", "episodes=2", "seed=3",
             "max_episode_steps=40", f"hydra.run.dir={out}"], cli_env)
        results[backend] = json.loads((out / "result.json").read_text())
    emu, lava = results["emulator"], results["lava"]
    assert emu["actions_sha256"] == lava["actions_sha256"]
    assert emu["episode_returns"] == lava["episode_returns"]
    for r in (emu, lava):
        assert r["action_agreement"] == 1.0 and len(r["episode_returns"]) == 2
        assert r["timesteps_per_action"] == 15 + 2


def one_line_error(proc, prog, fragment):
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
    assert lines[-1].startswith(f"{prog}: error: ") and fragment in lines[-1], proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr


def test_unknown_env_id(tmp_path, cli_env):
    proc = run(["rivc-train", "env.id=NoSuchTask-v0", *TINY, f"hydra.run.dir={tmp_path}"], cli_env, check=False)
    one_line_error(proc, "rivc-train", "unknown environment id 'NoSuchTask-v0'")


@pytest.mark.parametrize("override,fragment", [("quant.weight_bits=9", "quant.weight_bits must be in 2..8"),
                                               ("quant.activation_bits=0", "quant.activation_bits must be in 1..8")])
def test_unsupported_bit_widths(tmp_path, cli_env, override, fragment):
    proc = run(["rivc-train", override, *TINY, f"hydra.run.dir={tmp_path}"], cli_env, check=False)
    one_line_error(proc, "rivc-train", fragment)


@pytest.mark.parametrize("override,fragment", [
    ("agent.tau=0", "agent.tau must be in (0, 1]"),
    ("train.final_episodes=0", "train.final_episodes must be >= 1"),
    ("quant.weight_scale=minmax", "quant.weight_scale must be one of 'max', 'mse', got 'minmax'"),
    ("quant.max_weight_shift=8", "quant.max_weight_shift must be in 0..7"),
    ("agent.ste_leak=1.0", "agent.ste_leak must be in [0, 1)"),
    ("agent.shift_pad=9", "agent.shift_pad must be in 0..8"),
    ("quant.layer_weight_bits=[9,4]", "quant.layer_weight_bits must have every entry an integer in 2..8"),
    ("quant.layer_weight_bits=[8,4,4]", "quant.layer_weight_bits needs one entry per layer")])
def test_out_of_range_settings(tmp_path, cli_env, override, fragment):
    proc = run(["rivc-train", override, *TINY, f"hydra.run.dir={tmp_path}"], cli_env, check=False)
    one_line_error(proc, "rivc-train", fragment)


def test_unsupported_observation_space(tmp_path, cli_env):
    proc = run(["rivc-train", "env.id=Blackjack-v1", *TINY, f"hydra.run.dir={tmp_path}"], cli_env, check=False)
    one_line_error(proc, "rivc-train", "flat Box")


def test_missing_and_corrupt_checkpoints_leave_files_untouched(trained, tmp_path, cli_env):
    proc = run(["rivc-deploy", f"checkpoint={tmp_path / 'nope.pt'}", f"hydra.run.dir={tmp_path / 'a'}"], cli_env,
               check=False)
    one_line_error(proc, "rivc-deploy", "does not exist")
    good = (trained / "checkpoint.pt").read_bytes()
    broken = tmp_path / "broken.pt"
    broken.write_bytes(good[: len(good) // 2])
    proc = run(["rivc-deploy", f"checkpoint={broken}", f"hydra.run.dir={tmp_path / 'b'}"], cli_env, check=False)
    one_line_error(proc, "rivc-deploy", "corrupt or truncated")
    assert broken.read_bytes() == good[: len(good) // 2]
    assert (trained / "checkpoint.pt").read_bytes() == good


def test_hydra_typo_is_refused(tmp_path, cli_env):
    proc = run(["rivc-train", "agent.alpah=0.5", f"hydra.run.dir={tmp_path}"], cli_env, check=False)
    assert proc.returncode != 0 and "agent.alpah" in proc.stderr


def test_training_with_lava_collecting_the_rollouts(tmp_path, cli_env):
    """backend=lava: every conversion is deployed as a new Lava network that collects the steps."""
    run(["rivc-train", "backend=lava", "train.env_steps=30", "agent.learning_starts=15", "train.eval_episodes=1",
         "train.log_every=15", "agent.hidden=[8]", "agent.train_freq=2", "train.eval_every=0", f"hydra.run.dir={tmp_path}"],
        cli_env)
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["updates"] == 8 and result["final_eval"]["action_agreement"] == 1.0
    rows = (tmp_path / "metrics.csv").read_text().splitlines()
    assert [r.split(",")[7] for r in rows[1:]] == ["1.0", "1.0"]    # action_agreement per log row


def test_same_seed_same_metrics_different_seed_different(tmp_path, cli_env):
    def metrics(seed, name):
        out = tmp_path / name
        run(["rivc-train", *TINY, f"seed={seed}", "train.eval_every=0", f"hydra.run.dir={out}"], cli_env)
        return [",".join(r.split(",")[:-1]) for r in (out / "metrics.csv").read_text().splitlines()]  # drop steps_per_s

    first, again, other = metrics(0, "a"), metrics(0, "b"), metrics(1, "c")
    assert first == again
    assert first != other


def test_power_report(trained, tmp_path, cli_env):
    proc = run(["rivc-power", f"checkpoint={trained / 'checkpoint.pt'}", "episodes=1", "max_episode_steps=30",
                "host_timing_runs=50", f"hydra.run.dir={tmp_path}"], cli_env)
    report = json.loads((tmp_path / "power.json").read_text())
    counts = report["op_counts_per_inference"]
    assert counts["timesteps"] == 17 and counts["synops"] > 0
    assert report["fpnn_macs"] == 4 * 16 + 16 * 7
    chip, system = report["chip_level"], report["system_level"]
    for row in (chip["neurochip"], chip["a72"], *system["neurochip"], system["pi4"]):
        for key in ("energy_j", "latency_s", "power_w"):
            assert 0 < row[key]["low"] <= row[key]["high"], (row["name"], key)
    split = report["latency_split"]
    assert split["end_to_end_s"]["low"] == pytest.approx(split["compute_s"]["low"] + split["host_io_s"]["low"])
    assert chip["ratio"]["verdict"]["speed"] in ("shown across the band", "shown only at the band's favourable end",
                                                 "not shown")
    assert report["host"]["numpy_s"] > 0 and report["host"]["torch_s"] > 0
    md = (tmp_path / "power.md").read_text()
    assert "Chip level" in md and "System level" in md and "15x" in md and "5x" in md
    for constant in report["constants"]:                      # every constant is printed with its source
        assert f"| {constant['name']} |" in md and constant["source"] in md
    assert json.loads(proc.stdout.strip().splitlines()[-1])["chip_level"] == chip["ratio"]["verdict"]
    assert (tmp_path / "power.png").stat().st_size > 1000


def test_non_finite_loss_stops_with_one_line_and_keeps_the_last_checkpoint(tmp_path, cli_env):
    proc = run(["rivc-train", "agent.lr=1e20", "train.env_steps=1000", "agent.learning_starts=300",
                "train.checkpoint_every=200", "train.eval_every=0", "agent.hidden=[16]", f"hydra.run.dir={tmp_path}"],
               cli_env, check=False)
    assert proc.returncode == 3, proc.stderr[-2000:]
    assert proc.stderr.strip().splitlines()[-1].startswith("rivc-train: error: ")
    assert "non-finite" in proc.stderr or "loss became" in proc.stderr
    from rivc.checkpoint import load_checkpoint

    assert load_checkpoint(tmp_path / "last.pt").step in (200, 400)
    assert not (tmp_path / "result.json").exists()


def test_spec_file_deploys_alone_with_the_same_actions(trained, tmp_path, cli_env):
    """A NetworkSpec file carries its task metadata: deployed in a fresh process without the
    checkpoint, it takes the same actions as the checkpoint it was converted from."""
    out = {}
    for name, source in (("ckpt", f"checkpoint={trained / 'checkpoint.pt'}"), ("spec", f"spec={trained / 'network.spec'}")):
        run(["rivc-deploy", source, "episodes=2", "seed=5", "max_episode_steps=40", f"hydra.run.dir={tmp_path / name}"],
            cli_env)
        out[name] = json.loads((tmp_path / name / "result.json").read_text())
    assert out["spec"]["actions_sha256"] == out["ckpt"]["actions_sha256"]
    assert out["spec"]["action_agreement"] is None and out["ckpt"]["action_agreement"] == 1.0


def test_corrupt_and_out_of_range_specs_are_refused(trained, tmp_path, cli_env):
    from neurochip.ir import NetworkSpec

    data = (trained / "network.spec").read_bytes()
    (tmp_path / "cut.spec").write_bytes(data[: len(data) - 100])
    proc = run(["rivc-deploy", f"spec={tmp_path / 'cut.spec'}", f"hydra.run.dir={tmp_path / 'a'}"], cli_env, check=False)
    one_line_error(proc, "rivc-deploy", "corrupt")
    spec = NetworkSpec.load(trained / "network.spec")
    spec.layers[0].vth = 300_000
    spec.save(tmp_path / "hot.spec")
    proc = run(["rivc-deploy", f"spec={tmp_path / 'hot.spec'}", f"hydra.run.dir={tmp_path / 'b'}"], cli_env, check=False)
    one_line_error(proc, "rivc-deploy", "layer hidden0: vth must be in [0, 131071], got 300000")


def test_checkpoint_on_a_task_with_another_observation_size(trained, tmp_path, cli_env):
    proc = run(["rivc-deploy", f"checkpoint={trained / 'checkpoint.pt'}", "env_id=Reacher-v5",
                f"hydra.run.dir={tmp_path}"], cli_env, check=False)
    one_line_error(proc, "rivc-deploy", "does not match")


def test_ctrl_c_during_a_lava_deployment_leaves_no_process_behind(trained, tmp_path, cli_env):
    import signal
    import time

    import psutil

    # preexec: Ctrl-C's default action in the child even when this run inherited SIGINT ignored
    # (a shell ignores it for background jobs, e.g. `bash .ci/run &`); 2000 episodes: never done first
    proc = subprocess.Popen(["rivc-deploy", f"checkpoint={trained / 'checkpoint.pt'}", "backend=lava", "episodes=2000",
                             f"hydra.run.dir={tmp_path}"], env=cli_env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    parent = psutil.Process(proc.pid)
    children = []
    deadline = time.time() + 120
    while time.time() < deadline and len(children) < 3:       # Lava's process models are running
        children = parent.children(recursive=True)
        time.sleep(0.2)
    assert len(children) >= 3, "Lava never started its processes"
    time.sleep(1.0)
    for _ in range(3):      # like a user pressing Ctrl-C again: one that lands while Lava is still
        proc.send_signal(signal.SIGINT)     # spawning its processes can be lost (seen on a loaded machine)
        try:
            proc.wait(timeout=20)
            break
        except subprocess.TimeoutExpired:
            pass
    assert proc.returncode is not None and proc.returncode != 0
    gone, alive = psutil.wait_procs(children, timeout=20)
    assert not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE], [p.cmdline() for p in alive]
    assert not (tmp_path / "result.json").exists()


def test_graded_training_and_deployment_on_lava_and_emulator(tmp_path, cli_env):
    """snn=graded end to end: the SNN collects, agreement is exactly 1 at every log row, and Lava
    takes the emulator's actions."""
    train_dir = tmp_path / "train"
    run(["rivc-train", "snn=graded", *TINY, "train.eval_every=0", f"hydra.run.dir={train_dir}"], cli_env)
    result = json.loads((train_dir / "result.json").read_text())
    assert result["scheme"] == "graded" and result["timesteps_per_action"] == 3
    assert result["final_eval"]["action_agreement"] == 1.0
    assert result["conversion"]["action_agreement_min"] == 1.0
    assert result["conversion"]["count_error_max_per_layer"] == [0.0]
    hashes = {}
    for backend in ("emulator", "lava"):
        out = tmp_path / backend
        run(["rivc-deploy", f"checkpoint={train_dir / 'checkpoint.pt'}", f"backend={backend}", "episodes=1",
             "max_episode_steps=25", f"hydra.run.dir={out}"], cli_env)
        hashes[backend] = json.loads((out / "result.json").read_text())["actions_sha256"]
    assert hashes["emulator"] == hashes["lava"]
    proc = run(["rivc-deploy", f"checkpoint={train_dir / 'checkpoint.pt'}", "timesteps=8",
                f"hydra.run.dir={tmp_path / 'bad'}"], cli_env, check=False)
    one_line_error(proc, "rivc-deploy", "timesteps= applies to rate-scheme checkpoints")


def test_training_with_four_vector_envs(tmp_path, cli_env):
    """train.num_envs=4: the SNN acts for four envs at once; every env step is counted once."""
    run(["rivc-train", *TINY, "train.num_envs=4", "agent.train_freq=2", "train.eval_every=0", f"hydra.run.dir={tmp_path}"],
        cli_env)
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["env_steps"] == 300 and result["updates"] == 101      # every 2nd step from step 100
    rows = (tmp_path / "metrics.csv").read_text().splitlines()
    assert [r.split(",")[0] for r in rows[1:]] == ["100", "200", "300"]
    assert int(rows[-1].split(",")[2]) >= 4                    # episodes finished across the envs


def test_vector_envs_with_n_step_returns_are_refused(tmp_path, cli_env):
    proc = run(["rivc-train", *TINY, "train.num_envs=2", "agent.n_step=3", f"hydra.run.dir={tmp_path}"], cli_env,
               check=False)
    one_line_error(proc, "rivc-train", "train.num_envs > 1 needs agent.n_step=1")


def test_vision_task_trains_a_cnn_deploys_it_and_reports_its_power(tmp_path, cli_env):
    """env=pixel_pendulum: rendered frames, a quantized CNN converted after every update (graded:
    exact at every layer), the SNN collecting from two envs; then the power report counts the
    CNN's MACs."""
    train_dir = tmp_path / "train"
    run(["rivc-train", "env=pixel_pendulum", "snn=graded", *TINY, "agent.conv=[[4,4,2],[8,3,2]]", "train.num_envs=2",
         "train.eval_every=0", f"hydra.run.dir={train_dir}"], cli_env)
    result = json.loads((train_dir / "result.json").read_text())
    assert result["env_id"] == "RIVC/PixelInvertedPendulum-v0" and result["timesteps_per_action"] == 5
    assert result["final_eval"]["action_agreement"] == 1.0
    assert result["conversion"]["count_error_max_per_layer"] == [0.0, 0.0, 0.0]
    run(["rivc-power", f"checkpoint={train_dir / 'checkpoint.pt'}", "episodes=1", "max_episode_steps=20",
         "host_timing_runs=20", f"hydra.run.dir={tmp_path / 'power'}"], cli_env)
    report = json.loads((tmp_path / "power" / "power.json").read_text())
    # 2x32x32 -> 4x15x15 (fan-in 2*4*4) -> 8x7x7 (fan-in 4*3*3) -> 16 -> 7
    assert report["fpnn_macs"] == 900 * 32 + 392 * 36 + 392 * 16 + 16 * 7
    assert report["op_counts_per_inference"]["synops"] > 0


def test_delayed_quantization_ends_at_the_chips_bits(tmp_path, cli_env):
    """agent.quantize_after: FP32 first (its post-training-quantized SNN collecting), then
    quantization-aware; the delivered network is quantized and its SNN exact."""
    run(["rivc-train", *TINY, "agent.quantize_after=150", "train.eval_every=0", f"hydra.run.dir={tmp_path}"], cli_env)
    from rivc.checkpoint import load_checkpoint

    assert load_checkpoint(tmp_path / "last.pt").net.quantized
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["final_eval"]["action_agreement"] == 1.0
    rows = (tmp_path / "metrics.csv").read_text().splitlines()
    assert rows[-1].split(",")[7] == "1.0"       # agreement of the steps 201-300, all after the switch at 150
