import numpy as np
import pytest

from spec_factory import random_spec
from neurochip.ir import NetworkSpec, SpecError


def test_save_load_roundtrip(tmp_path):
    spec = random_spec(np.random.default_rng(0))
    path = spec.save(tmp_path / "net.spec")
    back = NetworkSpec.load(path)
    assert back.timesteps == spec.timesteps and len(back.layers) == len(spec.layers)
    for a, b in zip(spec.layers, back.layers):
        np.testing.assert_array_equal(a.weights, b.weights)
        np.testing.assert_array_equal(a.bias_mant, b.bias_mant)
        assert (a.vth, a.du, a.dv, a.weight_exp, a.spiking) == (b.vth, b.du, b.dv, b.weight_exp, b.spiking)


@pytest.mark.parametrize("field,value,message", [
    ("vth", 200_000, "vth must be in [0, 131071], got 200000"),
    ("du", 5000, "du must be in [0, 4095], got 5000"),
    ("bias_exp", 9, "bias_exp must be in [0, 7], got 9"),
])
def test_validate_names_layer_field_range_value(field, value, message):
    spec = random_spec(np.random.default_rng(1))
    setattr(spec.layers[0], field, value)
    with pytest.raises(SpecError) as err:
        spec.validate()
    assert str(err.value) == f"layer l0: {message}"


def test_validate_rejects_weights_beyond_8_bits():
    spec = random_spec(np.random.default_rng(2))
    spec.layers[0].weights[0, 0] = 300
    with pytest.raises(SpecError, match=r"layer l0: weights must be in \[-256, 255\], got 300"):
        spec.validate()


def test_corrupt_and_foreign_files_are_refused(tmp_path):
    path = random_spec(np.random.default_rng(3)).save(tmp_path / "net.spec")
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    (tmp_path / "flipped.spec").write_bytes(bytes(data))
    with pytest.raises(SpecError, match="checksum"):
        NetworkSpec.load(tmp_path / "flipped.spec")
    (tmp_path / "junk.spec").write_bytes(b"not a spec at all")
    with pytest.raises(SpecError, match="corrupt"):
        NetworkSpec.load(tmp_path / "junk.spec")
    with pytest.raises(SpecError, match="does not exist"):
        NetworkSpec.load(tmp_path / "missing.spec")
