"""Make lava-nc 0.10.0 importable on Python >= 3.11, without touching files on disk.

On 3.11 `lava.magma.compiler.var_model` fails at import: its dataclasses use `ByteEncoder()`
instances as field defaults, which 3.11 rejects as mutable defaults. We install a meta-path
finder that rewrites those defaults to `field(default_factory=ByteEncoder)` as the module's
source is loaded (see docs/lava.md). Importing Lava also sets the multiprocessing start
method to 'fork', which raises if anything set it first: `forced_fork_start_method` lets it.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import contextlib
import multiprocessing
import sys

_TARGET = "lava.magma.compiler.var_model"


class _VarModelLoader(importlib.machinery.SourceFileLoader):
    """Source loader that patches the mutable dataclass defaults before compiling."""

    def get_data(self, path: str) -> bytes:  # noqa: D401 - loader protocol
        data = super().get_data(path)
        if path.endswith(".py"):
            text = data.decode("utf-8")
            text = text.replace("ByteEncoder = ByteEncoder()", "ByteEncoder = field(default_factory=ByteEncoder)")
            text = text.replace("from dataclasses import dataclass, InitVar",
                                "from dataclasses import dataclass, InitVar, field")
            data = text.encode("utf-8")
        return data

    def path_stats(self, path: str):  # never use a cached .pyc of the unpatched source
        raise OSError


class _VarModelFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname != _TARGET:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.origin and spec.origin.endswith(".py"):
                spec.loader = _VarModelLoader(fullname, spec.origin)
                return spec
        return None


def install() -> None:
    """Install the import hook (idempotent). Call before the first `import lava`."""
    if sys.version_info >= (3, 11) and not any(isinstance(f, _VarModelFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _VarModelFinder())


@contextlib.contextmanager
def forced_fork_start_method():
    """While Lava is first imported, let its `set_start_method('fork')` succeed even if another
    library (e.g. one that created a multiprocessing context) already fixed the start method."""
    original = multiprocessing.set_start_method

    def set_start_method(method, force=False):
        original(method, force=True)

    multiprocessing.set_start_method = set_start_method
    try:
        yield
    finally:
        multiprocessing.set_start_method = original
