"""Grad mode is per thread (PyTorch's rule), tested with real threads."""

import threading

import tinygrad_act as ta


def _in_lockstep(steps_a, steps_b):
    """Run two step lists in two threads, strictly alternating a0 b0 a1 b1 ... (turn tokens)."""
    turn = {"a": threading.Semaphore(1), "b": threading.Semaphore(0)}
    errors = []

    def run(steps, me, other):
        try:
            for step in steps:
                assert turn[me].acquire(timeout=10), "the other thread never handed over"
                step()
                turn[other].release()
        except BaseException as e:  # reported below; release so the other thread ends too
            errors.append(e)
            turn[other].release()

    threads = [
        threading.Thread(target=run, args=(steps_a, "a", "b")),
        threading.Thread(target=run, args=(steps_b, "b", "a")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert not errors, errors


def test_no_grad_in_one_thread_does_not_stop_another_threads_graph():
    x = ta.tensor([1.0, 2.0], requires_grad=True)
    inside = threading.Event()
    done = threading.Event()
    seen = {}

    def holder():
        with ta.no_grad():
            seen["holder"] = (x * 2).requires_grad
            inside.set()
            done.wait(10)

    t = threading.Thread(target=holder)
    t.start()
    assert inside.wait(10)
    y = x * 2  # this thread's grad mode is untouched by the other's no_grad
    seen["main"] = ta.is_grad_enabled()
    done.set()
    t.join(10)
    assert y.requires_grad and y.grad_fn is not None
    assert seen == {"holder": False, "main": True}


def test_interleaved_enter_exit_from_two_threads_leaves_grad_on():
    ng_a, ng_b = ta.no_grad(), ta.no_grad()
    modes = {}
    _in_lockstep(
        [ng_a.__enter__, lambda: ng_a.__exit__(None, None, None)],  # A enters, then exits
        [ng_b.__enter__, lambda: ng_b.__exit__(None, None, None)],  # B enters after A, exits last
    )

    def record(name):
        return lambda: modes.__setitem__(name, ta.is_grad_enabled())

    _in_lockstep([record("a")], [record("b")])
    assert modes == {"a": True, "b": True}
    assert ta.is_grad_enabled()


def test_one_no_grad_object_shared_by_two_threads_restores_each_thread():
    shared = ta.no_grad()
    modes = {}

    def record(name):
        return lambda: modes.__setitem__(name, ta.is_grad_enabled())

    _in_lockstep(
        [shared.__enter__, record("a_in"), lambda: shared.__exit__(None, None, None), record("a")],
        [
            record("b_before"),
            shared.__enter__,
            lambda: shared.__exit__(None, None, None),
            record("b"),
        ],
    )
    assert modes == {"a_in": False, "b_before": True, "a": True, "b": True}


def test_a_new_thread_starts_with_grad_enabled_even_if_its_parent_is_in_no_grad():
    out = {}
    with ta.no_grad():
        t = threading.Thread(target=lambda: out.setdefault("mode", ta.is_grad_enabled()))
        t.start()
        t.join(10)
    assert out == {"mode": True}
