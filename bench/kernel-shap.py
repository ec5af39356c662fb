"""python shap's peer of bench/explain.ts: KernelExplainer on the same 30-64-64-2 relu/softmax
network (numpy forward, float32 weights) and data, nsamples 'auto'.

Reads the case file bench/explain.ts writes (weights, background, explained rows, neurasm's values);
prints one JSON line {"seconds": process CPU time, "wallSeconds": wall time, "maxDifference": largest
|shap - neurasm|}.
Called with l1_reg=False (no feature selection, as neurasm; shap's default 'num_features(10)' adds
a LARS path per output). Never needed by `npm test`.
"""
import json
import sys
import time

import numpy as np
import shap

case = json.load(open(sys.argv[1]))
k1, b1, k2, b2, k3, b3 = [np.asarray(w["values"], dtype=np.float32).reshape(w["shape"]) for w in case["weights"]]
background = np.asarray(case["background"], dtype=np.float32).reshape(-1, 30)
x = np.asarray(case["x"], dtype=np.float32).reshape(-1, 30)


def network(rows):
    h = np.maximum(rows.astype(np.float32) @ k1 + b1, 0)
    h = np.maximum(h @ k2 + b2, 0)
    z = h @ k3 + b3
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


np.random.seed(0)
explainer = shap.KernelExplainer(network, background)
start = time.process_time()
wall_start = time.perf_counter()
values = explainer.shap_values(x, nsamples="auto", l1_reg=False, silent=True)
seconds = time.process_time() - start
wall_seconds = time.perf_counter() - wall_start
difference = float(np.abs(np.asarray(values).ravel() - np.asarray(case["values"])).max())
print(json.dumps({"seconds": seconds, "wallSeconds": wall_seconds, "maxDifference": difference}))
