import numpy as np
import pytest

from envs import EnvError, ObservationScaling, calibrate_observation_scaling, make_env, make_vector_env


def test_box_actions_are_discretised_into_the_product_of_bins():
    scaling = calibrate_observation_scaling("Reacher-v5", 50, seed=0)
    env = make_env("Reacher-v5", scaling, action_bins=[3, 5])
    assert env.action_space.n == 15
    table = env.unwrapped and env.env.table if hasattr(env.env, "table") else None
    assert table.shape == (15, 2) and set(np.round(table[:, 0], 3)) == {-1.0, 0.0, 1.0}
    env.close()


def test_discrete_actions_pass_through_and_observations_are_in_range():
    scaling = calibrate_observation_scaling("CartPole-v1", 200, seed=0)
    env = make_env("CartPole-v1", scaling)
    assert env.action_space.n == 2
    obs, _ = env.reset(seed=0)
    for _ in range(100):
        obs, _, term, trunc, _ = env.step(env.action_space.sample())
        assert obs.dtype == np.float32 and np.all(np.abs(obs) <= 1.0)
        if term or trunc:
            obs, _ = env.reset()


def test_scaling_clips_to_unit_range():
    s = ObservationScaling(np.zeros(2), np.array([1.0, 2.0]))
    np.testing.assert_allclose(s.apply(np.array([3.0, -1.0])), [1.0, -0.5])


def test_unknown_env_id_is_one_clear_error():
    with pytest.raises(EnvError, match="unknown environment id 'NoSuchTask-v0'"):
        calibrate_observation_scaling("NoSuchTask-v0", 10, seed=0)


def test_observation_space_the_encoder_cannot_take():
    with pytest.raises(EnvError, match="flat Box"):
        calibrate_observation_scaling("Blackjack-v1", 10, seed=0)


def test_vector_env_keeps_final_observations_and_resets_only_finished_envs():
    """Autoreset is DISABLED explicitly: a finished sub-env returns its true final observation,
    refuses to step until reset, and `reset_mask` resets it alone."""
    from gymnasium.vector import AutoresetMode

    scaling = calibrate_observation_scaling("InvertedPendulum-v5", 200, seed=0)
    envs = make_vector_env("InvertedPendulum-v5", scaling, 7, 3)
    assert envs.metadata["autoreset_mode"] == AutoresetMode.DISABLED
    obs, _ = envs.reset(seed=0)
    done = np.zeros(3, bool)
    for _ in range(200):                     # action 0 (full force one way) topples the pole quickly
        obs, _, term, trunc, _ = envs.step(np.zeros(3, np.int64))
        done = term | trunc
        if done.any():
            break
    assert done.any()
    final = obs.copy()
    with pytest.raises(AssertionError):
        envs.step(np.zeros(3, np.int64))     # a finished env must be reset first
    new_obs, _ = envs.reset(options={"reset_mask": done})
    assert not np.allclose(new_obs[done], final[done])          # fresh episodes where one ended
    np.testing.assert_array_equal(new_obs[~done], final[~done])  # the others untouched
    envs.close()
