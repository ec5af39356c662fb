"""Keras/neurasm activation names as torch functions (the ones neurasm has, with its constants)."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from .errors import UnsupportedLayerError

Activation = Callable[[torch.Tensor], torch.Tensor]


def _hard_sigmoid(x: torch.Tensor) -> torch.Tensor:
    # tfjs's (and neurasm's) hard_sigmoid: clip(0.2·x + 0.5, 0, 1); Keras 3's differs (relu6(x + 3) / 6)
    return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)


_ACTIVATIONS: dict[str, Activation] = {
    "linear": lambda x: x,
    "relu": F.relu,
    "leaky_relu": lambda x: F.leaky_relu(x, 0.2),  # neurasm's (and Keras 3's) default slope
    "elu": F.elu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "softplus": F.softplus,
    "gelu": F.gelu,  # the exact (erf) form, as neurasm's kernel
    "softmax": lambda x: torch.softmax(x, dim=-1),
    "hard_sigmoid": _hard_sigmoid,
}

_ALIASES = {"leakyRelu": "leaky_relu", "hardSigmoid": "hard_sigmoid", None: "linear"}

RECURRENT_ACTIVATIONS = ("tanh", "sigmoid", "hard_sigmoid", "relu", "linear")


def canonical_activation(name: str | None, where: str, allowed: tuple[str, ...] | None = None) -> str:
    """The Keras (snake_case) name of an activation; raises naming the layer for an unknown one."""
    key = _ALIASES.get(name, name)
    choices = allowed if allowed is not None else tuple(k for k in _ACTIVATIONS if k != "hard_sigmoid")
    if key not in choices:
        raise UnsupportedLayerError(
            f"{where}: activation {name!r} is not supported by the bridge; expected one of {', '.join(choices)}"
        )
    return key


def activation_fn(name: str) -> Activation:
    """The torch function of a canonical activation name."""
    return _ACTIVATIONS[name]
