"""Exercises: write your own op, and a checker that tells you what is wrong."""

from .catalog import EXERCISES, Exercise, get
from .checker import check, check_namespace
from .report import Report
