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
