"""Native Keras peer of bench/workers.ts: the same dense classifiers, trained with --threads CPU threads.

Usage: keras-dense.py --threads N --cases 784-512-512-10/256/8192,... [--fits R] [--epochs E] [--inter M]
A case is units/batch/samples; units ending in +bn: each hidden layer is Dense (no bias),
BatchNormalization, relu. Each case is trained in R fits of E epochs, a new model per fit
(Dense relu layers, softmax last, Keras' default initializers, Adam, sparse categorical cross-entropy,
model.fit with Keras' default shuffling, as neurasm's fit shuffles by default) on random inputs in
[-1, 1) with labels i % classes. Every epoch but the first of each fit (tracing) is timed in wall time.
Prints one JSON line {"units/batch": samples/s of the median epoch, ...}. Run by
`npm run bench -- workers` when a Python with TensorFlow is found (NEURASM_BENCH_PYTHON, else
.venv/bin/python); never needed by `npm test`.

Threads: intra-op N (the matmuls' threads) and inter-op --inter (default 1: a dense model's step is a
chain of ops, and on this 2-core machine inter-op 1 was as fast as or faster than inter-op N).
"""
import argparse
import json
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def arguments():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--inter", type=int, default=1)
    parser.add_argument("--cases", required=True)
    parser.add_argument("--fits", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=4)
    return parser.parse_args()


ARGS = arguments()

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

# before anything else of TensorFlow runs: the thread pools are made once
tf.config.threading.set_intra_op_parallelism_threads(ARGS.threads)
tf.config.threading.set_inter_op_parallelism_threads(ARGS.inter)
import keras  # noqa: E402
from keras import layers  # noqa: E402


def model_of(units, batch_norm):
    if batch_norm:
        hidden = [
            layer
            for u in units[1:-1]
            for layer in (layers.Dense(u, use_bias=False), layers.BatchNormalization(), layers.Activation("relu"))
        ]
    else:
        hidden = [layers.Dense(u, activation="relu") for u in units[1:-1]]
    model = keras.Sequential([keras.Input((units[0],)), *hidden, layers.Dense(units[-1], activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


class EpochTimer(keras.callbacks.Callback):
    """Wall seconds of each epoch after the first."""

    def __init__(self):
        super().__init__()
        self.seconds = []
        self.start = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if epoch > 0:
            self.seconds.append(time.perf_counter() - self.start)


def samples_per_second(units, batch_norm, batch, samples):
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, size=(samples, units[0])).astype(np.float32)
    y = (np.arange(samples) % units[-1]).astype(np.int32)
    seconds = []
    for _ in range(ARGS.fits):
        keras.utils.set_random_seed(1)
        model = model_of(units, batch_norm)
        timer = EpochTimer()
        model.fit(x, y, batch_size=batch, epochs=ARGS.epochs, verbose=0, callbacks=[timer])
        seconds.extend(timer.seconds)
        del model
        keras.backend.clear_session()
    return samples / statistics.median(seconds)


def main():
    rates = {}
    for case in ARGS.cases.split(","):
        name, batch, samples = case.split("/")
        units = [int(u) for u in name.removesuffix("+bn").split("-")]
        rates[f"{name}/{batch}"] = samples_per_second(units, name.endswith("+bn"), int(batch), int(samples))
    print(json.dumps(rates))


if __name__ == "__main__":
    main()
