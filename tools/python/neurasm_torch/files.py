"""Reading and writing the TensorFlow.js layers-model directory (model.json + weight files).

Only what the bridge needs: the Sequential topology in its common layouts, float32/int32 weights
(the shards of the manifest read in order), and an atomic write of a new directory.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from typing import Any

import numpy as np

from .errors import ModelFormatError

WEIGHTS_FILE = "weights.bin"

_DTYPES = {"float32": np.float32, "int32": np.int32}
# bytes per stored value: plain, or quantized as tfjs writes (uint8/uint16 with min and scale, float16)
_CODE_BYTES = {"float32": 4, "int32": 4, "uint8": 1, "uint16": 2, "float16": 2}


def _dequantize(data: bytes, offset: int, count: int, quantization: dict[str, Any], dtype: str) -> np.ndarray:
    """Values of quantized weights, computed as neurasm and tfjs do (code · scale + min in float64, then float32)."""
    kind = quantization["dtype"]
    if kind == "float16":
        return np.frombuffer(data, dtype="<f2", count=count, offset=offset).astype(np.float32)
    codes = np.frombuffer(data, dtype=np.uint8 if kind == "uint8" else "<u2", count=count, offset=offset)
    values = codes.astype(np.float64) * float(quantization["scale"]) + float(quantization["min"])
    return np.round(values).astype(np.int32) if dtype == "int32" else values.astype(np.float32)


def read_model_json(directory: str) -> dict[str, Any]:
    """The parsed model.json of a model directory."""
    path = os.path.join(directory, "model.json")
    if not os.path.isfile(path):
        raise ModelFormatError(f"load: no model.json in {directory!r}")
    with open(path, encoding="utf-8") as f:
        try:
            return json.load(f)
        except json.JSONDecodeError as e:
            raise ModelFormatError(f"load: {path} is not JSON: {e}") from e


def topology_layers(model_json: dict[str, Any]) -> tuple[str | None, list[dict[str, Any]]]:
    """The model's name and its layer entries, for the layouts tfjs and the Keras converter write."""
    topology = model_json.get("modelTopology")
    if not isinstance(topology, dict):
        raise ModelFormatError("load: model.json has no modelTopology object")
    if "model_config" in topology:
        topology = topology["model_config"]
    class_name = topology.get("class_name")
    if class_name != "Sequential":
        raise ModelFormatError(f"load: the bridge reads Sequential models; this model.json holds a {class_name!r}")
    config = topology.get("config")
    if isinstance(config, list):
        return None, config
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        raise ModelFormatError("load: modelTopology.config has no layers list")
    return config.get("name"), config["layers"]


def read_weights(directory: str, model_json: dict[str, Any]) -> dict[str, np.ndarray]:
    """Every weight of the manifest by its name, as float32/int32 arrays (in manifest order)."""
    manifest = model_json.get("weightsManifest")
    if not isinstance(manifest, list):
        raise ModelFormatError("load: model.json has no weightsManifest list")
    weights: dict[str, np.ndarray] = {}
    for group_index, group in enumerate(manifest):
        data = b"".join(_read_shard(directory, p) for p in group.get("paths", []))
        offset = 0
        for spec in group.get("weights", []):
            name, shape, dtype = spec["name"], list(spec["shape"]), spec.get("dtype", "float32")
            if dtype not in _DTYPES:
                raise ModelFormatError(f"load: weight {name!r} has dtype {dtype!r}; expected float32 or int32")
            count = int(np.prod(shape)) if shape else 1
            quantization = spec.get("quantization")
            stored = quantization.get("dtype") if quantization else dtype
            if stored not in _CODE_BYTES:
                raise ModelFormatError(f"load: weight {name!r} is stored as {stored!r}, which the bridge does not read")
            size = count * _CODE_BYTES[stored]
            if offset + size > len(data):
                raise ModelFormatError(f"load: weight group {group_index} is {len(data)} bytes, too short for {name!r}")
            if quantization is None:
                array = np.frombuffer(data, dtype=_DTYPES[dtype], count=count, offset=offset).reshape(shape)
            else:
                array = _dequantize(data, offset, count, quantization, dtype).reshape(shape)
            weights[name] = array.copy()
            offset += size
    return weights


def _read_shard(directory: str, path: str) -> bytes:
    full = os.path.normpath(os.path.join(directory, path))
    if os.path.dirname(full) != os.path.normpath(directory):
        raise ModelFormatError(f"load: weight file {path!r} is not inside {directory!r}")
    if not os.path.isfile(full):
        raise ModelFormatError(f"load: the weight file {path!r} named in model.json is missing from {directory!r}")
    with open(full, "rb") as f:
        return f.read()


def write_model_dir(directory: str, model_json: dict[str, Any], weights: list[tuple[str, np.ndarray]]) -> None:
    """Writes model.json and one weights.bin into `directory`, replacing it as a whole.

    The files are written into a new sibling directory, which then takes the place of the old one
    (renamed aside and removed), so a reader sees the old model or the new one, never a mix.
    """
    directory = os.path.abspath(directory)
    parent = os.path.dirname(directory)
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".{os.path.basename(directory)}.tmp-", dir=parent)
    try:
        specs = []
        with open(os.path.join(staging, WEIGHTS_FILE), "wb") as f:
            for name, array in weights:
                dtype = "int32" if array.dtype == np.int32 else "float32"
                data = np.ascontiguousarray(array, dtype=_DTYPES[dtype])
                if dtype == "float32" and not np.all(np.isfinite(data)):
                    raise ModelFormatError(f"save: weight {name!r} has a NaN or infinite value")
                f.write(data.tobytes())
                specs.append({"name": name, "shape": list(array.shape), "dtype": dtype})
            f.flush()
            os.fsync(f.fileno())
        document = dict(model_json)
        document["weightsManifest"] = [{"paths": [WEIGHTS_FILE], "weights": specs}]
        with open(os.path.join(staging, "model.json"), "w", encoding="utf-8") as f:
            json.dump(document, f, indent=None)
            f.flush()
            os.fsync(f.fileno())
        old = None
        if os.path.exists(directory):
            old = tempfile.mkdtemp(prefix=f".{os.path.basename(directory)}.old-", dir=parent)
            os.rmdir(old)
            os.rename(directory, old)
        os.rename(staging, directory)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
