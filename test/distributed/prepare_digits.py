"""Packs the standardized digits split neurasm wrote (make-fixtures.ts) into the .npz train_ddp.py reads.

Usage: python test/distributed/prepare_digits.py DIGITS_DIR  (writes DIGITS_DIR/digits.npz)
"""

import json
import os
import sys

import numpy as np

directory = sys.argv[1]
with open(os.path.join(directory, "meta.json"), encoding="utf-8") as f:
    meta = json.load(f)


def read(name: str, rows: int, width: int | None = None) -> np.ndarray:
    data = np.fromfile(os.path.join(directory, f"{name}.bin"), dtype=np.float32)
    return data.reshape((rows, width) if width else (rows,))


np.savez(
    os.path.join(directory, "digits.npz"),
    x_train=read("x_train", meta["train"], meta["features"]),
    y_train=read("y_train", meta["train"]).astype(np.int64),
    x_test=read("x_test", meta["test"], meta["features"]),
    y_test=read("y_test", meta["test"]).astype(np.int64),
)
print(f"digits.npz: {meta['train']} training and {meta['test']} test examples")
