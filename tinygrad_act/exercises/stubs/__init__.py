"""The pristine exercise stubs. Do not edit these: `python -m tinygrad_act.exercises start`
copies them into ./exercises/, where you work (the test suite checks that these stay unsolved)."""
