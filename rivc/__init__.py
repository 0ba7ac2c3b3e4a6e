"""RIVC: quantization-aware value learning whose converted SNN collects its own rollouts.

    import rivc
    result = rivc.train("CartPole-v1", seed=0, overrides=["train.env_steps=20000"], run_dir="runs/cartpole")
    with rivc.Policy.load(result.checkpoint, backend="lava") as policy:
        action = policy.act(obs)
"""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("rivc")
except PackageNotFoundError:          # a source tree that is not installed
    __version__ = "0.0.0+unknown"


def __getattr__(name):
    """rivc.train, rivc.Policy, ... load their modules (torch, Hydra) on first use."""
    if name in ("train", "deploy", "export", "power", "compose_train_config", "TrainResult"):
        from rivc import api

        return getattr(api, name)
    if name == "Policy":
        from rivc.policy import Policy

        return Policy
    if name in ("ConfigError", "TrainRunConfig"):
        from rivc import config

        return getattr(config, name)
    raise AttributeError(f"module 'rivc' has no attribute {name!r}")


__all__ = ["ConfigError", "Policy", "TrainResult", "TrainRunConfig", "__version__", "compose_train_config",
           "deploy", "export", "power", "train"]
