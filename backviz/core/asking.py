"""Refusing an `[ask]` that asks nothing of its exercise, with what it lacks, or a name in it
that is none of the exercise's quantities.

Why: `[ask] kinds` is a filter over the exercise's quantities (the default list names
"dropout" and "penalty", asked only where an exercise has them). A list written for another
exercise — "state" under plain SGD, "penalty" without `[regularization]` — used to filter
everything out: an empty answer sheet and 0/0 for every student, without a word. A list of
which some kinds match is kept as it is (those kinds are asked, as the default's are); one of
which none does is refused by every command, naming the kinds and what the exercise lacks.
Which quantities exist is read from the trace (`Trace.refs`), not restated here.
"""

from __future__ import annotations

import json

from ..errors import ExerciseError
from .exercise import Ask, NetworkExercise
from .trace import Trace

__all__ = ["refuse_empty_ask"]


def _lacks(exercise: NetworkExercise, kind: str) -> str:
    """Why the exercise has no quantity of `kind`, where a reason is known."""
    reasons = {
        "state": f"{exercise.training.optimizer.name} keeps no state between steps here",
        "dropout": "no dropout in [network]",
        "penalty": "no [regularization]",
    }
    if not exercise.trains and kind not in ("z", "a", "loss", "dropout", "penalty"):
        return "the exercise only computes forward (steps = 0)"
    return reasons.get(kind, "none in this exercise")


def _refuse_unknown_names(trace: Trace) -> None:
    """Raise ExerciseError naming the first of `[ask] names` the exercise has no quantity of."""
    exercise = trace.exercise
    for i, name in enumerate(exercise.ask.names):
        if not trace.knows(name):
            raise ExerciseError(
                exercise.source or exercise.id,
                f"ask.names[{i}]",
                "the name of a quantity of this exercise (README: Notation)",
                f"{name!r}{trace.at_steps(name)}",
            )


def refuse_empty_ask(trace: Trace) -> None:
    """Raise ExerciseError when the exercise's `[ask] kinds` and `steps` ask none of its
    quantities, or one of its `[ask] names` is none of them; else None."""
    exercise = trace.exercise
    ask = exercise.ask
    if ask.names:
        _refuse_unknown_names(trace)
        return
    if ask == Ask() or any(ask.covers(ref) for ref in trace.refs()):
        return
    steps = ", ".join(str(s) for s in ask.steps)
    why = "; ".join(f"{kind}: {_lacks(exercise, kind)}" for kind in ask.kinds)
    raise ExerciseError(
        exercise.source or exercise.id,
        "ask.kinds",
        f"a kind of quantity the exercise has at step {steps}",
        f"{json.dumps(list(ask.kinds))}, none of which it has ({why})",
        hint="an answer sheet would ask nothing",
    )
