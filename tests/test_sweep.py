"""A sweep really runs through hydra-submitit-launcher: its local executor (`submitit_local`) is
the same launcher code a SLURM cluster uses (hydra/launcher=slurm), one submitit job per run."""
import json

from conftest import TINY, run


def test_two_job_sweep_through_submitit_local(tmp_path, cli_env):
    run(["rivc-train", "-m", "hydra/launcher=submitit_local", "seed=0,1", *TINY, f"hydra.sweep.dir={tmp_path}",
         "hydra.launcher.timeout_min=10"], cli_env)
    results = [json.loads((tmp_path / str(job) / "result.json").read_text()) for job in (0, 1)]
    assert [r["seed"] for r in results] == [0, 1]
    assert all((tmp_path / str(job) / "training.png").is_file() for job in (0, 1))
    jobs = [p for p in (tmp_path / ".submitit").iterdir() if p.is_dir() and p.name.isdigit()]
    assert len(jobs) == 2 and all(list(job.glob("*_result.pkl")) for job in jobs)      # submitit ran each job
