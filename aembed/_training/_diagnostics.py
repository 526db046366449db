"""What went wrong in a training run that did not fail outright, said in words."""

import numpy as np

# Training losses, as multiples of the first batch's, that say training
# failed: an epoch this far above, or the last epoch this far above.
EXPLODED, ENDED_ABOVE = 10.0, 1.5


def training_failures(est, n_before):
    """Messages for the failures without a NaN in the epochs after ``n_before``.

    Judged against the loss of the first training batch of ``est``'s net,
    before any update: the training loss ended far above it (the model is
    worse than an untrained one), or rose far above it on the way. With
    ``early_stopping`` the kept epoch is the best validation epoch.
    """
    history, net = est.history_, est.net_
    losses = history["train_loss"].to_numpy()[n_before:]
    if net.initial_loss_ is None or len(losses) == 0:
        return []
    start = net.initial_loss_ = float(net.initial_loss_)  # a tensor until read
    lr, early_stopping = est.lr, est.early_stopping
    fix = (
        f"The learning rate (lr={lr}) is likely too high: lower it, or "
        "check that the input is scaled (scaling='auto' or 'standard')."
    )
    peak, final = int(np.argmax(losses)), losses[-1]
    if early_stopping and "valid_loss" in history:
        # fit keeps the weights of the best validation epoch.
        valid = history["valid_loss"].to_numpy()[n_before:]
        final = losses[int(np.nanargmin(valid))]
    if final > ENDED_ABOVE * start:
        message = (
            f"Training failed: the training loss ended at {final:.4g}, "
            f"{final / start:.3g} times the {start:.4g} it started at; "
            "the model is worse than an untrained one."
        )
    elif losses[peak] > EXPLODED * start:
        message = (
            f"Training was unstable: the training loss rose to "
            f"{losses[peak]:.4g} in epoch {n_before + peak + 1}, "
            f"{losses[peak] / start:.3g} times the {start:.4g} it started "
            f"at, before coming back to {final:.4g}."
        )
    else:
        return []
    return [f"{message} {fix}"]
