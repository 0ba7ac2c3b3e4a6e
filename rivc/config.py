"""Typed configuration. Hydra composes YAML from configs/ against these schemas (a typo fails
at compose time); inside the library only these dataclasses travel."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional


class ConfigError(ValueError):
    """A setting is outside what the framework or the chip supports."""


@dataclass
class EnvConfig:
    id: str = "InvertedPendulum-v5"            # any Gymnasium id
    action_bins: Any = 7                       # bins per Box action dimension (int or list)
    obs_scale: Optional[list] = None           # per-dimension |obs| that maps to 1; None = calibrate
    calibration_steps: int = 2000              # random-policy steps that set the observation scaling
    scale_margin: float = 1.0                  # scale = margin * max |obs| seen


@dataclass
class QuantConfig:
    weight_bits: int = 4                       # k_w, symmetric per-tensor (1..8)
    activation_bits: int = 4                   # k_a: hidden spike counts fit in k_a bits (1..8)
    input_bits: int = 8                        # the chip's input layer
    weight_scale: str = "max"                  # per-tensor weight step from max|w| | "mse": the clip minimising rounding error
    max_weight_shift: int = 0                  # graded: bits of the payload step the Dense's weight exponent adds beyond state_exp's (0..7)
    layer_weight_bits: Optional[list] = None   # k_w per layer (conv layers, dense, readout; 2..8 each); None = weight_bits everywhere


@dataclass
class SNNConfig:
    scheme: str = "rate"                       # rate: binary spikes, IF, reset to zero | graded: Loihi 2 graded spikes (SigmaDelta)
    timesteps: Optional[int] = None            # T (rate); None = 2^activation_bits - 1; the graded scheme uses 1
    calibration_percentile: float = 99.9       # float networks (agent.quantized=false): clips from this percentile
                                               # of each layer's activations on the latest training batch


@dataclass
class FeedbackConfig:
    """Conversion error fed back into training: alpha rises while the SNN disagrees with the FPNN."""

    enabled: bool = True
    target_disagreement: float = 0.01          # tolerated fraction of states where the SNN's action differs
    alpha_step: float = 0.02                   # change of alpha per log interval
    alpha_max: float = 0.99                    # alpha never exceeds this; it never drops below agent.alpha


@dataclass
class AgentConfig:
    hidden: list = field(default_factory=lambda: [128])   # hidden layer widths
    # conv layers [channels, kernel, stride] before the hidden ones, used on image observations
    # only (vector tasks ignore them): 2x32x32 frames -> 8x15x15 -> 16x7x7 -> hidden
    conv: list = field(default_factory=lambda: [[8, 4, 2], [16, 3, 2]])
    alpha: float = 0.9                         # gap-increasing coefficient (0 = no gap increase)
    beta: Optional[float] = None               # inverse temperature of m_beta; None = max (beta -> inf)
    gamma: float = 0.99
    n_step: int = 1                            # k-step returns in the target (1 = one-step)
    lr: float = 1e-3
    batch_size: int = 64
    buffer_size: int = 50_000
    learning_starts: int = 1000                # env steps before the first update
    train_freq: int = 1                        # env steps per update
    target_update_interval: int = 500          # updates between target syncs
    tau: float = 1.0                           # target <- (1 - tau) target + tau online at each sync (1 = hard copy)
    max_grad_norm: float = 10.0
    loss: str = "mse"                          # mse | huber
    exploration: str = "epsilon"               # epsilon | softmax (softmax(beta * Q) on the SNN readout)
    eps_start: float = 1.0
    eps_end: float = 0.02
    eps_fraction: float = 0.3                  # fraction of env_steps over which epsilon decays
    clip_init: float = 1.0                     # initial per-layer clip (threshold) lambda, real units
    dueling: bool = False                      # advantage readout: the SNN computes A, a float V head stays in the learner
    double: bool = False                       # Double-DQN selection of the bootstrap action (beta = null only)
    ste_leak: float = 0.0                      # quantized nets: gradient slope of silent/saturated units (0 = none; 0 <= . < 1)
    shift_pad: int = 0                         # image observations: replayed frames shifted by up to this many pixels (DrQ; 0 = off)
    quantized: bool = True                     # false: FP32 training, post-training quantization at each conversion
    feedback: FeedbackConfig = field(default_factory=FeedbackConfig)


@dataclass
class TrainConfig:
    env_steps: int = 30_000
    convert_every: int = 1                     # gradient updates between conversions
    collector: str = "snn"                     # who acts during training: snn (RIVC) | fpnn (float reference)
    num_envs: int = 1                          # environments stepped together (Gymnasium SyncVectorEnv); the
                                               # FPNN and the SNN run batched over them
    eval_episodes: int = 5                     # greedy SNN episodes per evaluation
    final_episodes: Optional[int] = None       # fresh episodes of the delivered network at the end (null = eval_episodes)
    eval_every: int = 5000                     # env steps between greedy SNN evaluations (0 = only at the end)
    target_return: Optional[float] = None      # stop once an evaluation's mean SNN return reaches this
    keep_best: bool = True                     # checkpoint.pt = the best-evaluated SNN (last.pt = last weights)
    log_every: int = 1000                      # env steps between CSV/TensorBoard rows
    checkpoint_every: int = 10_000


@dataclass
class TrainRunConfig:
    env: EnvConfig = field(default_factory=EnvConfig)
    quant: QuantConfig = field(default_factory=QuantConfig)
    snn: SNNConfig = field(default_factory=SNNConfig)
    agent: AgentConfig = field(default_factory=AgentConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    backend: str = "emulator"                  # SNN used for rollouts: emulator | lava
    seed: int = 0
    torch_threads: int = 1
    resume: bool = False                       # continue the run in hydra.run.dir from train_state.pt
    method: str = "rivc"                       # label written to result.json (set by configs/experiment/*)


@dataclass
class DeployRunConfig:
    checkpoint: Optional[str] = None           # a training checkpoint (the SNN is converted from it) ...
    spec: Optional[str] = None                 # ... or a NetworkSpec file (deployed as is; no FPNN to compare)
    env_id: Optional[str] = None               # run on another task id (same observation size); None = the saved one
    backend: str = "emulator"                  # emulator | lava | loihi2 | snntorch
    episodes: int = 5
    seed: int = 0
    timesteps: Optional[int] = None            # override T; None = the checkpoint's
    max_episode_steps: Optional[int] = None


BACKENDS = ("emulator", "lava")                                  # training rollouts
DEPLOY_BACKENDS = ("emulator", "lava", "loihi2", "snntorch")


@dataclass
class ExportRunConfig:
    checkpoint: Optional[str] = None           # a training checkpoint (converted in its scheme) ...
    spec: Optional[str] = None                 # ... or a NetworkSpec file
    format: str = "spec"                       # spec | netx | nir
    out: Optional[str] = None                  # output file; None = network.<ext> in the run directory


def check_train_config(cfg: TrainRunConfig) -> TrainRunConfig:
    """Raise ConfigError (one line: what, allowed, got) for settings the chip or framework can't take."""
    q = cfg.quant
    for name in ("weight_bits", "activation_bits"):
        bits = getattr(q, name)
        if not 1 <= bits <= 8:
            raise ConfigError(f"quant.{name} must be in 1..8 (the chip's synapse/activation widths), got {bits}")
    if q.weight_bits < 2:
        raise ConfigError(f"quant.weight_bits must be at least 2 for symmetric signed weights, got {q.weight_bits}")
    if q.weight_scale not in ("max", "mse"):
        raise ConfigError(f"quant.weight_scale must be 'max' or 'mse', got {q.weight_scale!r}")
    if not 0 <= q.max_weight_shift <= 7:
        raise ConfigError(f"quant.max_weight_shift must be in 0..7 (the Dense weight exponent's range), got {q.max_weight_shift}")
    if q.layer_weight_bits is not None and not all(isinstance(b, int) and 2 <= b <= 8 for b in q.layer_weight_bits):
        raise ConfigError(f"quant.layer_weight_bits must list 2..8 bits per layer (conv, dense, readout), got {list(q.layer_weight_bits)}")
    if q.input_bits != 8:
        raise ConfigError(f"quant.input_bits must be 8 (the chip's input layer), got {q.input_bits}")
    if cfg.snn.scheme not in ("rate", "graded"):
        raise ConfigError(f"snn.scheme must be 'rate' or 'graded', got {cfg.snn.scheme!r}")
    if cfg.snn.timesteps is not None and not 1 <= cfg.snn.timesteps <= 255:
        raise ConfigError(f"snn.timesteps must be in 1..255 or null, got {cfg.snn.timesteps}")
    if not 0.0 <= cfg.agent.alpha < 1.0:
        raise ConfigError(f"agent.alpha must be in [0, 1), got {cfg.agent.alpha}")
    fb = cfg.agent.feedback
    if not (0 <= fb.target_disagreement < 1 and fb.alpha_step >= 0 and cfg.agent.alpha <= fb.alpha_max < 1):
        raise ConfigError("agent.feedback needs 0 <= target_disagreement < 1, alpha_step >= 0 and "
                          f"agent.alpha <= alpha_max < 1, got {fb}")
    if not 0.0 <= cfg.agent.ste_leak < 1.0:
        raise ConfigError(f"agent.ste_leak must be in [0, 1) (gradient slope of silent/saturated units), got {cfg.agent.ste_leak}")
    if not 0 <= cfg.agent.shift_pad <= 8:
        raise ConfigError(f"agent.shift_pad must be in 0..8 (pixels of random shift; 0 = off), got {cfg.agent.shift_pad}")
    if not 0.0 < cfg.agent.tau <= 1.0:
        raise ConfigError(f"agent.tau must be in (0, 1] (1 = hard target copy), got {cfg.agent.tau}")
    if cfg.train.final_episodes is not None and cfg.train.final_episodes < 1:
        raise ConfigError(f"train.final_episodes must be >= 1 or null (= train.eval_episodes), got {cfg.train.final_episodes}")
    if cfg.agent.beta is not None and cfg.agent.beta <= 0:
        raise ConfigError(f"agent.beta must be > 0 or null (max), got {cfg.agent.beta}")
    if cfg.agent.loss not in ("mse", "huber"):
        raise ConfigError(f"agent.loss must be 'mse' or 'huber', got {cfg.agent.loss!r}")
    if cfg.agent.exploration not in ("epsilon", "softmax"):
        raise ConfigError(f"agent.exploration must be 'epsilon' or 'softmax', got {cfg.agent.exploration!r}")
    if cfg.agent.exploration == "softmax" and cfg.agent.beta is None:
        raise ConfigError("agent.exploration=softmax needs a finite agent.beta")
    if cfg.backend not in BACKENDS:
        raise ConfigError(f"backend must be one of {BACKENDS}, got {cfg.backend!r}")
    if cfg.train.num_envs < 1:
        raise ConfigError(f"train.num_envs must be >= 1, got {cfg.train.num_envs}")
    if cfg.train.num_envs > 1 and (cfg.agent.n_step != 1 or cfg.resume):
        raise ConfigError("train.num_envs > 1 needs agent.n_step=1 and resume=false (training state is saved "
                          f"at one env's episode boundaries), got n_step={cfg.agent.n_step}, resume={cfg.resume}")
    if cfg.train.collector not in ("snn", "fpnn"):
        raise ConfigError(f"train.collector must be 'snn' or 'fpnn', got {cfg.train.collector!r}")
    if not 0 < cfg.snn.calibration_percentile <= 100:
        raise ConfigError(f"snn.calibration_percentile must be in (0, 100], got {cfg.snn.calibration_percentile}")
    if cfg.train.env_steps < 1 or cfg.train.convert_every < 1:
        raise ConfigError("train.env_steps and train.convert_every must be >= 1")
    if not cfg.agent.hidden or min(cfg.agent.hidden) < 1:
        raise ConfigError(f"agent.hidden must list at least one positive width, got {cfg.agent.hidden}")
    if any(len(c) != 3 or min(c) < 1 for c in cfg.agent.conv):
        raise ConfigError(f"agent.conv must list [channels, kernel, stride] triples of positive ints, got {cfg.agent.conv}")
    return cfg


def timesteps_for(snn: SNNConfig, quant: QuantConfig) -> int:
    """T: the configured value, else 2^k_a - 1 (so a hidden spike count fits in k_a bits); the
    graded scheme sends each observation once (T = 1)."""
    if snn.scheme == "graded":
        return 1
    return snn.timesteps if snn.timesteps is not None else 2 ** quant.activation_bits - 1


@dataclass
class PowerRunConfig:
    checkpoint: str = "???"
    episodes: int = 2                          # greedy SNN episodes whose states are counted
    max_episode_steps: int = 300
    seed: int = 0
    host_timing_runs: int = 2000               # batch-1 FPNN forwards timed on this host
