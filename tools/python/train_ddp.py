"""Trains a neurasm model with PyTorch DistributedDataParallel and writes it back for neurasm.

One machine, two processes:
    torchrun --nproc_per_node 2 --master-addr 127.0.0.1 tools/python/train_ddp.py \
        --model digits-model --data digits.npz --out digits-trained --epochs 20 --batch-size 32
Several machines: the same command on each, with --nnodes N --node-rank R --rdzv-endpoint HOST:PORT
(see README "Scaling out"). Without torchrun it trains in one process.

--data is an .npz with x_train, y_train and optionally x_test, y_test (reported after each epoch).
--batch-size is the global batch: each of the W processes takes batch/W examples of it per step, and
DDP averages the gradients, so a step is the same mean-loss step as one process on the whole batch.
Process 0 writes --out (atomically, like=--model: neurasm's preprocessing and text layer are kept).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import neurasm_torch as nt

EPSILON = 1e-7  # Keras's clip of probabilities in the cross-entropies


def _sparse_ce(p: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    picked = p.gather(1, y.long().view(-1, 1)).squeeze(1)
    return -torch.log(picked.clamp(EPSILON, 1 - EPSILON)).mean()


def _categorical_ce(p: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return -(y * torch.log(p.clamp(EPSILON, 1 - EPSILON))).sum(-1).mean()


def _binary_ce(p: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    p = p.clamp(EPSILON, 1 - EPSILON).view_as(y)
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


LOSSES = {
    "sparse_categorical_crossentropy": _sparse_ce,
    "categorical_crossentropy": _categorical_ce,
    "binary_crossentropy": _binary_ce,
    "mean_squared_error": lambda p, y: ((p.view_as(y) - y) ** 2).mean(),
    "mean_absolute_error": lambda p, y: (p.view_as(y) - y).abs().mean(),
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="neurasm model directory (model.json + weights)")
    ap.add_argument("--data", required=True, help=".npz with x_train, y_train [, x_test, y_test]")
    ap.add_argument("--out", required=True, help="directory to write the trained model to")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch-size", type=int, default=32, help="global batch size (split over the processes)")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--optimizer", choices=("adam", "sgd"), default="adam")
    ap.add_argument("--momentum", type=float, default=0.0, help="SGD momentum")
    ap.add_argument("--loss", choices=sorted(LOSSES), default="sparse_categorical_crossentropy")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--predictions", help="also write the trained model's outputs on x_test here (.npy, process 0)")
    args = ap.parse_args(argv)
    if args.epochs < 1 or args.batch_size < 1 or not args.lr > 0:
        ap.error("--epochs and --batch-size must be at least 1 and --lr above 0")
    return args


def accuracy(p: np.ndarray, y: np.ndarray) -> float:
    if p.ndim == 2 and p.shape[1] > 1:
        return float(np.mean(p.argmax(1) == y.reshape(-1).astype(np.int64)))
    return float(np.mean((p.reshape(-1) > 0.5) == (y.reshape(-1) > 0.5)))


def load_data(path: str, model: nt.NeurasmSequential) -> dict[str, np.ndarray]:
    """The arrays of the .npz, checked against each other and against the model's input shape."""
    try:
        with np.load(path) as npz:
            data = {k: npz[k] for k in npz.files}
    except (OSError, ValueError) as e:
        raise SystemExit(f"--data {path}: cannot read it as an .npz: {e}") from e
    for key in ("x_train", "y_train"):
        if key not in data:
            raise SystemExit(f"--data {path}: no array {key!r} (it has {', '.join(data) or 'none'})")
    for part in ("train", "test"):
        x, y = data.get(f"x_{part}"), data.get(f"y_{part}")
        if (x is None) != (y is None):
            raise SystemExit(f"--data {path}: x_{part} and y_{part} go together")
        if x is None:
            continue
        if len(x) != len(y):
            raise SystemExit(f"--data {path}: x_{part} has {len(x)} examples, y_{part} {len(y)}")
        expected = model.input_shape
        if len(x.shape) - 1 != len(expected) or any(e is not None and e != d for e, d in zip(expected, x.shape[1:])):
            raise SystemExit(
                f"--data {path}: x_{part} examples have shape {list(x.shape[1:])}, the model takes {expected}"
            )
    return data


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    distributed = "RANK" in os.environ
    if distributed:
        dist.init_process_group("gloo")
    rank = dist.get_rank() if distributed else 0
    world = dist.get_world_size() if distributed else 1
    if args.batch_size % world:
        raise SystemExit(f"--batch-size {args.batch_size} must be a multiple of the number of processes ({world})")
    torch.manual_seed(args.seed + rank)  # dropout/noise masks differ per process, as slices of one batch

    try:
        model = nt.load(args.model)
    except nt.BridgeError as e:
        raise SystemExit(f"--model {args.model}: {e}") from e
    data = load_data(args.data, model)
    x_dtype = torch.long if model.input_dtype == "int32" else torch.float32
    x_train = torch.as_tensor(data["x_train"]).to(x_dtype)
    y_train = torch.as_tensor(data["y_train"]).float()
    has_test = "x_test" in data
    sampler = DistributedSampler(
        TensorDataset(x_train, y_train), num_replicas=world, rank=rank, shuffle=True, seed=args.seed
    )
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=args.batch_size // world, sampler=sampler)
    net = DistributedDataParallel(model) if distributed else model
    params = [p for p in net.parameters() if p.requires_grad]
    if args.optimizer == "adam":
        optimizer = torch.optim.Adam(params, lr=args.lr, betas=(0.9, 0.999), eps=1e-7)  # Keras's defaults
    else:
        optimizer = torch.optim.SGD(params, lr=args.lr, momentum=args.momentum)
    loss_fn = LOSSES[args.loss]

    started = time.time()
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        net.train()
        total = torch.zeros(2)
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(net(xb), yb)
            loss.backward()
            optimizer.step()
            total += torch.tensor([loss.item() * len(xb), len(xb)])
        if distributed:
            dist.all_reduce(total)
        if rank == 0:
            report = {"epoch": epoch + 1, "loss": round(float(total[0] / total[1]), 6), "processes": world}
            if has_test:
                report["test_accuracy"] = round(accuracy(model.predict(data["x_test"]), data["y_test"]), 6)
            print(json.dumps(report), flush=True)

    if rank == 0:
        nt.save(model, args.out, like=args.model)
        if args.predictions:
            np.save(args.predictions, model.predict(data["x_test"]).astype(np.float32))
        print(json.dumps({"saved": args.out, "seconds": round(time.time() - started, 2)}), flush=True)
    if distributed:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
    # Leave without the interpreter's teardown: at exit, C++ static objects can be destroyed while
    # gloo's threads still run, which aborts the process ("terminate called without an active
    # exception") after the model is saved. Everything is written and flushed by now.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
