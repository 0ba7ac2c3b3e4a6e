"""training.png of a run: return, SNN-FPNN action agreement and action gap over env steps,
drawn from its metrics.csv and evaluations (every rivc-train run writes one)."""
from __future__ import annotations

import csv
from pathlib import Path

SERIES = [("return_mean", "return"), ("action_agreement", "action agreement SNN vs quantized FPNN"),
          ("action_gap_rel", "action gap / mean |Q|")]


def _value(text: str) -> float:
    return float(text) if text not in ("", "nan") else float("nan")


def training_plot(metrics_csv: Path, evals: list[dict], out: Path, title: str = "") -> Path:
    """Plot metrics.csv rows (and greedy evaluations {"env_step", "return"}) into `out` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with open(metrics_csv, newline="") as f:
        rows = list(csv.DictReader(f))
    step = [int(r["env_step"]) for r in rows]
    fig, axes = plt.subplots(1, len(SERIES), figsize=(14, 3.6))
    for ax, (key, label) in zip(axes, SERIES):
        ax.plot(step, [_value(r[key]) for r in rows], label="epsilon-greedy SNN (last 10 episodes)"
                if key == "return_mean" else None)
        if key == "return_mean" and evals:
            ax.plot([e["env_step"] for e in evals], [e["return"] for e in evals], "o-", label="greedy evaluation")
            ax.legend(fontsize=8)
        if key == "action_agreement":
            ax.set_ylim(0, 1.05)
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("environment steps")
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return Path(out)
