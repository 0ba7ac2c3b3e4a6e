"""A researcher's own task, as a user would write it in their own package: a point on a line
that should reach a target. Registered as `user_pkg:UserLine-v0` (rivc-train env.id=...)."""
from __future__ import annotations

import gymnasium as gym
import numpy as np


class UserLine(gym.Env):
    """obs (2,) float32: position x in [-2, 2] and target in [-1, 1]; actions: left, stay,
    right (0.1 per step); reward -|x - target|; 40 steps per episode."""

    metadata = {"render_fps": 20}

    def __init__(self):
        self.observation_space = gym.spaces.Box(-np.inf, np.inf, (2,), np.float32)
        self.action_space = gym.spaces.Discrete(3)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.x, self.target, self.t = 0.0, float(self.np_random.uniform(-1, 1)), 0
        return self._obs(), {}

    def _obs(self):
        return np.array([self.x, self.target], np.float32)

    def step(self, action):
        self.x = float(np.clip(self.x + 0.1 * (int(action) - 1), -2, 2))
        self.t += 1
        return self._obs(), -abs(self.x - self.target), False, self.t >= 40, {}


if "UserLine-v0" not in gym.registry:
    gym.register("UserLine-v0", entry_point=UserLine)
