"""The eight exercises: what each asks, how it is checked, and its hints (gentle first: the first
nudges without giving the answer away, each later one says more; `hint NAME` reveals one level
per call).

kind "activation": the student writes a forward and a backward Numba kernel; the file's SPEC (an
    ActivationSpec) turns them into an op exactly as the built-in table rows do.
kind "parametric": the same, for an op with a learnable tensor (two gradients); the file also
    holds the Function (`function`) that calls the kernels and the nn module (`module`).
kind "function": the student writes a Function's forward/backward in numpy (`function`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from . import references as R


@dataclass(frozen=True)
class Exercise:
    number: int
    name: str  # CLI name and stub file name (exercises/<name>.py)
    title: str
    kind: str  # "activation" | "parametric" | "function"
    you_write: str
    op: str | None = None  # F.<op> once solved and registered
    cls: str | None = None  # nn.<cls> once solved
    function: str | None = None  # the Function class the file defines (parametric, function)
    module: str | None = None  # the nn.Module class the file defines (parametric, function)
    cases: tuple = ({},)  # parameter settings to check
    kinks: tuple = ()
    kink_rule: str = ""
    reference: Callable | None = None
    hints: tuple = field(default_factory=tuple)


EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        1,
        "softsign",
        "softsign, y = x / (1 + |x|) (warm-up)",
        "activation",
        "softsign_forward and softsign_backward kernels",
        op="my_softsign",
        cls="MySoftsign",
        reference=R.softsign,
        hints=(
            "Start from the pattern of relu_forward in tinygrad_act/kernels/activations.py: one "
            "loop over the flat array that writes out[i] from x[i]; keep constants in the "
            "array's dtype, so float32 stays float32.",
            "The derivative: the quotient rule on x / (1 + |x|), with d|x|/dx = sign(x). The "
            "term x sign(x) is |x|, and most of the numerator cancels.",
            "dy/dx = ((1 + |x|) - x sign(x)) / (1 + |x|)^2 = 1 / (1 + |x|)^2, from both sides "
            "of 0. backward writes grad_in[i] = grad_out[i] * that; one = x.dtype.type(1).",
            "x = +-inf: inf / (inf + 1) is inf / inf = nan. Test abs(v) == inf and return the "
            "limit, +-1.",
        ),
    ),
    Exercise(
        2,
        "elu",
        "ELU with alpha, y = x if x > 0 else alpha (exp(x) - 1)",
        "activation",
        "elu_forward and elu_backward kernels (alpha arrives as the last argument)",
        op="my_elu",
        cls="MyELU",
        cases=({"alpha": 1.0}, {"alpha": 1.5}),
        kinks=(0.0,),
        kink_rule="alpha at x = 0: the negative branch, as PyTorch",
        reference=R.elu,
        hints=(
            "Two branches, split by the sign of x. x = 0 belongs to one of them, and that "
            "choice is the gradient there: read PyTorch's ELU documentation, or let the "
            "checker's message tell you which side it expects.",
            "The derivative of alpha (exp(x) - 1) is alpha exp(x); of x, 1. PyTorch gives x = 0 "
            "(and -0.0) to the negative branch, alpha, so the positive branch's test is strict.",
            "In code: v if v > 0 else a * np.expm1(v), with a = x.dtype.type(alpha). np.exp and "
            "np.expm1 work inside @njit; expm1 keeps the digits of exp(v) - 1 for tiny v.",
        ),
    ),
    Exercise(
        3,
        "relu_subgradient",
        "ReLU with a chosen subgradient at 0",
        "activation",
        "relu_forward and relu_backward kernels (subgradient arrives as the last argument)",
        op="my_relu",
        cls="MyReLU",
        cases=({"subgradient": 0.0}, {"subgradient": 0.5}, {"subgradient": 1.0}),
        kinks=(0.0,),
        kink_rule="the parameter `subgradient` at x = 0 and -0.0",
        reference=R.relu_subgradient,
        hints=(
            "The derivative has three cases, not two: positive, negative, and the points "
            "exactly at the kink, where the parameter decides. Which floats are exactly at it?",
            "-0.0 == 0 is True in IEEE arithmetic, so -0.0 is at the kink too. Every comparison "
            "with nan is False: order the forward's test so that nan falls to the branch that "
            "returns v.",
            "forward: zero if v < zero else v. backward: grad_out if v > 0, subgradient * "
            "grad_out if v == 0, else 0.",
            "Why does SPEC save the input and not a bool mask? One bool per element cannot tell "
            "x == 0 from x < 0.",
        ),
    ),
    Exercise(
        4,
        "gelu_tanh",
        "GELU, tanh approximation",
        "activation",
        "gelu_tanh_forward and gelu_tanh_backward kernels",
        op="my_gelu_tanh",
        cls="MyGELUTanh",
        reference=R.gelu_tanh,
        hints=(
            "Name the pieces: u(x) inside, t = tanh(u), y = 0.5 x (1 + t). The derivative is "
            "the product rule, then the chain rule through tanh (the module docstring has it).",
            "u = c (x + k x^3) with c = sqrt(2/pi) = 0.7978845608028654, k = 0.044715. np.tanh "
            "works inside @njit; build c and k in the array's dtype.",
            "x = -inf: 0.5 * -inf * (1 + -1) is -inf * 0 = nan, but the limit is 0. In backward, "
            "for large |x| 1 - t^2 is exactly 0 while x du/dx overflows to inf: take the second "
            "term as 0 when 1 - t^2 == 0.",
        ),
    ),
    Exercise(
        5,
        "swish",
        "Swish with a learnable beta, y = x sigmoid(beta x) (two gradients)",
        "parametric",
        "swish_forward and swish_backward kernels (the Function and module are given)",
        op="my_swish",
        cls="MySwish",
        function="SwishFunction",
        module="MySwish",
        cases=({"beta": 1.0}, {"beta": 1.7}, {"beta": -0.6}),
        hints=(
            "Read SwishFunction under your kernels: it calls swish_forward(x, out, beta) and "
            "swish_backward(grad_out, x, grad_in, grad_beta_terms, beta), then sums "
            "grad_beta_terms into beta's gradient.",
            "With s = sigmoid(beta x): dy/dx = s + beta x s (1 - s) and "
            "dy/dbeta = x^2 s (1 - s). Multiply both by grad_out[i].",
            "sigmoid without overflow: e = exp(-|z|) <= 1, s = 1 / (1 + e) if z >= 0 "
            "else e / (1 + e).",
            "x = +-inf: y's limit is inf or 0 (not inf * 0 = nan), dy/dx is s (1 or 0), "
            "dy/dbeta is 0. Write x * (x * ds), not (x * x) * ds, so x^2 cannot overflow.",
        ),
    ),
    Exercise(
        6,
        "prelu",
        "PReLU with one learnable slope per channel",
        "parametric",
        "prelu_forward and prelu_backward kernels (the Function and module are given)",
        op="my_prelu",
        cls="MyPReLU",
        function="PReLUFunction",
        module="MyPReLU",
        kinks=(0.0,),
        kink_rule="the channel's slope weight[c] at x = 0, as PyTorch",
        hints=(
            "The kernels see x as (N, C, S): batch, channel, every remaining position. Three "
            "nested loops; weight[c] is channel c's slope, shared by every n and s.",
            "Per element: dy/dx is 1 or weight[c], dy/dweight[c] is 0 or x. PyTorch gives x = 0 "
            "to the slope side: grad_in = weight[c] * g where x <= 0.",
            "dL/dweight[c] adds up x * g over EVERY element of channel c (all n, all s) where "
            "x <= 0. grad_weight arrives filled with zeros: use +=, never =.",
        ),
    ),
    Exercise(
        7,
        "linear_relu",
        "fused Linear + ReLU that saves a bool mask",
        "function",
        "LinearReLUFunction.forward and .backward (numpy)",
        function="LinearReLUFunction",
        module="MyLinearReLU",
        kinks=(0.0,),
        kink_rule="relu'(0) = 0: mask = z > 0",
        hints=(
            "Two steps of the chain rule: first through the ReLU (which elements of z let the "
            "gradient through?), then through the linear part: a matmul and a broadcast bias.",
            "gz = grad * mask; dx = gz @ weight; dW = gz^T @ x; db = gz summed over the batch. "
            "Save x, weight and mask = z > 0 (1 byte per element), not z.",
            "x may be (*, in) with several leading dims: fold them, gz.reshape(-1, out) and "
            "x.reshape(-1, in), before the dW matmul and the db sum.",
        ),
    ),
    Exercise(
        8,
        "broadcast_add",
        "the backward of a broadcasting add (unbroadcast)",
        "function",
        "unbroadcast(grad, shape) and MyAdd.backward",
        function="MyAdd",
        hints=(
            "d(a + b)/da = 1: each input gets the upstream gradient, summed over every output "
            "element broadcasting copied it to. Write out a small case, (3, 1) + (2, 1, 4).",
            "Broadcasting (1) prepends dims and (2) stretches dims of size 1. Sum the prepended "
            "dims away; sum the stretched ones with keepdims=True.",
            "a (3, 1) + b (2, 1, 4) -> (2, 3, 4): grad_a = grad.sum(axis=0) -> (3, 4), then "
            ".sum(axis=1, keepdims=True) -> (3, 1). A 0-d input, shape (), sums everything.",
        ),
    ),
)

BY_NAME = {e.name: e for e in EXERCISES}


def get(name: str) -> Exercise:
    """The exercise called `name` (also accepts its number); KeyError lists the names."""
    if name.isdigit() and 1 <= int(name) <= len(EXERCISES):
        return EXERCISES[int(name) - 1]
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(
            f"no exercise named {name!r}; choose one of {', '.join(BY_NAME)} (or its number)"
        ) from None
