"""By-hand check of `rivc-export format=netx` with lava-dl 0.6.0's own loader (not a dependency).

    .venv/bin/pip install --no-deps --ignore-requires-python --target /tmp/ldl lava-dl==0.6.0
    .venv/bin/rivc-export checkpoint=CKPT format=netx out=/tmp/policy.net
    .venv/bin/python scripts/check_netx_with_lava_dl.py CKPT /tmp/policy.net --lava-dl /tmp/ldl --n 30

lava-dl's `netx.hdf5.Network` builds plain LIF neurons (one reset phase for all layers, none by
default), so on a fresh network a hidden layer also integrates its bias in the steps before its
input arrives, unlike the framework's per-layer LIFReset windows. The emulator runs that same
protocol (reset phases disabled) and must equal lava-dl's network in every voltage and spike at
every step and layer (Loihi2SimCfg, fixed_pt). The script also counts how often the netx
network's action equals the deployed policy's. lava-dl's slayer imports cv2/torchvision for
object detection helpers netx never calls; they are stubbed here."""
from __future__ import annotations

import argparse
import importlib.abc
import importlib.machinery
import sys
import types

import numpy as np


class _Stub(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return type(name, (), {"__init__": lambda self, *a, **k: None})


class _StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    PREFIXES = ("cv2", "torchvision", "PIL")

    def find_spec(self, fullname, path, target=None):
        if fullname.split(".")[0] in self.PREFIXES:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        module = _Stub(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("checkpoint")
    ap.add_argument("netx_file")
    ap.add_argument("--lava-dl", default="/tmp/ldl", help="directory lava-dl 0.6.0 was installed into (--target)")
    ap.add_argument("--n", type=int, default=30, help="random observations, one fresh network each")
    args = ap.parse_args()

    from neurochip.emulator import Emulator, emulator_for
    from neurochip.lava_backend import import_lava
    from rivc.checkpoint import load_checkpoint
    from rivc.convert import convert, encode

    RunSteps, Loihi2SimCfg, _, RingBuffer, _, Monitor = import_lava()
    import lava

    lava.__path__.append(f"{args.lava_dl}/lava")
    sys.meta_path.insert(0, _StubFinder())
    from lava.lib.dl import netx

    spec = convert(load_checkpoint(args.checkpoint).net)
    P = spec.steps_per_inference
    xs = encode(spec, np.random.default_rng(0).uniform(-1, 1, (args.n, spec.layers[0].n_in)))
    v_policy, _ = emulator_for(spec).infer(xs)
    identical = same_action = 0
    for k, x in enumerate(xs):
        emu = Emulator(spec)
        emu.offsets = [None] * len(spec.layers)            # lava-dl's LIF: no reset phase
        trace = emu.run_sequence(x[None, None, :])
        net = netx.hdf5.Network(net_config=args.netx_file, input_message_bits=8)
        src = RingBuffer(data=np.tile(x[:, None], (1, P)).astype(np.int32))
        src.s_out.connect(net.inp)
        monitors = []
        for layer in net.layers:
            mv, ms = Monitor(), Monitor()
            mv.probe(layer.neuron.v, P)
            ms.probe(layer.neuron.s_out, P)
            monitors.append((mv, ms, layer.neuron.name))
        try:
            net.run(condition=RunSteps(P), run_cfg=Loihi2SimCfg(select_tag="fixed_pt"))
            ok = True
            for i, (mv, ms, name) in enumerate(monitors):
                ok &= np.array_equal(np.asarray(mv.get_data()[name]["v"], np.int64), trace.voltages[i][:, 0])
                ok &= np.array_equal(np.asarray(ms.get_data()[name]["s_out"], np.int64), trace.spikes[i][:, 0])
        finally:
            net.stop()
        identical += int(ok)
        same_action += int(trace.voltages[-1][-1, 0].argmax() == v_policy[k].argmax())
    print(f"{len(xs)} observations: lava-dl netx run == emulator (same protocol), every step and layer: "
          f"{identical}/{len(xs)}; netx action == deployed policy's action: {same_action}/{len(xs)}")


if __name__ == "__main__":
    main()
