"""Frame-based vision task: a MuJoCo robot observed only through rendered camera frames.

`RIVC/PixelInvertedPendulum-v0` is Gymnasium's InvertedPendulum-v5 (same dynamics, reward,
termination and 1000-step limit) whose observation is the last `stack` grey frames of a side
camera that follows the cart: (stack, size, size) uint8, rendered offscreen by MuJoCo
(`MUJOCO_GL=egl`, set by `envs` unless the user chose another backend). Following the cart
makes the pole large (about 12 x 2 pixels at 32 x 32); the cart's position on the rail is seen
from static markers under the rail (envs/assets/pixel_inverted_pendulum.xml: every 0.25 m,
taller to the right; visual only, they neither collide nor belong to a moving body, so the
dynamics are InvertedPendulum-v5's). Two frames carry the velocities. The scene is dark with
a bright cart, pole and markers; `gain` scales the grey levels (clipped at 255).

make_env flattens the frames to a vector of stack * size * size values in [0, 1] (u8 / 255):
black is 0, so the chip's graded input layer only receives the lit pixels.
"""
from __future__ import annotations

from collections import deque
from pathlib import Path

import gymnasium as gym
import numpy as np

MODEL_XML = Path(__file__).parent / "assets" / "pixel_inverted_pendulum.xml"
# A side view that tracks the cart (body 1): about +-0.55 m of rail, the 0.6 m pole and the markers.
SIDE_CAMERA = {"trackbodyid": 1, "distance": 1.3, "lookat": np.array([0.0, 0.0, 0.15]), "elevation": 0.0,
               "azimuth": 90.0}
GREY = np.array([0.299, 0.587, 0.114])      # ITU-R 601 luma


class PixelFrames(gym.Wrapper):
    """Replaces the observation with the last `stack` rendered grey frames, (stack, H, W) uint8.
    At reset the first frame fills the stack."""

    def __init__(self, env: gym.Env, stack: int = 2, gain: float = 2.0):
        super().__init__(env)
        if env.render_mode != "rgb_array":
            raise ValueError("PixelFrames needs an env made with render_mode='rgb_array'")
        self.stack, self.gain = int(stack), float(gain)
        h, w = env.unwrapped.height, env.unwrapped.width
        self.observation_space = gym.spaces.Box(0, 255, (self.stack, h, w), np.uint8)
        self._frames: deque = deque(maxlen=self.stack)

    def _frame(self) -> np.ndarray:
        rgb = self.env.render().astype(np.float64)
        return np.clip(np.rint((rgb @ GREY) * self.gain), 0, 255).astype(np.uint8)

    def _observation(self) -> np.ndarray:
        return np.stack(self._frames)

    def reset(self, **kwargs):
        _, info = self.env.reset(**kwargs)
        frame = self._frame()
        self._frames.extend([frame] * self.stack)
        return self._observation(), info

    def step(self, action):
        _, reward, terminated, truncated, info = self.env.step(action)
        self._frames.append(self._frame())
        return self._observation(), reward, terminated, truncated, info


def pixel_inverted_pendulum(size: int = 32, stack: int = 2, gain: float = 2.0, **kwargs) -> gym.Env:
    """InvertedPendulum-v5 seen through `stack` grey size x size frames of the side camera."""
    env = gym.make("InvertedPendulum-v5", xml_file=str(MODEL_XML), render_mode="rgb_array", width=size,
                   height=size, default_camera_config=SIDE_CAMERA, **kwargs)
    return PixelFrames(env, stack, gain)
