"""Uniform replay buffer over numpy arrays, storing n-step transitions.

Each stored transition is (s_t, a_t, R = sum_{i<k} gamma^i r_{t+i}, s_{t+k}, terminated, gamma^k)
with k = n, or fewer where the episode ended first. n = 1 is the usual one-step transition.
"""
from __future__ import annotations

from collections import deque
from typing import NamedTuple

import numpy as np
import torch


class Batch(NamedTuple):
    obs: torch.Tensor          # (B, obs_dim) float32, scaled to [-1, 1]
    actions: torch.Tensor      # (B,) int64
    rewards: torch.Tensor      # (B,) float32, discounted sum over the k steps
    next_obs: torch.Tensor     # (B, obs_dim) float32, the state k steps later
    terminated: torch.Tensor   # (B,) float32: 1 only for true terminal states (not time limits)
    discounts: torch.Tensor | None = None   # (B,) float32 gamma^k; None means gamma (one step)


class ReplayBuffer:
    def __init__(self, capacity: int, obs_dim: int, n_step: int = 1, gamma: float = 0.99):
        self.capacity, self.n_step, self.gamma = capacity, n_step, gamma
        self.obs = np.zeros((capacity, obs_dim), np.float32)
        self.next_obs = np.zeros((capacity, obs_dim), np.float32)
        self.actions = np.zeros(capacity, np.int64)
        self.rewards = np.zeros(capacity, np.float32)
        self.terminated = np.zeros(capacity, np.float32)
        self.discounts = np.zeros(capacity, np.float32)
        self.size = 0
        self.pos = 0
        self._pending: deque = deque()

    def add(self, obs, action: int, reward: float, next_obs, terminated: bool, truncated: bool = False) -> None:
        """One environment step. Episode ends (terminated or truncated) flush the pending steps."""
        self._pending.append((obs, action, reward))
        if len(self._pending) == self.n_step:
            self._emit(next_obs, terminated)
        if terminated or truncated:
            while self._pending:
                self._emit(next_obs, terminated)

    def _emit(self, next_obs, terminated: bool) -> None:
        ret, discount = 0.0, 1.0
        for _, _, r in self._pending:
            ret += discount * r
            discount *= self.gamma
        obs, action, _ = self._pending.popleft()
        i = self.pos
        self.obs[i], self.actions[i], self.rewards[i] = obs, action, ret
        self.next_obs[i], self.terminated[i], self.discounts[i] = next_obs, float(terminated), discount
        self.pos = (self.pos + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch_size: int, rng: np.random.Generator) -> Batch:
        idx = rng.integers(0, self.size, batch_size)
        return Batch(torch.from_numpy(self.obs[idx]), torch.from_numpy(self.actions[idx]),
                     torch.from_numpy(self.rewards[idx]), torch.from_numpy(self.next_obs[idx]),
                     torch.from_numpy(self.terminated[idx]), torch.from_numpy(self.discounts[idx]))
