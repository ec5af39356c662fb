"""Native Keras peer of bench/text.ts: the same four text classifiers, trained on one CPU thread.

Prints one JSON line {model: samples/s}. Run by `npm run bench -- text` when a Python with TensorFlow
is found (NEURASM_BENCH_PYTHON, else .venv/bin/python); never needed by `npm test`.
"""
import json
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf.config.threading.set_intra_op_parallelism_threads(1)
tf.config.threading.set_inter_op_parallelism_threads(1)
import keras  # noqa: E402
from keras import layers  # noqa: E402

STEPS, VOCABULARY, EMBEDDING, BATCH, EXAMPLES = 200, 20_000, 64, 32, 512
RUN_SECONDS, RUNS = 1.0, 5


def model_of(kind):
    middle = {
        "avgpool": lambda: [layers.GlobalAveragePooling1D()],
        "conv1d": lambda: [layers.Conv1D(128, 5, activation="relu"), layers.GlobalMaxPooling1D()],
        "lstm": lambda: [layers.LSTM(64)],
        "gru": lambda: [layers.GRU(64)],
    }[kind]()
    model = keras.Sequential(
        [keras.Input((STEPS,), dtype="int32"), layers.Embedding(VOCABULARY, EMBEDDING), *middle, layers.Dense(1, activation="sigmoid")]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def main():
    rng = np.random.default_rng(20261204)
    x = rng.integers(1, VOCABULARY, size=(EXAMPLES, STEPS), dtype=np.int32)
    y = (rng.random((EXAMPLES, 1)) < 0.5).astype(np.float32)
    rates = {}
    for kind in ["avgpool", "conv1d", "lstm", "gru"]:
        model = model_of(kind)
        model.fit(x[: 2 * BATCH], y[: 2 * BATCH], batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
        start = time.process_time()
        model.fit(x[: 2 * BATCH], y[: 2 * BATCH], batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
        per_batch = (time.process_time() - start) / 2
        batches = max(2, min(EXAMPLES // BATCH, round(RUN_SECONDS / per_batch)))
        times = []
        for _ in range(RUNS):
            start = time.process_time()
            model.fit(x[: batches * BATCH], y[: batches * BATCH], batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
            times.append(time.process_time() - start)
        rates[kind] = batches * BATCH / statistics.median(times)
    print(json.dumps(rates))


if __name__ == "__main__":
    main()
