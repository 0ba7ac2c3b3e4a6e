"""RIVC: quantization-aware value learning whose converted SNN collects its own rollouts."""
