"""neurasm (tfjs layers-model) directories ⇄ PyTorch modules: load, save and from_torch."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from . import layers as L
from .errors import ModelFormatError, UnsupportedLayerError
from .files import read_model_json, read_weights, topology_layers, write_model_dir

NEURASM_TAG = "neurasm_torch 0.1.0"


class NeurasmSequential(nn.Sequential):
    """A torch.nn.Sequential of the bridge's Keras-semantics layers, with Keras's mask passing.

    `input_shape` is the shape of one example (without the batch axis) and `input_dtype` 'float32'
    or 'int32' (token ids), as the neurasm model declares them.
    """

    def __init__(
        self,
        layers: Sequence[L.KerasLayer],
        input_shape: Sequence[int | None],
        input_dtype: str = "float32",
        name: str = "sequential",
    ):
        super().__init__(*layers)
        self.input_shape = list(input_shape)
        self.input_dtype = input_dtype
        self.model_name = name

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mask = None
        for layer in self:
            if mask is not None and not layer.supports_masking:
                raise UnsupportedLayerError(
                    f'{layer.keras_class} "{layer.layer_name}" does not support masking, but its input has a mask '
                    "(from an Embedding with mask_zero)"
                )
            y = layer(x, mask)
            mask = layer.compute_mask(x, mask)
            x = y
        return x

    @torch.no_grad()
    def predict(self, x: np.ndarray | torch.Tensor, batch_size: int = 1024) -> np.ndarray:
        """Inference outputs (dropout and noise off, batch normalization on its moving statistics)."""
        was_training = self.training
        self.eval()
        try:
            x = torch.as_tensor(np.asarray(x))
            x = x.float() if self.input_dtype == "float32" else x.long()
            parts = [self(x[i : i + batch_size]) for i in range(0, x.shape[0], batch_size)]
            return torch.cat(parts).numpy()
        finally:
            self.train(was_training)


# ---- reading: Keras config → module ---------------------------------------------------------------


def _one(value: Any) -> Any:
    """Keras writes 1-D sizes as [n] (tfjs) or n (Keras 3)."""
    return value[0] if isinstance(value, (list, tuple)) else value


def _get(config: dict[str, Any], key: str, default: Any = None) -> Any:
    value = config.get(key, default)
    return default if value is None and default is not None else value


def _reject(config: dict[str, Any], where: str, checks: dict[str, Callable[[Any], bool]]) -> None:
    for key, ok in checks.items():
        if key in config and not ok(config[key]):
            raise UnsupportedLayerError(f"{where}: {key}={config[key]!r} is not supported by the bridge")


def _need_rank(shape: list, rank: int, where: str) -> None:
    if len(shape) != rank:
        raise UnsupportedLayerError(f"{where}: expected an input of rank {rank + 1} (with batch), got shape {shape}")


def _known(value: Any, where: str) -> int:
    if value is None:
        raise UnsupportedLayerError(f"{where}: the input size along this axis must be known")
    return int(value)


def _read_dense(c, name, shape):
    return L.Dense(
        _known(shape[-1], name), int(c["units"]), c.get("activation"), bool(_get(c, "use_bias", True)), name, c
    ), shape[:-1] + [int(c["units"])]


def _read_activation(c, name, shape):
    return L.Activation(c.get("activation"), name, c), shape


def _read_dropout(c, name, shape):
    _reject(c, f'Dropout "{name}"', {"noise_shape": lambda v: v is None})
    return L.Dropout(float(c["rate"]), name, c), shape


def _read_spatial_dropout(c, name, shape):
    return L.SpatialDropout1D(float(c["rate"]), name, c), shape


def _read_noise(c, name, shape):
    return L.GaussianNoise(float(c["stddev"]), name, c), shape


def _read_flatten(c, name, shape):
    size = None if any(d is None for d in shape) else int(np.prod(shape))
    return L.Flatten(name, c), [size]


def _read_reshape(c, name, shape):
    target = [int(d) for d in c["target_shape"]]
    if -1 in target:
        known = int(np.prod([d for d in target if d != -1]))
        total = int(np.prod(shape)) if all(d is not None for d in shape) else None
        target = [total // known if d == -1 and total else d for d in target]
    return L.Reshape(target, name, c), target


def _read_input(c, name, shape):
    return L.InputLayer(name, c), shape


def _read_batch_norm(c, name, shape):
    where = f'BatchNormalization "{name}"'
    axis = c.get("axis", -1)
    axis = axis[0] if isinstance(axis, list) and len(axis) == 1 else axis
    if axis not in (-1, len(shape)):
        raise UnsupportedLayerError(f"{where}: axis={c.get('axis')!r}; the bridge normalizes the last axis only")
    module = L.BatchNormalization(
        _known(shape[-1], where),
        float(_get(c, "momentum", 0.99)),
        float(_get(c, "epsilon", 1e-3)),
        bool(_get(c, "center", True)),
        bool(_get(c, "scale", True)),
        name,
        c,
    )
    return module, shape


def _read_embedding(c, name, shape):
    module = L.Embedding(int(c["input_dim"]), int(c["output_dim"]), bool(_get(c, "mask_zero", False)), name, c)
    return module, shape + [int(c["output_dim"])]


def _channels_last(c, where):
    _reject(c, where, {"data_format": lambda v: v in ("channels_last", "channelsLast")})


def _read_conv1d(c, name, shape):
    where = f'Conv1D "{name}"'
    _need_rank(shape, 2, where)
    _channels_last(c, where)
    _reject(c, where, {"groups": lambda v: v in (1, None)})
    k, s, d = int(_one(c["kernel_size"])), int(_one(_get(c, "strides", 1))), int(_one(_get(c, "dilation_rate", 1)))
    padding = _get(c, "padding", "valid")
    module = L.Conv1D(
        _known(shape[1], where),
        int(c["filters"]),
        k,
        s,
        padding,
        d,
        c.get("activation"),
        bool(_get(c, "use_bias", True)),
        name,
        c,
    )
    return module, [L.window_output_length(shape[0], k, s, d, padding), int(c["filters"])]


def _pooling(kind):
    def read(c, name, shape):
        cls = "MaxPooling1D" if kind == "max" else "AveragePooling1D"
        _need_rank(shape, 2, f'{cls} "{name}"')
        _channels_last(c, f'{cls} "{name}"')
        size = int(_one(_get(c, "pool_size", 2)))
        strides = int(_one(c.get("strides") or size))
        padding = _get(c, "padding", "valid")
        module = L.Pooling1D(kind, size, strides, padding, name, c)
        return module, [L.window_output_length(shape[0], size, strides, 1, padding), shape[1]]

    return read


def _global_pooling(kind):
    def read(c, name, shape):
        cls = "GlobalMaxPooling1D" if kind == "max" else "GlobalAveragePooling1D"
        _need_rank(shape, 2, f'{cls} "{name}"')
        _channels_last(c, f'{cls} "{name}"')
        keepdims = bool(_get(c, "keepdims", False))
        return L.GlobalPooling1D(kind, keepdims, name, c), ([1, shape[1]] if keepdims else [shape[1]])

    return read


def _recurrent(kind):
    def read(c, name, shape):
        where = f'{kind} "{name}"'
        _need_rank(shape, 2, where)
        _reject(
            c,
            where,
            {
                "return_state": lambda v: not v,
                "stateful": lambda v: not v,
                "reset_after": lambda v: v is True if kind == "GRU" else True,
            },
        )
        if kind == "GRU" and "reset_after" not in c:
            # tfjs's default, when the file does not say
            raise UnsupportedLayerError(f"{where}: reset_after is false (tfjs's default): torch's GRU has no such form")
        module = L.Recurrent(
            kind,
            _known(shape[1], where),
            int(c["units"]),
            c.get("activation", "tanh"),
            c.get("recurrent_activation", "hard_sigmoid"),
            bool(_get(c, "use_bias", True)),
            bool(_get(c, "return_sequences", False)),
            bool(_get(c, "go_backwards", False)),
            float(_get(c, "dropout", 0.0)),
            float(_get(c, "recurrent_dropout", 0.0)),
            name,
            c,
        )
        units = int(c["units"])
        return module, ([shape[0], units] if module.return_sequences else [units])

    return read


READERS: dict[str, Callable[[dict[str, Any], str, list], tuple[L.KerasLayer, list]]] = {
    "Dense": _read_dense,
    "Activation": _read_activation,
    "Dropout": _read_dropout,
    "SpatialDropout1D": _read_spatial_dropout,
    "GaussianNoise": _read_noise,
    "Flatten": _read_flatten,
    "Reshape": _read_reshape,
    "InputLayer": _read_input,
    "BatchNormalization": _read_batch_norm,
    "Embedding": _read_embedding,
    "Conv1D": _read_conv1d,
    "MaxPooling1D": _pooling("max"),
    "AveragePooling1D": _pooling("avg"),
    "GlobalMaxPooling1D": _global_pooling("max"),
    "GlobalAveragePooling1D": _global_pooling("avg"),
    "LSTM": _recurrent("LSTM"),
    "GRU": _recurrent("GRU"),
    "SimpleRNN": _recurrent("SimpleRNN"),
}

SUPPORTED_LAYERS = tuple(READERS)


def _input_spec(entries: list[dict[str, Any]]) -> tuple[list, str]:
    first = entries[0].get("config", {})
    for key in ("batch_input_shape", "batch_shape"):
        if first.get(key):
            return list(first[key])[1:], str(first.get("dtype") or "float32")
    if entries[0].get("class_name") == "Embedding" and first.get("input_length") is not None:
        return [int(_one(first["input_length"]))], "float32"
    raise ModelFormatError("load: the first layer declares no batch_input_shape; the input shape is unknown")


def _weights_of(name: str, all_weights: dict[str, np.ndarray]) -> dict[str, tuple[str, np.ndarray]]:
    """The weights of one layer by suffix: names `.../<layer>/<suffix>` (a Keras ':0' tail dropped)."""
    found = {}
    for full, array in all_weights.items():
        parts = re.sub(r":\d+$", "", full).split("/")
        if len(parts) >= 2 and parts[-2] == name:
            found[parts[-1]] = (full, array)
    return found


def load(directory: str) -> NeurasmSequential:
    """Reads a neurasm/tfjs layers-model directory into a NeurasmSequential with the same weights.

    Raises UnsupportedLayerError naming the first layer (or option) the bridge cannot translate, and
    ModelFormatError for a directory it cannot read. For a text model (neurasm's TextVectorization
    first), the module is the numeric model after it: it takes token ids, and `save(..., like=dir)`
    keeps the text layer and its vocabulary.
    """
    model_json = read_model_json(directory)
    model_name, entries = topology_layers(model_json)
    if not entries:
        raise ModelFormatError("load: the model has no layers")
    input_shape, dtype = _input_spec(entries)
    shape = list(input_shape)
    modules: list[L.KerasLayer] = []
    for index, entry in enumerate(entries):
        class_name, config = entry.get("class_name"), dict(entry.get("config", {}))
        name = config.get("name") or f"layer_{index}"
        reader = READERS.get(class_name)
        if reader is None:
            raise UnsupportedLayerError(
                f'load: layer {index} "{name}" is a {class_name}, which the bridge does not translate; '
                f"supported: {', '.join(SUPPORTED_LAYERS)}"
            )
        module, shape = reader(config, name, list(shape))
        module.config = config
        modules.append(module)
    all_weights = read_weights(directory, model_json)
    for module in modules:
        found = _weights_of(module.layer_name, all_weights)
        missing = [s for s in module.weight_suffixes if s not in found]
        if missing:
            raise ModelFormatError(
                f'load: layer "{module.layer_name}" has no weight {", ".join(missing)} in the manifest'
            )
        module.set_keras_weights({s: found[s][1] for s in module.weight_suffixes})
        module.weight_names = {s: found[s][0] for s in module.weight_suffixes}
    text_input = (model_json.get("neurasm") or {}).get("textInput")
    input_dtype = "int32" if text_input or dtype == "int32" or isinstance(modules[0], L.Embedding) else "float32"
    return NeurasmSequential(modules, input_shape, input_dtype, model_name or "sequential")


# ---- from plain torch modules ----------------------------------------------------------------------

_TORCH_ACTIVATIONS: dict[type, Callable[[nn.Module], str | None]] = {
    nn.ReLU: lambda m: "relu",
    nn.Sigmoid: lambda m: "sigmoid",
    nn.Tanh: lambda m: "tanh",
    nn.Softmax: lambda m: "softmax" if m.dim in (-1, 1) else None,
    nn.ELU: lambda m: "elu" if m.alpha == 1.0 else None,
    nn.LeakyReLU: lambda m: "leaky_relu" if abs(m.negative_slope - 0.2) < 1e-12 else None,
    nn.GELU: lambda m: "gelu" if m.approximate == "none" else None,
    nn.Softplus: lambda m: "softplus" if m.beta == 1 else None,
    nn.Identity: lambda m: "linear",
}


def _torch_activation(module: nn.Module) -> str | None:
    for cls, name_of in _TORCH_ACTIVATIONS.items():
        if type(module) is cls:
            name = name_of(module)
            if name is None:
                raise UnsupportedLayerError(
                    f"{module!r}: this form has no neurasm counterpart (neurasm has softmax over the last axis, "
                    "elu alpha 1, leaky_relu slope 0.2, exact gelu, softplus beta 1)"
                )
            return name
    return None


def _unique_name(base: str, used: set[str]) -> str:
    i = 1
    while f"{base}_{i}" in used:
        i += 1
    used.add(f"{base}_{i}")
    return f"{base}_{i}"


def from_torch(module: nn.Module, input_shape: Sequence[int | None]) -> NeurasmSequential:
    """A NeurasmSequential equal to a torch.nn.Sequential of supported modules, weights copied.

    Supported: nn.Linear (an activation module right after it becomes its activation), nn.ReLU,
    nn.Sigmoid, nn.Tanh, nn.Softmax(dim=-1), nn.ELU(), nn.LeakyReLU(0.2), nn.GELU(), nn.Softplus(),
    nn.Identity, nn.Dropout, nn.BatchNorm1d (on [batch, features]), nn.Flatten, nn.Embedding, and the
    bridge's own layers (neurasm_torch.layers: Conv1D, LSTM/GRU via Recurrent, pooling, ... which are
    channels-last as neurasm). Anything else raises UnsupportedLayerError naming the module.
    """
    if isinstance(module, NeurasmSequential):
        return module
    children = list(module.children()) if isinstance(module, nn.Sequential) else [module]
    used = {getattr(c, "layer_name", "") for c in children}
    out: list[L.KerasLayer] = []
    shape = list(input_shape)
    i = 0
    while i < len(children):
        child = children[i]
        where = f"from_torch: module {i} ({type(child).__name__})"
        if isinstance(child, L.KerasLayer):
            out.append(child)
        elif isinstance(child, nn.Linear):
            act = _torch_activation(children[i + 1]) if i + 1 < len(children) else None
            dense = L.Dense(
                child.in_features, child.out_features, act, child.bias is not None, _unique_name("dense", used)
            )
            with torch.no_grad():
                dense.linear.weight.copy_(child.weight)
                if child.bias is not None:
                    dense.linear.bias.copy_(child.bias)
            out.append(dense)
            i += 1 if act is not None else 0
        elif _torch_activation(child) is not None:
            out.append(L.Activation(_torch_activation(child), _unique_name("activation", used)))
        elif isinstance(child, nn.Dropout):
            out.append(L.Dropout(child.p, _unique_name("dropout", used)))
        elif isinstance(child, nn.BatchNorm1d):
            if child.momentum is None or not child.track_running_stats or not child.affine:
                raise UnsupportedLayerError(f"{where}: needs affine=True, track_running_stats=True and a momentum")
            bn = L.BatchNormalization(
                child.num_features,
                1.0 - child.momentum,
                child.eps,
                True,
                True,
                _unique_name("batch_normalization", used),
            )
            bn.bn.load_state_dict(child.state_dict())
            out.append(bn)
        elif isinstance(child, nn.Flatten):
            if child.start_dim != 1 or child.end_dim != -1:
                raise UnsupportedLayerError(f"{where}: only Flatten(start_dim=1, end_dim=-1) is supported")
            out.append(L.Flatten(_unique_name("flatten", used)))
        elif isinstance(child, nn.Embedding):
            if child.padding_idx is not None or child.max_norm is not None:
                raise UnsupportedLayerError(f"{where}: padding_idx and max_norm have no neurasm counterpart")
            emb = L.Embedding(child.num_embeddings, child.embedding_dim, False, _unique_name("embedding", used))
            with torch.no_grad():
                emb.embedding.weight.copy_(child.weight)
            out.append(emb)
        else:
            hint = ""
            if isinstance(child, (nn.Conv1d, nn.LSTM, nn.GRU, nn.RNN, nn.MaxPool1d, nn.AvgPool1d)):
                hint = (
                    " (neurasm is channels-last, [batch, steps, channels]: use neurasm_torch.layers.Conv1D, "
                    "Pooling1D or Recurrent, which hold torch's modules)"
                )
            raise UnsupportedLayerError(
                f"{where}: {type(child).__name__} has no neurasm counterpart in the bridge{hint}; "
                f"supported: Linear, activations, Dropout, BatchNorm1d, Flatten, Embedding, neurasm_torch.layers"
            )
        i += 1
    dtype = "int32" if out and isinstance(out[0], L.Embedding) else "float32"
    return NeurasmSequential(out, shape, dtype)


# ---- writing ---------------------------------------------------------------------------------------


def _layer_entry(layer: L.KerasLayer, index: int, model: NeurasmSequential) -> dict[str, Any]:
    config = copy.deepcopy(layer.config)
    config["name"] = layer.layer_name
    config.setdefault("trainable", True)
    config.setdefault("dtype", "float32")
    if index == 0 and "batch_input_shape" not in config and "batch_shape" not in config:
        config["batch_input_shape"] = [None, *model.input_shape]
        if model.input_dtype == "int32" and not isinstance(layer, L.Embedding):
            config["dtype"] = "int32"
    return {"class_name": layer.keras_class, "config": config}


def save(
    module: nn.Module, directory: str, like: str | None = None, input_shape: Sequence[int | None] | None = None
) -> None:
    """Writes a tfjs layers-model directory that neurasm loads (model.json + weights.bin), atomically.

    `module` is a NeurasmSequential (from `load`, trained or not), a DistributedDataParallel around one,
    or a torch.nn.Sequential of supported modules (then `input_shape`, one example's shape, is needed).
    `like`: the directory the model was loaded from; its model.json's other entries (training config,
    neurasm's preprocessing and text layer) are kept, neurasm's optimizer state is dropped (it belongs
    to the old weights). Layer configs and weight names are those read from it.
    """
    module = getattr(module, "module", module)  # DDP
    if not isinstance(module, NeurasmSequential):
        if input_shape is None:
            raise UnsupportedLayerError("save: a plain torch module needs input_shape (one example's shape)")
        module = from_torch(module, input_shape)
    names = set()
    for layer in module:
        if layer.layer_name in names:
            raise ModelFormatError(f'save: two layers are named "{layer.layer_name}"; names must be unique')
        names.add(layer.layer_name)
    document: dict[str, Any] = {}
    topology: dict[str, Any] = {"keras_version": NEURASM_TAG, "backend": "pytorch"}
    if like is not None:
        document = read_model_json(like)
        document.pop("weightsManifest", None)
        old = document.get("modelTopology") or {}
        topology = {k: v for k, v in old.items() if k in ("keras_version", "backend")} or topology
        extra = document.get("neurasm")
        if isinstance(extra, dict):
            extra = {k: v for k, v in extra.items() if k != "training"}
            document["neurasm"] = extra
    layers = [_layer_entry(layer, i, module) for i, layer in enumerate(module)]
    topology["class_name"] = "Sequential"
    topology["config"] = {"name": module.model_name, "layers": layers}
    document["modelTopology"] = topology
    document.setdefault("format", "layers-model")
    document["generatedBy"] = NEURASM_TAG
    document.setdefault("convertedBy", None)
    weights = []
    for layer in module:
        for suffix, array in layer.keras_weights():
            weights.append((layer.weight_names.get(suffix, f"{layer.layer_name}/{suffix}"), array))
    write_model_dir(directory, document, weights)
