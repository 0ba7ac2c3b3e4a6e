"""The frame-based vision task and its compact replay storage."""
import numpy as np
import torch

from envs import calibrate_observation_scaling, frame_shape, make_env
from rivc.replay import ReplayBuffer, random_shift

PIXEL_ID = "RIVC/PixelInvertedPendulum-v0"


def pixel_env():
    return make_env(PIXEL_ID, calibrate_observation_scaling(PIXEL_ID, 0, 0), 7)


def test_pixel_task_is_registered_and_sees_the_cart_move():
    env = pixel_env()
    assert frame_shape(env) == (2, 32, 32) and env.observation_space.shape == (2048,)
    obs, _ = env.reset(seed=0)
    assert obs.dtype == np.float32 and 0.0 <= obs.min() and obs.max() <= 1.0
    frames = obs.reshape(2, 32, 32)
    np.testing.assert_array_equal(frames[0], frames[1])          # a reset fills the stack with its frame
    assert 0.01 < (frames[0] > 0).mean() < 0.3                    # a lit cart and pole on a black scene

    push = env.action_space.n - 1                                 # full force to one side
    for _ in range(8):
        nxt, *_ = env.step(push)
    a, b = nxt.reshape(2, 32, 32)
    assert not np.array_equal(a, b), "consecutive frames differ while the cart moves"
    # the camera follows the cart: the pole and the markers under the rail move in the image
    cols = np.arange(32)
    centre = lambda f: (f.sum(0) * cols).sum() / f.sum()         # noqa: E731
    assert abs(centre(b) - centre(frames[0])) > 0.5
    env.close()


def test_pixel_task_has_inverted_pendulum_v5_dynamics():
    """The markers are visual only: same seed and actions give the same states, rewards and ends."""
    import gymnasium as gym

    pixel, plain = gym.make(PIXEL_ID), gym.make("InvertedPendulum-v5")
    pixel.reset(seed=3)
    plain.reset(seed=3)
    rng = np.random.default_rng(0)
    for _ in range(60):
        a = rng.uniform(-3, 3, 1)
        _, r1, t1, u1, _ = pixel.step(a)
        _, r2, t2, u2, _ = plain.step(a)
        np.testing.assert_array_equal(pixel.unwrapped.data.qpos, plain.unwrapped.data.qpos)
        np.testing.assert_array_equal(pixel.unwrapped.data.qvel, plain.unwrapped.data.qvel)
        assert (r1, t1, u1) == (r2, t2, u2)
        if t1 or u1:
            break


def test_frame_replay_returns_the_exact_observations_and_stores_each_frame_once():
    env = pixel_env()
    buf = ReplayBuffer(500, 2048, frames=(2, 32, 32))
    seen_obs, seen_next, steps, episodes = [], [], 0, 0
    rng = np.random.default_rng(0)
    # two interleaved streams, like a vector env's sub-envs
    envs = [env, pixel_env()]
    obs = [e.reset(seed=i)[0] for i, e in enumerate(envs)]
    while steps < 120:
        for i, e in enumerate(envs):
            nxt, r, term, trunc, _ = e.step(int(rng.integers(7)))
            buf.add(obs[i], 1, r, nxt, term, trunc, stream=i)
            seen_obs.append(obs[i])
            seen_next.append(nxt)
            steps += 1
            obs[i] = nxt
            if term or trunc:
                obs[i] = e.reset()[0]
                episodes += 1
    assert buf.size == steps
    np.testing.assert_array_equal(buf.frame_store.load(buf.obs[:steps]), np.stack(seen_obs))
    np.testing.assert_array_equal(buf.frame_store.load(buf.next_obs[:steps]), np.stack(seen_next))
    # one new frame per step, one per episode start (never a whole stack per transition)
    assert buf.frame_store.next <= steps + episodes + len(envs)
    batch = buf.sample(16, np.random.default_rng(1))
    assert batch.obs.shape == (16, 2048) and batch.obs.dtype == torch.float32
    for e in envs:
        e.close()


def test_random_shift_moves_each_observations_stacked_frames_together_within_the_pad():
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 256, (64, 2, 8, 8)).astype(np.uint8)
    pad = 2
    shifted = random_shift(frames, pad, np.random.default_rng(1))
    assert shifted.shape == frames.shape and shifted.dtype == np.uint8
    padded = np.pad(frames, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="edge")
    offsets = set()
    for b in range(len(frames)):
        # exactly one crop of the padded frames, the same for both stacked frames, gives each observation
        hits = [(dy, dx) for dy in range(2 * pad + 1) for dx in range(2 * pad + 1)
                if np.array_equal(padded[b, :, dy:dy + 8, dx:dx + 8], shifted[b])]
        assert len(hits) == 1
        offsets.add(hits[0])
    assert len(offsets) > 10                      # offsets vary across the batch
    dy, dx = np.random.default_rng(1).integers(0, 2 * pad + 1, (2, len(frames)))
    centred = (dy == pad) & (dx == pad)
    np.testing.assert_array_equal(shifted[centred], frames[centred])


def test_replay_with_shift_pad_samples_shifted_frames_and_leaves_vector_tasks_alone():
    rng = np.random.default_rng(0)
    buf = ReplayBuffer(50, 2 * 16 * 16, frames=(2, 16, 16), shift_pad=3)
    plain = ReplayBuffer(50, 2 * 16 * 16, frames=(2, 16, 16))
    for t in range(20):
        o, o2 = rng.integers(0, 256, (2, 2 * 16 * 16)) / 255.0
        for b in (buf, plain):
            b.add(o, t % 3, 1.0, o2, False)
    shifted, unshifted = buf.sample(32, np.random.default_rng(5)), plain.sample(32, np.random.default_rng(5))
    assert shifted.obs.shape == unshifted.obs.shape == (32, 512)
    np.testing.assert_array_equal(shifted.actions, unshifted.actions)     # the same rows, then the shifts
    assert not np.array_equal(shifted.obs, unshifted.obs)
    assert ReplayBuffer(10, 4, shift_pad=3).shift_pad == 0
