"""Uniform replay buffer over numpy arrays."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch


class Batch(NamedTuple):
    obs: torch.Tensor          # (B, obs_dim) float32, scaled to [-1, 1]
    actions: torch.Tensor      # (B,) int64
    rewards: torch.Tensor      # (B,) float32
    next_obs: torch.Tensor     # (B, obs_dim) float32
    terminated: torch.Tensor   # (B,) float32: 1 only for true terminal states (not time limits)


class ReplayBuffer:
    def __init__(self, capacity: int, obs_dim: int):
        self.capacity = capacity
        self.obs = np.zeros((capacity, obs_dim), np.float32)
        self.next_obs = np.zeros((capacity, obs_dim), np.float32)
        self.actions = np.zeros(capacity, np.int64)
        self.rewards = np.zeros(capacity, np.float32)
        self.terminated = np.zeros(capacity, np.float32)
        self.size = 0
        self.pos = 0

    def add(self, obs, action: int, reward: float, next_obs, terminated: bool) -> None:
        i = self.pos
        self.obs[i], self.actions[i], self.rewards[i] = obs, action, reward
        self.next_obs[i], self.terminated[i] = next_obs, float(terminated)
        self.pos = (self.pos + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch_size: int, rng: np.random.Generator) -> Batch:
        idx = rng.integers(0, self.size, batch_size)
        return Batch(torch.from_numpy(self.obs[idx]), torch.from_numpy(self.actions[idx]),
                     torch.from_numpy(self.rewards[idx]), torch.from_numpy(self.next_obs[idx]),
                     torch.from_numpy(self.terminated[idx]))
