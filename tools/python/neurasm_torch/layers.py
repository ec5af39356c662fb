"""PyTorch modules with the semantics and weight layouts of neurasm's (Keras's) layers.

Tensors are channels-last as in neurasm: [batch, features] or [batch, steps, channels]. Each module
keeps its Keras config (`config`) and translates its weights both ways (`set_keras_weights`,
`keras_weights`), so that a model read from a neurasm directory is written back unchanged. The
modules may also be used directly to build a model in PyTorch that neurasm will serve.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .activations import RECURRENT_ACTIVATIONS, activation_fn, canonical_activation
from .errors import UnsupportedLayerError

Shape = list  # a shape without its batch axis; entries may be None (unknown length)


def _tensor(array: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))


def _numpy(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy().astype(np.float32, copy=True)


def _assign(param: torch.Tensor, array: np.ndarray, what: str) -> None:
    if tuple(param.shape) != tuple(array.shape):
        raise UnsupportedLayerError(f"{what}: expected a weight of shape {tuple(param.shape)}, got {array.shape}")
    with torch.no_grad():
        param.copy_(_tensor(array))


class KerasLayer(nn.Module):
    """A layer of a neurasm Sequential: its Keras class name, config, weights and masking rule."""

    keras_class = ""
    supports_masking = False
    # the order Keras stores the weights in
    weight_suffixes: tuple[str, ...] = ()

    def __init__(self, name: str, config: dict[str, Any]):
        super().__init__()
        self.layer_name = name
        self.config = dict(config, name=name)
        # full weight names as read from a file, by suffix (kept so that a round trip writes the same names)
        self.weight_names: dict[str, str] = {}

    def compute_mask(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor | None:
        return mask

    def set_keras_weights(self, weights: dict[str, np.ndarray]) -> None:
        """Sets the weights from arrays in Keras layout, by suffix ('kernel', 'bias', ...)."""

    def keras_weights(self) -> list[tuple[str, np.ndarray]]:
        """The weights in Keras layout, by suffix, in the order Keras stores them."""
        return []

    def extra_repr(self) -> str:
        return f"{self.keras_class} {self.layer_name!r}"


class Dense(KerasLayer):
    """Keras Dense: act(x · kernel + bias), kernel [in, units] (torch Linear holds its transpose)."""

    keras_class = "Dense"
    supports_masking = True

    def __init__(
        self,
        in_features: int,
        units: int,
        activation: str | None = None,
        use_bias: bool = True,
        name: str = "dense",
        config: dict[str, Any] | None = None,
    ):
        activation = canonical_activation(activation, f'Dense "{name}"')
        super().__init__(name, config or {"units": units, "activation": activation, "use_bias": use_bias})
        self.activation = activation
        self.linear = nn.Linear(in_features, units, bias=use_bias)
        self.weight_suffixes = ("kernel", "bias") if use_bias else ("kernel",)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return activation_fn(self.activation)(self.linear(x))

    def set_keras_weights(self, weights: dict[str, np.ndarray]) -> None:
        _assign(self.linear.weight, weights["kernel"].T, f'Dense "{self.layer_name}" kernel')
        if self.linear.bias is not None:
            _assign(self.linear.bias, weights["bias"], f'Dense "{self.layer_name}" bias')

    def keras_weights(self) -> list[tuple[str, np.ndarray]]:
        out = [("kernel", _numpy(self.linear.weight).T)]
        if self.linear.bias is not None:
            out.append(("bias", _numpy(self.linear.bias)))
        return out


class Activation(KerasLayer):
    """Keras Activation: an activation as a layer of its own."""

    keras_class = "Activation"
    supports_masking = True

    def __init__(self, activation: str, name: str = "activation", config: dict[str, Any] | None = None):
        activation = canonical_activation(activation, f'Activation "{name}"')
        super().__init__(name, config or {"activation": activation})
        self.activation = activation

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return activation_fn(self.activation)(x)


class Dropout(KerasLayer):
    """Keras Dropout (inverted dropout in training; the identity at inference)."""

    keras_class = "Dropout"
    supports_masking = True

    def __init__(self, rate: float, name: str = "dropout", config: dict[str, Any] | None = None):
        super().__init__(name, config or {"rate": rate})
        self.rate = rate

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return F.dropout(x, self.rate, self.training)


class SpatialDropout1D(KerasLayer):
    """Keras SpatialDropout1D: drops whole channels of [batch, steps, channels], one mask per sequence."""

    keras_class = "SpatialDropout1D"
    supports_masking = True

    def __init__(self, rate: float, name: str = "spatial_dropout1d", config: dict[str, Any] | None = None):
        super().__init__(name, config or {"rate": rate})
        self.rate = rate

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return F.dropout1d(x.transpose(1, 2), self.rate, self.training).transpose(1, 2)


class GaussianNoise(KerasLayer):
    """Keras GaussianNoise: adds N(0, stddev²) noise in training; the identity at inference."""

    keras_class = "GaussianNoise"
    supports_masking = True

    def __init__(self, stddev: float, name: str = "gaussian_noise", config: dict[str, Any] | None = None):
        super().__init__(name, config or {"stddev": stddev})
        self.stddev = stddev

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return x + torch.randn_like(x) * self.stddev if self.training else x


class Flatten(KerasLayer):
    """Keras Flatten: [batch, ...] → [batch, product] in row-major (channels-last) order."""

    keras_class = "Flatten"

    def __init__(self, name: str = "flatten", config: dict[str, Any] | None = None):
        super().__init__(name, config or {})

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return x.reshape(x.shape[0], -1)


class Reshape(KerasLayer):
    """Keras Reshape: [batch, ...] → [batch, *target_shape]."""

    keras_class = "Reshape"

    def __init__(self, target_shape: Sequence[int], name: str = "reshape", config: dict[str, Any] | None = None):
        super().__init__(name, config or {"target_shape": list(target_shape)})
        self.target_shape = [int(d) for d in target_shape]

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return x.reshape(x.shape[0], *self.target_shape)


class InputLayer(KerasLayer):
    """Keras InputLayer: the identity (it only declares the input shape)."""

    keras_class = "InputLayer"
    supports_masking = True

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return x


class BatchNormalization(KerasLayer):
    """Keras BatchNormalization over the last axis; its parameters and statistics live in a torch BatchNorm1d.

    Keras updates moving = moving·momentum + batch·(1 − momentum); torch running = running·(1 − m) + batch·m,
    so m = 1 − momentum. As Keras (and unlike torch), the moving variance moves towards the batch's biased
    variance. gamma/beta are absent from the file when scale/center are false (then they stay 1/0, frozen).
    """

    keras_class = "BatchNormalization"
    supports_masking = True

    def __init__(
        self,
        features: int,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        name: str = "batch_normalization",
        config: dict[str, Any] | None = None,
    ):
        super().__init__(
            name, config or {"axis": -1, "momentum": momentum, "epsilon": epsilon, "center": center, "scale": scale}
        )
        self.momentum, self.epsilon, self.center, self.scale = momentum, epsilon, center, scale
        self.bn = nn.BatchNorm1d(features, eps=epsilon, momentum=1.0 - momentum, affine=True)
        self.bn.weight.requires_grad_(scale)
        self.bn.bias.requires_grad_(center)
        suffixes = (["gamma"] if scale else []) + (["beta"] if center else []) + ["moving_mean", "moving_variance"]
        self.weight_suffixes = tuple(suffixes)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        flat = x.reshape(-1, x.shape[-1])
        bn = self.bn
        if not self.training:
            y = F.batch_norm(flat, bn.running_mean, bn.running_var, bn.weight, bn.bias, False, 0.0, bn.eps)
            return y.reshape(x.shape)
        # Keras's rule (torch's BatchNorm1d would update the moving variance with the unbiased one):
        # normalize with the batch's biased variance, and move the statistics towards it
        mean = flat.mean(0)
        var = flat.var(0, unbiased=False)
        with torch.no_grad():
            bn.running_mean.mul_(1.0 - bn.momentum).add_(mean.detach(), alpha=bn.momentum)
            bn.running_var.mul_(1.0 - bn.momentum).add_(var.detach(), alpha=bn.momentum)
        y = (flat - mean) / torch.sqrt(var + bn.eps) * bn.weight + bn.bias
        return y.reshape(x.shape)

    def set_keras_weights(self, weights: dict[str, np.ndarray]) -> None:
        what = f'BatchNormalization "{self.layer_name}"'
        if self.scale:
            _assign(self.bn.weight, weights["gamma"], f"{what} gamma")
        if self.center:
            _assign(self.bn.bias, weights["beta"], f"{what} beta")
        _assign(self.bn.running_mean, weights["moving_mean"], f"{what} moving_mean")
        _assign(self.bn.running_var, weights["moving_variance"], f"{what} moving_variance")

    def keras_weights(self) -> list[tuple[str, np.ndarray]]:
        out = []
        if self.scale:
            out.append(("gamma", _numpy(self.bn.weight)))
        if self.center:
            out.append(("beta", _numpy(self.bn.bias)))
        out.append(("moving_mean", _numpy(self.bn.running_mean)))
        out.append(("moving_variance", _numpy(self.bn.running_var)))
        return out


class Embedding(KerasLayer):
    """Keras Embedding: ids [batch, ...] → vectors; with mask_zero, id 0 is padding (a mask for later layers)."""

    keras_class = "Embedding"

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        mask_zero: bool = False,
        name: str = "embedding",
        config: dict[str, Any] | None = None,
    ):
        super().__init__(name, config or {"input_dim": input_dim, "output_dim": output_dim, "mask_zero": mask_zero})
        self.mask_zero = mask_zero
        self.embedding = nn.Embedding(input_dim, output_dim)
        self.weight_suffixes = ("embeddings",)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        ids = x.long()
        if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= self.embedding.num_embeddings):
            bad = int(ids.min()) if int(ids.min()) < 0 else int(ids.max())
            raise ValueError(f'Embedding "{self.layer_name}": id {bad} is outside [0, {self.embedding.num_embeddings})')
        return self.embedding(ids)

    def compute_mask(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor | None:
        return (x != 0).to(torch.float32) if self.mask_zero else None

    def set_keras_weights(self, weights: dict[str, np.ndarray]) -> None:
        _assign(self.embedding.weight, weights["embeddings"], f'Embedding "{self.layer_name}" embeddings')

    def keras_weights(self) -> list[tuple[str, np.ndarray]]:
        return [("embeddings", _numpy(self.embedding.weight))]


def _same_padding(steps: int, window: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """TensorFlow's 'same' padding: ceil(steps / stride) outputs, the odd step of padding on the right."""
    span = (window - 1) * dilation + 1
    total = max((math.ceil(steps / stride) - 1) * stride + span - steps, 0)
    return total // 2, total - total // 2


def window_output_length(steps: int | None, window: int, stride: int, dilation: int, padding: str) -> int | None:
    """Output steps of a 1-D window (conv or pooling) with Keras's padding names."""
    if steps is None:
        return None
    if padding in ("same", "causal"):
        # causal pads (window − 1)·dilation steps on the left: as many outputs as 'same'
        return math.ceil(steps / stride)
    span = (window - 1) * dilation + 1
    return (steps - span) // stride + 1


class Conv1D(KerasLayer):
    """Keras Conv1D on [batch, steps, channels]; kernel [k, in, filters] (torch: [filters, in, k])."""

    keras_class = "Conv1D"

    def __init__(
        self,
        in_channels: int,
        filters: int,
        kernel_size: int,
        strides: int = 1,
        padding: str = "valid",
        dilation_rate: int = 1,
        activation: str | None = None,
        use_bias: bool = True,
        name: str = "conv1d",
        config: dict[str, Any] | None = None,
    ):
        activation = canonical_activation(activation, f'Conv1D "{name}"')
        if padding not in ("valid", "same", "causal"):
            raise UnsupportedLayerError(f'Conv1D "{name}": padding {padding!r}; expected valid, same or causal')
        super().__init__(
            name,
            config
            or {
                "filters": filters,
                "kernel_size": [kernel_size],
                "strides": [strides],
                "padding": padding,
                "data_format": "channels_last",
                "dilation_rate": [dilation_rate],
                "activation": activation,
                "use_bias": use_bias,
            },
        )
        self.activation, self.padding = activation, padding
        self.kernel_size, self.strides, self.dilation_rate = kernel_size, strides, dilation_rate
        self.conv = nn.Conv1d(in_channels, filters, kernel_size, stride=strides, dilation=dilation_rate, bias=use_bias)
        self.weight_suffixes = ("kernel", "bias") if use_bias else ("kernel",)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        x = x.transpose(1, 2)
        if self.padding == "same":
            x = F.pad(x, _same_padding(x.shape[2], self.kernel_size, self.strides, self.dilation_rate))
        elif self.padding == "causal":
            x = F.pad(x, ((self.kernel_size - 1) * self.dilation_rate, 0))
        return activation_fn(self.activation)(self.conv(x).transpose(1, 2))

    def set_keras_weights(self, weights: dict[str, np.ndarray]) -> None:
        _assign(self.conv.weight, weights["kernel"].transpose(2, 1, 0), f'Conv1D "{self.layer_name}" kernel')
        if self.conv.bias is not None:
            _assign(self.conv.bias, weights["bias"], f'Conv1D "{self.layer_name}" bias')

    def keras_weights(self) -> list[tuple[str, np.ndarray]]:
        out = [("kernel", _numpy(self.conv.weight).transpose(2, 1, 0))]
        if self.conv.bias is not None:
            out.append(("bias", _numpy(self.conv.bias)))
        return out


class Pooling1D(KerasLayer):
    """Keras MaxPooling1D / AveragePooling1D on [batch, steps, channels] ('same' averages real steps only)."""

    def __init__(
        self,
        kind: str,
        pool_size: int = 2,
        strides: int | None = None,
        padding: str = "valid",
        name: str | None = None,
        config: dict[str, Any] | None = None,
    ):
        self.keras_class = "MaxPooling1D" if kind == "max" else "AveragePooling1D"
        name = name or ("max_pooling1d" if kind == "max" else "average_pooling1d")
        strides = strides or pool_size
        if padding not in ("valid", "same"):
            raise UnsupportedLayerError(f'{self.keras_class} "{name}": padding {padding!r}; expected valid or same')
        super().__init__(
            name,
            config
            or {"pool_size": [pool_size], "strides": [strides], "padding": padding, "data_format": "channels_last"},
        )
        self.kind, self.pool_size, self.strides, self.padding = kind, pool_size, strides, padding

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        x = x.transpose(1, 2)
        pad = _same_padding(x.shape[2], self.pool_size, self.strides) if self.padding == "same" else (0, 0)
        if self.kind == "max":
            x = F.pad(x, pad, value=-math.inf) if any(pad) else x
            y = F.max_pool1d(x, self.pool_size, self.strides)
        elif any(pad):
            total = F.avg_pool1d(F.pad(x, pad), self.pool_size, self.strides)
            ones = F.pad(torch.ones_like(x[:, :1, :]), pad)
            y = total / F.avg_pool1d(ones, self.pool_size, self.strides)
        else:
            y = F.avg_pool1d(x, self.pool_size, self.strides)
        return y.transpose(1, 2)


class GlobalPooling1D(KerasLayer):
    """Keras GlobalAveragePooling1D / GlobalMaxPooling1D; with a mask, over the real steps only (as neurasm)."""

    supports_masking = True

    def __init__(
        self, kind: str, keepdims: bool = False, name: str | None = None, config: dict[str, Any] | None = None
    ):
        self.keras_class = "GlobalMaxPooling1D" if kind == "max" else "GlobalAveragePooling1D"
        name = name or ("global_max_pooling1d" if kind == "max" else "global_average_pooling1d")
        base = {"data_format": "channels_last"}
        if keepdims:
            base["keepdims"] = True
        super().__init__(name, config or base)
        self.kind, self.keepdims = kind, keepdims

    def compute_mask(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor | None:
        return None

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        if mask is None:
            return x.amax(1, keepdim=self.keepdims) if self.kind == "max" else x.mean(1, keepdim=self.keepdims)
        m = mask.unsqueeze(2)
        if self.kind == "max":
            masked = torch.where(m > 0, x, torch.full_like(x, -3.4028234663852886e38))
            return masked.amax(1, keepdim=self.keepdims) * m.amax(1, keepdim=self.keepdims)
        return (x * m).sum(1, keepdim=self.keepdims) / m.sum(1, keepdim=self.keepdims).clamp_min(1.0)


_GATES = {"LSTM": 4, "GRU": 3, "SimpleRNN": 1}


def _swap_first_two_gates(a: np.ndarray, units: int, axis: int) -> np.ndarray:
    """Keras GRU gates z, r, h ⇄ torch r, z, n (the same swap both ways)."""
    z, r, h = np.split(a, [units, 2 * units], axis=axis)
    return np.concatenate([r, z, h], axis=axis)


class Recurrent(KerasLayer):
    """Keras LSTM, GRU (reset_after=True) and SimpleRNN on [batch, steps, channels].

    The weights live in a torch nn.LSTM / nn.GRU / nn.RNN (torch's layout and gate order); its fused
    kernel runs when the activations are torch's (tanh, sigmoid) and there is no mask and no dropout.
    Otherwise a step loop over the same parameters runs, with any activation neurasm has (e.g. tfjs's
    default hard_sigmoid gates), Keras's masking (a padded step keeps the state and repeats the previous
    output) and Keras's recurrent dropout (one mask per sequence).
    """

    supports_masking = True

    def __init__(
        self,
        kind: str,
        input_size: int,
        units: int,
        activation: str | None = "tanh",
        recurrent_activation: str | None = "sigmoid",
        use_bias: bool = True,
        return_sequences: bool = False,
        go_backwards: bool = False,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        name: str | None = None,
        config: dict[str, Any] | None = None,
    ):
        if kind not in _GATES:
            raise UnsupportedLayerError(f"recurrent layer kind {kind!r}; expected LSTM, GRU or SimpleRNN")
        self.keras_class = kind
        name = name or {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "simple_rnn"}[kind]
        where = f'{kind} "{name}"'
        activation = canonical_activation(activation, where, RECURRENT_ACTIVATIONS)
        recurrent_activation = canonical_activation(recurrent_activation, where, RECURRENT_ACTIVATIONS)
        base: dict[str, Any] = {
            "units": units,
            "activation": activation,
            "use_bias": use_bias,
            "return_sequences": return_sequences,
            "go_backwards": go_backwards,
            "dropout": dropout,
            "recurrent_dropout": recurrent_dropout,
        }
        if kind != "SimpleRNN":
            base["recurrent_activation"] = recurrent_activation
        if kind == "GRU":
            base["reset_after"] = True
        super().__init__(name, config or base)
        self.kind, self.units = kind, units
        self.activation, self.recurrent_activation = activation, recurrent_activation
        self.use_bias, self.return_sequences, self.go_backwards = use_bias, return_sequences, go_backwards
        self.dropout, self.recurrent_dropout = dropout, recurrent_dropout
        if kind == "LSTM":
            self.rnn = nn.LSTM(input_size, units, batch_first=True, bias=use_bias)
        elif kind == "GRU":
            self.rnn = nn.GRU(input_size, units, batch_first=True, bias=use_bias)
        else:
            nonlinearity = "relu" if activation == "relu" else "tanh"
            self.rnn = nn.RNN(input_size, units, batch_first=True, bias=use_bias, nonlinearity=nonlinearity)
        self.weight_suffixes = ("kernel", "recurrent_kernel", "bias") if use_bias else ("kernel", "recurrent_kernel")

    def compute_mask(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor | None:
        return mask if self.return_sequences else None

    def _fused(self) -> bool:
        if self.kind == "SimpleRNN":
            return self.activation in ("tanh", "relu")
        return self.activation == "tanh" and self.recurrent_activation == "sigmoid"

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        if self.go_backwards:
            x = x.flip(1)
            mask = mask.flip(1) if mask is not None else None
        dropping = self.training and (self.dropout > 0 or self.recurrent_dropout > 0)
        if mask is None and not dropping and self._fused():
            out, _ = self.rnn(x)
        else:
            out = self._loop(x, mask)
        return out if self.return_sequences else out[:, -1]

    def _loop(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        act = activation_fn(self.activation)
        gate = activation_fn(self.recurrent_activation)
        w_ih, w_hh = self.rnn.weight_ih_l0, self.rnn.weight_hh_l0
        batch, steps, _ = x.shape
        if self.training and self.dropout > 0:
            x = x * F.dropout(torch.ones_like(x[:, :1, :]), self.dropout, True)
        h_mask = None
        if self.training and self.recurrent_dropout > 0:
            h_mask = F.dropout(x.new_ones(batch, self.units), self.recurrent_dropout, True)
        xw = x @ w_ih.T
        if self.use_bias:
            xw = xw + self.rnn.bias_ih_l0
        b_hh = self.rnn.bias_hh_l0 if self.use_bias else None
        h = x.new_zeros(batch, self.units)
        c = x.new_zeros(batch, self.units)
        outputs = []
        for t in range(steps):
            hw = (h if h_mask is None else h * h_mask) @ w_hh.T
            if b_hh is not None:
                hw = hw + b_hh
            if self.kind == "LSTM":
                i, f, g, o = (xw[:, t] + hw).chunk(4, dim=1)
                c_new = gate(f) * c + gate(i) * act(g)
                h_new = gate(o) * act(c_new)
            elif self.kind == "GRU":
                r_x, z_x, n_x = xw[:, t].chunk(3, dim=1)
                r_h, z_h, n_h = hw.chunk(3, dim=1)
                r, z = gate(r_x + r_h), gate(z_x + z_h)
                h_new = (1 - z) * act(n_x + r * n_h) + z * h
                c_new = c
            else:
                h_new, c_new = act(xw[:, t] + hw), c
            if mask is not None:
                m = mask[:, t : t + 1]
                h_new = m * h_new + (1 - m) * h
                c_new = m * c_new + (1 - m) * c
            h, c = h_new, c_new
            outputs.append(h)
        return torch.stack(outputs, dim=1)

    def set_keras_weights(self, weights: dict[str, np.ndarray]) -> None:
        what = f'{self.kind} "{self.layer_name}"'
        kernel, recurrent = weights["kernel"], weights["recurrent_kernel"]
        if self.kind == "GRU":
            kernel = _swap_first_two_gates(kernel, self.units, 1)
            recurrent = _swap_first_two_gates(recurrent, self.units, 1)
        _assign(self.rnn.weight_ih_l0, kernel.T, f"{what} kernel")
        _assign(self.rnn.weight_hh_l0, recurrent.T, f"{what} recurrent_kernel")
        if not self.use_bias:
            return
        bias = weights["bias"]
        if self.kind == "GRU":
            if bias.ndim != 2 or bias.shape[0] != 2:
                raise UnsupportedLayerError(f"{what}: expected a bias of shape (2, {3 * self.units}), got {bias.shape}")
            bias_ih = _swap_first_two_gates(bias[0], self.units, 0)
            bias_hh = _swap_first_two_gates(bias[1], self.units, 0)
        else:
            # Keras has one bias; torch adds two: all of it goes to bias_ih
            bias_ih, bias_hh = bias, np.zeros_like(bias)
        _assign(self.rnn.bias_ih_l0, bias_ih, f"{what} bias")
        _assign(self.rnn.bias_hh_l0, bias_hh, f"{what} bias")

    def keras_weights(self) -> list[tuple[str, np.ndarray]]:
        kernel = _numpy(self.rnn.weight_ih_l0).T
        recurrent = _numpy(self.rnn.weight_hh_l0).T
        if self.kind == "GRU":
            kernel = _swap_first_two_gates(kernel, self.units, 1)
            recurrent = _swap_first_two_gates(recurrent, self.units, 1)
        out = [("kernel", np.ascontiguousarray(kernel)), ("recurrent_kernel", np.ascontiguousarray(recurrent))]
        if self.use_bias:
            bias_ih, bias_hh = _numpy(self.rnn.bias_ih_l0), _numpy(self.rnn.bias_hh_l0)
            if self.kind == "GRU":
                bias = np.stack(
                    [_swap_first_two_gates(bias_ih, self.units, 0), _swap_first_two_gates(bias_hh, self.units, 0)]
                )
            else:
                # the sum is Keras's one bias; an untouched zero bias_hh leaves bias_ih's bits as they are
                bias = bias_ih if not np.any(bias_hh) else bias_ih + bias_hh
            out.append(("bias", bias))
        return out
