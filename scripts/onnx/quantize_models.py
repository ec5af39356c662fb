"""Step 2 of `npm run bench:onnx-models`: quantizes the bench's f32 MLPs to int8 with onnxruntime's own tools and
writes bench/models/<model>.int8-dynamic.onnx, bench/models/<model>.int8-qdq.onnx and bench/models/manifest.json.

Input: the directory written by step 1 (scripts/onnx/write-f32-models.ts): models.json, <model>.f32.onnx and
<model>.calibration.f32 (raw little-endian float32 [rows, inputs]). The bench and the tests read only the committed
output; they never run Python.

Run with onnxruntime, onnx and numpy installed:
    python scripts/onnx/quantize_models.py <f32 directory> bench/models

Choices (the lead's int8 is symmetric int8 weights, one scale per output channel):
- dynamic: quantize_dynamic(weight_type=QInt8, per_channel=True). MatMul becomes DynamicQuantizeLinear (uint8
  activations, scale and zero point computed per call) + MatMulInteger; the weights are symmetric int8 (the default
  WeightSymmetric) with one scale per output column (axis 1 of the [inputs, units] kernel). reduce_range stays off:
  it gives up a bit of weight precision to avoid the 16-bit saturation of x86 AVX2 u8s8 kernels without VNNI, which
  is not how the WebAssembly kernels multiply. MatMulConstBOnly stays at its default (True).
- static QDQ: quantize_static(quant_format=QDQ, per_channel=True, weight_type=QInt8, activation_type=QUInt8,
  calibrate_method=MinMax) on the calibration rows. uint8 activations with a zero point fit the non-negative ReLU
  outputs and are the u8s8 form onnxruntime's CPU kernels take; weights as above. Softmax is left out of
  op_types_to_quantize, so probabilities stay float32 as in every other engine of the bench: quantizing them to
  1/255 steps makes ties that change the top-1 class without saying anything about the int8 matrix products.
- No quant_pre_process: for these graphs it changes nothing (MatMul + Add stay as they are).
"""
import hashlib
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime
from onnx import numpy_helper
from onnxruntime.quantization import (
    CalibrationDataReader,
    CalibrationMethod,
    QuantFormat,
    QuantType,
    quantize_dynamic,
    quantize_static,
)

DYNAMIC_OPTIONS = {"weight_type": "QInt8", "per_channel": True, "reduce_range": False}
STATIC_OPTIONS = {
    "quant_format": "QDQ",
    "per_channel": True,
    "weight_type": "QInt8",
    "activation_type": "QUInt8",
    "calibrate_method": "MinMax",
    "op_types_to_quantize": ["MatMul", "Add", "Relu"],
}


class RowsReader(CalibrationDataReader):
    """Feeds all calibration rows as one batch of the model's input "x"."""

    def __init__(self, rows):
        self.batches = iter([{"x": rows}])

    def get_next(self):
        return next(self.batches, None)


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def weights_sha256(model_path, layers):
    """sha256 of kernel0, bias0, kernel1, ... as little-endian float32, as bench/int8-models.ts weightsSha256."""
    initializers = {t.name: numpy_helper.to_array(t) for t in onnx.load(model_path).graph.initializer}
    h = hashlib.sha256()
    for l in range(layers):
        for name in (f"kernel{l}", f"bias{l}"):
            h.update(initializers[name].astype("<f4").tobytes())
    return h.hexdigest()


def to_json(value, indent=""):
    """JSON as biome formats it: objects one key a line, lists of numbers and strings on one line."""
    if isinstance(value, dict):
        inner = indent + "  "
        items = [f"{inner}{json.dumps(k)}: {to_json(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list):
        return "[" + ", ".join(to_json(v, indent) for v in value) + "]"
    return json.dumps(value)


def main(source, target):
    with open(os.path.join(source, "models.json")) as f:
        models = json.load(f)["models"]
    os.makedirs(target, exist_ok=True)
    manifest = {
        "generator": {
            "command": "npm run bench:onnx-models",
            "scripts": ["scripts/onnx/write-f32-models.ts", "scripts/onnx/quantize_models.py"],
            "onnxruntime": onnxruntime.__version__,
            "onnx": onnx.__version__,
            "numpy": np.__version__,
            "int8-dynamic": {"function": "quantize_dynamic", **DYNAMIC_OPTIONS},
            "int8-qdq": {"function": "quantize_static", **STATIC_OPTIONS},
        },
        "models": {},
    }
    for model in models:
        name, sizes = model["name"], model["sizes"]
        f32 = os.path.join(source, model["f32"])
        actual = weights_sha256(f32, len(sizes) - 1)
        if actual != model["weightsSha256"]:
            sys.exit(f"{f32}: weights sha256 {actual} is not models.json's {model['weightsSha256']}")
        rows = np.fromfile(os.path.join(source, model["calibration"]), dtype="<f4").reshape(-1, sizes[0])
        files = {"int8-dynamic": f"{name}.int8-dynamic.onnx", "int8-qdq": f"{name}.int8-qdq.onnx"}
        quantize_dynamic(
            f32,
            os.path.join(target, files["int8-dynamic"]),
            weight_type=QuantType.QInt8,
            per_channel=True,
            reduce_range=False,
        )
        quantize_static(
            f32,
            os.path.join(target, files["int8-qdq"]),
            RowsReader(rows),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            weight_type=QuantType.QInt8,
            activation_type=QuantType.QUInt8,
            calibrate_method=CalibrationMethod.MinMax,
            op_types_to_quantize=STATIC_OPTIONS["op_types_to_quantize"],
        )
        calibration = {
            "rows": model["calibrationRows"],
            "seed": model["calibrationSeed"],
            "distribution": "uniform [-1, 1), bench/harness.ts randomFloats",
        }
        entry = {"sizes": sizes, "weightsSha256": actual, "calibration": calibration, "files": {}}
        for variant, file in files.items():
            path = os.path.join(target, file)
            entry["files"][variant] = {"file": file, "bytes": os.path.getsize(path), "sha256": sha256_file(path)}
            print(f"wrote {path} ({os.path.getsize(path)} bytes)")
        manifest["models"][name] = entry
    with open(os.path.join(target, "manifest.json"), "w") as f:
        f.write(to_json(manifest) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python scripts/onnx/quantize_models.py <f32 directory> <output directory>")
    main(sys.argv[1], sys.argv[2])
