"""Uniform replay buffer over numpy arrays, storing n-step transitions.

Each stored transition is (s_t, a_t, R = sum_{i<k} gamma^i r_{t+i}, s_{t+k}, terminated, gamma^k)
with k = n, or fewer where the episode ended first. n = 1 is the usual one-step transition.

Image observations (`frames=(stack, H, W)`: the flat observation is `stack` grey frames scaled
to [0, 1] as u8 / 255) go to a `FrameStore`: every distinct frame is kept once as uint8, a
transition keeps `stack` frame indices for s_t and for s_{t+k}, so consecutive stacks share
their frames (no frame is stored twice per stream) and a 32x32 frame costs 1 KiB.

Random-shift augmentation (`shift_pad` > 0, image observations only; DrQ, Kostrikov et al.
2020): each sampled observation's frames are padded by `shift_pad` pixels (edge values
repeated) and cropped back to H x W at a random offset, one offset per observation (its stacked
frames move together), drawn independently for s_t and s_{t+k}. Only the learner sees shifted
frames; the SNN and the rollouts see the camera's own.
"""
from __future__ import annotations

from collections import deque
from typing import NamedTuple

import numpy as np
import torch

# u8 -> the float32 the environment's ScaleObservation produces (float64 u8 / 255, then float32)
_U8_TO_UNIT = (np.arange(256, dtype=np.float64) / 255.0).astype(np.float32)


class Batch(NamedTuple):
    obs: torch.Tensor          # (B, obs_dim) float32, scaled to [-1, 1]
    actions: torch.Tensor      # (B,) int64
    rewards: torch.Tensor      # (B,) float32, discounted sum over the k steps
    next_obs: torch.Tensor     # (B, obs_dim) float32, the state k steps later
    terminated: torch.Tensor   # (B,) float32: 1 only for true terminal states (not time limits)
    discounts: torch.Tensor | None = None   # (B,) float32 gamma^k; None means gamma (one step)


class FrameStore:
    """uint8 frames in a ring, indexed by the stacks that use them.

    A stack is stored as `stack` indices; a frame is written only if no index already holds it
    in this stream (the previous stack shifted by one, the previous stack itself, or the frame
    before it in the same stack). Each stack writes at most `stack` frames, so a ring of
    2 * stack * (capacity + stack + 1) frames never overwrites a frame a live transition uses;
    in practice one frame per step is written and the untouched rest costs no memory."""

    def __init__(self, capacity: int, frames: tuple[int, int, int]):
        self.stack, *self.frame_hw = (int(v) for v in frames)
        self.frames = np.zeros((2 * self.stack * (capacity + self.stack + 1), *self.frame_hw), np.uint8)
        self.next = 0                       # total frames written
        self.last: dict[int, np.ndarray] = {}

    def index(self, obs: np.ndarray, stream: int) -> np.ndarray:
        """obs: flat (stack * H * W,) float in [0, 1] -> (stack,) int64 ring indices of its frames."""
        new = np.rint(np.asarray(obs, np.float64).reshape(self.stack, *self.frame_hw) * 255).astype(np.uint8)
        prev = self.last.get(stream)
        idx = np.empty(self.stack, np.int64)
        for j in range(self.stack):
            candidates = [] if prev is None else list(prev[j + 1: j + 2]) + [prev[j]]   # shifted, same
            candidates += [idx[j - 1]] if j else []
            for c in candidates:
                if np.array_equal(self.frames[c], new[j]):
                    idx[j] = c
                    break
            else:
                idx[j] = self.next % len(self.frames)
                self.frames[idx[j]] = new[j]
                self.next += 1
        self.last[stream] = idx
        return idx

    def load(self, idx: np.ndarray, shift_pad: int = 0, rng: np.random.Generator | None = None) -> np.ndarray:
        """(B, stack) indices -> (B, stack * H * W) float32 observations, equal to the env's
        (shift_pad > 0: randomly shifted by up to shift_pad pixels, `random_shift`)."""
        frames = self.frames[idx]
        if shift_pad:
            frames = random_shift(frames, shift_pad, rng)
        return _U8_TO_UNIT[frames.reshape(idx.shape[0], -1)]


def random_shift(frames: np.ndarray, pad: int, rng: np.random.Generator) -> np.ndarray:
    """(B, S, H, W) uint8 -> (B, S, H, W): each observation b padded by `pad` pixels (edge
    values repeated) and cropped at offset (dy, dx), each drawn uniformly from 0..2 pad, the same
    for its S stacked frames. Offset (pad, pad) returns the frames unchanged."""
    B, S, H, W = frames.shape
    padded = np.pad(frames, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="edge")
    dy, dx = rng.integers(0, 2 * pad + 1, (2, B))
    rows = (dy[:, None] + np.arange(H))[:, None, :, None]        # (B, 1, H, 1)
    cols = (dx[:, None] + np.arange(W))[:, None, None, :]        # (B, 1, 1, W)
    return padded[np.arange(B)[:, None, None, None], np.arange(S)[None, :, None, None], rows, cols]


class ReplayBuffer:
    def __init__(self, capacity: int, obs_dim: int, n_step: int = 1, gamma: float = 0.99,
                 frames: tuple[int, int, int] | None = None, shift_pad: int = 0):
        self.capacity, self.n_step, self.gamma = capacity, n_step, gamma
        self.shift_pad = shift_pad if frames else 0      # vector observations are never shifted
        self.frame_store = FrameStore(capacity, frames) if frames else None
        obs_shape, obs_dtype = ((frames[0],), np.int64) if frames else ((obs_dim,), np.float32)
        self.obs = np.zeros((capacity, *obs_shape), obs_dtype)
        self.next_obs = np.zeros((capacity, *obs_shape), obs_dtype)
        self.actions = np.zeros(capacity, np.int64)
        self.rewards = np.zeros(capacity, np.float32)
        self.terminated = np.zeros(capacity, np.float32)
        self.discounts = np.zeros(capacity, np.float32)
        self.size = 0
        self.pos = 0
        self._pending: deque = deque()

    def add(self, obs, action: int, reward: float, next_obs, terminated: bool, truncated: bool = False,
            stream: int = 0) -> None:
        """One environment step of env `stream`. Episode ends (terminated or truncated) flush the
        pending steps."""
        if self.frame_store is not None:
            obs, next_obs = self.frame_store.index(obs, stream), self.frame_store.index(next_obs, stream)
        self._pending.append((obs, action, reward))
        if len(self._pending) == self.n_step:
            self._emit(next_obs, terminated)
        if terminated or truncated:
            while self._pending:
                self._emit(next_obs, terminated)

    def end_episode(self, next_obs, stream: int = 0) -> None:
        """End env `stream`'s episode here without a terminal state (like a time limit): its
        pending n-step transitions are written, bootstrapping from next_obs."""
        if self._pending:
            if self.frame_store is not None:
                next_obs = self.frame_store.index(next_obs, stream)
            while self._pending:
                self._emit(next_obs, False)

    def add_batch(self, obs: np.ndarray, actions: np.ndarray, rewards: np.ndarray, next_obs: np.ndarray,
                  terminated: np.ndarray, truncated: np.ndarray) -> None:
        """One step of N environments (row i is env i's transition), written at once for one-step
        transitions of vector observations; equal to N calls of `add` in row order."""
        if self.n_step != 1 or self.frame_store is not None or self._pending:
            for i in range(len(actions)):
                self.add(obs[i], int(actions[i]), rewards[i], next_obs[i], bool(terminated[i]), bool(truncated[i]),
                         stream=i)
            return
        rows = (self.pos + np.arange(len(actions))) % self.capacity
        self.obs[rows], self.next_obs[rows] = obs, next_obs
        self.actions[rows], self.rewards[rows] = actions, rewards
        self.terminated[rows], self.discounts[rows] = np.asarray(terminated, np.float32), self.gamma
        self.pos = int((self.pos + len(actions)) % self.capacity)
        self.size = min(self.size + len(actions), self.capacity)

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

    def _observations(self, rows: np.ndarray, rng: np.random.Generator) -> torch.Tensor:
        if self.frame_store is None:
            return torch.from_numpy(rows)
        return torch.from_numpy(self.frame_store.load(rows, self.shift_pad, rng))

    def sample(self, batch_size: int, rng: np.random.Generator) -> Batch:
        """A uniform batch (the shifts of the augmentation, if on, come from rng after the rows)."""
        idx = rng.integers(0, self.size, batch_size)
        return Batch(self._observations(self.obs[idx], rng), torch.from_numpy(self.actions[idx]),
                     torch.from_numpy(self.rewards[idx]), self._observations(self.next_obs[idx], rng),
                     torch.from_numpy(self.terminated[idx]), torch.from_numpy(self.discounts[idx]))

    def state(self) -> dict:
        """Everything `restore` needs (what train_state.pt stores); frames up to the last written."""
        out = {k: getattr(self, k) for k in ("obs", "next_obs", "actions", "rewards", "terminated",
                                             "discounts", "size", "pos")}
        out["pending"] = list(self._pending)
        if self.frame_store is not None:
            fs = self.frame_store
            out["frames"] = {"frames": fs.frames[:min(fs.next, len(fs.frames))], "next": fs.next, "last": fs.last}
        return out

    def restore(self, state: dict) -> None:
        for k in ("obs", "next_obs", "actions", "rewards", "terminated", "discounts", "size", "pos"):
            setattr(self, k, state[k])
        self._pending.extend(state["pending"])
        if self.frame_store is not None:
            fs, saved = self.frame_store, state["frames"]
            fs.frames[:len(saved["frames"])] = saved["frames"]
            fs.next, fs.last = saved["next"], saved["last"]
