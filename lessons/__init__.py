"""The lessons: runnable experiments that answer "why isn't leaky ReLU always better than ReLU?".

Run `python -m lessons` to list them, `python -m lessons 3` to run one, `python -m lessons all`
for all of them in order. Each lesson is also a script: `python lessons/03_sparsity.py --quick`.
"""
