"""REFERENCE SOLUTIONS to the exercises - spoilers.

If you are doing the exercises, close this folder: your stubs are in ./exercises/ (copied there by
`python -m tinygrad_act.exercises start`). The checker compares your op with the library's built-in
op or an independent numpy formula, never with these files; they exist so that the test suite can
show that a correct answer passes the checker.
"""
