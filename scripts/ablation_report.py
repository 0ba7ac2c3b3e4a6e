"""Tables and plots of an ablation sweep, regenerated from its run directories.

usage: .venv/bin/python scripts/ablation_report.py SOURCE [SOURCE ...] [--out docs/results]

A SOURCE is a Hydra multirun directory of rivc-train runs (configs/ablation.yaml) or the
summary.json an earlier report wrote (its runs, as read then, so a table can grow on a machine
that no longer holds the older run directories; a run root's run replaces the summary's entry of
the same directory, and two run roots may not share one). Every run's
result.json, evals.json and metrics.csv are read; per task, bit width and method the table gives
mean +- std over seeds of the final SNN and FPNN returns (fresh evaluation seeds), the median
SNN return (one seed that solves or collapses moves the mean, not the median), the final
action agreement, and the mean training-time agreement. A run launched with learner or
quantization overrides (agent.*, quant.* other than the bit widths, from .hydra/overrides.yaml)
that not every run of its task and bit width shares gets its own row, "method (override, ...)",
after its method's; the goal column judges every rivc row. A variant row is compared with the
fpnn_reference runs of the same overrides where those ran (marked †: a learner change such as
agent.dueling=true judged like for like), else with the plain reference. A task and bit width without its own
fpnn_reference runs is compared with those of the same task and budget at the other bit widths
(marked *): the reference trains and collects with its FP32 network, so its FPNN return does not
depend on the chip's bits (borrowed only where those runs agree seed by seed). Each ratio to the
reference comes with a 95 % bootstrap interval over the seeds of both rows (10,000 resamples, a
fixed generator seed, so the table regenerates byte for byte). Writes results.md, results.csv,
summary.json (the per-run series the plots use: small enough to commit) and per task
return_vs_steps_<task>.png and agreement_alpha_<task>.png into --out."""
from __future__ import annotations

import argparse
import csv
import itertools
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seed_stats import performance_profile, summary  # noqa: E402

METHODS = ["fpnn_reference", "naive", "qat_only", "gap_only", "rivc"]


def variant_overrides(run_dir: Path) -> list[str]:
    """The run's command-line overrides that change the learner or the quantization (agent.*,
    quant.* other than the bit widths, which the table's bits column already names)."""
    path = run_dir / ".hydra" / "overrides.yaml"
    if not path.exists():
        return []
    items = yaml.safe_load(path.read_text()) or []          # a YAML list of "key=value" strings
    return [o for o in items if o.startswith(("agent.", "quant."))
            and not o.startswith(("quant.weight_bits=", "quant.activation_bits="))]


def labels_in_order(cells: dict, env_id: str, bits: str) -> list[str]:
    """The row labels of one task and bit width: METHODS' order, a method's variants after it."""
    def order(label: str) -> tuple:
        base = label.split(" (")[0]
        return (METHODS.index(base) if base in METHODS else len(METHODS), label)
    return sorted({k[2] for k in cells if k[:2] == (env_id, bits)}, key=order)


def load_sources(sources: list[Path]) -> list[dict]:
    """The runs of every source (a run root or a report's summary.json), labelled. A run root's
    run replaces a summary entry of the same "dir" (its path under its root): the summary holds
    what that directory gave before; two run roots with the same "dir" are an error (different
    runs that the table would confuse). Either order of a summary and a root gives the same runs."""
    by_dir, from_root = {}, set()
    for source in sources:
        if source.is_file() and source.suffix == ".json":
            try:
                runs = [r for r in json.loads(source.read_text()) if r["dir"] not in from_root]   # a root's run wins
                for r in runs:
                    r.setdefault("overrides", [])   # summaries written before variant rows existed had none
                dirs = [r["dir"] for r in runs]
            except (ValueError, TypeError, KeyError) as e:
                raise SystemExit(f"ablation_report: error: {source} is not a report's summary.json ({e})")
        elif source.is_dir():
            runs = load_runs(source)
            dirs = [r["dir"] for r in runs]         # unique within one root (paths under it)
            clash = sorted(from_root.intersection(dirs))
            if clash:
                raise SystemExit(f"ablation_report: error: run directory {clash[0]} is in two run roots; "
                                 "give each run root once (a summary.json may share directories with one root)")
            from_root.update(dirs)
        else:
            raise SystemExit(f"ablation_report: error: {source} is neither a run directory nor a summary.json")
        by_dir.update(zip(dirs, runs))
    runs = list(by_dir.values())
    label_variants(runs)
    return runs


def load_runs(root: Path) -> list[dict]:
    """The finished rivc-train runs under root (each with result.json and metrics.csv)."""
    runs = []
    for result_path in sorted(root.rglob("result.json")):
        r = json.loads(result_path.read_text())
        if "final_eval" not in r or "method" not in r:
            continue
        with open(result_path.parent / "metrics.csv", newline="") as f:
            rows = list(csv.DictReader(f))
        runs.append({
            "dir": str(result_path.parent.relative_to(root)), "method": r["method"],
            "overrides": variant_overrides(result_path.parent), "env_id": r["env_id"],
            "bits": f"w{r['weight_bits']}a{r['activation_bits']}" + (" graded" if r.get("scheme") == "graded" else ""),
            "seed": r["seed"], "env_steps": r["env_steps"],
            "wall_s": r["wall_s"], "peak_rss_mib": r.get("peak_rss_mib"), "snn_return": r["final_eval"]["snn_return"], "fpnn_return": r["final_eval"]["fpnn_return"],
            "final_agreement": r["final_eval"]["action_agreement"],
            "train_agreement": r["conversion"]["action_agreement_mean"],
            "evals": [(e["env_step"], e.get("return", e.get("snn_return"))) for e in r["evals"]],
            "agreement": [(int(x["env_step"]), float(x["action_agreement"])) for x in rows],
            "alpha": [(int(x["env_step"]), float(x["alpha"])) for x in rows],
        })
    return runs


def label_variants(runs: list[dict]) -> None:
    """Set each run's "label": its method, plus the learner overrides that not every run of its
    task and bit width shares (those are the variant; shared ones are the sweep's setting)."""
    groups = defaultdict(list)
    for r in runs:
        groups[(r["env_id"], r["bits"])].append(r)
    for group in groups.values():
        shared = set.intersection(*(set(r["overrides"]) for r in group))
        for r in group:
            variant = [o for o in r["overrides"] if o not in shared]
            r["label"] = r["method"] + (f" ({', '.join(variant)})" if variant else "")


def reference_fpnn_returns(runs: list[dict]) -> dict:
    """(env_id, bits) -> (final FPNN returns of fpnn_reference, one per seed; None or the bit widths
    they were borrowed from). A task and bit width without reference runs borrows those of the same
    task and budget at other bit widths when they agree seed by seed (the FP32 reference's training
    never sees the bits; only its SNN does), else it gets no entry."""
    refs = [r for r in runs if r["label"] == "fpnn_reference"]
    out = {}
    for env_id, bits in {(r["env_id"], r["bits"]) for r in runs}:
        own = [r["fpnn_return"] for r in refs if (r["env_id"], r["bits"]) == (env_id, bits)]
        if own:
            out[(env_id, bits)] = (own, None)
            continue
        steps = {r["env_steps"] for r in runs if (r["env_id"], r["bits"]) == (env_id, bits)}
        others = [r for r in refs if r["env_id"] == env_id and {r["env_steps"]} == steps]
        by_seed = defaultdict(set)
        for r in others:
            by_seed[r["seed"]].add(r["fpnn_return"])
        if others and all(len(v) == 1 for v in by_seed.values()):
            source = ", ".join(sorted({r["bits"] for r in others}))
            out[(env_id, bits)] = ([next(iter(by_seed[seed])) for seed in sorted(by_seed)], source)
    return out


def ratio_to_reference(returns: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """1 + (mean(returns) - mean(reference)) / |mean(reference)| along the last axis: 100 % = the
    reference's return, 90 % = worse by 10 % of |reference| (also right for negative returns,
    e.g. Reacher's costs, where a plain quotient would reward doing worse)."""
    ref = reference.mean(axis=-1)
    return 1 + (returns.mean(axis=-1) - ref) / np.abs(ref)


def bootstrap_interval(returns: list[float], reference: list[float], resamples: int = 10_000,
                       seed: int = 0) -> tuple[float, float] | None:
    """95 % percentile interval of ratio_to_reference when the seeds of both rows are resampled
    (independently, with replacement); None unless both rows have two seeds or more."""
    if len(returns) < 2 or len(reference) < 2:
        return None
    rng = np.random.default_rng(seed)
    x, y = np.asarray(returns, float), np.asarray(reference, float)
    with np.errstate(divide="ignore", invalid="ignore"):        # a resampled reference mean of 0
        ratios = ratio_to_reference(x[rng.integers(0, len(x), (resamples, len(x)))],
                                    y[rng.integers(0, len(y), (resamples, len(y)))])
    low, high = np.nanpercentile(ratios, [2.5, 97.5])
    return float(low), float(high)


def same_setting_reference(cells: dict, env_id: str, bits: str, run: dict) -> list[dict]:
    """The fpnn_reference runs with the same learner overrides as `run`'s row (e.g. "rivc
    (agent.dueling=True)" -> "fpnn_reference (agent.dueling=True)"), [] for a plain row or where
    none ran: a variant that changes the learner for every method is judged like for like."""
    variant = run["label"][len(run["method"]):]          # " (override, ...)" or ""
    return cells.get((env_id, bits, "fpnn_reference" + variant), []) if variant else []


def mean_std(values: list[float]) -> str:
    return f"{np.mean(values):.1f} ± {np.std(values):.1f}" if values else "-"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sources", nargs="+", metavar="SOURCE", help="run directory or an earlier summary.json")
    ap.add_argument("--out", default="docs/results")
    args = ap.parse_args()
    out = Path(args.out)
    runs = load_sources([Path(s) for s in args.sources])
    if not runs:
        raise SystemExit(f"ablation_report: error: no finished rivc-train runs in {' '.join(args.sources)}")
    out.mkdir(parents=True, exist_ok=True)
    cells = defaultdict(list)
    for r in runs:
        cells[(r["env_id"], r["bits"], r["label"])].append(r)

    references = reference_fpnn_returns(runs)
    rows, lines = [], []
    for env_id in sorted({k[0] for k in cells}):
        for bits in sorted({k[1] for k in cells if k[0] == env_id}):
            plain_returns, borrowed = references.get((env_id, bits), (None, None))
            like_for_like = False
            lines += [f"### {env_id}, {bits}", "",
                      "| method | seeds | env steps | final SNN return | median SNN return | SNN IQM [95% CI] | final FPNN return | final agreement | "
                      "mean agreement in training | SNN vs fpnn_reference FPNN | 95% interval | goal (>= 90%) | peak RSS |",
                      "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
            for method in labels_in_order(cells, env_id, bits):
                rs = cells[(env_id, bits, method)]
                snn = [r["snn_return"] for r in rs]
                same = same_setting_reference(cells, env_id, bits, rs[0])
                ref_returns = [r["fpnn_return"] for r in same] if same else plain_returns
                like_for_like |= bool(same)
                ratio = interval = None
                if ref_returns and np.mean(ref_returns):
                    ratio = float(ratio_to_reference(np.asarray(snn, float), np.asarray(ref_returns, float)))
                    interval = bootstrap_interval(snn, ref_returns)
                goal = "-" if ratio is None or rs[0]["method"] != "rivc" else ("met" if ratio >= 0.9 else "missed")
                stats = summary(snn, resamples=2000)         # IQM with a stratified-bootstrap interval (seed_stats)
                row = {"env_id": env_id, "bits": bits, "method": method, "seeds": len(rs),
                       "env_steps": int(np.mean([r["env_steps"] for r in rs])),
                       "snn_return_mean": float(np.mean(snn)), "snn_return_std": float(np.std(snn)),
                       "snn_return_median": float(np.median(snn)),
                       "snn_return_iqm": stats["iqm"], "snn_return_iqm_low": stats["iqm_ci95"][0],
                       "snn_return_iqm_high": stats["iqm_ci95"][1],
                       "fpnn_return_mean": float(np.mean([r["fpnn_return"] for r in rs])),
                       "fpnn_return_std": float(np.std([r["fpnn_return"] for r in rs])),
                       "final_agreement_mean": float(np.mean([r["final_agreement"] for r in rs])),
                       "train_agreement_mean": float(np.mean([r["train_agreement"] for r in rs])),
                       "snn_over_reference_fpnn": ratio,
                       "snn_over_reference_fpnn_low": None if interval is None else interval[0],
                       "snn_over_reference_fpnn_high": None if interval is None else interval[1],
                       "reference_bits": None if ratio is None else (bits if same else borrowed or bits),
                       "reference": same[0]["label"] if same else "fpnn_reference",
                       "peak_rss_mib_max": max((r["peak_rss_mib"] or 0) for r in rs) or None}
                rows.append(row)
                rss = "-" if row["peak_rss_mib_max"] is None else f"{row['peak_rss_mib_max']:.0f} MiB"
                spread = "-" if interval is None else f"{100 * interval[0]:.0f}–{100 * interval[1]:.0f}%"
                iqm_text = f"{stats['iqm']:.1f} [{stats['iqm_ci95'][0]:.1f}, {stats['iqm_ci95'][1]:.1f}]"
                lines.append(f"| {method} | {len(rs)} | {row['env_steps']} | {mean_std(snn)} | {row['snn_return_median']:.1f} | "
                             f"{iqm_text} | "
                             f"{mean_std([r['fpnn_return'] for r in rs])} | {row['final_agreement_mean']:.3f} | "
                             f"{row['train_agreement_mean']:.3f} | {'-' if ratio is None else f'{100 * ratio:.0f}%' + ('†' if same else '*' * bool(borrowed))} | {spread} | {goal} | "
                             f"{rss} |")
            if like_for_like:
                lines += ["", "† against `fpnn_reference` run with the same learner overrides (its row above): a setting "
                          "that changes the learner, not the chip, is judged like for like."]
            if borrowed:
                lines += ["", f"\\* against `fpnn_reference`'s FP32 network at {borrowed} (same task and budget; its "
                          "returns agree seed by seed there: the float reference does not depend on the chip's bits)."]
            lines.append("")
    (out / "results.md").write_text("\n".join(lines) + "\n")
    with open(out / "results.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    (out / "summary.json").write_text(json.dumps(runs, indent=1) + "\n")
    plot(cells, out)
    print("\n".join(lines))


def plot(cells: dict, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    for env_id in sorted({k[0] for k in cells}):
        for bits in sorted({k[1] for k in cells if k[0] == env_id}):
            tag = f"{env_id.split('-')[0].replace('/', '_')}_{bits.replace(' ', '_')}"
            labels = labels_in_order(cells, env_id, bits)
            many = len(labels) > 5            # variant rows: legend below the axes, 20 distinct colours
            legend_height = 0.22 * len(labels) if many else 0.0
            fig, ax = plt.subplots(figsize=(8, 4 + legend_height))
            fig2, ax2 = plt.subplots(1, 2, figsize=(11, 3.6 + legend_height))
            colours = plt.get_cmap("tab20" if len(labels) > 10 else "tab10").colors
            for method, colour in zip(labels, itertools.cycle(colours)):     # never drop a row
                rs = cells[(env_id, bits, method)]
                steps = [s for s, _ in rs[0]["evals"]]
                vals = np.array([[v for _, v in r["evals"]][:len(steps)] for r in rs if len(r["evals"]) >= len(steps)])
                ax.plot(steps, vals.mean(axis=0), "o-", ms=3, color=colour, label=f"{method} ({len(rs)} seeds)")
                ax.fill_between(steps, vals.min(axis=0), vals.max(axis=0), color=colour, alpha=0.15)
                for k, key in enumerate(("agreement", "alpha")):
                    xs = [s for s, _ in rs[0][key]]
                    ys = np.array([[v for _, v in r[key]][:len(xs)] for r in rs if len(r[key]) >= len(xs)])
                    ax2[k].plot(xs, ys.mean(axis=0), color=colour, label=method)
            ax.set_xlabel("environment steps")
            ax.set_ylabel("greedy return of the acting policy\n(SNN; FPNN for fpnn_reference)")
            ax.set_title(f"{env_id}, {bits}", fontsize=10)
            ax.grid(alpha=0.3)
            if many:
                ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=1)
            else:
                ax.legend(fontsize=8)
            fig.tight_layout()
            fig.savefig(out / f"return_vs_steps_{tag}.png", dpi=110)
            ax2[0].set_title("action agreement SNN vs FPNN (per log interval)", fontsize=10)
            ax2[1].set_title("alpha (gap coefficient)", fontsize=10)
            for a in ax2:
                a.set_xlabel("environment steps")
                a.grid(alpha=0.3)
            if many:
                ax2[0].legend(fontsize=7, loc="upper left", bbox_to_anchor=(0.0, -0.18), ncol=2)
            else:
                ax2[0].legend(fontsize=8)
            fig2.tight_layout()
            fig2.savefig(out / f"agreement_alpha_{tag}.png", dpi=110)
            fig3, ax3 = plt.subplots(figsize=(6, 3.8 + legend_height))        # performance profiles
            finals = {m: [r["snn_return"] for r in cells[(env_id, bits, m)]] for m in labels}
            everything = np.concatenate(list(finals.values()))
            taus = np.linspace(everything.min(), everything.max(), 200)
            for method, colour in zip(labels, itertools.cycle(colours)):
                ax3.plot(taus, performance_profile(finals[method], taus), color=colour, label=method)
            ax3.set(xlabel="final SNN return", ylabel="fraction of seeds > tau")
            ax3.set_title(f"performance profile, {env_id}, {bits}", fontsize=10)
            ax3.grid(alpha=0.3)
            ax3.legend(fontsize=7)
            fig3.tight_layout()
            fig3.savefig(out / f"profile_{tag}.png", dpi=110)
            plt.close("all")


if __name__ == "__main__":
    main()
