"""tools/readme_table.py: the README's table from a run of its own command."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tools" / "readme_table.py"
# A small run of the same command line, so that the test takes seconds.
COMMAND = (
    "aembed compare --dataset digits --max-samples 300 --methods pca,dae "
    "--max-epochs 1 --sweep 2,3 --no-animation --no-interactive"
)


def _script(*args):
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


def test_the_table_is_written_from_a_run_and_checked_against_another(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(
        f"# x\n\nBefore.\n\n<!-- results-table: {COMMAND} -->\nstale\n"
        "<!-- /results-table -->\n\nAfter.\n"
    )
    out = tmp_path / "report"
    subprocess.run(
        [sys.executable, "-m", "aembed", *COMMAND.split()[1:], "--out", out],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    written = _script("--readme", readme, "--from", out)
    assert written.returncode == 0, written.stderr
    text = readme.read_text()
    assert text.startswith("# x\n\nBefore.\n\n") and text.endswith("\n\nAfter.\n")
    assert "stale" not in text
    assert "| PCA | held-out |" in text and "| DenoisingAEEmbedder | held-out |" in text
    assert "latent-size sweep gives held-out MSE" in text and "(2), " in text
    assert "fit time" not in text  # times depend on the machine
    assert "Made with PyTorch " in text  # the stack it is bit-identical on
    # A fresh run of the block's own command gives the same block, to the digit.
    checked = _script("--readme", readme, "--check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # Any other number is caught, with the difference shown.
    row = next(line for line in text.splitlines() if line.startswith("| PCA |"))
    cells = row.split(" | ")
    cells[2] = "0.999"
    readme.write_text(text.replace(row, " | ".join(cells)))
    stale = _script("--readme", readme, "--check", "--from", out)
    assert stale.returncode == 1
    assert "-" + " | ".join(cells) in stale.stdout and "+" + row in stale.stdout
    assert readme.read_text() != text  # --check writes nothing


def test_a_table_made_on_another_stack_is_not_compared(tmp_path):
    readme = tmp_path / "README.md"
    body = "| PCA | held-out | 0.999 |\n\nMade with PyTorch 0.0 (NONE), numpy 0.\n"
    readme.write_text(
        f"<!-- results-table: {COMMAND} -->\n{body}<!-- /results-table -->\n"
    )
    result = _script("--readme", readme, "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "made with PyTorch 0.0 (NONE), numpy 0" in result.stdout
    assert "nothing is compared" in result.stdout


def test_the_readme_has_the_block_and_ci_checks_it():
    text = (ROOT / "README.md").read_text()
    assert "<!-- results-table: aembed compare -->" in text
    assert "<!-- /results-table -->" in text
    assert "tools/readme_table.py --check" in (ROOT / ".ci" / "run").read_text()


def test_a_readme_without_the_block_is_a_clear_error(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# x\n")
    result = _script("--readme", readme, "--check")
    assert result.returncode == 1 and "results-table" in result.stderr


def test_results_do_not_depend_on_the_thread_count(digit_pixels):
    # The README promises bit-identical results on a CPU whatever the number
    # of threads: the report's table is checked on machines with any count.
    import numpy as np
    import torch

    from aembed import DenoisingAEEmbedder

    X, _ = digit_pixels
    before = torch.get_num_threads()
    embeddings = []
    try:
        for n_threads in (1, 3):
            torch.set_num_threads(n_threads)
            est = DenoisingAEEmbedder(max_epochs=2, batch_size=64, random_state=0)
            embeddings.append(est.fit(X).transform(X))
    finally:
        torch.set_num_threads(before)
    np.testing.assert_array_equal(embeddings[0], embeddings[1])
