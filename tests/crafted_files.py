"""Model files crafted as an attacker would, from an honest one.

Used by ``tests/test_load_refusal.py`` and ``benchmarks/bench_load_refusal.py``.
Each function takes the path of a file written by ``save`` and rewrites it.
"""

import shutil
import zipfile

import torch

from aembed import _persistence


def edit(path, change, checksum=True):
    """Apply ``change`` to the file's content; recompute its checksum."""
    data = torch.load(path, weights_only=True)
    change(data)
    if checksum:
        data["sha256"] = _persistence._sha256(
            {k: v for k, v in data.items() if k != "sha256"}
        )
    torch.save(data, path)


def zip_bomb(path, n_bytes):
    """A file whose archive inflates to about ``n_bytes`` in ``torch.load``.

    The zeros are an extra array in the body, under a valid checksum; the
    archive, compressed, is about a thousandth of that.
    """

    def grow(data):
        # calloc'd zeros: writing them out does not touch physical memory.
        data["body"]["attributes"]["arrays"]["input_scale_"] = torch.zeros(
            n_bytes, dtype=torch.uint8
        )

    edit(path, grow, checksum=False)
    deflate(path)


def deflate(path):
    """Compress the archive's members (zipfile's deflate, streamed)."""
    packed = f"{path}.zip"
    with (
        zipfile.ZipFile(path) as src,
        zipfile.ZipFile(
            packed, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9
        ) as dst,
    ):
        for info in src.infolist():
            with (
                src.open(info) as fin,
                dst.open(info.filename, "w", force_zip64=True) as fout,
            ):
                shutil.copyfileobj(fin, fout, 1 << 24)
    shutil.move(packed, path)


def zero_stride(path, n_values):
    """A file with an array of ``n_values`` float32 stored as one value."""

    def expand(data):
        data["body"]["attributes"]["arrays"]["input_scale_"] = torch.ones(1).expand(
            n_values
        )

    edit(path, expand, checksum=False)


def wide_network(path, width):
    """A file whose recorded hidden layers are ``width`` wide, checksum valid."""

    def widen(data):
        network = data["body"]["attributes"]["values"]["_network_"]
        network["hidden_layer_sizes"] = (width, width)

    edit(path, widen)
