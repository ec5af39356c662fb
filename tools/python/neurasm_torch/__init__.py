"""neurasm ⇄ PyTorch: read a neurasm (TensorFlow.js layers-model) directory into a torch module, train
it with PyTorch (e.g. DistributedDataParallel under torchrun), and write it back for neurasm.

    from neurasm_torch import load, save
    model = load("digits-model")          # a torch.nn.Sequential with neurasm's weights
    ...                                   # train with PyTorch
    save(model, "digits-trained", like="digits-model")
"""

from . import layers
from .errors import BridgeError, ModelFormatError, UnsupportedLayerError
from .model import SUPPORTED_LAYERS, NeurasmSequential, from_torch, load, save

__all__ = [
    "SUPPORTED_LAYERS",
    "BridgeError",
    "ModelFormatError",
    "NeurasmSequential",
    "UnsupportedLayerError",
    "from_torch",
    "layers",
    "load",
    "save",
]
