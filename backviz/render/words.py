"""The words of the worked solution in English and Korean (the course's own terms)."""

from __future__ import annotations

__all__ = ["WORDS", "phrase", "word"]

WORDS: dict[str, dict[str, str]] = {
    "given": {"en": "Given", "ko": "주어진 값"},
    "inputs": {"en": "inputs", "ko": "입력"},
    "targets": {"en": "targets", "ko": "정답(목표값)"},
    "weights": {"en": "weights", "ko": "가중치"},
    "biases": {"en": "biases", "ko": "편향"},
    "dropout_masks": {
        "en": "dropout masks (1 kept, 0 dropped)",
        "ko": "드롭아웃 마스크 (1 사용, 0 제외)",
    },
    "step": {"en": "Step {s}", "ko": "학습 {s}단계"},
    "sample": {"en": "Sample {n}", "ko": "샘플 {n}"},
    "batch": {"en": "The whole batch", "ko": "배치 전체"},
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
    "loss_change_dropout": {
        "en": "The loss went from {before} (training, with dropout) to {after} (evaluation, "
        "nothing dropped) ({change}): the two passes differ in more than the weights.",
        "ko": "가중치 갱신 후 오차: {before} (학습, 드롭아웃 적용) → {after} (평가, 드롭아웃 "
        "없음) ({change}). 두 순전파는 가중치만 다른 것이 아니다.",
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
    "describe_biases_by_layer": {"en": "biases: {layers}", "ko": "편향: {layers}"},
    "describe_layer_bias_none": {"en": "none in layer {layer}", "ko": "{layer}층 없음"},
    "describe_layer_bias_shared": {
        "en": "one shared by layer {layer}'s nodes",
        "ko": "{layer}층 노드들이 함께 쓰는 하나",
    },
    "describe_layer_bias_per_node": {
        "en": "one per node in layer {layer}",
        "ko": "{layer}층 노드마다 하나",
    },
    "describe_shared_bias": {
        "en": "one bias per layer, shared by its nodes",
        "ko": "층마다 노드들이 함께 쓰는 편향 하나",
    },
    "describe_frozen_bias": {
        "en": "biases frozen (not updated)",
        "ko": "편향 고정 (갱신하지 않음)",
    },
    "describe_frozen_layer_bias": {
        "en": "biases of layer {layers} frozen (not updated)",
        "ko": "{layers}층 편향 고정 (갱신하지 않음)",
    },
    "describe_loss": {"en": "loss {loss}", "ko": "오차 함수 {loss}"},
    "describe_optimizer": {"en": "optimiser {opt}", "ko": "최적화 알고리즘 {opt}"},
    "describe_learning_rate": {"en": "learning rate η = {lr}", "ko": "학습률 η = {lr}"},
    "describe_samples": {
        "en": "{n} sample(s), reduction {reduction}",
        "ko": "샘플 {n}개, 샘플 오차 집계 방식(reduction) {reduction}",
    },
    "describe_steps": {"en": "{n} step(s)", "ko": "학습 {n}회"},
    "describe_dropout": {
        "en": "dropout {rates} on the hidden layers",
        "ko": "은닉층 드롭아웃 비율 {rates}",
    },
}


def word(key: str, lang: str, **values: object) -> str:
    """The phrase `key` in `lang` (English when a phrase has no translation)."""
    return phrase(key, lang).format(**values)


def phrase(key: str, lang: str) -> str:
    """The phrase `key` in `lang` with its {fields} left to fill (with math: `document.prose`)."""
    table = WORDS.get(key) or DESCRIBE[key]
    return table.get(lang, table["en"])


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
        "matrices_caption": {"en": "{source} → {into}", "ko": "{source}에서 {into}으로"},
        "matrices_note": {
            "en": "Row j: the edge into node j; column k: the edge from node k (w_jk)",
            "ko": "행 j: 노드 j로 들어가는 연결, 열 k: 노드 k에서 나오는 연결 (w_jk)",
        },
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

# Problem sheets (`handout`): what a student reads before computing anything.
WORDS.update(
    {
        "sheet": {"en": "Problem sheet", "ko": "문제지"},
        "sheet_exercise": {"en": "exercise {id}", "ko": "예제 {id}"},
        "sheet_student": {"en": "student {id}", "ko": "학번 {id}"},
        "sheet_name_line": {"en": "Name:", "ko": "이름:"},
        "sheet_id_line": {"en": "Student id:", "ko": "학번:"},
        "sheet_task_sheet": {
            "en": "Compute the quantities below by hand from the given numbers, in order, and "
            "write each one in its box.",
            "ko": "아래의 값들을 주어진 값만으로 차례대로 손으로 계산하여 각 칸에 적는다.",
        },
        "sheet_task_code": {
            "en": "Write a function that computes this network's forward pass, backward pass and "
            "weight update; the drawing and the given numbers below are its first test case.",
            "ko": "이 신경망의 순전파, 역전파와 가중치 갱신을 계산하는 함수를 작성한다. "
            "아래 그림과 주어진 값이 첫 번째 테스트 사례이다.",
        },
        "sheet_task_code_train": {
            "en": "Write a function that trains this network step by step and returns its weights "
            "after each step; the drawing and the given numbers below are its first test case.",
            "ko": "이 신경망을 한 단계씩 학습시키고 각 단계 뒤의 가중치를 돌려주는 함수를 "
            "작성한다. 아래 그림과 주어진 값이 첫 번째 테스트 사례이다.",
        },
        "sheet_task_paper": {
            "en": "Compute every node's value forward; then, backward from the output by the chain "
            "rule, each local derivative and each gradient. Write each one in its box.",
            "ko": "순전파로 각 노드의 값을 구한 다음, 출력에서 거꾸로 연쇄 법칙에 따라 국소 미분과 "
            "기울기를 구하여 각 칸에 적는다.",
        },
        "sheet_network": {"en": "The network", "ko": "신경망"},
        "sheet_graph": {"en": "The computational graph", "ko": "계산 그래프"},
        "sheet_nodes": {
            "en": "nodes {nodes}; output {output}",
            "ko": "노드 {nodes}; 출력 {output}",
        },
        "sheet_caption": {
            "en": "Only the given numbers are written; each empty box is a number to compute "
            "(the questions below say which ones to hand in).",
            "ko": "주어진 값만 적혀 있고, 빈 칸은 모두 계산할 값이다 "
            "(제출할 값은 아래 문제에 있다).",
        },
        "sheet_caption_code": {
            "en": "Only the given numbers are written; each empty box is a number your function "
            "computes.",
            "ko": "주어진 값만 적혀 있고, 빈 칸은 모두 작성할 함수가 계산하는 값이다.",
        },
        "sheet_caption_sample": {
            "en": "The drawing shows sample {n} of {total}; every sample's numbers are under "
            "Given.",
            "ko": "그림은 샘플 {total}개 중 {n}번째이며, 모든 샘플의 값은 ‘주어진 값’에 있다.",
        },
        "sheet_caption_bare": {
            "en": "The edges are too many to write a number on each: every weight is under Given.",
            "ko": "연결이 많아 연결마다 값을 적지 않았다. 모든 가중치는 ‘주어진 값’에 있다.",
        },
        "sheet_caption_more": {
            "en": "Layers of more than {max} nodes are drawn as their first three and last two "
            "nodes; every weight and bias is under Given.",
            "ko": "노드가 {max}개보다 많은 층은 처음 세 개와 마지막 두 개만 그렸다. 모든 가중치와 "
            "편향은 ‘주어진 값’에 있다.",
        },
        "learning_rate": {"en": "learning rate", "ko": "학습률"},
        "regularization": {"en": "regularisation in the cost", "ko": "가중치 규제(규제항)"},
        "dropout_rate": {"en": "dropout rate", "ko": "드롭아웃 비율"},
        "sheet_weights": {"en": "weights into layer {l}", "ko": "{l}층으로 들어가는 가중치"},
        "sheet_biases": {"en": "biases of layer {l}", "ko": "{l}층 편향"},
        "sheet_questions": {"en": "Questions", "ko": "문제"},
        "sheet_questions_sheet": {
            "en": "Answer in this order. The name column is how each quantity is called on the "
            "answer sheet.",
            "ko": "이 순서대로 답한다. ‘이름’ 열은 답안지에서 각 값을 부르는 이름이다.",
        },
        "sheet_questions_paper": {"en": "Answer in this order.", "ko": "이 순서대로 답한다."},
        "sheet_col_number": {"en": "#", "ko": "번호"},
        "sheet_col_quantity": {"en": "quantity", "ko": "값"},
        "sheet_col_name": {"en": "name", "ko": "이름"},
        "sheet_col_answer": {"en": "your answer", "ko": "답"},
        "sheet_code": {"en": "What to write", "ko": "작성할 코드"},
        "sheet_code_text": {
            "en": "The function `{function}(W, b, x, t, learning_rate)` returns, for every layer "
            "after the input layer, z, a, δ, ∂E/∂W, ∂E/∂b and the updated W and b; the starter "
            "file gives their names and shapes. It is run on these numbers and on {cases} more "
            "cases drawn at random.",
            "ko": "함수 `{function}(W, b, x, t, learning_rate)`는 입력층 다음의 각 층에 대해 "
            "z, a, δ, ∂E/∂W, ∂E/∂b와 갱신된 W, b를 돌려준다. 이름과 모양은 시작 파일에 "
            "있다. 이 값들과 무작위로 뽑은 {cases}개의 사례로 실행한다.",
        },
        "sheet_code_text_train": {
            "en": "The function `{function}(W, b, x, t, learning_rate, steps)` trains the "
            "network for {steps} steps, in any style (numpy, autograd, torch.optim, nn.Module), "
            "and returns the weights (W, b) after each step; each step is graded from your own "
            "step before it. It is run on these numbers and on {cases} more cases drawn at "
            "random.",
            "ko": "함수 `{function}(W, b, x, t, learning_rate, steps)`는 신경망을 {steps}단계 "
            "학습시키고(numpy, autograd, torch.optim, nn.Module 어느 방식이든) 각 단계 뒤의 "
            "가중치 (W, b)를 돌려준다. 각 단계는 내가 계산한 바로 앞 단계로부터 채점한다. 이 "
            "값들과 무작위로 뽑은 {cases}개의 사례로 실행한다.",
        },
        "sheet_precision": {"en": "Precision", "ko": "답의 정밀도"},
        "sheet_precision_1": {
            "en": "Give each answer to at least one significant figure of the right value: write "
            "it at least up to its first digit that is not 0.",
            "ko": "각 답은 정답의 유효숫자 1자리 이상으로 쓴다. 즉 0이 아닌 첫 자리까지는 적는다.",
        },
        "sheet_precision_n": {
            "en": "Give each answer to at least {n} significant figures of the right value: "
            "write at least {n} digits counted from its first digit that is not 0.",
            "ko": "각 답은 정답의 유효숫자 {n}자리 이상으로 쓴다. "
            "즉 0이 아닌 첫 자리부터 {n}자리까지는 적는다.",
        },
        "sheet_precision_update": {
            "en": "For an updated weight or bias (W⁺, b⁺) the figures are counted on its change "
            "W⁺ − W, which is usually much smaller than W: W⁺ needs more decimals than W.",
            "ko": "갱신된 가중치·편향(W⁺, b⁺)은 변화량 W⁺ − W에서 유효숫자를 센다. "
            "변화량은 보통 W보다 훨씬 작으므로 W⁺는 W보다 소수점 아래 자리를 더 적어야 한다.",
        },
        "sheet_precision_more": {
            "en": "Write as many decimals as you worked with: more correct digits never cost "
            "marks, and rounding and truncating are both accepted. An answer that is exactly "
            "right as written needs no more digits.",
            "ko": "계산에 쓴 자릿수만큼 적어도 된다. 맞는 자리를 더 적어서 감점되는 일은 없고, "
            "반올림과 버림 모두 인정한다. 적은 그대로 정확한 값이면 더 적을 필요가 없다.",
        },
        "sheet_carried": {
            "en": "A slip costs marks once: a later answer computed correctly from your own "
            "earlier answers still earns its marks, so write the numbers you actually used.",
            "ko": "실수는 한 번만 감점된다. 자신의 앞선 답으로 올바르게 계산한 뒤의 답은 "
            "점수를 받으므로, 실제로 계산에 쓴 값을 그대로 적는다.",
        },
        "sheet_hand_in": {"en": "How to hand in", "ko": "제출 방법"},
        "sheet_needs": {
            "en": "You need backviz and the exercise file `{file}`.",
            "ko": "필요한 것: backviz, 예제 파일 `{file}`.",
        },
        "sheet_your_id": {
            "en": "Write your student id for `ID`.",
            "ko": "`ID` 자리에는 자신의 학번을 쓴다.",
        },
        "sheet_make": {
            "en": "Make your answer sheet, a CSV file with one row per question:",
            "ko": "답안지(문제마다 한 줄인 CSV 파일)를 만든다:",
        },
        "sheet_fill": {
            "en": "Write each answer in the `value` column, in the row of its name.",
            "ko": "각 답을 그 이름이 적힌 줄의 `value` 칸에 적는다.",
        },
        "sheet_check": {
            "en": "Check it yourself before you hand it in:",
            "ko": "제출하기 전에 스스로 확인한다:",
        },
        "sheet_submit": {"en": "Hand in `{file}`.", "ko": "`{file}` 파일을 제출한다."},
        "sheet_starter": {"en": "Make the starter file:", "ko": "시작 파일을 만든다:"},
        "sheet_write_code": {
            "en": "Write the function `{function}` in it.",
            "ko": "그 안에 함수 `{function}`을(를) 작성한다.",
        },
        "sheet_try": {
            "en": "Try it (the report goes to the folder `my-report`):",
            "ko": "실행해 본다 (결과는 `my-report` 폴더에 쓰인다):",
        },
        "sheet_paper": {
            "en": "Write your answers in the boxes and hand in this sheet.",
            "ko": "빈칸에 답을 적어 이 문제지를 제출한다.",
        },
    }
)

# Why a line reads as it does, where students trip (the worked solution's notes).
WORDS.update(
    {
        "why_softmax_ce": {
            "en": "Softmax with cross-entropy: each {z} moves every output {a} ({same} for "
            "{kj}, {other} otherwise), so by the chain rule {chain}. With {dE} the sum is "
            "{sum} (the targets add up to 1), so {delta}: softmax minus the {target}.",
            "ko": "소프트맥스와 교차 엔트로피: {z}는 모든 출력 {a}를 움직인다 ({kj}이면 "
            "{same}, 아니면 {other}). 연쇄 법칙으로 {chain}이다. {dE}를 넣으면 합은 {sum} "
            "(정답의 합은 1)이므로 {delta}, 즉 소프트맥스 출력에서 {target}을 뺀 값이다.",
        },
        "one_hot_target": {"en": "one-hot target", "ko": "원-핫 정답"},
        "probability_target": {
            "en": "target probabilities (any targets adding up to 1)",
            "ko": "정답 확률(합이 1인 정답이면 무엇이든)",
        },
        "why_bce_clamp": {
            "en": "An output o of exactly 0 or 1 makes a log 0 = −∞: torch's BCELoss clamps "
            "each log at −100 (max(log x, −100)), so that term is 100, not infinite.",
            "ko": "출력 o가 정확히 0 또는 1이면 log 0 = −∞가 된다: torch의 BCELoss는 각 log를 "
            "−100에서 자른다 (max(log x, −100)). 그래서 그 항은 무한대가 아니라 100이다.",
        },
        "why_bce_floor": {
            "en": "A saturated output (o·(1 − o) below 10⁻¹²): in ∂E/∂o = (o − t)/(o·(1 − o)) "
            "torch divides by max(o·(1 − o), 10⁻¹²) (10⁻¹² kept as a float32 number, "
            "9.99999996e-13), so ∂E/∂o is (o − t)·10¹², about ±10¹², and 0 where t = o.",
            "ko": "포화된 출력 (o·(1 − o)가 10⁻¹²보다 작다): ∂E/∂o = (o − t)/(o·(1 − o))에서 "
            "torch는 max(o·(1 − o), 10⁻¹²)로 나눈다 (10⁻¹²는 float32 수 9.99999996e-13). "
            "그래서 ∂E/∂o는 (o − t)·10¹², 약 ±10¹²이고, t = o이면 0이다.",
        },
        "why_dropout": {
            "en": "Dropout (training mode, inverted as torch's nn.Dropout): each hidden node's "
            "output {a} is multiplied by its mask {m} (1 kept, 0 dropped) and by {scale}, so "
            "the next layer reads {dropped} and receives on average what it would without "
            "dropout.",
            "ko": "드롭아웃 (학습 모드, torch의 nn.Dropout과 같은 inverted dropout): 은닉 노드의 "
            "출력 {a}에 마스크 {m} (1 사용, 0 제외)과 {scale}를 곱한다. 다음 층은 {dropped}를 "
            "입력으로 받으며, 평균적으로 드롭아웃이 없을 때와 같은 크기의 값을 받는다.",
        },
        "why_dropout_backward": {
            "en": "Back through dropout: the next layer reads {at}, so each path of a node has "
            "one more link in its chain, {link}, and is {path}: a dropped node gets {zero} "
            "(and {delta_zero}, so no gradient of the outputs' error reaches its incoming "
            "weights), a kept one the paths' sum scaled by {scale}.",
            "ko": "드롭아웃을 거슬러 역전파: 다음 층은 {at}를 입력으로 받으므로 노드의 각 경로의 "
            "연쇄 법칙에 고리 {link}가 하나 더 붙어 경로는 {path}이다. 제외된 노드는 {zero} "
            "({delta_zero}이므로 출력 오차의 기울기가 그 노드로 들어오는 가중치에 닿지 않는다), "
            "사용된 노드는 경로의 합에 {scale}를 곱한 값이다.",
        },
        "why_dropout_eval": {
            "en": "The check runs in evaluation mode, as a trained model is evaluated: no node "
            "is dropped and nothing is scaled.",
            "ko": "확인 단계는 학습된 모델을 평가할 때처럼 평가 모드로 계산한다: 어떤 노드도 "
            "제외하지 않고 스케일도 하지 않는다.",
        },
        "why_bce_delta": {
            "en": "δ = ∂E/∂o·o·(1 − o) is o − t while o·(1 − o) ≥ 10⁻¹², but through a "
            "saturated sigmoid only (o − t)·o·(1 − o)·10¹² comes back, and nothing at all where "
            "o·(1 − o) = 0 (o = 0 or 1): the output stays wrong and its weights barely move, or "
            "not at all (torch gives the same).",
            "ko": "δ = ∂E/∂o·o·(1 − o)는 o·(1 − o) ≥ 10⁻¹²이면 o − t이지만, 포화된 시그모이드를 "
            "지나면 (o − t)·o·(1 − o)·10¹²만 돌아오고, o·(1 − o) = 0 (o = 0 또는 1)이면 아무것도 "
            "돌아오지 않는다. 출력은 틀린 채로 남고 가중치는 거의, 또는 전혀 움직이지 않는다 "
            "(torch도 같다).",
        },
    }
)

# Weight regularisation in the cost (the notes' 가중치 규제): the description and the notes.
DESCRIBE.update(
    {
        "describe_regularization": {
            "en": "regularisation in the cost: {terms} ({which})",
            "ko": "가중치 규제(규제항): {terms} ({which})",
        },
        "regularized_weights": {"en": "weights only", "ko": "가중치만, 편향 제외"},
        "regularized_all": {"en": "weights and biases", "ko": "가중치와 편향"},
    }
)
WORDS.update(
    {
        "why_regularization": {
            "en": "Regularisation adds penalty terms to the cost: {E} ({names}), over {which}. "
            "{E_data} is the loss of the outputs alone.",
            "ko": "가중치 규제는 비용 함수에 규제항을 더한다: {E} ({names}), 대상은 {which}. "
            "{E_data}는 출력만의 오차다.",
        },
        "penalty_L1": {"en": "L1: the sum of the absolute values", "ko": "L1: 절대값의 합"},
        "penalty_L2": {"en": "L2: the sum of the squares", "ko": "L2: 제곱의 합"},
        "why_penalty_gradient": {
            "en": "Each penalised parameter's gradient is the data term plus the penalty's: "
            "{grad}. {abs} has no slope at {at}; {sign} is taken there, as torch.autograd does "
            "for abs. This is not the optimiser's weight_decay, which changes the update rule, "
            "not E.",
            "ko": "규제 대상인 매개변수의 기울기는 데이터 항에 규제항의 미분을 더한 것이다: "
            "{grad}. {abs}는 {at}에서 기울기가 없으므로 torch.autograd의 abs와 같이 {sign}으로 "
            "둔다. 최적화 알고리즘의 weight_decay와는 다르다: weight_decay는 E가 아니라 갱신 "
            "규칙을 바꾼다.",
        },
        "why_penalty_gradient_smooth": {  # L2 alone: no kink to speak of
            "en": "Each penalised parameter's gradient is the data term plus the penalty's: "
            "{grad}. This is not the optimiser's weight_decay, which changes the update rule, "
            "not E.",
            "ko": "규제 대상인 매개변수의 기울기는 데이터 항에 규제항의 미분을 더한 것이다: "
            "{grad}. 최적화 알고리즘의 weight_decay와는 다르다: weight_decay는 E가 아니라 갱신 "
            "규칙을 바꾼다.",
        },
    }
)
