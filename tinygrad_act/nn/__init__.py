"""tinygrad_act.nn: Module, Parameter, layers, activation modules, init and losses."""

from .module import Module, Parameter

__all__ = ["Module", "Parameter"]
