"""Observation scalings that belong to a task, by Gymnasium id.

A task listed here is encoded with its own hand-set scaling; any other task is calibrated from
random-policy states (`calibrate_observation_scaling`). A scaling is never carried over from one
task to another: it is looked up by the id that is trained, every time.
"""
from __future__ import annotations

from typing import NamedTuple


class TaskScale(NamedTuple):
    scale: tuple[float, ...]       # per-dimension |obs| that maps to the input range's edge (center 0)
    reason: str                    # where the numbers come from


TASK_SCALES: dict[str, TaskScale] = {
    "InvertedPendulum-v5": TaskScale(
        (1.0, 0.2, 2.0, 4.0),
        "hand-set: cart position (slider range +-1 m), pole angle (the episode ends beyond 0.2 rad), "
        "cart and pole velocities as seen under control"),
}


def task_scale(env_id: str) -> TaskScale | None:
    """The hand-set scaling of `env_id` (a "module:" prefix is ignored), or None."""
    return TASK_SCALES.get(env_id.split(":")[-1])
