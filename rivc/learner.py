"""The value update: Conservative Value Iteration's gap-increasing target (Kozuno et al. 2019).

    y = r + gamma * (1 - terminated) * m_beta Q'(s')  +  alpha * (Q'(s, a) - m_beta Q'(s))
    (with n-step transitions: r is the discounted k-step reward sum, gamma^k the discount, s' the
    state k steps later; k = 1 is the formula above.)
    m_beta Q(s) = (1/beta) * log( mean_b exp(beta * Q(s, b)) )      (beta = None: max_b Q(s, b))

Q' is the target network. alpha = 0, beta = None is DQN; alpha > 0, beta = None is advantage
learning. The second term widens the action gap, which keeps the SNN's argmax equal to the
quantized FPNN's when conversion perturbs the values. With `double=True` (and beta = None) the
bootstrap action is the online network's argmax, valued by Q' (Double DQN's selection).
"""
from __future__ import annotations

import math
from typing import NamedTuple, Optional

import torch
from torch import nn
from torch.nn import functional as F

from rivc.replay import Batch


def soft_max_operator(q: torch.Tensor, beta: Optional[float]) -> torch.Tensor:
    """m_beta over the last axis. q: (B, A) -> (B,)."""
    if beta is None:
        return q.max(dim=-1).values
    return (torch.logsumexp(beta * q, dim=-1) - math.log(q.shape[-1])) / beta


def cvi_target(target_net: nn.Module, batch: Batch, gamma: float, alpha: float,
               beta: Optional[float], online_net: nn.Module | None = None) -> torch.Tensor:
    """The gap-increasing target y, (B,). Time-limit truncations bootstrap (terminated = 0).
    online_net (beta None only): Double-DQN selection of the bootstrap action."""
    with torch.no_grad():
        if alpha > 0:   # one pass over s' and s
            q_next, q_now = target_net(torch.cat([batch.next_obs, batch.obs])).chunk(2)   # (B, A) each
        else:
            q_next = target_net(batch.next_obs)                           # (B, A)
        discount = gamma if batch.discounts is None else batch.discounts      # gamma^k for k-step returns
        if online_net is not None and beta is None:
            best = online_net(batch.next_obs).argmax(dim=1, keepdim=True)
            bootstrap = q_next.gather(1, best).squeeze(1)
        else:
            bootstrap = soft_max_operator(q_next, beta)
        y = batch.rewards + discount * (1.0 - batch.terminated) * bootstrap
        if alpha > 0:
            q_sa = q_now.gather(1, batch.actions[:, None]).squeeze(1)
            y = y + alpha * (q_sa - soft_max_operator(q_now, beta))
    return y


class TargetSync:
    """target <- (1 - tau) * target + tau * net, every tensor of the state (all floating point);
    tau = 1: a hard copy, tau < 1: Polyak averaging (SB3's `tau`).

    The (target, online) tensor pairs are taken once: state_dict's tensors share storage with
    the modules, and every later load_state_dict (resume, the best-state reload) writes in
    place, so they stay valid; walking both module trees at each sync would triple its cost."""

    def __init__(self, target_net: nn.Module, net: nn.Module, tau: float = 1.0):
        self.tau = tau
        self._pairs = list(zip(target_net.state_dict().values(), net.state_dict().values()))

    @torch.no_grad()
    def __call__(self) -> None:
        for dst, src in self._pairs:
            if self.tau >= 1.0:
                dst.copy_(src)
            else:
                dst.lerp_(src, self.tau)


class UpdateMetrics(NamedTuple):
    loss: float
    q_mean: float
    target_mean: float


def update(net: nn.Module, target_net: nn.Module, optimizer: torch.optim.Optimizer, batch: Batch,
           gamma: float, alpha: float, beta: Optional[float], max_grad_norm: float,
           loss_fn: str = "mse", double: bool = False) -> UpdateMetrics:
    """One gradient step on the squared (or Huber) error to the CVI target (double: Double-DQN
    selection of the bootstrap action). Raises FloatingPointError if the loss is NaN or infinite."""
    y = cvi_target(target_net, batch, gamma, alpha, beta, net if double else None)
    q = net(batch.obs).gather(1, batch.actions[:, None]).squeeze(1)      # (B,)
    loss = F.mse_loss(q, y) if loss_fn == "mse" else F.smooth_l1_loss(q, y)
    if not torch.isfinite(loss):
        raise FloatingPointError(f"loss became {loss.item()}; training stopped (last checkpoint kept)")
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    nn.utils.clip_grad_norm_(net.parameters(), max_grad_norm, foreach=True)
    optimizer.step()
    return UpdateMetrics(loss.item(), q.mean().item(), y.mean().item())
