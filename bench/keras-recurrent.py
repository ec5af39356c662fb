"""Keras 3 / TensorFlow on one thread, the model of bench/recurrent.ts: rnn(64) -> dense(1, sigmoid),
Adam, binary cross-entropy, float batches [32, 200, 64]. Prints samples/s (median epoch of 4 after
the first, wall time). Run: python bench/keras-recurrent.py (with the keras and tensorflow-cpu wheels)."""
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import tensorflow as tf

tf.config.threading.set_intra_op_parallelism_threads(1)
tf.config.threading.set_inter_op_parallelism_threads(1)
import keras

BATCH, STEPS, FEATURES, UNITS, BATCHES = 32, 200, 64, 64, 8


class Timer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self.start)


for kind in ["lstm", "gru"]:
    keras.utils.set_random_seed(1)
    layer = keras.layers.LSTM(UNITS) if kind == "lstm" else keras.layers.GRU(UNITS)
    model = keras.Sequential([keras.Input((STEPS, FEATURES)), layer, keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    n = BATCH * BATCHES
    x = np.random.default_rng(3).uniform(-1, 1, (n, STEPS, FEATURES)).astype("float32")
    y = (np.arange(n) % 2).astype("float32").reshape(n, 1)
    timer = Timer()
    timer.times = []
    model.fit(x, y, epochs=5, batch_size=BATCH, verbose=0, callbacks=[timer])
    ms = float(np.median(timer.times[1:]))
    print(f"{kind}({UNITS}) keras {keras.__version__}: {n / ms:.0f} samples/s")
