"""The catalogue of classic backpropagation mistakes: each one a switch on the engine.

A student's number is that mistake when it equals the engine's number with the switch on
(`engine.Mistakes`); the ids, their switches and their order are `engine.MISTAKE_IDS`. Each
entry adds its explanation in English and Korean and the share of the marks it earns by default
(settable per exercise in `[ask] mistake_credit`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.engine import MISTAKE_IDS, Mistakes
from ..core.exercise import NetworkExercise

__all__ = ["CATALOGUE", "LAYER_WISE", "NAMES", "Mistake", "applicable", "mistake_name"]

LAYER_WISE = ("skip_activation_derivative", "derivative_of_z")  # can be made in one layer alone


@dataclass(frozen=True)
class Mistake:
    """One catalogued mistake."""

    id: str
    switch: str  # the field of engine.Mistakes that makes it
    explanation: dict[str, str]
    credit: float = 0.5  # share of the marks by default
    layer: int | None = None  # made in this layer l alone (σ′ left out in one layer)
    norm: str | None = None  # the penalty forgotten is this one alone ("L1", "L2")

    @property
    def mistakes(self) -> Mistakes:
        return Mistakes(**{self.switch: True}, only_layer=self.layer, only_norm=self.norm)

    def in_layer(self, layer: int) -> Mistake:
        """The same mistake made in one layer only (its explanation says which)."""
        words = {"en": " (here, in layer {l})", "ko": " (여기서는 {l}층)"}
        explanation = {k: v + words[k].format(l=layer) for k, v in self.explanation.items()}
        return Mistake(self.id, self.switch, explanation, self.credit, layer)

    def in_norm(self, norm: str) -> Mistake:
        """The penalty forgotten for one norm only, where E has both (its explanation says
        which)."""
        words = {"en": " (here, the {n} term alone)", "ko": " (여기서는 {n} 항만)"}
        explanation = {k: v + words[k].format(n=norm) for k, v in self.explanation.items()}
        return Mistake(self.id, self.switch, explanation, self.credit, norm=norm)


# What each mistake gets wrong, by its id in `MISTAKE_IDS`
_EXPLANATIONS: dict[str, dict[str, str]] = {
    "update-added": {
        "en": "The update is added: gradient descent subtracts, W⁺ = W − η·∂E/∂W.",
        "ko": "갱신량을 더했다: 경사 하강법은 빼야 한다, W⁺ = W − η·∂E/∂W.",
    },
    "no-learning-rate": {
        "en": "The learning rate is left out: W⁺ = W − η·∂E/∂W.",
        "ko": "학습률이 빠졌다: W⁺ = W − η·∂E/∂W.",
    },
    "adam-no-bias-correction": {
        "en": "Adam's bias correction is left out: the step uses m̂ = m/(1 − β₁ᵗ) and "
        "v̂ = v/(1 − β₂ᵗ), not m and v (both start at 0, so early steps would be too small).",
        "ko": "Adam의 편향 보정이 빠졌다: m과 v가 아니라 m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)로 "
        "갱신한다 (둘 다 0에서 시작하므로 보정하지 않으면 초반 갱신이 너무 작다).",
    },
    "sign-flipped": {
        "en": "The sign of (t − o) is flipped: ∂E/∂o = −(t − o), not (t − o).",
        "ko": "(t − o)의 부호가 바뀌었다: ∂E/∂o = −(t − o)이지 (t − o)가 아니다.",
    },
    "no-activation-derivative": {
        "en": "The activation's derivative is left out: δ = ∂E/∂a · ∂a/∂z, and for the "
        "sigmoid ∂a/∂z = a(1 − a).",
        "ko": "활성화 함수의 미분이 빠졌다: δ = ∂E/∂a · ∂a/∂z 이고, 시그모이드는 "
        "∂a/∂z = a(1 − a)이다.",
    },
    "derivative-of-z": {
        "en": "σ′ is taken of z instead of a: the sigmoid's derivative is a(1 − a) with "
        "a = σ(z), not z(1 − z).",
        "ko": "σ′을 z로 계산했다: 시그모이드의 미분은 a = σ(z)일 때 a(1 − a)이지 "
        "z(1 − z)가 아니다.",
    },
    "updated-weights-in-backprop": {
        "en": "The hidden layer's error was propagated through the already-updated "
        "weights W⁺; backpropagation uses the weights of the forward pass, and all "
        "weights are updated together at the end.",
        "ko": "은닉층 오차를 이미 갱신된 가중치 W⁺로 역전파했다: 역전파는 순전파 때의 "
        "가중치를 쓰고, 가중치는 마지막에 한꺼번에 갱신한다.",
    },
    "one-path-only": {
        "en": "Only one path is summed: a hidden node feeds every node of the next layer, "
        "so ∂E/∂h = Σᵢ δᵢ·wᵢₕ over all of them (∂E/∂h1 = ∂E_o1/∂h1 + ∂E_o2/∂h1).",
        "ko": "한 경로만 더했다: 은닉 노드는 다음 층의 모든 노드로 이어지므로 "
        "∂E/∂h = Σᵢ δᵢ·wᵢₕ 이다 (∂E/∂h1 = ∂E_o1/∂h1 + ∂E_o2/∂h1).",
    },
    "weights-swapped": {
        "en": "w_jk and w_kj are swapped: w_jk is the weight into node j of the next layer "
        "from node k of this one (z1 = W1·x1 + W2·x2 in the notes).",
        "ko": "w_jk와 w_kj를 바꿔 썼다: w_jk는 이 층의 노드 k에서 다음 층의 노드 j로 "
        "가는 가중치다 (노트의 z1 = W1·x1 + W2·x2).",
    },
    "half-forgotten": {
        "en": "The ½ is left out of the loss: E = ½Σ(t − o)².",
        "ko": "오차에서 ½이 빠졌다: E = ½Σ(t − o)².",
    },
    "derivative-doubled": {
        "en": "The derivative is doubled: ½(t − o)² differentiates to −(t − o); the ½ "
        "cancels the 2.",
        "ko": "미분이 두 배가 되었다: ½(t − o)²의 미분은 −(t − o)이다 (½과 2가 약분된다).",
    },
    "batch-summed": {
        "en": "The batch is summed instead of averaged: with reduction = mean, "
        "∂E/∂W = (1/N)·Σₙ δ[n]·a[n].",
        "ko": "배치를 평균하지 않고 더했다: reduction = mean이면 ∂E/∂W = (1/N)·Σₙ δ[n]·a[n] 이다.",
    },
    "shared-bias-one-node": {
        "en": "The shared bias's gradient takes one node's δ: the bias enters every node's z "
        "of its layer, so ∂E/∂b = Σⱼ δⱼ over all of them (∂E/∂b1 = δ_h1 + δ_h2).",
        "ko": "공유 편향의 기울기에 한 노드의 δ만 썼다: 편향은 그 층 모든 노드의 z에 "
        "더해지므로 ∂E/∂b = Σⱼ δⱼ 이다 (∂E/∂b1 = δ_h1 + δ_h2).",
    },
    "dropout-unscaled": {
        "en": "Dropout's scaling is forgotten: a kept node's output is divided by 1 − p "
        "(inverted dropout, as torch's nn.Dropout), ã = a·m/(1 − p), not a·m — forward, "
        "and back through it, ∂E/∂a = Σ δ·w·m/(1 − p).",
        "ko": "드롭아웃의 스케일을 빠뜨렸다: 사용된 노드의 출력은 1 − p로 나눈다 "
        "(torch의 nn.Dropout과 같은 inverted dropout), ã = a·m이 아니라 a·m/(1 − p)이다. "
        "역전파에서도 ∂E/∂a = Σ δ·w·m/(1 − p)이다.",
    },
    "l2-factor-forgotten": {
        "en": "The L2 term's factor 2 is forgotten: ∂(λ₂w²)/∂w = 2λ₂·w, not λ₂·w "
        "(the exponent 2 comes down as a factor).",
        "ko": "L2 규제항 미분의 2가 빠졌다: ∂(λ₂w²)/∂w = 2λ₂·w이지 λ₂·w가 아니다 "
        "(지수 2가 계수로 내려온다).",
    },
    "gradients-accumulated": {
        "en": "The gradients of earlier steps are added into this one's: each step updates "
        "with ∂E/∂W at its own weights alone. torch adds every loss.backward() into .grad, so "
        "call optimizer.zero_grad() before loss.backward() at every step (in a hand-written "
        "loop, W.grad.zero_() or W.grad = None after each update, for every weight and bias).",
        "ko": "이전 단계들의 기울기가 이번 단계의 기울기에 더해졌다: 각 단계는 그 단계 가중치에서 "
        "구한 ∂E/∂W만으로 갱신한다. torch는 loss.backward()를 할 때마다 .grad에 더하므로, 매 "
        "단계 loss.backward() 전에 optimizer.zero_grad()를 호출할 것 (직접 작성한 루프라면 "
        "갱신할 때마다 모든 가중치와 편향에 W.grad.zero_() 또는 W.grad = None).",
    },
    "penalty-forgotten": {
        "en": "The regularisation penalty is left out: it is part of the cost, "
        "E = E_data + λ₁Σ|w| + λ₂Σw², so it is in E and in every ∂E/∂w = ∂E_data/∂w + "
        "λ₁·sign(w) + 2λ₂·w, and the update carries its pull toward 0.",
        "ko": "규제항이 빠졌다: 규제항은 비용의 일부이므로 (E = E_data + λ₁Σ|w| + λ₂Σw²) "
        "E에도, 모든 ∂E/∂w = ∂E_data/∂w + λ₁·sign(w) + 2λ₂·w에도 들어가고, "
        "갱신에도 가중치를 0 쪽으로 당기는 몫이 있다.",
    },
    "l1-sign-forgotten": {
        "en": "The L1 term is differentiated as if |w| were w: ∂(λ₁|w|)/∂w = λ₁·sign(w), "
        "−λ₁ for a negative weight (and 0 at w = 0): the penalty pulls every weight toward 0.",
        "ko": "L1 항을 |w|가 아니라 w처럼 미분했다: ∂(λ₁|w|)/∂w = λ₁·sign(w)이므로 음수 "
        "가중치에서는 −λ₁이다 (w = 0에서는 0): 규제는 모든 가중치를 0 쪽으로 당긴다.",
    },
    "amsgrad-max-forgotten": {
        "en": "AMSGrad's running maximum is forgotten: vmax = max(vmax, v) keeps the largest "
        "second moment so far and the step divides by √(vmax/(1 − β₂ᵗ)); with vmax = v it "
        "is plain Adam.",
        "ko": "AMSGrad의 누적 최댓값을 빠뜨렸다: vmax = max(vmax, v)는 지금까지 가장 큰 "
        "2차 모멘트를 유지하고, 갱신은 √(vmax/(1 − β₂ᵗ))로 나눈다. vmax = v이면 그냥 "
        "Adam이다.",
    },
    "dropout-ignored": {
        "en": "Dropout is ignored: in training a dropped node passes 0 on and a kept one "
        "a/(1 − p), ã = a·m/(1 − p), forward, and back through it, ∂E/∂a = Σ δ·w·m/(1 − p); "
        "only evaluation passes every a on unchanged.",
        "ko": "드롭아웃을 무시했다: 학습 중에는 드롭된 노드가 0을, 사용된 노드가 a/(1 − p)를 "
        "넘긴다 (ã = a·m/(1 − p)). 역전파에서도 ∂E/∂a = Σ δ·w·m/(1 − p)이다. 모든 a를 "
        "그대로 넘기는 것은 평가 때뿐이다.",
    },
}

# Each mistake's short name as a report shows it after the verdict (English: the id itself,
# as verdicts.csv writes it)
NAMES: dict[str, dict[str, str]] = {
    "update-added": {"ko": "갱신량을 더함"},
    "no-learning-rate": {"ko": "학습률 빠짐"},
    "adam-no-bias-correction": {"ko": "Adam 편향 보정 빠짐"},
    "sign-flipped": {"ko": "부호 바뀜"},
    "no-activation-derivative": {"ko": "활성화 함수 미분 빠짐"},
    "derivative-of-z": {"ko": "σ′을 z로 계산"},
    "updated-weights-in-backprop": {"ko": "갱신된 가중치로 역전파"},
    "one-path-only": {"ko": "한 경로만 더함"},
    "weights-swapped": {"ko": "w_jk와 w_kj 바뀜"},
    "half-forgotten": {"ko": "½ 빠짐"},
    "derivative-doubled": {"ko": "미분이 두 배"},
    "batch-summed": {"ko": "배치를 평균하지 않고 더함"},
    "shared-bias-one-node": {"ko": "공유 편향에 한 노드의 δ만 씀"},
    "dropout-unscaled": {"ko": "드롭아웃 스케일 1/(1 − p) 빠짐"},
    "l2-factor-forgotten": {"ko": "L2 규제항 미분의 2 빠짐"},
    "gradients-accumulated": {"ko": "기울기 누적 (zero_grad 빠짐)"},
    "penalty-forgotten": {"ko": "규제항 빠짐"},
    "l1-sign-forgotten": {"ko": "L1 미분에서 sign(w) 빠짐"},
    "amsgrad-max-forgotten": {"ko": "AMSGrad 최댓값 빠짐"},
    "dropout-ignored": {"ko": "드롭아웃 무시"},
    "optimizer-recreated": {"ko": "옵티마이저를 단계마다 새로 만듦"},  # loop_mistakes.py
}


def mistake_name(mistake_id: str, lang: str) -> str:
    """A catalogued mistake's short name in `lang` (its id in English, or when unknown)."""
    return NAMES.get(mistake_id, {}).get(lang, mistake_id)


CATALOGUE: tuple[Mistake, ...] = tuple(
    Mistake(mistake_id, switch, _EXPLANATIONS[mistake_id])
    for mistake_id, switch in MISTAKE_IDS.items()
)


def applicable(exercise: NetworkExercise) -> list[Mistake]:
    """The mistakes that can happen in this exercise and give numbers of their own.

    A mistake that changes no number of the exercise (leaving out η when η = 1, or σ′ where
    every activation is the identity) cannot be told from the right answer: it is left out.
    """
    possible = _possible(exercise)
    elementwise = [n for n, f in enumerate(exercise.activations, start=2) if not f.vector]
    if len(elementwise) > 1:  # made in one layer alone, first: the feedback names the layer
        layer_wise = [
            m.in_layer(layer) for m in possible if m.switch in LAYER_WISE for layer in elementwise
        ]
        possible = layer_wise + possible
    if len(exercise.regularization.norms) > 1:  # one norm forgotten alone, first
        possible = [
            m.in_norm(norm)
            for m in possible
            if m.switch == "penalty_forgotten"
            for norm in exercise.regularization.norms
        ] + possible
    return [m for m in possible if _changes_numbers(exercise, m)]


def _changes_numbers(exercise: NetworkExercise, mistake: Mistake) -> bool:
    from ..core.engine import run

    right, wrong = run(exercise), run(exercise, mistake.mistakes)
    for a, b in zip(right.steps, wrong.steps, strict=True):
        if a.backward is None or b.backward is None:
            continue
        pairs = [
            (a.forward.loss, b.forward.loss),
            *zip(a.backward.grad_W, b.backward.grad_W, strict=True),
            *zip(a.W_new or (), b.W_new or (), strict=True),
            *zip(a.backward.dE_da, b.backward.dE_da, strict=True),
            *zip(a.backward.grad_b, b.backward.grad_b, strict=True),
        ]
        for x, y in pairs:
            if x is not None and y is not None and not np.allclose(x, y, rtol=1e-12, atol=0):
                return True
    return False


def _possible(exercise: NetworkExercise) -> list[Mistake]:
    """The mistakes whose step exists in this exercise (a hidden layer, a ½, a batch …)."""
    names = {f.name for f in exercise.activations}
    kept = []
    for mistake in CATALOGUE:
        switch = mistake.switch
        if not exercise.trains:
            continue
        if switch == "derivative_of_z" and not names & {"sigmoid", "tanh"}:
            continue
        if switch in ("updated_weights_backward", "one_path_only") and exercise.n_layers < 3:
            continue
        if switch == "one_path_only" and all(n < 2 for n in exercise.sizes[2:]):
            continue
        if switch == "transposed_weights" and not any(
            w.shape[0] == w.shape[1] and not (w == w.T).all() for w in exercise.W
        ):
            continue
        if switch in ("half_forgotten", "derivative_doubled") and exercise.loss_name != "half_sse":
            continue
        if switch == "shared_bias_one_node" and not any(
            exercise.shares_bias(layer) and exercise.trains_bias_of(layer)
            for layer in range(2, exercise.n_layers + 1)
        ):
            continue
        if switch == "dropout_unscaled" and exercise.dropout is None:
            continue
        if switch == "adam_no_bias_correction" and exercise.training.optimizer.name not in (
            "adam",
            "adamw",
        ):
            continue
        if switch == "l2_factor_forgotten" and not exercise.regularization.l2:
            continue
        if switch == "gradients_accumulated" and exercise.training.steps < 2:
            continue  # step 1 has nothing held over to add
        if switch == "penalty_forgotten" and not exercise.regularization.active:
            continue
        if switch == "l1_sign_forgotten" and not exercise.regularization.l1:
            continue
        if switch == "amsgrad_max_forgotten" and not exercise.training.optimizer.amsgrad:
            continue
        if switch == "dropout_ignored" and exercise.dropout is None:
            continue
        if switch == "batch_summed" and (
            exercise.n_samples < 2 or exercise.training.reduction != "mean"
        ):
            continue
        kept.append(mistake)
    return kept
