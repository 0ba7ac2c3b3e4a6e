"""Typed configuration: the one place for every default and every allowed range.

Hydra composes YAML from configs/ against these schemas (a typo fails at compose time); the YAML
files only pick group options and state what differs from these defaults, so `TrainRunConfig()`
is exactly what `rivc-train` runs with no overrides (tested). Inside the library only these
dataclasses travel. Every numeric field carries its allowed range in its metadata (`ranged`), and
`check_config` checks all of them, one line per bad setting: key, allowed values, value.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Optional


class ConfigError(ValueError):
    """A setting is outside what the framework or the chip supports."""


@dataclass(frozen=True)
class Allowed:
    """The allowed values of one setting: a closed or open numeric interval, or a set of choices.
    `each`: the rule applies to every element of a list (a scalar is taken as a list of one)."""

    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False
    choices: tuple = ()
    each: bool = False
    integer: bool = False
    why: str = ""

    def admits(self, value) -> bool:
        if self.choices:
            return value in self.choices
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return False
        if self.integer and not float(value).is_integer():
            return False
        if self.lo is not None and (value <= self.lo if self.lo_open else value < self.lo):
            return False
        return not (self.hi is not None and (value >= self.hi if self.hi_open else value > self.hi))

    def text(self) -> str:
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        kind = "an integer " if self.integer and self.each else ""      # scalar int fields: Hydra checks the type
        return kind + self._interval()

    def _interval(self) -> str:
        ints = all(v is None or float(v).is_integer() for v in (self.lo, self.hi))
        num = (lambda v: str(int(v))) if ints else str
        if self.lo is not None and self.hi is not None:
            if ints and not (self.lo_open or self.hi_open):
                return f"in {num(self.lo)}..{num(self.hi)}"
            return f"in {'(' if self.lo_open else '['}{num(self.lo)}, {num(self.hi)}{')' if self.hi_open else ']'}"
        if self.lo is not None:
            return f"{'>' if self.lo_open else '>='} {num(self.lo)}"
        return f"{'<' if self.hi_open else '<='} {num(self.hi)}"


def ranged(default: Any = dataclasses.MISSING, *, factory=None, **allowed) -> Any:
    """A dataclass field with its allowed values (`Allowed` keywords) in the metadata."""
    meta = {"allowed": Allowed(**allowed)}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


POSITIVE = dict(lo=0, lo_open=True)
UNIT = dict(lo=0, hi=1)                                        # a fraction or probability
BITS = dict(lo=2, hi=8, integer=True, why="the chip's synapse and activation widths")


@dataclass
class EnvConfig:
    id: str = "InvertedPendulum-v5"            # a Gymnasium id ("pkg.module:Name-v0" imports the module first)
    action_bins: Any = ranged(7, lo=2, each=True, integer=True, why="bins per Box action dimension: one int or one per dimension")
    obs_scale: Optional[list] = ranged(None, **POSITIVE, each=True, why="per-dimension |obs| that maps to 1")
                                               # None = the task's own (envs.tasks), else calibrated
    calibration_steps: int = ranged(2000, lo=0, why="random-policy steps that calibrate the observation scaling")
    scale_margin: float = ranged(1.0, **POSITIVE, why="calibrated scale = margin * max |obs| seen")


@dataclass
class QuantConfig:
    weight_bits: int = ranged(4, **BITS)       # k_w, symmetric per-tensor
    activation_bits: int = ranged(4, lo=1, hi=8, why="hidden spike counts or payloads fit in k_a bits")
    input_bits: int = ranged(8, choices=(8,), why="the chip's input layer")
    weight_scale: str = ranged("max", choices=("max", "mse"))   # max|w| | the clip minimising rounding error
    max_weight_shift: int = ranged(0, lo=0, hi=7, why="graded: bits the Dense weight exponent adds to the payload step")
    layer_weight_bits: Optional[list] = ranged(None, **BITS, each=True)   # k_w per layer (conv, dense, readout)
                                               # None = weight_bits everywhere


@dataclass
class SNNConfig:
    scheme: str = ranged("rate", choices=("rate", "graded"))   # rate: binary spikes, IF, reset to zero | graded: SigmaDelta
    timesteps: Optional[int] = ranged(None, lo=1, hi=255)      # T (rate); None = 2^activation_bits - 1; graded uses 1
    calibration_percentile: float = ranged(99.9, lo=0, hi=100, lo_open=True)
                                               # float networks (agent.quantized=false): clips from this percentile
                                               # of each layer's activations on the latest training batch


@dataclass
class FeedbackConfig:
    """Conversion error fed back into training: alpha rises while the SNN disagrees with the FPNN."""

    enabled: bool = True
    target_disagreement: float = ranged(0.01, lo=0, hi=1, hi_open=True)   # tolerated fraction of disagreeing states
    alpha_step: float = ranged(0.02, lo=0, hi=1)                          # change of alpha per log interval
    alpha_max: float = ranged(0.99, lo=0, hi=1, hi_open=True)             # never exceeded; never below agent.alpha


@dataclass
class AgentConfig:
    hidden: list = ranged(factory=lambda: [256], lo=1, each=True, integer=True, why="hidden layer widths")
    # conv layers [channels, kernel, stride] before the hidden ones, used on image observations
    # only (vector tasks ignore them): 2x32x32 frames -> 8x15x15 -> 16x7x7 -> hidden
    conv: list = field(default_factory=lambda: [[8, 4, 2], [16, 3, 2]])
    alpha: float = ranged(0.7, lo=0, hi=1, hi_open=True, why="gap-increasing coefficient; 0 = none")
    beta: Optional[float] = ranged(None, **POSITIVE, why="inverse temperature of m_beta; null = max")
    gamma: float = ranged(0.99, lo=0, hi=1, hi_open=True, why="discount")
    n_step: int = ranged(1, lo=1, why="k-step returns in the target")
    lr: float = ranged(1.35e-3, **POSITIVE, why="Adam learning rate")
    batch_size: int = ranged(256, lo=1)
    buffer_size: int = ranged(50_000, lo=1, why="replay capacity in transitions")
    learning_starts: int = ranged(2000, lo=0, why="env steps before the first update")
    train_freq: int = ranged(1, lo=1, why="env steps per update")
    target_update_interval: int = ranged(250, lo=1, why="updates between target syncs")
    tau: float = ranged(1.0, lo=0, hi=1, lo_open=True, why="target <- (1 - tau) target + tau online per sync; 1 = hard copy")
    max_grad_norm: float = ranged(10.0, **POSITIVE)
    loss: str = ranged("huber", choices=("mse", "huber"))
    exploration: str = ranged("epsilon", choices=("epsilon", "softmax"))   # softmax(beta * Q) on the SNN readout
    eps_start: float = ranged(1.0, **UNIT)
    eps_end: float = ranged(0.02, **UNIT)
    eps_fraction: float = ranged(0.055, lo=0, hi=1, lo_open=True, why="fraction of env_steps over which epsilon decays")
    clip_init: float = ranged(1.0, **POSITIVE, why="initial per-layer clip (threshold) lambda, real units")
    dueling: bool = False                      # advantage readout: the SNN computes A, a float V head stays in the learner
    double: bool = False                       # Double-DQN selection of the bootstrap action (beta = null only)
    ste_leak: float = ranged(0.0, lo=0, hi=1, hi_open=True, why="gradient slope of silent/saturated units")
    shift_pad: int = ranged(0, lo=0, hi=8, why="pixels of random shift of replayed frames; 0 = off")
    quantized: bool = True                     # false: FP32 training, post-training quantization at each conversion
    quantize_after: int = ranged(0, lo=0, why="env steps of FP32 training (its post-training-quantized SNN "
                                              "collecting) before quantization-aware training; 0 = from the start")
    feedback: FeedbackConfig = field(default_factory=FeedbackConfig)


@dataclass
class TrainConfig:
    env_steps: int = ranged(60_000, lo=1, why="the budget")
    convert_every: int = ranged(1, lo=1, why="gradient updates between conversions")
    collector: str = ranged("snn", choices=("snn", "fpnn"))   # who acts during training: snn (RIVC) | fpnn (float reference)
    num_envs: int = ranged(1, lo=1, hi=256)    # environments stepped together (SyncVectorEnv), the SNN batched over them
    eval_episodes: int = ranged(10, lo=1)      # greedy SNN episodes per evaluation
    final_episodes: Optional[int] = ranged(None, lo=1)   # fresh episodes of the delivered network at the end
                                                         # (null = eval_episodes)
    eval_every: int = ranged(2500, lo=0, why="env steps between greedy SNN evaluations; 0 = only at the end")
    target_return: Optional[float] = None      # stop once an evaluation's mean SNN return reaches this (null = never)
    keep_best: bool = True                     # checkpoint.pt = the best-evaluated SNN (last.pt = last weights)
    log_every: int = ranged(1000, lo=1, why="env steps between CSV/TensorBoard rows")
    checkpoint_every: int = ranged(10_000, lo=1, why="env steps between saved training states")
    checkpoint_every_s: float = ranged(30.0, **POSITIVE, why="seconds between saved training states")
                                               # whichever comes first; saved at the next episode boundary


@dataclass
class TrainRunConfig:
    env: EnvConfig = field(default_factory=EnvConfig)
    quant: QuantConfig = field(default_factory=QuantConfig)
    snn: SNNConfig = field(default_factory=SNNConfig)
    agent: AgentConfig = field(default_factory=AgentConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    backend: str = ranged("emulator", choices=("emulator", "lava"))   # the SNN that collects the rollouts
    seed: int = ranged(0, lo=0, hi=2**31 - 1)
    torch_threads: int = ranged(1, lo=1, hi=256)
    resume: bool = False                       # continue the run in its run directory from train_state.pt
    method: str = "rivc"                       # label written to result.json (set by configs/experiment/*)


BACKENDS = ("emulator", "lava")                                  # training rollouts
DEPLOY_BACKENDS = ("emulator", "lava", "loihi2", "snntorch")


@dataclass
class DeployRunConfig:
    checkpoint: Optional[str] = None           # a training checkpoint (the SNN is converted from it) ...
    spec: Optional[str] = None                 # ... or a NetworkSpec file (deployed as is; no FPNN to compare)
    env_id: Optional[str] = None               # run on another task id (same observation size); None = the saved one
    backend: str = ranged("emulator", choices=DEPLOY_BACKENDS)
    episodes: int = ranged(5, lo=1)
    seed: int = ranged(0, lo=0, hi=2**31 - 1)
    timesteps: Optional[int] = ranged(None, lo=1, hi=255)   # override T; None = the checkpoint's
    max_episode_steps: Optional[int] = ranged(None, lo=1)


@dataclass
class ExportRunConfig:
    checkpoint: Optional[str] = None           # a training checkpoint (converted in its scheme) ...
    spec: Optional[str] = None                 # ... or a NetworkSpec file
    format: str = ranged("spec", choices=("spec", "netx", "nir"))
    out: Optional[str] = None                  # output file; None = network.<ext> in the run directory


@dataclass
class PowerRunConfig:
    checkpoint: Optional[str] = None           # the training checkpoint to report on (required)
    episodes: int = ranged(2, lo=1, why="greedy SNN episodes whose states are counted")
    max_episode_steps: int = ranged(300, lo=1)
    seed: int = ranged(0, lo=0, hi=2**31 - 1)
    host_timing_runs: int = ranged(2000, lo=1, why="batch-1 FPNN forwards timed on this host")
    control_hz: Optional[float] = ranged(None, **POSITIVE, why="control rate; null = the task's (env dt or metadata)")


def _check_value(key: str, value, allowed: Allowed) -> None:
    values = value if allowed.each and isinstance(value, (list, tuple)) else [value]
    if allowed.each and isinstance(value, (list, tuple)) and not value:
        raise ConfigError(f"{key} must list at least one value, got []")
    for v in values:
        if not allowed.admits(v):
            why = f" ({allowed.why})" if allowed.why else ""
            what = "every entry " if allowed.each and isinstance(value, (list, tuple)) else ""
            raise ConfigError(f"{key} must have {what}{allowed.text()}{why}, got {value!r}"
                              if what else f"{key} must be {allowed.text()}{why}, got {value!r}")


def check_fields(cfg, prefix: str = "") -> None:
    """Every field with an `Allowed` rule, recursively through nested dataclasses; None is
    accepted where the field is Optional."""
    for f in dataclasses.fields(cfg):
        value, key = getattr(cfg, f.name), f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value):
            check_fields(value, f"{key}.")
            continue
        allowed = f.metadata.get("allowed")
        if allowed is None or (value is None and "Optional" in str(f.type)):
            continue
        _check_value(key, value, allowed)


def check_train_config(cfg: TrainRunConfig) -> TrainRunConfig:
    """Raise ConfigError (one line: key, allowed, value) for any setting the chip or framework can't take."""
    check_fields(cfg)
    a, fb = cfg.agent, cfg.agent.feedback
    if fb.alpha_max < a.alpha:
        raise ConfigError(f"agent.feedback.alpha_max must be >= agent.alpha ({a.alpha}), got {fb.alpha_max}")
    if a.exploration == "softmax" and a.beta is None:
        raise ConfigError("agent.exploration=softmax needs a finite agent.beta, got agent.beta=null")
    if a.double and a.beta is not None:
        raise ConfigError(f"agent.double=true needs agent.beta=null (max), got agent.beta={a.beta}")
    if any(not isinstance(c, (list, tuple)) or len(c) != 3 or min(c) < 1 for c in a.conv):
        raise ConfigError(f"agent.conv must list [channels, kernel, stride] triples of positive ints, got {a.conv}")
    if cfg.train.num_envs > 1 and (a.n_step != 1 or cfg.resume):
        raise ConfigError("train.num_envs > 1 needs agent.n_step=1 and resume=false (training state is saved "
                          f"at one env's episode boundaries), got n_step={a.n_step}, resume={cfg.resume}")
    return cfg


def check_run_config(cfg) -> None:
    """Deploy, export and power settings: every ranged field."""
    check_fields(cfg)


def timesteps_for(snn: SNNConfig, quant: QuantConfig) -> int:
    """T: the configured value, else 2^k_a - 1 (so a hidden spike count fits in k_a bits); the
    graded scheme sends each observation once (T = 1)."""
    if snn.scheme == "graded":
        return 1
    return snn.timesteps if snn.timesteps is not None else 2 ** quant.activation_bits - 1
