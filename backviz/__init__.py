"""backviz: backpropagation one number at a time.

>>> import backviz
>>> trace = backviz.solve("exercises/seed-222.toml")
>>> round(trace.value(trace.ref("W5+")), 8)
0.43703857
"""

from .api import solve, trace_of
from .errors import BackvizError, DependencyError, ExerciseError
from .exercise import Exercise, ExpressionExercise, NetworkExercise
from .loading import load, loads
from .quantities import Kind, Ref

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
    "solve",
    "trace_of",
]
