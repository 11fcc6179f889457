"""backviz: backpropagation one number at a time.

>>> import backviz
>>> trace = backviz.solve("exercises/seed-222.toml")
>>> round(trace.value(trace.ref("W5+")), 8)
0.43703857
"""

from .core.api import solve, trace_of
from .core.exercise import Exercise, ExpressionExercise, NetworkExercise
from .core.loading import load, loads
from .core.quantities import Kind, Ref
from .errors import BackvizError, DependencyError, ExerciseError
from .render import jupyter as _jupyter
from .render.jupyter import set_language

__all__ = [
    "BackvizError",
    "DependencyError",
    "Exercise",
    "ExerciseError",
    "ExpressionExercise",
    "Kind",
    "NetworkExercise",
    "Ref",
    "load",
    "loads",
    "set_language",
    "solve",
    "trace_of",
]

_jupyter.register()  # the top composes notebook display into the core's classes
