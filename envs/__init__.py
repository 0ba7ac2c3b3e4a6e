"""Tasks for the SNN policy: any Gymnasium id, with discretised actions and observations
scaled to the fixed range [-1, 1] that the SNN's 8-bit input layer encodes."""
from envs.wrappers import (DiscretizeActions, EnvError, ObservationScaling, ScaleObservation,
                           calibrate_observation_scaling, make_env, make_vector_env)

__all__ = ["DiscretizeActions", "EnvError", "ObservationScaling", "ScaleObservation",
           "calibrate_observation_scaling", "make_env", "make_vector_env"]
