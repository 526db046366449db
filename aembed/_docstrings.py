"""Parameter descriptions shared by the estimators, written once."""


class Substitution:
    """Fill ``{name}`` fields of a docstring from keyword arguments."""

    def __init__(self, **params):
        self.params = params

    def __call__(self, obj):
        obj.__doc__ = obj.__doc__.format(**self.params)
        return obj


_shared_docs = {
    "n_components": """n_components : int, default=2
        Dimension of the embedding (the autoencoder's bottleneck).""",
    "network": """hidden_layer_sizes : tuple of int, default=(256, 128)
        Widths of the encoder's hidden layers, from the input side; the
        decoder mirrors them. With ``image_shape`` these are the dense layers
        after two strided convolutions.

    image_shape : tuple of int, default=None
        ``(height, width)`` or ``(channels, height, width)`` of the images the
        rows of ``X`` flatten (in C order). When given, the encoder and
        decoder are convolutional; when None, multilayer perceptrons.

    activation : {"relu", "leaky_relu", "elu", "gelu", "silu", "tanh"}, \
default="relu"
        Activation of the hidden layers.""",
    "data": """scaling : {"auto", "minmax", "standard"} or None, default="auto"
        Affine map applied to the input before training and undone by
        ``inverse_transform``. ``"minmax"`` maps the global range of ``X``
        onto [0, 1] (one scale for all columns, as for pixels);
        ``"standard"`` gives every column zero mean and unit variance; None
        uses ``X`` as it is. ``"auto"`` keeps data already in [0, 1] that
        span at least half of it, uses ``"minmax"`` when all columns are
        non-negative and share one range (images, counts, small numbers
        such as data in [0, 0.001]), and ``"standard"`` otherwise.

    reconstruction_loss : {"auto", "bce", "mse"}, default="auto"
        ``"bce"``: binary cross-entropy, for data in [0, 1] after scaling
        (a Bernoulli likelihood); ``"mse"``: half the squared error (a
        Gaussian likelihood of unit variance). ``"auto"`` picks ``"bce"`` when
        the scaled training data lie in [0, 1], ``"mse"`` otherwise. Either
        way the loss is summed over features and averaged over rows.""",
    "training": """max_epochs : int or "auto", default="auto"
        Maximum number of passes over the training data. ``"auto"`` gives
        ``round(50 * sqrt(4000 / n_samples))`` between 1 and 100: 50 epochs
        for 4,000 rows, 13 for 60,000, 3 for a million, so that the cost of
        a fit grows with the square root of the number of rows (each epoch
        of larger data holds more distinct rows to learn from). The number
        used is ``max_epochs_``.

    batch_size : int, default=64
        Rows per mini-batch in training; ``transform`` and
        ``inverse_transform`` work in chunks of ``max(batch_size, 4096)``.

    lr : float, default=3e-3
        Learning rate of the Adam optimizer (AdamW); with
        ``lr_schedule="cosine"``, its value at the first step.

    lr_schedule : {"cosine"} or None, default="cosine"
        ``"cosine"`` lowers the learning rate batch by batch along a half
        cosine, from ``lr`` to ``lr / 10`` at the end of ``max_epochs``;
        None keeps it constant. ``partial_fit`` always uses a constant rate.

    weight_decay : float, default=0.0
        L2 penalty (decoupled, as in AdamW).

    early_stopping : bool, default=False
        Whether to hold out ``validation_fraction`` of the rows and stop when
        the validation loss has not improved by ``tol`` for
        ``n_iter_no_change`` epochs, keeping the best epoch's weights. When
        False, training stops once the training loss has not improved by
        ``tol`` for ``n_iter_no_change`` epochs (set ``tol=None`` to always
        run ``max_epochs``).

    validation_fraction : float, default=0.1
        Share of the rows held out for early stopping. Only used when
        ``early_stopping`` is True.

    n_iter_no_change : int, default=10
        Epochs without improvement before stopping.

    tol : float or None, default=1e-4
        Minimum decrease of the monitored loss that counts as improvement.

    callbacks : list of skorch callbacks, default=None
        Extra :mod:`skorch.callbacks` run during training, as callback
        instances or ``(name, callback)`` pairs. The history records
        ``train_loss_best`` (and ``valid_loss_best`` with
        ``early_stopping=True``) for skorch's ``Checkpoint``; callbacks that
        monitor ``valid_*`` need ``early_stopping=True``, and skorch's
        scoring callbacks (``EpochScoring``, ``BatchScoring``,
        ``PassthroughScoring``), which score a net's predictions of a
        target, are refused. The names aembed gives its own callbacks
        (``epoch_timer``, ``duration``, ``train_loss``, ``valid_loss``,
        ``print_log``, ``lr_schedule``, ``progress``, ``epoch_end``,
        ``early_stopping``, and ``kl_warmup`` or ``codebook_usage``) are
        reserved.

    warm_start : bool, default=False
        When True and the estimator is already fitted, ``fit`` continues
        training the same network, with the optimizer's state, for up to
        ``max_epochs`` further epochs on the data it is given, and appends
        to ``history_``. The input scaling and the loss of the first fit are
        kept (``X`` must have the same columns); changed parameters that
        do not change the network (``lr``, ``beta``, ``noise_level``, ...)
        take effect. PyTorch's random stream continues where the previous
        fit stopped, so that on the CPU, fits of ``a`` then ``b`` epochs
        give the model of one fit of ``a + b`` epochs, unless a stopping
        rule (``early_stopping`` or ``tol``, whose patience restarts with
        every fit) ends one early. When not fitted, ``fit`` trains from
        scratch.

    checkpoint_dir : str, path-like or None, default=None
        Folder (created if needed) to which ``fit`` writes the model after
        every epoch, as ``checkpoint.aembed`` in the format of ``save``,
        replaced atomically; at the end it holds the model ``fit`` returns.
        A crash then loses at most the epoch in progress: resume with
        ``est = aembed.load(path)`` then
        ``est.set_params(warm_start=True, max_epochs=epochs_left).fit(X)``.
        Callbacks are not saved. The folder must be writable when ``fit``
        starts, and may hold only a checkpoint of this estimator's own
        training (its earlier fits, or the fit it was loaded from): a fit
        refuses to replace another's, so give every fit its own folder. A
        write that fails during training warns and training goes on: the
        trained model is never lost to a full disk. :func:`aembed.load`
        sets ``checkpoint_dir`` to None.

    neighbor_weight : float, default=0.0
        Weight of a neighbour-preserving term, as in Parametric UMAP: a
        fuzzy ``n_neighbors``-nearest-neighbour graph of the training rows is
        built as UMAP builds it, and each batch adds UMAP's cross-entropy
        between its edges (one neighbour drawn per row, in proportion to the
        edge weight; the batch's other pairs as negative samples) and the
        similarities of the embeddings ``transform`` returns. The term is
        multiplied by ``neighbor_weight`` times the number of features and
        recorded as ``train_neighbor`` in ``history_``. 0 trains the model
        exactly as its paper defines it; 1.0, the recommended value, weighs
        the term 1:1 against the per-element reconstruction loss, as
        Parametric UMAP does, and keeps more of the data's neighbourhoods in
        the map at little cost in reconstruction (measured in the user
        guide's "Neighbour-preserving maps"). ``transform`` stays one encoder
        pass.

    n_neighbors : int, default=15
        Neighbours per row in the graph of the neighbour-preserving term.
        Below 10,000 rows they are found exactly (on data wider than 50
        columns, candidates from the first 50 principal components ranked
        by their distance in the input space), above by NN-descent
        (pynndescent, as umap-learn finds them) in the input space. Only
        used when ``neighbor_weight`` > 0: with the default
        ``neighbor_weight=0`` it is inert (no graph is built, and training
        is the same whatever its value).

    teacher_weight : float, default=1.0
        Weight of a teacher layout in the neighbour-preserving mode
        (``neighbor_weight`` > 0). The training rows' layout is first
        optimised on the graph as UMAP optimises its own (its objective,
        from the spectral start, in torch, for umap-learn's 500 epochs up
        to 10,000 rows and 200 above), the network is fitted to that layout
        instead of the spectral start, and each batch adds the squared
        distance of the embedded ends of its edges to their places in it,
        times ``teacher_weight`` and the number of features (recorded as
        ``train_teacher``). The layout is dropped after ``fit``. 0 trains
        the neighbour term alone. Inert when ``neighbor_weight=0``.

    augment : "auto", tuple of int or None, default="auto"
        Random small affine transforms of image rows in the
        neighbour-preserving mode: both ends of each sampled edge are
        embedded from copies rotated by up to 5 degrees, scaled by up to
        5 % and shifted by up to 1 pixel, while the reconstruction still
        sees the rows as they are (and with ``teacher_weight`` > 0, each
        copy is pulled towards its row's place in the teacher layout). A
        ``(height, width)`` or ``(channels, height, width)`` tuple gives the
        images' geometry (rows flattened in C-order): pass it for images
        given as flat rows to a dense network (``augment=(28, 28)`` for
        MNIST); the default ``"auto"`` takes it from ``image_shape`` (no
        augmentation without one, as for tables); None turns it off. Inert
        when ``neighbor_weight=0``.

    device : str or torch.device, default="cpu"
        Where to train and infer, as PyTorch names it: ``"cpu"``,
        ``"cuda"``, ``"cuda:1"``, ``"mps"`` or a :class:`torch.device`;
        ``"auto"`` takes the GPU when PyTorch sees one. A device that is
        not available here is refused when ``fit`` starts.

    distributed : "auto" or bool, default="auto"
        Data-parallel training. Under ``"auto"``, a script started by
        ``torchrun`` or ``accelerate launch`` on several processes trains
        data-parallel (DistributedDataParallel through Hugging Face
        Accelerate, ``pip install "aembed[distributed]"``): each process
        trains on its share of every mini-batch of ``batch_size`` rows per
        process, on its own GPU with ``device="cuda"``, and every process
        ends with the same plain fitted estimator; only the first writes
        checkpoints and saved files. A plain single-process run is
        unaffected. ``False`` trains each process on its own; ``True``
        trains data-parallel even when launched with a single process.
        ``"auto"`` reads the environment, not the parameters: it switches
        to data-parallel training when a launcher has set ``WORLD_SIZE``
        above 1. A grid search (``GridSearchCV``, ``cross_val_score``) in
        a script started by such a launcher therefore runs every one of
        its fits data-parallel, all processes together; set
        ``distributed=False`` for one independent search per process.

    mixed_precision : bool, default=False
        Run forward passes in bfloat16 (``torch.autocast``), in training and
        inference, with weights, gradients and losses kept in float32.
        Faster on GPUs with bfloat16 units and on CPUs that support it;
        embeddings are returned as float32 either way.

    verbose : int, default=0
        0 is silent; 1 shows a progress bar over epochs; 2 also prints a
        table of the losses after every epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, noise and the validation
        split, without touching PyTorch's global random state. Pass an int
        for bit-identical results across calls on the CPU.""",
    "attributes": """n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the PyTorch module.

    history_ : pandas.DataFrame
        One row per epoch (index ``epoch``): ``train_loss`` and each term of
        the loss (``train_reconstruction``, ...), the same with ``valid_``
        when there is a validation split, and the epoch's duration ``dur``
        in seconds.

    n_iter_ : int
        Number of epochs run, over all fits with ``warm_start=True`` (and
        passes of :meth:`partial_fit`).

    max_epochs_ : int
        The epoch budget of the last :meth:`fit`: ``max_epochs``, or the
        number ``"auto"`` chose.

    n_samples_seen_ : int
        Rows seen by :meth:`fit` and :meth:`partial_fit` since the network
        was created (each row counted once per call).

    scaling_ : str
        The input map used: ``"none"``, ``"minmax"`` or ``"standard"``.

    reconstruction_loss_ : str
        The loss used: ``"bce"`` or ``"mse"``.

    input_offset_, input_scale_ : ndarray of shape (`n_features_in_`,)
        The input map ``(X - input_offset_) / input_scale_``.""",
}
