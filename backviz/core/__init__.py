"""The core: the exercise model and its loading, the engine, formulas and the trace, output.

Imports nothing from `render/`, `grading/`, `sandbox/`, `verify` or the CLI.
"""
