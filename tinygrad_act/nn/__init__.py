"""tinygrad_act.nn: Module, Parameter, layers, activation modules, init and losses."""

from . import init
from .layers import Dropout, Flatten, Identity, Linear, Sequential
from .loss import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from .module import Module, Parameter

__all__ = ["Module", "Parameter"]
__all__ += ["init", "Dropout", "Flatten", "Identity", "Linear", "Sequential"]
__all__ += ["BCEWithLogitsLoss", "CrossEntropyLoss", "MSELoss", "NLLLoss"]
