"""The ablation report on a real (tiny) Hydra multirun: methods in order, a learner variant in its
own row, the goal judged on every rivc row, a bit width without its own reference compared with
the reference at another (marked *), a learner change that the reference ran too judged like for like
(marked †); the report's own summary.json regenerates the same table
without the run directories, and a run directory given after it replaces its runs. The bootstrap
interval of a ratio, on cases whose resampling distribution is known exactly."""
import csv
import importlib.util
import json
import shutil
import sys
from pathlib import Path

from conftest import TINY, run

REPORT = Path(__file__).resolve().parents[1] / "scripts" / "ablation_report.py"


def load_report_module():
    spec = importlib.util.spec_from_file_location("ablation_report", REPORT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bootstrap_interval_of_the_ratio_to_the_reference():
    report = load_report_module()
    # returns [1, 3] resample to means 1 / 2 / 3 with probabilities 1/4, 1/2, 1/4; against a constant
    # reference of 2 the ratio 1 + (m - 2) / 2 is 0.5 / 1.0 / 1.5, so the 2.5th and 97.5th
    # percentiles of 10,000 resamples are the two extremes (each drawn ~2,500 times)
    assert report.bootstrap_interval([1.0, 3.0], [2.0, 2.0]) == (0.5, 1.5)
    # no spread: the interval is the point, also for negative returns (Reacher's costs: -8 against
    # -10 is 10 % better than the reference, not 80 % of it)
    assert report.bootstrap_interval([-9.0, -9.0, -9.0], [-10.0, -10.0]) == (1.1, 1.1)
    # one seed on either side: no interval
    assert report.bootstrap_interval([5.0], [1.0, 2.0]) is None
    assert report.bootstrap_interval([5.0, 6.0], [1.0]) is None
    # the same inputs give the same interval (fixed generator seed), and it holds the point estimate
    returns, reference = [60.0, 220.0, 89.0, 110.0, 20.0], [136.0, 171.0, 56.0, 118.0]
    low, high = report.bootstrap_interval(returns, reference)
    point = 1 + (sum(returns) / 5 - sum(reference) / 4) / (sum(reference) / 4)
    assert (low, high) == report.bootstrap_interval(returns, reference) and low < point < high


def test_report_gives_a_variant_its_own_row(tmp_path, cli_env):
    sweep = tmp_path / "sweep"
    common = ["rivc-train", "--config-name", "ablation", "env=inverted_pendulum", "seed=0", *TINY,
              "train.eval_every=150", f"hydra.sweep.dir={sweep}"]
    run([*common, "experiment=fpnn_reference,rivc"], cli_env)
    run([*common, "experiment=rivc", "agent.ste_leak=0.1",
         "hydra.sweep.subdir=${env.id}/w${quant.weight_bits}a${quant.activation_bits}/${method}_leak/seed${seed}"], cli_env)
    run([*common, "experiment=rivc", "quant=int2"], cli_env)         # no fpnn_reference at w2a2
    run([*common, "experiment=fpnn_reference,rivc", "agent.n_step=2",    # a learner change both methods ran
         "hydra.sweep.subdir=${env.id}/w${quant.weight_bits}a${quant.activation_bits}/${method}_n2/seed${seed}"], cli_env)
    out = tmp_path / "report"
    proc = run([sys.executable, str(REPORT), str(sweep), "--out", str(out)], cli_env)
    assert "InvertedPendulum-v5, w4a4" in proc.stdout
    with open(out / "results.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["bits"], r["method"]) for r in rows] == [
        ("w2a2", "rivc"), ("w4a4", "fpnn_reference"), ("w4a4", "fpnn_reference (agent.n_step=2)"), ("w4a4", "rivc"),
        ("w4a4", "rivc (agent.n_step=2)"), ("w4a4", "rivc (agent.ste_leak=0.1)")]
    def ratio(row, reference_row):
        reference = float(reference_row["fpnn_return_mean"])
        return 1 + (float(row["snn_return_mean"]) - reference) / abs(reference)
    assert rows[0]["reference_bits"] == "w4a4" and rows[3]["reference_bits"] == "w4a4"
    assert abs(float(rows[0]["snn_over_reference_fpnn"]) - ratio(rows[0], rows[1])) < 1e-9
    # the n-step rivc row against the n-step reference (like for like, marked †); the leak, which the
    # reference did not run, against the plain one
    assert rows[4]["reference"] == "fpnn_reference (agent.n_step=2)" and rows[5]["reference"] == "fpnn_reference"
    assert abs(float(rows[4]["snn_over_reference_fpnn"]) - ratio(rows[4], rows[2])) < 1e-9
    assert abs(float(rows[5]["snn_over_reference_fpnn"]) - ratio(rows[5], rows[1])) < 1e-9
    table = (out / "results.md").read_text()
    for row in table.splitlines():
        if row.startswith("| rivc"):
            assert row.rstrip(" |").split("|")[-2].strip() in ("met", "missed")
    assert "\\* against `fpnn_reference`'s FP32 network at w4a4" in table
    assert "† against `fpnn_reference` run with the same learner overrides" in table
    assert next(r for r in table.splitlines() if r.startswith("| rivc (agent.n_step=2)")).split("|")[10].strip().endswith("%†")
    assert (out / "return_vs_steps_InvertedPendulum_w4a4.png").is_file()

    # the summary alone (the run directories gone) gives the same table; a run root after it
    # replaces its runs by "dir" instead of counting them twice
    again = tmp_path / "again"
    run([sys.executable, str(REPORT), str(out / "summary.json"), str(sweep), "--out", str(again)], cli_env)
    assert (again / "results.md").read_text() == table
    assert (again / "results.csv").read_text() == (out / "results.csv").read_text()
    only_summary = tmp_path / "only_summary"
    run([sys.executable, str(REPORT), str(again / "summary.json"), "--out", str(only_summary)], cli_env)
    assert (only_summary / "summary.json").read_text() == (out / "summary.json").read_text()
    # a stale summary given after the run root does not replace the root's runs
    stale = json.loads((out / "summary.json").read_text())
    for r in stale:
        r["snn_return"] = -1.0
    (tmp_path / "stale.json").write_text(json.dumps(stale))
    reversed_order = tmp_path / "reversed"
    run([sys.executable, str(REPORT), str(sweep), str(tmp_path / "stale.json"), "--out", str(reversed_order)], cli_env)
    assert (reversed_order / "results.md").read_text() == table
    # two run roots with the same run directory are different runs: a one-line error, not a merge
    copy = tmp_path / "copy"
    shutil.copytree(sweep, copy)
    proc = run([sys.executable, str(REPORT), str(sweep), str(copy), "--out", str(tmp_path / "clash")], cli_env, check=False)
    assert proc.returncode != 0 and "is in two run roots" in proc.stderr
