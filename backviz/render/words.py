"""The words of the worked solution in English and Korean (the course's own terms)."""

from __future__ import annotations

__all__ = ["WORDS", "word"]

WORDS: dict[str, dict[str, str]] = {
    "given": {"en": "Given", "ko": "주어진 값"},
    "inputs": {"en": "inputs", "ko": "입력"},
    "targets": {"en": "targets", "ko": "정답(목표값)"},
    "weights": {"en": "weights", "ko": "가중치"},
    "biases": {"en": "biases", "ko": "편향"},
    "step": {"en": "Step {s}", "ko": "학습 {s}단계"},
    "sample": {"en": "Sample {n}", "ko": "샘플 {n}"},
    "forward": {"en": "Forward pass", "ko": "순전파"},
    "forward_layer": {"en": "Layer {l}", "ko": "{l}층"},
    "loss": {"en": "Loss", "ko": "오차(손실)"},
    "backward_output": {
        "en": "Backward pass, output layer {l}",
        "ko": "역전파: 출력층 ({l}층)",
    },
    "backward_hidden": {
        "en": "Backward pass, hidden layer {l}",
        "ko": "역전파: 은닉층 ({l}층)",
    },
    "gradients": {"en": "Gradients", "ko": "기울기"},
    "update": {"en": "Update of layer {l}", "ko": "{l}층 가중치 갱신"},
    "after": {
        "en": "Check: forward pass with the updated weights",
        "ko": "결과 확인: 갱신된 가중치로 다시 순전파",
    },
    "loss_change": {
        "en": "The loss went from {before} to {after} ({change}).",
        "ko": "가중치 갱신 후 오차: {before} → {after} ({change}).",
    },
    "network": {"en": "Network", "ko": "신경망"},
    "expression_forward": {"en": "Forward: the value of every node", "ko": "순전파: 각 노드의 값"},
    "expression_backward": {
        "en": "Backward: from the output to the inputs, by the chain rule",
        "ko": "역전파: 연쇄 법칙에 따라 출력에서 입력 쪽으로",
    },
    "local": {"en": "local derivatives of {node}", "ko": "{node}의 국소 미분"},
    "summary": {
        "en": "This network has too many numbers to write out one by one; here is each layer "
        "in matrix form. Use --only NAME for the worked detail of any one quantity.",
        "ko": "이 신경망은 값이 너무 많아 하나씩 풀어 쓰지 않고 층별로 행렬 식으로 요약한다. "
        "특정 값의 자세한 풀이는 --only NAME 옵션으로 볼 수 있다.",
    },
    "later_steps": {
        "en": "Steps {first} to {last}: the loss before and after each step",
        "ko": "학습 {first}~{last}단계: 각 단계의 갱신 전후 오차",
    },
    "loss_row": {
        "en": "step {s}: E = {before} → E⁺ = {after}",
        "ko": "{s}단계: E = {before} → E⁺ = {after}",
    },
    "forward_only": {
        "en": "Forward only: this exercise has no training step.",
        "ko": "이 예제는 학습(가중치 갱신) 없이 순전파만 계산한다.",
    },
}

DESCRIBE = {
    "describe_layers": {"en": "layer sizes {sizes}", "ko": "층별 노드 수 {sizes}"},
    "describe_activation": {"en": "activation {names}", "ko": "활성화 함수 {names}"},
    "describe_bias": {"en": "with biases", "ko": "편향 있음"},
    "describe_no_bias": {"en": "no biases", "ko": "편향 없음"},
    "describe_loss": {"en": "loss {loss}", "ko": "오차 함수 {loss}"},
    "describe_optimizer": {"en": "optimiser {opt}", "ko": "최적화 알고리즘 {opt}"},
    "describe_learning_rate": {"en": "learning rate η = {lr}", "ko": "학습률 η = {lr}"},
    "describe_samples": {
        "en": "{n} sample(s), reduction {reduction}",
        "ko": "샘플 {n}개, 샘플 오차 집계 방식(reduction) {reduction}",
    },
    "describe_steps": {"en": "{n} step(s)", "ko": "학습 {n}회"},
}


def word(key: str, lang: str, **values: object) -> str:
    """The phrase `key` in `lang` (English when a phrase has no translation)."""
    table = WORDS.get(key) or DESCRIBE[key]
    return table.get(lang, table["en"]).format(**values)


# Diagrams (titles of stages and layers), plots and the walkthrough page's controls.
WORDS.update(
    {
        "stage_forward": {"en": "forward pass", "ko": "순전파"},
        "stage_backward": {"en": "backward pass", "ko": "역전파"},
        "stage_update": {"en": "weight update", "ko": "가중치 갱신"},
        "stage_all": {"en": "forward, backward and update", "ko": "순전파 · 역전파 · 가중치 갱신"},
        "input_layer": {"en": "input layer", "ko": "입력층"},
        "hidden_layer": {"en": "hidden layer {l}", "ko": "은닉층 ({l}층)"},
        "output_layer": {"en": "output layer {l}", "ko": "출력층 ({l}층)"},
        "more": {"en": "… {n} more", "ko": "… {n}개 더"},
        "previous": {"en": "Previous", "ko": "이전"},
        "plot_step": {"en": "step", "ko": "학습 단계"},
        "plot_loss": {"en": "loss E", "ko": "오차 E"},
        "plot_layer": {"en": "layer", "ko": "층"},
        "plot_layer_n": {"en": "layer {l}", "ko": "{l}층"},
        "plot_delta": {"en": "mean |δ| (log scale)", "ko": "|δ|의 평균 (로그 눈금)"},
        "next": {"en": "Next", "ko": "다음"},
        "show_all": {"en": "Show all values", "ko": "모든 값 보기"},
        "edit": {"en": "Edit the given numbers", "ko": "주어진 값 바꾸기"},
        "reset": {"en": "Reset", "ko": "처음 값으로"},
        "download": {"en": "Download exercise", "ko": "문제 파일 받기"},
        "zoom_in": {"en": "Zoom in", "ko": "확대"},
        "zoom_out": {"en": "Zoom out", "ko": "축소"},
        "zoom_fit": {"en": "Whole diagram", "ko": "전체 보기"},
        "legend_now": {"en": "computed in this step", "ko": "이 단계에서 계산하는 값"},
        "legend_reads": {"en": "what its formula reads", "ko": "식에 쓰이는 값"},
        "diagram_help": {
            "en": "drag to move · wheel or +/− to zoom",
            "ko": "끌어서 이동 · 휠 또는 +/−로 확대·축소",
        },
        "steps_list": {"en": "Steps of the solution", "ko": "풀이 단계"},
        "all_samples": {
            "en": "every sample (diagram: sample {n})",
            "ko": "모든 샘플 (그림: 샘플 {n})",
        },
    }
)
