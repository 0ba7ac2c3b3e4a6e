"""IQM, its stratified-bootstrap interval and performance profiles (scripts/seed_stats.py), on
hand-checked numbers."""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from seed_stats import iqm, performance_profile, stratified_bootstrap_ci, summary  # noqa: E402


def test_iqm_is_the_mean_of_the_middle_half():
    assert iqm([1, 2, 3, 4, 5, 6, 7, 100]) == np.mean([3, 4, 5, 6])
    assert iqm(np.array([[1.0], [1.0], [1.0], [1.0]])) == 1.0


def test_bootstrap_interval_brackets_the_iqm_and_collapses_on_constant_scores():
    x = np.random.default_rng(0).normal(100, 20, 40)
    lo, hi = stratified_bootstrap_ci(x, resamples=2000)
    assert lo < iqm(x) < hi and hi - lo < 40
    assert stratified_bootstrap_ci(np.full(10, 7.0), resamples=200) == (7.0, 7.0)
    # stratified: resampling stays within each task's column, so a task's scale never leaks into another
    two = np.stack([np.full(10, 1.0), np.full(10, 1000.0)], axis=1)
    assert stratified_bootstrap_ci(two, statistic=lambda s: s[:, 1].mean(), resamples=200) == (1000.0, 1000.0)


def test_performance_profile_and_summary():
    np.testing.assert_array_equal(performance_profile([100, 200, 1000, 1000], [0, 150, 999, 1000]),
                                  [1.0, 0.75, 0.5, 0.0])
    s = summary([1000, 1000, 200, 300], resamples=500)
    assert s["n"] == 4 and s["median"] == 650 and s["iqm"] == 650 and s["iqm_ci95"][0] <= 650 <= s["iqm_ci95"][1]
