"""tinygrad_act.nn: Module, Parameter, layers, activation modules, init and losses."""

from . import init, prune
from .activations import (
    CELU,
    ELU,
    GELU,
    SELU,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LeakyReLU,
    Mish,
    PReLU,
    ReLU,
    ReLU6,
    RReLU,
    Sigmoid,
    SiLU,
    Softplus,
    Softsign,
    Tanh,
    Threshold,
)
from .layers import Dropout, Flatten, Identity, Linear, Sequential
from .loss import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from .module import Module, Parameter
from .penalties import ActivationL1, activation_l1

__all__ = ["Module", "Parameter"]
__all__ += ["init", "Dropout", "Flatten", "Identity", "Linear", "Sequential"]
__all__ += ["BCEWithLogitsLoss", "CrossEntropyLoss", "MSELoss", "NLLLoss"]
__all__ += ["CELU", "ELU", "GELU", "SELU", "Hardsigmoid", "Hardswish", "Hardtanh", "LeakyReLU"]
__all__ += ["Mish", "PReLU", "ReLU", "ReLU6", "RReLU", "Sigmoid", "SiLU", "Softplus", "Softsign"]
__all__ += ["Tanh", "Threshold"]
__all__ += ["ActivationL1", "activation_l1", "prune"]


def __getattr__(name: str):
    """nn.<Class> for an activation added with register_activation() (ops/activations.py)."""
    from .activations import module_for

    return module_for(name)
