"""Native onnxruntime (Python, CPU execution provider, one thread) on the bench's MLPs in f32 and the committed int8
files: a printed reference for `npm run bench -- inference`, which runs it when a Python with onnxruntime is found
(NEURASM_BENCH_PYTHON, else .venv/bin/python); never needed by `npm test`.

    python scripts/onnx/native_bench.py <f32 directory> <int8 directory>

<f32 directory> is what scripts/onnx/write-f32-models.ts writes, <int8 directory> is bench/models. Prints one JSON line
{"onnxruntime": version, "models": {model: {variant: {"latencyUs": batch-1 µs, "throughput": batch-128 samples/s}}}},
variant f32, int8-dynamic or int8-qdq, timed as bench/inference.ts
times: on process CPU time (wall time with BENCH_CLOCK=wall), median of 7 batches of about 100 ms after a warm-up.
Exits with status 3 when onnxruntime is not installed.
"""
import json
import os
import statistics
import sys
import time

try:
    import numpy as np
    import onnxruntime
except ImportError as e:
    print(f"native_bench.py: {e}", file=sys.stderr)
    sys.exit(3)

BATCH = 128
WARMUP_SECONDS, BATCH_SECONDS, TIMED_BATCHES = 0.5, 0.1, 7
clock = time.perf_counter if os.environ.get("BENCH_CLOCK") == "wall" else time.process_time


def time_calls(fn, reps):
    start = clock()
    for _ in range(reps):
        fn()
    return (clock() - start) / reps


def measure(fn):
    """Median seconds per call, as bench/inference.ts measureCall (without its settling rule: no JIT here)."""
    per_call = time_calls(fn, 2)
    start = clock()
    while clock() - start < WARMUP_SECONDS:
        per_call = time_calls(fn, max(1, round(BATCH_SECONDS / per_call)))
    reps = max(1, round(BATCH_SECONDS / per_call))
    return statistics.median(time_calls(fn, reps) for _ in range(TIMED_BATCHES))


def figures(path, features):
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    x = np.random.default_rng(3).uniform(-1, 1, (BATCH, features)).astype(np.float32)
    one = {"x": x[:1]}
    many = {"x": x}
    latency = measure(lambda: session.run(None, one))
    batch = measure(lambda: session.run(None, many))
    return {"latencyUs": latency * 1e6, "throughput": BATCH / batch}


def main(f32_dir, int8_dir):
    with open(os.path.join(f32_dir, "models.json")) as f:
        models = json.load(f)["models"]
    with open(os.path.join(int8_dir, "manifest.json")) as f:
        manifest = json.load(f)["models"]
    out = {}
    for model in models:
        name, features = model["name"], model["sizes"][0]
        entry = manifest[name]
        if entry["weightsSha256"] != model["weightsSha256"]:
            sys.exit(f"native_bench.py: {name}: the int8 files were made from other weights; run npm run bench:onnx-models")
        paths = {"f32": os.path.join(f32_dir, model["f32"])}
        for variant, file in entry["files"].items():
            paths[variant] = os.path.join(int8_dir, file["file"])
        out[name] = {variant: figures(path, features) for variant, path in paths.items()}
    print(json.dumps({"onnxruntime": onnxruntime.__version__, "models": out}))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python scripts/onnx/native_bench.py <f32 directory> <int8 directory>")
    main(sys.argv[1], sys.argv[2])
