"""Crash and resume: SIGKILL mid-run, then resume=true continues to the same final metrics."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BUDGET = ["train.env_steps=2400", "agent.learning_starts=200", "train.log_every=200", "train.checkpoint_every=400",
          "train.eval_every=0", "train.eval_episodes=2", "agent.hidden=[16]", "seed=3"]


def cli_env():
    return dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")


def metrics_without_timing(run_dir: Path) -> list[str]:
    return [",".join(r.split(",")[:-1]) for r in (run_dir / "metrics.csv").read_text().splitlines()]


def test_sigkill_then_resume_matches_an_uninterrupted_run(tmp_path):
    env = cli_env()
    full = tmp_path / "full"
    subprocess.run(["rivc-train", *BUDGET, f"hydra.run.dir={full}"], env=env, check=True, capture_output=True,
                   timeout=600)

    crashed = tmp_path / "crashed"
    proc = subprocess.Popen(["rivc-train", *BUDGET, f"hydra.run.dir={crashed}"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    state = crashed / "train_state.pt"
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None:
        if state.is_file() and (crashed / "metrics.csv").read_text().count("\n") >= 7:   # past step 1200
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed; raise the budget"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (crashed / "result.json").exists()

    subprocess.run(["rivc-train", *BUDGET, "resume=true", f"hydra.run.dir={crashed}"], env=env, check=True,
                   capture_output=True, timeout=600)
    a, b = json.loads((full / "result.json").read_text()), json.loads((crashed / "result.json").read_text())
    assert a["final_eval"] == b["final_eval"]
    assert a["updates"] == b["updates"]
    assert metrics_without_timing(full) == metrics_without_timing(crashed)


def test_resume_without_state_is_one_clear_error(tmp_path):
    proc = subprocess.run(["rivc-train", *BUDGET, "resume=true", f"hydra.run.dir={tmp_path}"], env=cli_env(),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith("rivc-train: error: resume=true but")


def test_ctrl_c_saves_the_state_and_prints_the_resume_command(tmp_path):
    """Ctrl-C: one line with where the state is and the exact command; that command finishes the
    run, whose wall_s counts both parts."""
    import shlex

    budget = [b for b in BUDGET if not b.startswith("train.env_steps")] + ["train.env_steps=6000"]
    run_dir = tmp_path / "run"
    proc = subprocess.Popen(["rivc-train", *budget, f"hydra.run.dir={run_dir}"], env=cli_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None:
        metrics = run_dir / "metrics.csv"
        if metrics.is_file() and metrics.read_text().count("\n") >= 5:     # past step 800
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before Ctrl-C; raise the budget"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err[-2000:]
    last = err.strip().splitlines()[-1]
    assert "Traceback" not in err and last.startswith("rivc-train: interrupted at env step ")
    assert f"training state saved in {run_dir / 'train_state.pt'}" in last
    command = last.split("resume with: ")[1]
    assert "resume=true" in command and f"hydra.run.dir={run_dir}" in command
    assert not (run_dir / "result.json").exists()
    first_part_s = float(torch_load_plain(run_dir / "train_state.pt")["loop"]["wall_s"])
    subprocess.run(shlex.split(command), env=cli_env(), check=True, capture_output=True, timeout=600)
    result = json.loads((run_dir / "result.json").read_text())
    assert result["env_steps"] == 6000 and result["resumed"] and result["wall_s"] > first_part_s > 0


def torch_load_plain(path):
    import torch

    return torch.load(path, weights_only=True)


def test_a_training_state_with_a_foreign_pickled_object_is_refused(tmp_path):
    """resume=true never unpickles what is not tensors and plain data (weights_only)."""
    import torch

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {tmp_path / 'pwned'}",))

    torch.save({"version": 2, "config": {}, "loop": Payload()}, tmp_path / "train_state.pt")
    proc = subprocess.run(["rivc-train", *BUDGET, "resume=true", f"hydra.run.dir={tmp_path}"], env=cli_env(),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "holds pickled objects other than tensors and plain data; refused" in lines[0]
    assert not (tmp_path / "pwned").exists()
