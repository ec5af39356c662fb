"""Packs the standardized digits split neurasm wrote (make-fixtures.ts) into the .npz train_ddp.py reads.

Usage: python test/distributed/prepare_digits.py DIGITS_DIR BATCH  (writes DIGITS_DIR/digits.npz)
The training part is cut to a multiple of BATCH (1437 → 1408 for 32), so that DistributedSampler pads
nothing and a run with 2 processes takes the same global batches as a run with one.
"""

import json
import os
import sys

import numpy as np

directory, batch = sys.argv[1], int(sys.argv[2])
with open(os.path.join(directory, "meta.json"), encoding="utf-8") as f:
    meta = json.load(f)


def read(name: str, rows: int, width: int | None = None) -> np.ndarray:
    data = np.fromfile(os.path.join(directory, f"{name}.bin"), dtype=np.float32)
    return data.reshape((rows, width) if width else (rows,))


kept = meta["train"] // batch * batch
np.savez(
    os.path.join(directory, "digits.npz"),
    x_train=read("x_train", meta["train"], meta["features"])[:kept],
    y_train=read("y_train", meta["train"]).astype(np.int64)[:kept],
    x_test=read("x_test", meta["test"], meta["features"]),
    y_test=read("y_test", meta["test"]).astype(np.int64),
)
print(f"digits.npz: {kept} of {meta['train']} training examples, {meta['test']} test examples")
