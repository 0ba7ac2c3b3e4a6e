"""Writing a NetworkSpec in the formats the ecosystem reads: lava-dl netx HDF5 and NIR.

Both describe the rate scheme (binary spikes, integrate-and-fire neurons that reset to zero,
a non-spiking readout) in the spec's own integer units: one unit of synaptic current is one
weight unit (Lava adds `a_in << 6` and compares `v > vth << 6`, so dividing voltages by 64
gives these units). The graded scheme is not exported: its per-inference clear of the
SigmaDelta state (see neurochip.emulator_graded) has no counterpart in netx's SDNN blocks or
in NIR.

netx (`lava.lib.dl.netx.hdf5.Network`, lava-dl 0.6.0): `layer/<i>/` holds `type` = "dense",
`shape`, `inFeatures`, `outFeatures`, `weight` (out, in) as the *effective* integer weights
(netx's `optimize_weight_bits` chooses its own mantissa and exponent from them, which for
integer weights is exact), `bias` (per step, in current units; netx's CUBA neuron uses
bias_exp = 6), and `neuron/` with `type` = "CUBA", `iDecay` = du + 1, `vDecay` = dv,
`vThMant` = vth, `refDelay` = 1, `gradedSpike` = 0. `simulation/{Ts, tSample}` = 1 and the
steps one observation occupies. The first layer's input is graded (`has_graded_input=True`).

NIR (PyPI `nir`): Input -> (Affine -> LIF)* -> Affine -> Output, integer-valued float weights.
The hidden neurons are integrate-and-fire: NIR's LIF with no leak (tau = 1e30, so that
1 - dt/tau rounds to 1 in floating point for any dt >= 1e-12) and r = tau / dt for dt = 1e-4,
the time step snnTorch's importer assumes, so one input unit adds one unit of voltage;
v_threshold = vth and reset to zero (snnTorch's importer reads LIF that way; its IF import
uses a leak of 0.9). The readout Affine's output, summed over the T steps of an inference, is
`W n + T b` = the readout voltage / 64.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from neurochip.ir import LayerSpec, NetworkSpec, SpecError, exactly_shifted_weights

NIR_TAU = 1e30
NIR_DT = 1e-4


def require_integrate_and_fire(spec: NetworkSpec, what: str, integer_bias: bool = True) -> None:
    """SpecError unless `spec` is a rate network of integrate-and-fire layers (du 4095, dv 0),
    which is what netx/NIR files and the snnTorch backend describe; `integer_bias`: also
    bias_exp >= 6 (a whole number of current units per step, as the file formats store it)."""
    if spec.scheme != "rate":
        raise SpecError(f"{what} supports the rate scheme, got a {spec.scheme!r} spec (its per-inference "
                        f"clear of SigmaDelta state has no counterpart there); export format=spec instead")
    for layer in spec.layers:
        if layer.du != 4095 or layer.dv != 0 or (integer_bias and layer.bias_exp < 6):
            raise SpecError(f"{what} needs integrate-and-fire layers (du 4095, dv 0"
                            f"{', bias_exp >= 6' if integer_bias else ''}); layer {layer.name} has du {layer.du}, "
                            f"dv {layer.dv}, bias_exp {layer.bias_exp}")


def current_units(layer: LayerSpec) -> tuple[np.ndarray, np.ndarray]:
    """(weights (out, in) int64, bias (out,) float64) in current units, exactly what the layer
    adds per step (conv kernels unrolled); SpecError if Lava's weight shift is not exact on these weights."""
    w = exactly_shifted_weights(layer)
    if w is None:
        raise SpecError(f"layer {layer.name}: weights are not multiples of 2^{-layer.weight_exp}, so "
                        f"weight_exp {layer.weight_exp} rounds per step and has no exact export")
    return layer.dense_weights(w), layer.bias_mant.astype(np.float64) * 2.0 ** (layer.bias_exp - 6)   # exact binary fractions


def write_netx(spec: NetworkSpec, path: str | os.PathLike) -> Path:
    """Write the spec as a lava-dl netx HDF5 file (atomically)."""
    import h5py

    require_integrate_and_fire(spec, "netx export")
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    with h5py.File(tmp, "w") as f:
        sim = f.create_group("simulation")
        sim.create_dataset("Ts", data=1)
        sim.create_dataset("tSample", data=spec.steps_per_inference)
        for i, layer in enumerate(spec.layers):
            w, b = current_units(layer)
            g = f.create_group(f"layer/{i}")
            g.create_dataset("type", data=np.bytes_("dense"))
            g.create_dataset("shape", data=np.array([layer.n_out]))
            g.create_dataset("inFeatures", data=layer.n_in)
            g.create_dataset("outFeatures", data=layer.n_out)
            g.create_dataset("weight", data=w.astype(np.float32))
            g.create_dataset("bias", data=b.astype(np.float32))
            n = g.create_group("neuron")
            n.create_dataset("type", data=np.bytes_("CUBA"))
            n.create_dataset("iDecay", data=layer.du + 1)
            n.create_dataset("vDecay", data=layer.dv)
            n.create_dataset("vThMant", data=layer.vth)
            n.create_dataset("refDelay", data=1)
            n.create_dataset("gradedSpike", data=0)
    os.replace(tmp, path)
    return path


def read_netx(path: str | os.PathLike, input_bits: int = 8) -> NetworkSpec:
    """A netx HDF5 file of dense CUBA layers as a rate NetworkSpec (even mantissas, weight_exp
    -1, bias_exp 6: the converter's encoding); the last layer is the non-spiking readout."""
    import h5py

    with h5py.File(path, "r") as f:
        t_sample = int(f["simulation/tSample"][()])
        groups = [f[f"layer/{i}"] for i in range(len(f["layer"]))]
        layers = []
        for i, g in enumerate(groups):
            if g["type"][()].decode() != "dense" or g["neuron/type"][()].decode() != "CUBA":
                raise SpecError(f"{path}: layer {i} is not a dense CUBA layer")
            last = i == len(groups) - 1
            layers.append(LayerSpec(
                name=f"layer{i}", weights=(2 * g["weight"][()].astype(np.int64)).astype(np.int32), weight_exp=-1,
                bias_mant=g["bias"][()].astype(np.int32), bias_exp=6, vth=int(g["neuron/vThMant"][()]),
                du=int(g["neuron/iDecay"][()]) - 1, dv=int(g["neuron/vDecay"][()]),
                num_message_bits=input_bits if i == 0 else 0, spiking=not last))
    return NetworkSpec(layers=layers, timesteps=t_sample - len(layers), input_bits=input_bits).validate()


def to_nir(spec: NetworkSpec):
    """The spec as a `nir.NIRGraph` (see the module docstring for the units and neuron model)."""
    import nir

    require_integrate_and_fire(spec, "nir export")
    nodes = {"input": nir.Input(input_type={"input": np.array([spec.layers[0].n_in])})}
    edges, prev = [], "input"
    for i, layer in enumerate(spec.layers):
        w, b = current_units(layer)
        nodes[f"fc{i}"] = nir.Affine(weight=w.astype(np.float32), bias=b.astype(np.float32))
        edges.append((prev, f"fc{i}"))
        prev = f"fc{i}"
        if layer.spiking:
            n = layer.n_out
            nodes[f"lif{i}"] = nir.LIF(tau=np.full(n, NIR_TAU), r=np.full(n, NIR_TAU / NIR_DT),
                                       v_leak=np.zeros(n), v_threshold=np.full(n, float(layer.vth)),
                                       v_reset=np.zeros(n))
            edges.append((prev, f"lif{i}"))
            prev = f"lif{i}"
    nodes["output"] = nir.Output(output_type={"output": np.array([spec.layers[-1].n_out])})
    edges.append((prev, "output"))
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata={"timesteps": spec.timesteps,
                                                            "output_scale": spec.output_scale,
                                                            "input_scale": spec.input_scale})
