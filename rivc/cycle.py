"""The RIVC cycle, top to bottom: the quantized network is converted after every
`convert_every` updates and the converted SNN, not the float network, collects the data.

Per env step the SNN and the quantized FPNN both see the visited state; the conversion
metrics (action agreement, Q readout error, action gap, spike rates) are averaged over the
cycles of each log interval and written to metrics.csv and TensorBoard.
"""
from __future__ import annotations

import copy
import logging
import resource
import signal
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from envs import EnvSource, action_table, frame_shape, make_env, make_vector_env
from rivc.calibrate import calibrate_clips
from rivc.checkpoint import save_checkpoint, write_json
from rivc.config import ConfigError, TrainRunConfig, check_train_config, timesteps_for
from rivc.convert import convert, task_meta
from rivc.learner import TargetSync, update
from rivc.metrics import action_gap, conversion_metrics, greedy
from rivc.qnet import QuantQNetwork
from rivc.replay import ReplayBuffer
from rivc.rollout import run_episodes
from rivc.runlog import RunLog
from rivc.snn_policy import SNNPolicy
from rivc.task import observation_scaling
from rivc.train_state import LoopState, TrainingInterrupted, load_train_state, save_train_state
from rivc.training_plot import training_plot

log = logging.getLogger(__name__)

LOG_FIELDS = ["env_step", "updates", "episodes", "return_mean", "epsilon", "loss", "q_mean",
              "action_agreement", "q_error", "q_error_rel", "action_gap", "action_gap_rel",
              "action_gap_p05_rel", "alpha", "steps_per_s"]


def log_fields(n_hidden: int) -> list[str]:
    """metrics.csv columns: LOG_FIELDS plus, per hidden layer i, the SNN's mean activation per
    neuron per timestep (spike rate; graded: payload) and its mean |error| against the
    quantized FPNN's activation (spikes or payload units)."""
    per_layer = [f"{name}_l{i}" for i in range(n_hidden) for name in ("spike_rate", "count_error")]
    return LOG_FIELDS[:-2] + per_layer + LOG_FIELDS[-2:]


class _StopOnSigint:
    """While active, the first Ctrl-C (SIGINT) only sets `requested`: the loop finishes the env
    step it is in, saves its state and stops. A second Ctrl-C interrupts at once."""

    def __init__(self):
        self.requested, self._old = False, None

    def _handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self):
        try:
            self._old = signal.signal(signal.SIGINT, self._handle)
        except ValueError:          # not the main thread: Ctrl-C keeps its default behaviour
            self._old = None
        return self

    def __exit__(self, *exc):
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)


def log_row(st: LoopState, step: int, epsilon: float, T: int, seconds: float) -> dict:
    """One metrics.csv row: learning progress plus the conversion metrics of the cycles since the last row."""
    w = st.window        # blocks of consecutive transitions: (n, A) arrays, per-layer lists of (n, n_l)
    cm = conversion_metrics(np.concatenate(w["q_fpnn"]), np.concatenate(w["q_snn"]),
                            [np.concatenate(c) for c in zip(*w["c_fpnn"])],
                            [np.concatenate(c) for c in zip(*w["c_snn"])], T, np.concatenate(w["a_fpnn"]))
    st.last_agreement = cm.action_agreement
    n_hidden = len(w["c_fpnn"][0]) if w["c_fpnn"] else 0      # the Lava backend returns no SNN counts: NaN
    return {
        "env_step": step, "updates": st.n_updates, "episodes": len(st.ep_returns),
        "return_mean": float(np.mean(st.ep_returns[-10:])) if st.ep_returns else float("nan"),
        "epsilon": epsilon, "loss": float(np.mean(st.losses)) if st.losses else float("nan"),
        "q_mean": float(np.mean(st.q_means)) if st.q_means else float("nan"),
        "action_agreement": cm.action_agreement, "q_error": cm.q_error, "q_error_rel": cm.q_error_rel,
        "action_gap": cm.action_gap, "action_gap_rel": cm.action_gap_rel,
        "action_gap_p05_rel": cm.action_gap_p05_rel, "alpha": st.alpha,
        **{f"spike_rate_l{i}": cm.spike_rate[i] if i < len(cm.spike_rate) else float("nan") for i in range(n_hidden)},
        **{f"count_error_l{i}": cm.count_error[i] if i < len(cm.count_error) else float("nan") for i in range(n_hidden)},
        "steps_per_s": sum(len(b) for b in w["q_fpnn"]) / max(seconds, 1e-9),
    }


def window_add(window: dict, rows: dict, lo: int, hi: int) -> None:
    """Rows lo..hi-1 of one round (q_*: (N, A) arrays, a_fpnn: (N,), c_*: per-layer lists of (N, n_l))
    into the metrics window, as one block per key."""
    if hi > lo:
        for key, value in rows.items():
            window[key].append([c[lo:hi] for c in value] if key.startswith("c_") else value[lo:hi])


def conversion_summary(metrics_csv: Path, net: QuantQNetwork, final_states: np.ndarray, st: LoopState) -> dict:
    """The conversion section of result.json: how agreement and Q error went over training, the
    alpha trajectory, and the action-gap distribution on the final evaluation's states."""
    import csv

    with open(metrics_csv, newline="") as f:
        rows = list(csv.DictReader(f))
    agreement = [float(r["action_agreement"]) for r in rows]
    q_err = [float(r["q_error_rel"]) for r in rows]
    layer_err = [[float(r[k]) for r in rows] for k in rows[0] if k.startswith("count_error_l")]
    with torch.no_grad():
        q = net.readout(torch.as_tensor(final_states)).numpy()   # A with a dueling head: the same gaps
    gap = action_gap(q) / (np.abs(q).mean() + 1e-12)
    return {
        "action_agreement_mean": float(np.mean(agreement)), "action_agreement_min": float(np.min(agreement)),
        "q_error_rel_mean": float(np.mean(q_err)), "q_error_rel_max": float(np.max(q_err)),
        "count_error_mean_per_layer": [float(np.mean(e)) for e in layer_err],
        "count_error_max_per_layer": [float(np.max(e)) for e in layer_err],
        "alpha_final": st.alpha, "alpha_trajectory": st.alpha_trajectory,
        "final_states_action_gap_rel": {p: float(np.percentile(gap, int(p[1:]))) for p in ("p5", "p25", "p50", "p75", "p95")},
    }


def feedback_alpha(alpha: float, agreement: float, base_alpha: float, fb) -> float:
    """Raise alpha by one step while the measured disagreement exceeds the target; step back
    toward the configured alpha once it is below half the target. Bounds: [base_alpha, alpha_max]."""
    if not fb.enabled or not np.isfinite(agreement):
        return alpha
    disagreement = 1.0 - agreement
    if disagreement > fb.target_disagreement:
        return min(alpha + fb.alpha_step, fb.alpha_max)
    if disagreement <= fb.target_disagreement / 2:
        return max(alpha - fb.alpha_step, base_alpha)
    return alpha


def behaviour_action(q_snn: np.ndarray, cfg, epsilon: float, rng: np.random.Generator) -> int:
    """epsilon-greedy (greedy: rivc.metrics.greedy's tie rule) or softmax(beta * Q) on the acting
    readout q_snn (A,)."""
    if cfg.exploration == "softmax":
        logits = cfg.beta * (q_snn - q_snn.max())
        p = np.exp(logits) / np.exp(logits).sum()
        return int(rng.choice(len(p), p=p))
    if rng.random() < epsilon:
        return int(rng.integers(len(q_snn)))
    return int(greedy(q_snn[None])[0])


def build_network(cfg: TrainRunConfig, obs_dim: int, n_actions: int, frames, T: int) -> QuantQNetwork:
    """The quantization-aware Q-network of the configuration (a CNN first on image observations)."""
    a, q = cfg.agent, cfg.quant
    conv = a.conv if frames else ()
    n_layers = len(conv) + len(a.hidden) + 1
    if q.layer_weight_bits is not None and len(q.layer_weight_bits) != n_layers:
        raise ConfigError(f"quant.layer_weight_bits needs one entry per layer of this network ({n_layers}: "
                          f"{len(conv)} conv, {len(a.hidden)} dense, the readout), got {list(q.layer_weight_bits)}")
    return QuantQNetwork(obs_dim, n_actions, a.hidden, q.weight_bits, T, q.input_bits, a.clip_init,
                         scheme=cfg.snn.scheme, activation_bits=q.activation_bits, dueling=a.dueling,
                         quantized=a.quantized and a.quantize_after == 0, conv=conv, input_shape=frames,
                         weight_scale=q.weight_scale,
                         max_weight_shift=q.max_weight_shift, ste_leak=a.ste_leak, layer_weight_bits=q.layer_weight_bits)


def start_quantization(net: QuantQNetwork, target: QuantQNetwork, obs, percentile: float) -> None:
    """agent.quantize_after: the float network becomes quantization-aware, its clips calibrated
    on the latest replayed batch first (as the post-training conversions before did)."""
    if obs is not None:
        calibrate_clips(net, obs, percentile, inplace=True)
    net.quantized = target.quantized = True


def epsilon_at(a, step: int, budget: int) -> float:
    """Exploration rate at env step `step` (1-based): linear from eps_start to eps_end over
    eps_fraction of the budget."""
    return a.eps_end + (a.eps_start - a.eps_end) * max(0.0, 1 - step / (a.eps_fraction * budget))


def learn(st: LoopState, net, target, optimizer, buffer: ReplayBuffer, rng, a, sync_target):
    """One gradient update on a replayed batch (and the target sync when due); returns the batch's
    observations (float networks calibrate their clips on them)."""
    batch = buffer.sample(a.batch_size, rng)
    m = update(net, target, optimizer, batch, a.gamma, st.alpha, a.beta, a.max_grad_norm, a.loss, a.double)
    st.losses.append(m.loss)
    st.q_means.append(m.q_mean)
    st.n_updates += 1
    if st.n_updates % a.target_update_interval == 0:
        sync_target()
    return batch.obs


def train(cfg: TrainRunConfig, run_dir: Path, show_progress: bool = True, env_source: EnvSource | None = None,
          resume_hint: str | None = None) -> dict:
    """Train, checkpoint, evaluate; write result.json in run_dir and return its content.

    env_source: the task (default cfg.env.id; a callable returning a new gymnasium.Env is called
    once per env instance). Ctrl-C saves the training state and raises TrainingInterrupted, whose
    message ends with `resume_hint` (the command that resumes)."""
    check_train_config(cfg)
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(cfg.torch_threads)
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    start = time.perf_counter()
    source = env_source if env_source is not None else cfg.env.id

    # Task: observations scaled to the SNN's input range by a scaling of this very task.
    scaling, scaling_source = observation_scaling(cfg.env, cfg.seed, source)
    N = cfg.train.num_envs
    envs = make_vector_env(source, scaling, cfg.env.action_bins, N)
    env = envs.envs[0]                 # its RNG goes into train_state.pt (resume runs with one env)
    obs_dim, n_actions = env.observation_space.shape[0], int(env.action_space.n)
    frames = frame_shape(env)          # (stack, H, W) for the vision task: a CNN, frames stored as uint8

    # Networks: quantization-aware online and target nets; the first conversion.
    T = timesteps_for(cfg.snn, cfg.quant)
    a = cfg.agent
    net = build_network(cfg, obs_dim, n_actions, frames, T)
    target = copy.deepcopy(net)
    optimizer = torch.optim.Adam(net.parameters(), lr=a.lr, foreach=True)   # same numbers as the per-tensor loop, fewer calls
    sync_target = TargetSync(target, net, a.tau)     # every target_update_interval updates
    buffer = ReplayBuffer(min(a.buffer_size, cfg.train.env_steps), obs_dim, a.n_step, a.gamma, frames, a.shift_pad)
    calib = {"obs": None}          # float networks: clips from the latest training batch

    def convert_net():
        """The SNN of the current weights (float networks: post-training quantization with clips
        calibrated on the latest batch of replayed states)."""
        if not net.quantized and calib["obs"] is not None:
            calibrate_clips(net, calib["obs"], cfg.snn.calibration_percentile, inplace=True)
        return convert(net, T, cfg.quant.activation_bits)

    snn = SNNPolicy(convert_net(), cfg.backend)
    snn_stale = False             # weights changed since the acting SNN was converted
    ckpt_path, last_path = run_dir / "checkpoint.pt", run_dir / "last.pt"
    cfg_dict = asdict(cfg)
    st = LoopState(alpha=a.alpha, ep_return=[0.0] * N, needs_reset=[True] * N)
    if cfg.resume:
        st = load_train_state(run_dir, cfg_dict, net, target, optimizer, buffer, rng, env)
        if a.quantized and st.step >= a.quantize_after:
            net.quantized = target.quantized = True
        snn.load(convert_net())
        log.info("resuming at env step %d", st.step)
    runlog = RunLog(run_dir, log_fields(net.n_hidden), resume_after_step=st.step if cfg.resume else None)

    table = action_table(env)

    def checkpoint(path: Path, step: int) -> None:
        save_checkpoint(path, net, scaling, cfg.env.id, cfg.env.action_bins, cfg.quant.activation_bits,
                        step, cfg_dict, scaling_source, table)

    # Greedy SNN evaluations on a separate env instance, always on the same episode seeds.
    eval_env = make_env(source, scaling, cfg.env.action_bins)
    eval_seed = 10_000 + 1000 * cfg.seed

    def evaluate(step: int) -> float:
        """Greedy episodes of the acting policy (the SNN; the FPNN when it collects) on fixed seeds."""
        if cfg.train.collector == "fpnn":
            rec = run_episodes(eval_env, net, None, cfg.train.eval_episodes, eval_seed)
        else:
            with SNNPolicy(convert_net(), "emulator") as greedy_snn:
                rec = run_episodes(eval_env, net, greedy_snn, cfg.train.eval_episodes, eval_seed)
        mean = float(np.mean(rec.returns))
        st.evals.append({"env_step": step, "wall_s": round(wall_before + time.perf_counter() - start, 2),
                         "policy": cfg.train.collector, "return": mean,
                         "snn_return": mean if cfg.train.collector == "snn" else None,
                         "action_agreement": rec.agreement if cfg.train.collector == "snn" else None})
        if mean >= st.best["return"]:
            st.best.update({"return": mean, "env_step": step, "state": copy.deepcopy(net.state_dict())})
            if cfg.train.keep_best:
                checkpoint(ckpt_path, step)
        return mean

    save_pending, t_log, step = False, time.perf_counter(), st.step
    loop_start = t_saved = time.perf_counter()
    wall_before = st.wall_s               # a resumed run's wall-clock counts the earlier part too
    interrupted_at = None
    bar = tqdm(total=cfg.train.env_steps, initial=st.step, desc="rivc-train", unit="step",
               disable=not show_progress, dynamic_ncols=True)
    sigint = _StopOnSigint()
    try:
        sigint.__enter__()
        step, obs = st.step, np.zeros((N, obs_dim), np.float32)
        while step < cfg.train.env_steps:
            resets = np.asarray(st.needs_reset, dtype=bool)
            if resets.any():          # the first episodes are seeded (seed + i); later ones continue each env's RNG
                if st.first_reset_done:
                    new_obs, _ = envs.reset(options={"reset_mask": resets})
                else:
                    new_obs, _ = envs.reset(seed=cfg.seed)
                obs[resets] = new_obs[resets]
                st.needs_reset, st.first_reset_done = [False] * N, True
            # The SNN acts (batched over the envs); the quantized FPNN sees the same states for the metrics.
            # Conversion is lazy: the acting SNN is always the conversion of the latest weights, and
            # conversions no env step would use (several updates per round) are skipped.
            if snn_stale:
                snn.load(convert_net())
                snn_stale = False
            obs_t = torch.as_tensor(obs, dtype=torch.float32)
            with torch.no_grad():
                fwd = net.forward_full(obs_t)
                a_fpnn = net.readout_units(fwd.readout).numpy()        # (N, A) the SNN's integer readout units
            out = snn(net.encode(obs_t).numpy())
            if not (torch.isfinite(fwd.q).all() and np.isfinite(out.q).all()):
                raise FloatingPointError(f"Q values became non-finite at env step {step + 1}; training stopped "
                                         f"(last checkpoint kept)")
            epsilon = epsilon_at(a, step + 1, cfg.train.env_steps)
            q_fpnn, c_fpnn = fwd.readout.numpy(), [c.numpy() for c in fwd.counts]   # (N, A), per layer (N, n)
            acting_q = out.q if cfg.train.collector == "snn" else a_fpnn
            actions = np.array([behaviour_action(acting_q[i], a, epsilon, rng) for i in range(N)])
            next_obs, rewards, terms, truncs, _ = envs.step(actions)
            # Only true terminations stop bootstrapping; time-limit truncations do not.
            buffer.add_batch(obs, actions, rewards, next_obs, terms, truncs)
            round_rows = {"q_fpnn": q_fpnn, "q_snn": out.q, "a_fpnn": greedy(a_fpnn), "c_fpnn": c_fpnn,
                          "c_snn": out.counts}
            stop, window_from = False, 0
            for i in range(N):
                step += 1
                st.ep_return[i] += float(rewards[i])
                if terms[i] or truncs[i]:
                    st.ep_returns.append(st.ep_return[i])
                    st.last_return, st.ep_return[i], st.needs_reset[i] = st.ep_return[i], 0.0, True

                if a.quantized and not net.quantized and step >= a.quantize_after:
                    start_quantization(net, target, calib["obs"], cfg.snn.calibration_percentile)
                    snn_stale = True
                if step >= a.learning_starts and step % a.train_freq == 0:       # learn
                    calib["obs"] = learn(st, net, target, optimizer, buffer, rng, a, sync_target)
                    if st.n_updates % cfg.train.convert_every == 0:
                        snn_stale = True

                if step % cfg.train.log_every == 0 or step == cfg.train.env_steps:
                    window_add(st.window, round_rows, window_from, i + 1)
                    window_from = i + 1
                    now = time.perf_counter()
                    runlog.write(step, log_row(st, step, epsilon, T, now - t_log))
                    st.alpha_trajectory.append([step, st.alpha])
                    st.alpha = feedback_alpha(st.alpha, st.last_agreement, a.alpha, a.feedback)
                    st.window = {k: [] for k in st.window}
                    st.losses, st.q_means, t_log = [], [], now
                bar.update(1)
                if step % 200 == 0:
                    bar.set_postfix(ret=f"{st.last_return:.0f}", agree=f"{st.last_agreement:.3f}",
                                    eval=f"{st.evals[-1]['return']:.0f}" if st.evals else "-")
                if cfg.train.eval_every and step % cfg.train.eval_every == 0 and step >= a.learning_starts:
                    mean = evaluate(step)
                    if cfg.train.target_return is not None and mean >= cfg.train.target_return:
                        log.info("greedy return %.1f reached the target at step %d", mean, step)
                        stop = True
                st.step = step
                if step % cfg.train.checkpoint_every == 0 or time.perf_counter() - t_saved >= cfg.train.checkpoint_every_s:
                    checkpoint(last_path, step)
                    save_pending, t_saved = True, time.perf_counter()
                if sigint.requested and N == 1 and not st.needs_reset[0]:
                    buffer.end_episode(next_obs[0])        # Ctrl-C: the running episode ends like a time limit
                    st.needs_reset, st.ep_return = [True], [0.0]
                if (save_pending or sigint.requested) and N == 1 and st.needs_reset[0]:   # at episode boundaries
                    window_add(st.window, round_rows, window_from, i + 1)     # the state includes this step
                    window_from = i + 1
                    st.wall_s = wall_before + time.perf_counter() - start
                    save_train_state(run_dir, st, net, target, optimizer, buffer, rng, env, cfg_dict)
                    save_pending = False
                if sigint.requested:
                    interrupted_at, stop = step, True
                    checkpoint(last_path, step)
                if stop or step >= cfg.train.env_steps:
                    break
            window_add(st.window, round_rows, window_from, i + 1)
            obs = next_obs
            if stop:
                break
    finally:
        sigint.__exit__()
        bar.close()
        runlog.close()
        snn.close()
        if interrupted_at is not None:
            envs.close()
            eval_env.close()
    if interrupted_at is not None:
        raise TrainingInterrupted(interrupted(run_dir, st.step if cfg.train.num_envs == 1 else None,
                                              interrupted_at, resume_hint))
    env_steps_done = step
    loop_s = time.perf_counter() - loop_start
    checkpoint(last_path, env_steps_done)
    if not st.evals or st.evals[-1]["env_step"] != env_steps_done:
        evaluate(env_steps_done)
    if cfg.train.keep_best:
        net.load_state_dict(st.best["state"])      # the delivered network: the best-evaluated SNN
    else:
        checkpoint(ckpt_path, env_steps_done)
    write_json(run_dir / "evals.json", {"evals": st.evals})

    # Final evaluation of the delivered network on fresh seeds: greedy FPNN, then greedy SNN.
    spec = convert_net()
    spec.meta = task_meta(cfg.env.id, cfg.env.action_bins, scaling, table)
    spec.save(run_dir / "network.spec")
    final_seed = 20_000 + 1000 * cfg.seed
    final_episodes = cfg.train.final_episodes or cfg.train.eval_episodes
    fpnn = run_episodes(eval_env, net, None, final_episodes, final_seed)
    with SNNPolicy(spec, "emulator") as eval_snn:
        snn_rec = run_episodes(eval_env, net, eval_snn, final_episodes, final_seed)
    envs.close()
    eval_env.close()
    result = {
        "method": cfg.method, "env_id": cfg.env.id, "env_steps": env_steps_done, "env_steps_budget": cfg.train.env_steps,
        "updates": st.n_updates, "delivered_checkpoint_step": st.best["env_step"] if cfg.train.keep_best else env_steps_done,
        "last_checkpoint": str(last_path.resolve()),
        "evals": st.evals,
        "wall_s": round(wall_before + time.perf_counter() - start, 2), "loop_s": round(loop_s, 2),
        "resumed": cfg.resume, "checkpoint": str(ckpt_path.resolve()),
        "obs_scaling": {**scaling.to_dict(), **scaling_source},
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),   # Linux: KiB
        "spec": str((run_dir / "network.spec").resolve()),
        "scheme": cfg.snn.scheme, "dueling": a.dueling, "quantized": a.quantized, "collector": cfg.train.collector,
        "timesteps": T, "timesteps_per_action": spec.steps_per_inference,
        "weight_bits": cfg.quant.weight_bits, "activation_bits": cfg.quant.activation_bits,
        "alpha": a.alpha, "beta": a.beta, "seed": cfg.seed,
        "final_eval": {"fpnn_return": float(np.mean(fpnn.returns)), "snn_return": float(np.mean(snn_rec.returns)),
                       "snn_episode_returns": snn_rec.returns, "action_agreement": snn_rec.agreement,
                       "episodes": final_episodes, "backend": "emulator"},
        "conversion": conversion_summary(run_dir / "metrics.csv", net, snn_rec.observations, st),
    }
    write_json(run_dir / "result.json", result)
    training_plot(run_dir / "metrics.csv", st.evals, run_dir / "training.png", f"{cfg.env.id}, seed {cfg.seed}")
    return result


def interrupted(run_dir: Path, saved_step: int | None, at_step: int, resume_hint: str | None) -> str:
    """The one line Ctrl-C ends training with."""
    state = Path(run_dir) / "train_state.pt"
    hint = f"; resume with: {resume_hint}" if resume_hint else ""
    if saved_step is None or not state.is_file():
        return (f"interrupted at env step {at_step}; no training state to resume from "
                f"(vector envs or no episode finished yet); last weights in {Path(run_dir) / 'last.pt'}")
    return f"interrupted at env step {at_step}; training state saved in {state} (env step {saved_step}){hint}"
