"""The neurochip room: the integer network description and the backends that run it.

`ir` is the chip-level network (integers only), `emulator` a batched bit-exact mirror of
Lava's `fixed_pt` process models, `lava_backend` the reference on Lava's simulator.
This package never imports `rivc`.
"""
