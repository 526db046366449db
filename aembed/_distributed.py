"""Data-parallel training through Hugging Face Accelerate (DDP underneath).

A script launched on several processes (``torchrun``, ``accelerate launch``,
SLURM through either) runs the same ``fit`` on every process. Each process
trains on its share of every global mini-batch; DistributedDataParallel
averages the gradients in the backward pass of the module's ``forward``;
epoch sums are added across processes, so that every process records the
same history and takes the same early-stopping decision. What a fit needs
beyond that (shares of batches, the VQ-VAE's codebook, random draws kept in
step, rank 0 alone writing files) is arranged by the net and the modules;
this module owns the engine: the accelerator, the wrapped module and the
collective operations.
"""

import datetime
import os

import torch
import torch.distributed as dist

# How long a process waits in a collective operation for the others: the
# last guard against a run that would otherwise wait forever (a process that
# stopped, or a fit that differs in a way checked nowhere).
COLLECTIVE_TIMEOUT = datetime.timedelta(minutes=10)


def launched_world_size():
    """Processes the launcher started (``WORLD_SIZE``; 1 outside a launcher)."""
    try:
        return int(os.environ.get("WORLD_SIZE", "1"))
    except ValueError:
        return 1


def is_secondary_process():
    """Whether this is a process other than the first of a data-parallel run."""
    return dist.is_available() and dist.is_initialized() and dist.get_rank() > 0


def data_parallel(distributed, device):
    """The :class:`DataParallel` engine of a fit, or None for one process.

    ``distributed="auto"`` trains data-parallel when the process was started
    by a launcher with more than one process; ``True`` also with a single
    launched process (to check the set-up); ``False`` never.
    """
    if distributed is False or (distributed == "auto" and launched_world_size() < 2):
        return None
    return DataParallel(device)


class DataParallel:
    """One fit's share of a data-parallel run.

    Parameters
    ----------
    device : str
        The estimator's resolved device; on a GPU every process takes its
        local one (``cuda:LOCAL_RANK``), as Accelerate assigns it.
    """

    def __init__(self, device):
        try:
            from accelerate import Accelerator
        except ImportError as exc:
            raise ImportError(
                "Data-parallel training (a script started by torchrun or "
                "accelerate launch with several processes) needs Accelerate: "
                'pip install "aembed[distributed]". Pass distributed=False to '
                "train each process on its own."
            ) from exc
        from accelerate.utils import InitProcessGroupKwargs

        cpu = torch.device(device).type == "cpu"
        self.accelerator = Accelerator(
            cpu=cpu,
            device_placement=False,
            kwargs_handlers=[InitProcessGroupKwargs(timeout=COLLECTIVE_TIMEOUT)],
        )
        if self.accelerator.distributed_type.value == "NO":
            raise ValueError(
                "distributed=True trains data-parallel, which needs a script "
                "started by a launcher (torchrun, accelerate launch); this "
                "process was not. Use distributed='auto' to train data-parallel "
                "only when launched so."
            )
        self.rank = self.accelerator.process_index
        self.world = self.accelerator.num_processes
        self.device = "cpu" if cpu else str(self.accelerator.device)
        self.module = None

    @property
    def is_main(self):
        return self.accelerator.is_main_process

    def agree(self, facts):
        """Check that every process fits with the same ``facts`` (a dict).

        Processes given different rows, widths or parameters would wait
        forever in a later collective operation, for batches their peers
        never run. This is the first one: every process gets everyone's
        facts, and each raises the same error naming the difference.
        """
        gathered = [None] * self.world
        dist.all_gather_object(gathered, facts)
        differ = [k for k in facts if any(g[k] != gathered[0][k] for g in gathered)]
        if differ:
            detail = "; ".join(
                f"{k}: "
                + ", ".join(f"{g[k]} on process {r}" for r, g in enumerate(gathered))
                for k in differ
            )
            raise ValueError(
                "In a data-parallel run every process fits the same data with "
                f"the same parameters, but these differ ({detail}). Give every "
                "process the same X and the same estimator."
            )

    def wrap(self, module):
        """Wrap ``module`` in DistributedDataParallel, as ``self.module``.

        The wrapper gives every process rank 0's parameters and buffers,
        and averages gradients in the backward pass of its ``forward``.
        """
        self.module = self.accelerator.prepare_model(module, device_placement=False)

    def backward(self, loss):
        self.accelerator.backward(loss)

    def sum(self, tensor):
        """Elementwise sum of ``tensor`` over the processes."""
        return self.accelerator.reduce(tensor, reduction="sum")

    def max(self, value):
        """Largest ``value`` (a float) over the processes."""
        tensor = torch.tensor([float(value)], dtype=torch.float64, device=self.device)
        dist.all_reduce(tensor, op=dist.ReduceOp.MAX)
        return tensor.item()

    def gather_with_grad(self, tensor):
        """Every process's ``tensor`` in rank order, gradients flowing back."""
        from torch.distributed.nn.functional import all_gather

        return torch.cat(all_gather(tensor.contiguous()))

    def broadcast_int(self, value):
        """Rank 0's ``value`` (an int), on every process."""
        tensor = torch.tensor([int(value)], dtype=torch.int64, device=self.device)
        dist.broadcast(tensor, src=0)
        return int(tensor.item())

    def broadcast(self, tensors):
        """Give every process rank 0's values of ``tensors``, in place."""
        for tensor in tensors:
            # NCCL sends device tensors only (Adam's step count lives on the CPU).
            on_device = tensor.to(self.device)
            dist.broadcast(on_device, src=0)
            tensor.copy_(on_device)

    def wait(self):
        self.accelerator.wait_for_everyone()
