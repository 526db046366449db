"""Data-parallel training on two CPU processes (gloo, 127.0.0.1), by torchrun."""

import math
import os
import re
import subprocess
import sys

import numpy as np
import pytest
import torch

import aembed

pytest.importorskip("accelerate")
WORKER = os.path.join(os.path.dirname(__file__), "distributed_worker.py")
TORCHRUN = os.path.join(os.path.dirname(sys.executable), "torchrun")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("ddp")
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "GLOO_SOCKET_IFNAME": "lo",
        "MASTER_ADDR": "127.0.0.1",
    }
    command = [TORCHRUN, "--standalone", "--nproc_per_node", "2", WORKER, str(out)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    reports = [torch.load(out / f"rank{r}.pt", weights_only=False) for r in (0, 1)]
    return out, reports


KEYS = [f"{name}-{weight}" for name in ("dae", "vae", "vqvae") for weight in (0.0, 0.5)]


@pytest.mark.slow
@pytest.mark.parametrize("key", KEYS)
def test_both_ranks_end_with_the_same_model_and_history(runs, key):
    _, (zero, one) = runs
    a, b = zero[key], one[key]
    assert a["state"].keys() == b["state"].keys()
    for name in a["state"]:  # weights and the VQ-VAE's codebook buffers
        torch.testing.assert_close(a["state"][name], b["state"][name], rtol=0, atol=0)
    np.testing.assert_array_equal(a["history"], b["history"])
    np.testing.assert_array_equal(a["dur"], b["dur"])
    np.testing.assert_array_equal(a["Z"], b["Z"])
    assert a["plain"] and b["plain"] and a["pickles"]


@pytest.mark.slow
def test_rows_read_in_blocks_are_shared_between_ranks(runs):
    # 250 rows in 13 blocks of 20 (the last of 10): 7 blocks each after
    # padding, 140 rows for the larger share, in batches of 32.
    _, (zero, one) = runs
    a, b = zero["streamed"], one["streamed"]
    for name in a["state"]:
        torch.testing.assert_close(a["state"][name], b["state"][name], rtol=0, atol=0)
    np.testing.assert_array_equal(a["history"], b["history"])
    assert a["batches"] == b["batches"] == [math.ceil(140 / 32)] * 3


@pytest.mark.slow
@pytest.mark.parametrize("key", KEYS)
def test_each_rank_runs_half_of_the_batches(runs, key):
    _, (zero, one) = runs
    expected = math.ceil(256 / (2 * 32))
    assert zero[key]["batches"] == one[key]["batches"] == [expected] * 3


@pytest.mark.slow
@pytest.mark.parametrize("key", KEYS)
def test_two_ranks_at_b_train_as_one_process_at_2b(runs, key):
    # Gradients averaged over two shares of a global batch are the global
    # batch's gradient, and the random draws are the global batch's: the
    # runs agree up to floating-point rounding, shuffled as they are. The
    # rounding grows over the steps (up to 2e-4 seen on embeddings spread
    # over about 1), far less than a wrong share or draw would change.
    _, (zero, _) = runs
    np.testing.assert_allclose(
        zero[key]["Z"], zero[key]["single"], rtol=1e-3, atol=1e-3
    )


# A known gap, found when the teacher layout became the neighbour mode's
# default: the second, warm partial_fit pass (whose teacher starts from the
# current map) ends up to 0.03 away from one process's. Strict, so that the
# fix is noticed.
PARTIAL_KEYS = [
    pytest.param(
        key,
        marks=pytest.mark.xfail(
            strict=True,
            reason="a warm partial_fit pass with the teacher layout is not yet "
            "data-parallel exact",
        ),
    )
    if not key.endswith("-0.0")
    else key
    for key in KEYS
]


@pytest.mark.slow
@pytest.mark.parametrize("key", PARTIAL_KEYS)
def test_two_ranks_partial_fit_as_one_process(runs, key):
    _, (zero, _) = runs
    np.testing.assert_allclose(
        zero[key]["partial"], zero[key]["single_partial"], rtol=1e-3, atol=1e-3
    )


@pytest.mark.slow
@pytest.mark.parametrize("key", KEYS)
def test_rank_zero_writes_a_plain_model(runs, key):
    out, (zero, _) = runs
    assert not (out / f"{key}-rank1.aembed").exists()
    loaded = aembed.load(out / f"{key}-rank0.aembed")
    from sklearn.datasets import load_digits

    X = load_digits(return_X_y=True)[0][:256].astype(np.float32)
    np.testing.assert_array_equal(loaded.transform(X), zero[key]["Z"])


def test_a_single_process_does_not_train_data_parallel():
    from sklearn.datasets import load_digits

    from aembed import DenoisingAEEmbedder

    X = load_digits(return_X_y=True)[0][:200]
    auto = DenoisingAEEmbedder(max_epochs=2, random_state=0).fit(X)
    off = DenoisingAEEmbedder(max_epochs=2, random_state=0, distributed=False).fit(X)
    np.testing.assert_array_equal(auto.transform(X), off.transform(X))
    with pytest.raises(ValueError, match="needs a script started by a launcher"):
        DenoisingAEEmbedder(max_epochs=1, distributed=True).fit(X)


@pytest.mark.slow
def test_the_gallery_script_runs_unchanged_under_torchrun(tmp_path):
    script = os.path.join(
        os.path.dirname(__file__), "..", "examples", "plot_10_data_parallel.py"
    )
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    env["GLOO_SOCKET_IFNAME"] = "lo"
    command = [TORCHRUN, "--standalone", "--nproc_per_node", "2", script]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=600, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line for line in done.stdout.splitlines() if "held-out" in line]
    scores = sorted(line.split(":", 1) for line in lines)
    assert [who for who, _ in scores] == ["process 0", "process 1"]
    assert scores[0][1] == scores[1][1]


MISMATCH_WORKER = """
import os, sys
import numpy as np
from sklearn.datasets import load_digits
from aembed import DenoisingAEEmbedder

rank = int(os.environ["RANK"])
X = load_digits(return_X_y=True)[0][:200]
case = sys.argv[1]
params = dict(max_epochs=2, hidden_layer_sizes=(8,), random_state=0)
if case == "rows":
    X = X[: 100 + 20 * rank]
elif case == "width":
    X = X[:, : 64 - rank]
elif case == "params":
    params["batch_size"] = 32 + rank
try:
    DenoisingAEEmbedder(**params).fit(X)
except ValueError as exc:
    print(f"process {rank} refused: {exc}", flush=True)
    sys.exit(3)
print(f"process {rank} trained", flush=True)
"""


@pytest.mark.parametrize(
    "case, named",
    [
        ("rows", "rows: 100 on process 0, 120 on process 1"),
        ("width", "features: 64 on process 0, 63 on process 1"),
        ("params", "parameter batch_size: 32 on process 0, 33 on process 1"),
    ],
)
def test_processes_that_disagree_fail_together_instead_of_hanging(
    tmp_path, case, named
):
    script = tmp_path / "worker.py"
    script.write_text(MISMATCH_WORKER)
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "GLOO_SOCKET_IFNAME": "lo",
        "MASTER_ADDR": "127.0.0.1",
    }
    command = [TORCHRUN, "--standalone", "--nproc_per_node", "2", str(script), case]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    # Both processes refuse (their lines may interleave), naming the difference.
    assert sorted(re.findall(r"process (\d) refused", done.stdout)) == ["0", "1"], (
        done.stdout + done.stderr[-2000:]
    )
    assert done.stdout.count(named) == 2
