"""Memory that refusing a crafted model file costs: the file's size, not its claims.

Three files are crafted from an honest one, as an attacker would: an archive
of about 1 MB whose member inflates to 1 GiB, a tensor of 2 GB stored as one
value with a zero stride, and recorded hidden layers edited to 16,000 wide
(a network of about 2 GB). Each is loaded by a fresh Python process, after
an honest file has been loaded there (imports, allocator), and the growth of
its peak resident memory during the refused ``aembed.load`` is read from
VmHWM in /proc/self/status after resetting it (``echo 5 >
/proc/self/clear_refs``; Linux only). The honest file's load is measured the
same way for reference.

    python benchmarks/bench_load_refusal.py
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import _common
from sklearn.datasets import load_digits

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
import crafted_files  # noqa: E402
from test_load_refusal import CHILD  # noqa: E402

from aembed import DenoisingAEEmbedder  # noqa: E402

MB = 2**20


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    _common.add_common_args(parser)
    args = parser.parse_args()
    _common.print_header("Peak memory of refusing crafted model files", args)
    scale = 64 if args.quick else 1
    X, _ = load_digits(return_X_y=True)
    with tempfile.TemporaryDirectory() as folder:
        honest = os.path.join(folder, "honest.aembed")
        DenoisingAEEmbedder(max_epochs=1, random_state=0).fit(X[:200]).save(honest)
        cases = [
            ("honest file (reference)", None, None),
            ("zip bomb, 1 GiB inflated", crafted_files.zip_bomb, 1024 * MB // scale),
            ("zero stride, 2 GB", crafted_files.zero_stride, 512 * MB // scale),
            ("layers 16,000 wide", crafted_files.wide_network, 16000 // scale),
        ]
        print(f"{'file':<28}{'size (kB)':>12}{'peak RSS growth (MB)':>24}  outcome")
        for label, craft, arg in cases:
            path = os.path.join(folder, "crafted.aembed")
            shutil.copy(honest, path)
            if craft is not None:
                craft(path, arg)
            out = subprocess.run(
                [sys.executable, "-c", CHILD, path, honest],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            result = json.loads(out.splitlines()[-1])
            outcome = (result["error"] or "loaded").replace(repr(path), "FILE")[:70]
            print(
                f"{label:<28}{os.path.getsize(path) / 1e3:>12,.0f}"
                f"{result['growth_kib'] / 1024:>24.1f}  {outcome}"
            )
    _common.print_footer()


if __name__ == "__main__":
    main()
