"""Untrusted model files: refused cheaply, and with the reason.

A crafted file is loaded in a child process, whose peak memory (``ru_maxrss``)
is compared before and after: refusing it must cost little more than the
file's own size, whatever it declares.
"""

import os
import subprocess
import sys
import textwrap

import crafted_files
import pytest
import torch
from sklearn.datasets import load_digits

import aembed
from aembed import DenoisingAEEmbedder

MiB = 1 << 20

CHILD = textwrap.dedent(
    """
    import json, sys
    import aembed

    def status(field):
        with open("/proc/self/status") as f:
            line = next(x for x in f if x.startswith(field + ":"))
        return int(line.split()[1])  # kB

    aembed.load(sys.argv[2])  # warm up: imports, allocator
    before = status("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak (VmHWM) to the current size
    try:
        aembed.load(sys.argv[1])
        error = None
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    print(json.dumps({"growth_kib": status("VmHWM") - before, "error": error}))
    """
)
pytestmark = pytest.mark.skipif(
    not os.path.exists("/proc/self/clear_refs"), reason="measures memory as Linux does"
)


def peak_growth(path, honest):
    """Load ``path`` in a child process: (peak RSS growth in bytes, error)."""
    import json

    root = os.path.dirname(os.path.dirname(os.path.abspath(aembed.__file__)))
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(honest)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": root},
    ).stdout
    result = json.loads(out.splitlines()[-1])
    return result["growth_kib"] * 1024, result["error"]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    X, _ = load_digits(return_X_y=True)
    est = DenoisingAEEmbedder(max_epochs=1, hidden_layer_sizes=(16,), random_state=0)
    path = tmp_path_factory.mktemp("model") / "honest.aembed"
    est.fit(X[:100]).save(path)
    return path


@pytest.fixture
def copy(saved, tmp_path):
    path = tmp_path / "crafted.aembed"
    path.write_bytes(saved.read_bytes())
    return path


def test_a_zip_bomb_is_refused_before_it_inflates(saved, copy):
    crafted_files.zip_bomb(copy, 256 * MiB)
    assert os.path.getsize(copy) < MiB
    growth, error = peak_growth(copy, saved)
    assert growth < 32 * MiB
    assert error is not None and "are not compressed" in error


def test_a_zero_stride_tensor_is_refused_before_it_expands(saved, copy):
    crafted_files.zero_stride(copy, 64 * MiB)  # 256 MiB as float32
    growth, error = peak_growth(copy, saved)
    assert growth < 32 * MiB
    assert error is not None and "contiguous tensors only" in error


def test_edited_layer_sizes_are_refused_before_the_network_is_built(saved, copy):
    crafted_files.wide_network(copy, 4000)  # two 4000 x 4000 layers: 128 MB
    growth, error = peak_growth(copy, saved)
    assert growth < 32 * MiB
    assert error is not None and "recorded network has 32," in error


def test_an_unknown_attribute_is_refused(copy):
    def add(data):
        data["body"]["attributes"]["values"]["backdoor_"] = 1

    crafted_files.edit(copy, add)
    with pytest.raises(ValueError, match="'backdoor_' is not a fitted attribute"):
        aembed.load(copy)


def test_shared_references_are_refused_before_they_are_walked(copy):
    # A billion laughs: each list holds the previous one twice, so walking
    # the 60 small lists would visit 2**60 of them.
    def laugh(data):
        node = []
        for _ in range(60):
            node = [node, node]
        data["body"]["history"]["laughs"] = node

    crafted_files.edit(copy, laugh, checksum=False)
    with pytest.raises(ValueError, match="exceeds its .* bytes"):
        aembed.load(copy)


def test_compressed_members_are_refused(copy):
    crafted_files.deflate(copy)
    with pytest.raises(ValueError, match="are not compressed"):
        aembed.load(copy)


class System:
    def __reduce__(self):
        return (os.system, ("echo the payload ran",))


def test_a_file_with_code_says_so_and_gives_no_unsafe_advice(copy):
    def plant(data):
        data["body"]["params"]["callbacks"] = System()

    crafted_files.edit(copy, plant, checksum=False)
    with pytest.raises(ValueError) as info:
        aembed.load(copy)
    message = str(info.value)
    assert "holds code and will not be loaded" in message
    assert "system" in message
    assert "weights_only" not in message and "truncated" not in message
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_the_unreadable_message_never_passes_on_torchs_advice(copy):
    # A pickle cut short inside the archive: damaged, not tampered with.
    import zipfile

    with zipfile.ZipFile(copy) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    name = next(k for k in members if k.endswith("data.pkl"))
    members[name] = members[name][: len(members[name]) // 2]
    with zipfile.ZipFile(copy, "w") as z:
        for k, v in members.items():
            z.writestr(k, v)
    with pytest.raises(ValueError, match="truncated or corrupted") as info:
        aembed.load(copy)
    assert "weights_only" not in str(info.value)


def test_an_honest_file_still_loads(saved):
    est = aembed.load(saved)
    assert est.transform(load_digits().data[:3]).shape == (3, 2)
    assert torch.is_tensor(est.net_.module_.state_dict()["encoder.0.weight"])


@pytest.mark.parametrize(
    "name, value",
    [("input_offset_", torch.zeros(1)), ("input_scale_", torch.ones(63))],
)
def test_per_feature_attributes_of_the_wrong_width_are_refused(copy, name, value):
    # A length-1 offset broadcast silently: the model loaded and transformed.
    def narrow(data):
        data["body"]["attributes"]["arrays"][name] = value

    crafted_files.edit(copy, narrow)
    with pytest.raises(ValueError, match=f"{name} has shape \\({value.numel()},\\)"):
        aembed.load(copy)
