"""aembed._training: the skorch net, its callbacks, checkpoints and set-up."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from skorch.callbacks import Callback

from aembed import DenoisingAEEmbedder, VAEEmbedder
from aembed._torch_state import flush_denormal_enabled
from aembed._training import (
    CALLBACK_NAMES,
    EmbedderNet,
    checkpoint_path,
    checkpoint_writer,
    draw_seed,
    resolve_epochs,
    split,
    training_callbacks,
    training_context,
)
from aembed.nn._random import generator

X = load_digits().data[:120]
SMALL = dict(hidden_layer_sizes=(8,), random_state=0)


def names(callbacks):
    return [c[0] if isinstance(c, tuple) else type(c).__name__ for c in callbacks]


def test_resolve_epochs_follows_the_square_root_rule():
    assert resolve_epochs(7, 10) == 7
    assert [resolve_epochs("auto", n) for n in (4000, 60000, 10**6)] == [50, 13, 3]
    assert resolve_epochs("auto", 10) == 100 and resolve_epochs("auto", 10**9) == 1


def test_split_holds_out_a_seeded_disjoint_share():
    rows = torch.arange(20.0).unsqueeze(1)
    train, valid = split(rows, 0.25, seed=0)
    assert len(train) == 15 and len(valid) == 5
    assert sorted(torch.cat([train, valid])[:, 0].tolist()) == list(range(20))
    again, _ = split(rows, 0.25, seed=0)
    assert torch.equal(train, again)
    assert len(split(rows[:2], 0.9, seed=0)[0]) == 1  # never all rows


def test_draw_seed_is_the_random_states():
    assert draw_seed(0, None) == draw_seed(0, None)
    assert draw_seed(0, None) != draw_seed(1, None)


def test_training_callbacks_are_in_order_and_partial_fit_gets_few():
    est = VAEEmbedder(kl_warmup_epochs=2, verbose=1, callbacks=[Callback()])
    assert names(training_callbacks(est)) == [
        "kl_warmup",
        "Callback",
        "lr_schedule",
        "progress",
        "epoch_end",
        "early_stopping",
    ]
    assert names(training_callbacks(est, incremental=True)) == [
        "kl_warmup",
        "Callback",
        "epoch_end",
    ]
    plain = DenoisingAEEmbedder(lr_schedule=None, tol=None)
    assert names(training_callbacks(plain)) == ["epoch_end"]
    assert {"lr_schedule", "progress", "epoch_end"} <= set(CALLBACK_NAMES)


def test_training_context_seeds_a_stream_of_its_own():
    torch.manual_seed(5)
    seeded = torch.rand(3)
    torch.manual_seed(123)
    before = torch.get_rng_state()
    flush = flush_denormal_enabled()
    with training_context(5, "cpu"):
        # The fit's draws are those of torch.manual_seed(5) ...
        assert torch.equal(torch.rand(3, generator=generator("cpu")), seeded)
        assert flush_denormal_enabled() or not torch.set_flush_denormal(True)
        # ... while the global stream is neither reseeded nor moved.
        assert torch.equal(torch.get_rng_state(), before)
    assert generator("cpu") is None
    assert torch.equal(torch.get_rng_state(), before)
    assert flush_denormal_enabled() == flush


@pytest.fixture
def fitted():
    return DenoisingAEEmbedder(max_epochs=2, **SMALL).fit(X)


def test_the_net_restores_a_training_state_exactly(fitted):
    net = fitted.net_
    state = {k: v for k, v in net.training_state().items()}
    kept = {k: v.clone() for k, v in state["module"].items()}
    n_epochs = len(net.history)
    with torch.no_grad():
        for p in net.module_.parameters():
            p.add_(1.0)
    net.restore({**state, "module": kept, "history": list(net.history)[:1]})
    for name, value in net.module_.state_dict().items():
        assert torch.equal(value, kept[name])
    assert len(net.history) == 1 < n_epochs


def test_keep_epoch_copies_the_weights_only_before_the_next_step(fitted):
    net = fitted.net_
    written = []
    net.checkpoint_ = lambda net, state: written.append(state)
    try:
        net.keep_epoch(completed=True)
        assert net.last_epoch_["module"] is None  # nothing copied yet
        [state] = written
        assert state["module"] is not None and len(state["history"]) == 2
        net.keep_epoch(completed=False)
        assert len(written) == 1  # the start of training is not written
        net.on_batch_begin(net, training=False)
        assert net.last_epoch_["module"] is None  # validation changes nothing
        net.history.new_batch()  # on_batch_begin opens a batch row
        net.on_batch_begin(net, training=True)
        copied = net.last_epoch_["module"]
        weight = next(iter(copied))
        assert copied[weight] is not net.module_.state_dict()[weight]
        assert torch.equal(copied[weight], net.module_.state_dict()[weight])
    finally:
        net.end_training()
    assert net.last_epoch_ is None and net.checkpoint_ is None


class InterruptAt(Callback):
    def __init__(self, batch):
        self.batch = batch

    def on_batch_end(self, net, training=False, **kwargs):
        self.count_ = getattr(self, "count_", 0) + training
        if self.count_ == self.batch:
            raise KeyboardInterrupt


def test_an_interrupted_pass_is_undone_and_raised():
    # 8 batches a pass: the third batch of the second pass is interrupted.
    est = DenoisingAEEmbedder(**SMALL, batch_size=16, callbacks=[InterruptAt(11)])
    est.partial_fit(X)
    before = {k: v.clone() for k, v in est.net_.module_.state_dict().items()}
    with pytest.raises(KeyboardInterrupt, match="partial_fit was interrupted"):
        est.partial_fit(X)
    assert est.n_iter_ == 1
    for name, value in est.net_.module_.state_dict().items():
        assert torch.equal(value, before[name])


def test_checkpoint_path_refuses_a_file_and_is_none_without_a_folder(tmp_path):
    assert checkpoint_path(DenoisingAEEmbedder()) is None
    file = tmp_path / "a file"
    file.write_text("")
    with pytest.raises(ValueError, match="is a file"):
        checkpoint_path(DenoisingAEEmbedder(checkpoint_dir=file))
    est = DenoisingAEEmbedder(checkpoint_dir=tmp_path / "new")
    assert checkpoint_path(est) == str(tmp_path / "new" / "checkpoint.aembed")
    assert isinstance(est._checkpoint_id_, str)


def test_a_failing_checkpoint_writer_warns_once_and_goes_on():
    def write(path, net, state):
        raise OSError("disk full")

    writer = checkpoint_writer("/nowhere/checkpoint.aembed", write)
    with pytest.warns(UserWarning, match="disk full.*training goes on") as record:
        writer(None, None)
        writer(None, None)
    assert len(record) == 1
    assert checkpoint_writer(None, write) is None


def test_a_net_is_an_embedder_net_with_the_input_map(fitted):
    net = fitted.net_
    assert isinstance(net, EmbedderNet)
    np.testing.assert_array_equal(net.input_scaling_[0], fitted.input_offset_)
    assert net.last_epoch_ is None and net.neighbor_term_ is None
