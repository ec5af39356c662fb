"""The errors the bridge raises: each names what it could not translate and why."""


class BridgeError(ValueError):
    """Base of the bridge's errors."""


class ModelFormatError(BridgeError):
    """A model directory the bridge cannot read (missing file, unknown layout, quantized weights)."""


class UnsupportedLayerError(BridgeError):
    """A layer (or a layer option) that has no faithful PyTorch/neurasm counterpart."""
