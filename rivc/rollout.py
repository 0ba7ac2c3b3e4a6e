"""Greedy episodes with the SNN (or the quantized FPNN) in control, compared state by state."""
from __future__ import annotations

import hashlib
from typing import NamedTuple

import gymnasium as gym
import numpy as np
import torch

from rivc.convert import encode
from rivc.metrics import greedy
from rivc.qnet import QuantQNetwork
from rivc.snn_policy import SNNPolicy


class EpisodeRecord(NamedTuple):
    returns: list[float]            # per episode
    actions: np.ndarray             # (steps,) int64, every action taken, episodes back to back
    agreement: float                # fraction of those states where the SNN took the FPNN's greedy action
    steps: int
    observations: np.ndarray        # (steps, obs_dim) float32, every state acted on


def actions_sha256(actions: np.ndarray) -> str:
    return hashlib.sha256(np.asarray(actions, np.int64).tobytes()).hexdigest()


@torch.no_grad()
def run_episodes(env: gym.Env, net: QuantQNetwork | None, snn: SNNPolicy | None, episodes: int, seed: int,
                 max_steps: int | None = None, progress=None) -> EpisodeRecord:
    """Greedy control by `snn` (or by `net` if snn is None); episode i resets with seed + i.
    The quantized FPNN `net`, if given, is evaluated on every visited state for the agreement.
    Both choose by the same integer readout and tie rule (rivc.metrics.greedy), so an exact SNN
    and its FPNN run identical episodes from the same seeds. `progress` (a tqdm bar) counts episodes."""
    returns, actions, agree, observations = [], [], [], []
    for ep in range(episodes):
        obs, _ = env.reset(seed=seed + ep)
        total, t, done = 0.0, 0, False
        while not done:
            obs_t = torch.as_tensor(obs, dtype=torch.float32)[None]
            observations.append(obs)
            fpnn_action = int(net.greedy_actions(obs_t)[0]) if net is not None else None
            if snn is None:
                action = fpnn_action
            else:
                action = int(greedy(snn(encode(snn.spec, obs[None])).q)[0])
            if fpnn_action is not None:
                agree.append(action == fpnn_action)
            obs, reward, terminated, truncated, _ = env.step(action)
            total += float(reward)
            actions.append(action)
            t += 1
            done = terminated or truncated or (max_steps is not None and t >= max_steps)
        returns.append(total)
        if progress is not None:
            progress.update(1)
            progress.set_postfix(ret=f"{total:.0f}", steps=t)
    return EpisodeRecord(returns, np.asarray(actions, np.int64), float(np.mean(agree)) if agree else float("nan"),
                         len(actions), np.asarray(observations, np.float32))
