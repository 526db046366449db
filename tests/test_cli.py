"""The command line's conventions, and misuse refused before any fitting."""

import argparse

import numpy as np
import pandas as pd
import pytest

from aembed import __version__
from aembed.cli import build_parser, in_cli_terms, main
from aembed.compare import _fitting, _methods, _pool


@pytest.fixture
def no_fitting(monkeypatch):
    """Fail the test if any method is fitted."""

    def fit_method(*args, **kwargs):
        raise AssertionError("a method was fitted before the error")

    monkeypatch.setattr(_fitting, "fit_method", fit_method)
    monkeypatch.setattr(_pool, "warm_up_methods", fit_method)


def _subparser(parser, name):
    action = next(
        a for a in parser._actions if isinstance(a, argparse._SubParsersAction)
    )
    return action.choices[name]


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"aembed {__version__}"


def test_bare_command_prints_help(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "usage: aembed" in out and "compare" in out


def test_every_option_has_help_and_shows_its_default(capsys):
    compare = _subparser(build_parser(), "compare")
    options = [a for a in compare._actions if a.option_strings and a.dest != "help"]
    assert len(options) >= 15
    for action in options:
        assert action.help and len(action.help) > 10, action.dest
        formatter = compare.formatter_class(prog="aembed compare")
        assert "(default: %(default)s)" in formatter._get_help_string(action)
    with pytest.raises(SystemExit):
        main(["compare", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert text.count("(default:") == len(options)
    assert "output folder (default: aembed-report)" in text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--n-components", "1"], "argument --n-components: must be at least 2"),
        (["--n-components", "two"], "argument --n-components: expected a whole"),
        (["--methods", "pca,pca"], "argument --methods: names 'pca' more than once"),
        (["--methods", "pca,lle"], "argument --methods: Unknown method(s) 'lle'"),
        (["--methods", ","], "argument --methods: no method names"),
        (["--max-epochs", "0"], "argument --max-epochs: must be at least 1"),
        (["--test-size", "1.5"], "argument --test-size: must lie in (0, 1)"),
        (["--test-size", "0"], "argument --test-size: must lie in (0, 1)"),
        (["--validation-size", "1"], "argument --validation-size: must lie in"),
        (["--sweep", "2,2"], "argument --sweep: names a latent size twice"),
        (["--sweep", "0,2"], "argument --sweep: must be at least 1"),
        (["--seed", "-1"], "argument --seed: must be at least 0"),
        (["--max-samples", "1"], "argument --max-samples: must be at least 2"),
        (["--device", "gpu0"], "argument --device: 'gpu0' is not a device"),
        (["--device", "xla"], "argument --device: 'xla' is a 'xla' device; aembed"),
        (["--out", ""], "argument --out: is empty; give the folder"),
        (["--labelled-fraction", "0"], "argument --labelled-fraction: must lie in"),
        (["--labelled-fraction", "1.5"], "argument --labelled-fraction: must lie"),
    ],
)
def test_bad_arguments_are_refused_by_flag(args, expected, capsys, no_fitting):
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", *args])
    assert exit_info.value.code == 2
    assert expected in capsys.readouterr().err


def test_a_missing_optional_package_is_named_with_its_install_command(
    monkeypatch, capsys, no_fitting
):
    real = _methods._importable
    monkeypatch.setattr(
        _methods, "_importable", lambda module: module != "umap" and real(module)
    )
    with pytest.raises(SystemExit):
        main(["compare", "--methods", "pca,umap"])
    err = capsys.readouterr().err
    assert "umap-learn" in err and "pip install 'aembed[umap]'" in err


def test_library_messages_are_told_in_flags():
    assert in_cli_terms("label_column='y' is not a column") == (
        "--label-column 'y' is not a column"
    )
    assert in_cli_terms("out='x' holds files; pass overwrite=True") == (
        "--out 'x' holds files; pass --overwrite"
    )
    assert in_cli_terms("the output of layout") == "the output of layout"


def _csv(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _table(tmp_path, labels, name="table.csv"):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(len(labels), 3)), columns=["a", "b", "c"])
    frame["label"] = labels
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return str(path)


@pytest.mark.parametrize(
    ("make", "extra", "expected"),
    [
        (lambda p: _csv(p, "a,b,label\n"), [], "has a header but no data rows"),
        (
            lambda p: _csv(p, "label\n0\n1\n"),
            [],
            "no feature columns besides the label column 'label'",
        ),
        (lambda p: _csv(p, ""), [], "is empty"),
        (
            lambda p: _csv(p, "a,b,label\n1,,0\n2,3,1\n"),
            [],
            "missing values in the column(s) ['b']",
        ),
        (lambda p: _csv(p, "a,b,label\n1,2,x\n2,3,\n"), [], "1 missing value(s)"),
        (
            lambda p: _csv(p, "a,b,kind\n1,2,x\n2,3,y\n"),
            ["--label-column", "label"],
            "--label-column 'label' is not a column",
        ),
        (
            lambda p: _csv(p, "a,b\n1,x\n2,3\n"),
            [],
            "non-numeric columns ['b']; only the label column may be non-numeric "
            "(choose it with --label-column)",
        ),
        (lambda p: _table(p, ["a"] * 40), [], "has a single class ('a')"),
        (
            lambda p: _table(p, ["a"] * 39 + ["b"]),
            [],
            "classes with a single row ('b')",
        ),
        (lambda p: _table(p, ["all", "b"] * 20), [], "a class named 'all'"),
        (
            lambda p: _table(p, list(range(10)) * 4),
            ["--test-size", "0.1"],
            "--test-size 0.1 holds out 4 of 40 rows, fewer than the 10 classes",
        ),
        (
            lambda p: _table(p, [0, 1] * 20),
            ["--n-components", "4", "--methods", "pca"],
            "--n-components 4 is more than PCA can give",
        ),
        (
            lambda p: _table(p, [0, 1] * 10),
            ["--methods", "tsne"],
            "t-SNE needs more than 30 rows",
        ),
        (
            lambda p: _table(p, list(range(5)) * 10),
            ["--max-samples", "6"],
            "--max-samples 6 is fewer than two rows for each of the 5 classes",
        ),
        (lambda p: "mnist-5k", ["--label-column", "y"], "--label-column applies to"),
        (lambda p: str(p / "absent.csv"), [], "No file"),
    ],
)
def test_bad_data_is_refused_before_any_fitting(
    tmp_path, capsys, no_fitting, make, extra, expected
):
    dataset = make(tmp_path)
    out = tmp_path / "report"
    code = main(["compare", "--dataset", dataset, *extra, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"aembed: error: {expected}" in " ".join(err.split()) or expected in err
    assert "label_column" not in err and "n_components" not in err
    assert not out.exists() or not any(out.iterdir())


def test_out_that_holds_files_or_is_a_file_is_refused(tmp_path, capsys, no_fitting):
    data = _table(tmp_path, [0, 1] * 20)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    assert main(["compare", "--dataset", data, "--out", str(busy)]) == 2
    err = capsys.readouterr().err
    assert "--out" in err and "already holds files" in err and "--overwrite" in err
    assert (busy / "notes.txt").read_text() == "mine"
    assert main(["compare", "--dataset", data, "--out", data]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err


def test_an_unwritable_out_is_found_before_fitting(tmp_path, capsys, no_fitting):
    # A folder inside a file cannot be made: the error names the user's
    # --out, not a temporary file of the report.
    (tmp_path / "file").write_text("")
    out = tmp_path / "file" / "report"
    assert main(["compare", "--methods", "pca", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(out) in err and ".tmp" not in err


def test_labelled_fraction_fits_the_label_learners_with_partial_labels(
    tmp_path, monkeypatch
):
    seen = {}
    fit_method = _fitting.fit_method

    def spy(name, estimator, X_train, X_test, y=None):
        seen[name] = (estimator.get_params().get("supervision_weight"), y)
        return fit_method(name, estimator, X_train, X_test, y)

    monkeypatch.setattr(_fitting, "fit_method", spy)
    args = ["compare", "--dataset", "digits", "--methods", "dae,pca", "--n-jobs", "1"]
    args += ["--max-epochs", "1", "--sweep", "", "--no-animation"]
    args += ["--no-interactive", "--labelled-fraction", "0.1", "--out"]
    assert main([*args, str(tmp_path / "report")]) == 0
    weight, y = seen["dae"]
    assert weight == _methods.SUPERVISION_WEIGHT
    # A tenth of each class keeps its label (codes 0-9), the rest are -1.
    assert set(np.unique(y)) == {-1, *range(10)}
    assert 0.08 < np.mean(y != -1) < 0.12
    assert seen["pca"][0] is None and np.array_equal(seen["pca"][1], y)
    record = pd.read_json(tmp_path / "report" / "run.json", typ="series")
    assert record["labelled_fraction"] == 0.1
