"""Tasks for the SNN policy: any Gymnasium id, with discretised actions and observations
scaled to the fixed range [-1, 1] that the SNN's 8-bit input layer encodes, plus the
frame-based vision task `RIVC/PixelInvertedPendulum-v0` (envs.pixels)."""
import os

os.environ.setdefault("MUJOCO_GL", "egl")      # offscreen rendering for pixel observations (before mujoco loads)

import gymnasium as gym  # noqa: E402

from envs.tasks import TASK_SCALES, task_scale  # noqa: E402
from envs.wrappers import (DiscretizeActions, action_table, EnvError, EnvSource, ObservationScaling, ScaleObservation,  # noqa: E402
                           calibrate_observation_scaling, env_name, frame_shape, observation_dim, make_env, make_vector_env)

if "RIVC/PixelInvertedPendulum-v0" not in gym.registry:
    gym.register("RIVC/PixelInvertedPendulum-v0", entry_point="envs.pixels:pixel_inverted_pendulum")

__all__ = ["DiscretizeActions", "EnvError", "EnvSource", "ObservationScaling", "ScaleObservation", "TASK_SCALES",
           "action_table", "calibrate_observation_scaling", "env_name", "frame_shape", "make_env", "make_vector_env",
           "observation_dim", "task_scale"]
