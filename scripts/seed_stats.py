"""Statistics over seeds as the field now reports them (Agarwal et al., "Deep RL at the Edge of the
Statistical Precipice", NeurIPS 2021; the `rliable` package implements the same): the
interquartile mean (IQM) with a stratified-bootstrap 95 % confidence interval, and performance
profiles (the fraction of runs whose score exceeds tau), beside mean +- std.

Scores are (runs, tasks) arrays; the stratified bootstrap resamples runs with replacement within
each task, as rliable's StratifiedBootstrap does. With one task it is the ordinary bootstrap over seeds.
"""
from __future__ import annotations

import numpy as np
from scipy import stats


def iqm(scores: np.ndarray) -> float:
    """Interquartile mean of all runs and tasks: the mean of the middle 50 % (scipy's trim_mean, 25 % cut each end)."""
    return float(stats.trim_mean(np.asarray(scores, np.float64).ravel(), 0.25))


def stratified_bootstrap_ci(scores: np.ndarray, statistic=iqm, resamples: int = 10_000, level: float = 0.95,
                            seed: int = 0) -> tuple[float, float]:
    """Percentile interval of `statistic` over stratified bootstrap resamples of (runs, tasks) scores."""
    x = np.asarray(scores, np.float64)
    if x.ndim == 1:
        x = x[:, None]
    rng = np.random.default_rng(seed)
    runs, tasks = x.shape
    draws = np.empty(resamples)
    for b in range(resamples):
        idx = rng.integers(0, runs, (runs, tasks))
        draws[b] = statistic(np.take_along_axis(x, idx, axis=0))
    lo, hi = np.percentile(draws, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    return float(lo), float(hi)


def performance_profile(scores: np.ndarray, taus: np.ndarray) -> np.ndarray:
    """(len(taus),) fraction of runs (over all tasks) with score > tau."""
    x = np.asarray(scores, np.float64).ravel()
    return np.array([(x > t).mean() for t in taus])


def summary(scores: list[float], resamples: int = 10_000) -> dict:
    """IQM with its 95 % interval, mean, std, median of per-seed scores."""
    x = np.asarray(scores, np.float64)
    lo, hi = stratified_bootstrap_ci(x, resamples=resamples)
    return {"iqm": iqm(x), "iqm_ci95": [lo, hi], "mean": float(x.mean()), "std": float(x.std()),
            "median": float(np.median(x)), "n": int(len(x))}
