"""Forward and backward kernels of the piecewise-linear activations (the ReLU family).

One `<op>_forward` and one `<op>_backward` per op, each a top-level cached Numba function over
1-D C-contiguous float32/float64 arrays, writing into outputs the caller allocated. Scalars arrive
as Python floats and are cast to the array's dtype (`T = x.dtype.type`), so float32 stays float32
and PyTorch's float32 rounding of the parameters is reproduced.

The kink conventions are PyTorch's (checked against torch 2.x by tests/golden):
    relu'(0) = 0              the flat side owns the kink (never `maximum(x, 0)`, which autograd
                              would split 50/50 at a tie and pass half the gradient)
    leaky/prelu/rrelu at 0    the negative slope
    hardtanh/relu6            0 at both boundaries (gradient flows only strictly inside)
    hardsigmoid               0 at x = -3 and x = +3
    hardswish                 0 at x = -3, 1 at x = +3
    threshold(t, v)           y = x if x > t else v; gradient 0 at x == t
Ops whose backward needs only "which side of the kink" save a bool mask (1 byte per element)
instead of the float input. NaN in gives NaN out everywhere; its gradient follows PyTorch's scalar
kernels, where every comparison with NaN is false (docs/activations.md, "NaN").
"""

from __future__ import annotations

from ._parallel import njit

# 'contract' lets LLVM fuse a*b+c into one FMA; unlike fastmath=True it keeps inf/NaN semantics.
kernel = njit(fastmath={"contract"})


@kernel
def relu_forward(x, out, mask):
    """out = x if x > 0 else 0 (-0.0 and NaN pass through); mask = not (x <= 0).

    mask is True for x > 0 and for NaN: PyTorch's relu backward zeroes the gradient where
    `result <= 0`, so a NaN input keeps its gradient (and stays visible) rather than vanishing.
    """
    zero = x.dtype.type(0)
    for i in range(x.shape[0]):
        v = x[i]
        out[i] = zero if v < zero else v
        mask[i] = not (v <= zero)


@kernel
def mask_backward(grad_out, mask, grad_in):
    """grad_in = grad_out where mask else 0.

    The backward of every op whose derivative is 1 or 0: relu (mask x > 0, so relu'(0) = 0),
    hardtanh and relu6 (mask min < x < max: 0 at both ends), threshold (mask x > threshold).
    """
    zero = grad_out.dtype.type(0)
    for i in range(grad_out.shape[0]):
        grad_in[i] = grad_out[i] if mask[i] else zero


@kernel
def leaky_relu_forward(x, out, mask, negative_slope):
    """out = x if x > 0 else negative_slope * x; mask = x > 0 (False at 0 and for NaN)."""
    zero = x.dtype.type(0)
    s = x.dtype.type(negative_slope)
    for i in range(x.shape[0]):
        v = x[i]
        m = v > zero
        out[i] = v if m else v * s
        mask[i] = m


@kernel
def leaky_relu_backward(grad_out, mask, grad_in, negative_slope):
    """grad_in = grad_out if x > 0 else negative_slope * grad_out (the slope at x = 0)."""
    s = grad_out.dtype.type(negative_slope)
    for i in range(grad_out.shape[0]):
        g = grad_out[i]
        grad_in[i] = g if mask[i] else g * s


@kernel
def prelu_forward(x, out, weight):
    """x, out: (N, C, S); weight: (C,). out[n,c,s] = x if x > 0 else weight[c] * x."""
    zero = x.dtype.type(0)
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            w = weight[c]
            for s in range(x.shape[2]):
                v = x[n, c, s]
                out[n, c, s] = v if v > zero else w * v


# 'reassoc' lets the weight-gradient sum be split over vector lanes (a strict left-to-right sum
# cannot vectorize); it changes only the rounding of that sum, never inf/NaN handling.
@njit(fastmath={"contract", "reassoc"})
def prelu_backward(grad_out, x, grad_in, grad_weight_rows, weight):
    """grad_in = g if x > 0 else weight[c] * g (slope at 0);
    grad_weight_rows[n, c] = sum_s (0 if x > 0 else x * g), summed in float64; the caller sums
    the rows over n (each thread owns its rows, so no two threads add into one number).
    """
    zero = x.dtype.type(0)
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            w = weight[c]
            acc = 0.0
            for s in range(x.shape[2]):
                v = x[n, c, s]
                g = grad_out[n, c, s]
                pos = v > zero
                grad_in[n, c, s] = g if pos else w * g
                acc += 0.0 if pos else v * g
            grad_weight_rows[n, c] = acc


@kernel
def rrelu_train_forward(x, noise, out):
    """Training-mode rrelu. `noise` holds slopes drawn uniformly from [lower, upper] (outside
    the kernel, from the seeded generator); where x > 0 it is overwritten with 1, so that
    out = x * noise everywhere and backward is grad * noise. x <= 0 (including 0) takes the slope,
    as in PyTorch.
    """
    zero = x.dtype.type(0)
    one = x.dtype.type(1)
    for i in range(x.shape[0]):
        v = x[i]
        neg = v <= zero
        r = noise[i] if neg else one
        noise[i] = r
        out[i] = v * r if neg else v


@kernel
def rrelu_train_backward(grad_out, noise, grad_in):
    """grad_in = grad_out * noise (the slope drawn in forward, or 1 where x > 0)."""
    for i in range(grad_out.shape[0]):
        grad_in[i] = grad_out[i] * noise[i]


@kernel
def hardtanh_forward(x, out, mask, min_val, max_val):
    """out = clamp(x, min_val, max_val) (NaN stays NaN); mask = not (x <= min_val or
    x >= max_val): 0 at both boundaries, and True for NaN, which passes its gradient as in
    PyTorch (where `min_val < x < max_val` would be False and zero it)."""
    lo = x.dtype.type(min_val)
    hi = x.dtype.type(max_val)
    for i in range(x.shape[0]):
        v = x[i]
        y = lo if v < lo else v
        out[i] = hi if y > hi else y
        mask[i] = not ((v <= lo) | (v >= hi))


@kernel
def hardsigmoid_forward(x, out, mask):
    """out = min(max(x + 3, 0), 6) / 6; mask = -3 < x < 3 (where the slope is 1/6)."""
    T = x.dtype.type
    zero, three, six = T(0), T(3), T(6)
    for i in range(x.shape[0]):
        v = x[i]
        t = v + three
        t = zero if t < zero else t
        t = six if t > six else t
        out[i] = t / six
        mask[i] = (v > -three) & (v < three)


@kernel
def hardsigmoid_backward(grad_out, mask, grad_in):
    """grad_in = grad_out * (1/6) strictly inside (-3, 3), else 0 (0 at both ends)."""
    T = grad_out.dtype.type
    sixth = T(1) / T(6)
    zero = T(0)
    for i in range(grad_out.shape[0]):
        grad_in[i] = grad_out[i] * sixth if mask[i] else zero


@kernel
def hardswish_forward(x, out):
    """out = x * min(max(x + 3, 0), 6) / 6; -0.0 for x <= -3 (also at -inf, where x*0 is NaN)."""
    T = x.dtype.type
    zero, three, six = T(0), T(3), T(6)
    for i in range(x.shape[0]):
        v = x[i]
        t = v + three
        t = zero if t < zero else t
        t = six if t > six else t
        y = v * t / six
        out[i] = -zero if v < -three else y


@kernel
def hardswish_backward(grad_out, x, grad_in):
    """d/dx = 0 for x <= -3, x/3 + 1/2 for -3 < x < 3, 1 for x >= 3 (0 at -3 and 1 at +3).
    NaN fails both tests and takes the last branch, 1, as in PyTorch's scalar kernel."""
    T = x.dtype.type
    zero, three, half = T(0), T(3), T(0.5)
    for i in range(x.shape[0]):
        v = x[i]
        g = grad_out[i]
        mid = g * (v / three + half)
        y = mid if v < three else g
        grad_in[i] = zero if v <= -three else y


@kernel
def threshold_forward(x, out, mask, threshold, value):
    """out = x if x > threshold else value (NaN passes through); mask = not (x <= threshold)."""
    t = x.dtype.type(threshold)
    val = x.dtype.type(value)
    for i in range(x.shape[0]):
        v = x[i]
        below = v <= t
        out[i] = val if below else v
        mask[i] = not below


@kernel
def softsign_forward(x, out):
    """out = x / (1 + |x|); +-1 at +-inf (where x/(1+|x|) would be inf/inf)."""
    T = x.dtype.type
    zero, one, inf = T(0), T(1), T(float("inf"))
    for i in range(x.shape[0]):
        v = x[i]
        a = abs(v)
        y = v / (a + one)
        out[i] = (one if v > zero else -one) if a == inf else y


@kernel
def softsign_backward(grad_out, x, grad_in):
    """d/dx x/(1+|x|) = 1 / (1+|x|)^2 (0 at +-inf)."""
    one = x.dtype.type(1)
    for i in range(x.shape[0]):
        d = abs(x[i]) + one
        grad_in[i] = grad_out[i] / (d * d)
