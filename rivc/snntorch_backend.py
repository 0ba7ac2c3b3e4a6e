"""The converted rate SNN as snnTorch modules (floating point), batched, on any torch device.

Same network as Lava's: per hidden layer a Linear with the spec's integer weights and bias in
current units (neurochip.export.current_units) and a `snn.Leaky` with beta = 1 (no leak),
threshold vth and reset to zero in the same step (`reset_delay=False`), i.e. Lava's
integrate-and-fire; the readout Linear's output is summed over the T steps of an inference.
Lava's one-step Dense delay shifts each layer's window but not its spike counts, so the readout
equals Lava's voltage / 64 whenever the floating-point sums stay exact (below 2^24 in float32).
"""
from __future__ import annotations

import numpy as np
import snntorch as snn
import torch
from torch import nn

from neurochip.export import current_units, require_integrate_and_fire
from neurochip.ir import NetworkSpec


class SnnTorchNetwork(nn.Module):
    """NetworkSpec (rate) -> snnTorch. `infer(x_int)` returns the readout in voltage units like
    the emulator's (B, n_actions) and the hidden spike counts."""

    def __init__(self, spec: NetworkSpec, device: str | torch.device = "cpu", dtype=torch.float32):
        super().__init__()
        require_integrate_and_fire(spec, "backend=snntorch", integer_bias=False)
        self.spec = spec
        self.linears = nn.ModuleList()
        self.neurons = nn.ModuleList()
        for layer in spec.layers:
            w, b = current_units(layer)
            lin = nn.Linear(layer.n_in, layer.n_out)
            lin.weight.data = torch.as_tensor(w, dtype=dtype)
            lin.bias.data = torch.as_tensor(b, dtype=dtype)
            self.linears.append(lin)
            if layer.spiking:
                self.neurons.append(snn.Leaky(beta=1.0, threshold=float(layer.vth), reset_mechanism="zero",
                                              reset_delay=False))
        self.to(device=device, dtype=dtype)
        self.device, self.dtype = torch.device(device), dtype

    @torch.no_grad()
    def infer(self, x_int: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """x_int: (B, n_in) int. Returns (readout (B, n_actions) float64 in voltage units, counts)."""
        x = torch.as_tensor(np.asarray(x_int), dtype=self.dtype, device=self.device)
        mems = [neuron.init_leaky() for neuron in self.neurons]
        counts = [torch.zeros(x.shape[0], layer.n_out, dtype=self.dtype, device=self.device)
                  for layer in self.spec.layers[:-1]]
        out = torch.zeros(x.shape[0], self.spec.layers[-1].n_out, dtype=self.dtype, device=self.device)
        for _ in range(self.spec.timesteps):
            s = x
            for i, neuron in enumerate(self.neurons):
                s, mems[i] = neuron(self.linears[i](s), mems[i])
                s = s.to(self.dtype)                 # snnTorch's spike function returns float32
                counts[i] += s
            out += self.linears[-1](s)
        return (64.0 * out.double()).cpu().numpy(), [c.long().cpu().numpy() for c in counts]
