"""Mistakes only a training loop makes, judged at the step they are made.

An answer sheet holds one step's numbers, a training loop many, and a loop can go wrong
between its steps where no formula is wrong: `torch.optim.Adam(...)` (or RMSprop, SGD with
momentum, Adagrad) created inside the loop starts a fresh optimiser every step, so each step
is the optimiser's FIRST step from the weights before it — m and v (the momentum buffer, the
sum of squares) back at zero, Adam's bias correction at t = 1. It is recognised as the other
catalogued mistakes are: the student's step equals the engine's step taken that way (step 1,
no state) from their own weights. Ids are `core.engine.LOOP_MISTAKE_IDS`; the ko short names
are in `mistakes.NAMES`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.engine import train_step
from ..core.exercise import NetworkExercise
from .mistakes import Mistake

__all__ = ["LoopMistake", "loop_mistakes"]


@dataclass(frozen=True)
class LoopMistake(Mistake):
    """A training loop's own mistake: not a switch of the engine (`switch` is empty), but
    the engine's step taken from the wrong optimiser state."""

    def weights(self, exercise: NetworkExercise, step: int, before: tuple) -> tuple[tuple, tuple]:
        """(W⁺, b⁺) of step `step` from `before` (W, b, state of W, state of b) with the
        mistake made: the optimiser's first step, with no state, from W and b."""
        W, b, _, _ = before
        _, _, W_new, b_new, _, _ = train_step(exercise, 1, W, b, None, None)
        return W_new, b_new


OPTIMIZER_RECREATED = LoopMistake(
    "optimizer-recreated",
    "",
    {
        "en": "The optimiser is created anew at every step (inside the loop): each step is its "
        "first, its state (momentum, Adam's m and v, the step count of the bias correction) "
        "back at zero. Create it once, before the loop.",
        "ko": "옵티마이저를 단계마다 (반복문 안에서) 새로 만들었다: 매 단계가 첫 단계가 되어 "
        "상태(모멘텀, Adam의 m과 v, 편향 보정의 단계 수)가 0으로 돌아간다. 반복문 앞에서 "
        "한 번만 만들 것.",
    },
)


def loop_mistakes(exercise: NetworkExercise) -> list[LoopMistake]:
    """The loop mistakes this exercise can show: a fresh optimiser differs from the right one
    only where the optimiser keeps a state, from the second step on."""
    optimizer = exercise.training.optimizer
    if optimizer.slots and exercise.training.steps > 1:
        return [OPTIMIZER_RECREATED]
    return []
