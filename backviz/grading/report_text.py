"""The words and number forms every report shares: headings in English and Korean, expected
numbers, marks and scores as written."""

from __future__ import annotations

from functools import lru_cache

from ..core.notation import format_number as _format_number
from ..core.trace import Trace
from .mistakes import mistake_name

__all__ = [
    "STATUSES",
    "VERDICTS",
    "WORDS",
    "format_number",
    "json_number",
    "marks_text",
    "status_text",
    "title",
    "verdict_text",
]

WORDS = {
    "en": {
        "feedback": "Feedback for {student}: {exercise}",
        "total": "Total: {total:g} / {max:g}",
        "problems": "Problems with the sheet",
        "quantity": "quantity",
        "verdict": "verdict",
        "yours": "yours",
        "expected": "expected",
        "marks": "marks",
        "worked": "Worked steps for what was missed",
        "summary": "Class summary: {exercise}",
        "students": "{n} submissions; mean {mean:.2f} / {max:g}, median {median:.2f}, "
        "lowest {low:g}, highest {high:g}",
        "distribution": "Distribution of totals",
        "per_quantity": "Per quantity (share of the class)",
        "common": "Most common mistakes",
        "made_by": "{n} students",
        "made_by_one": "1 student",
        "absent": "Not counted here: {n} student(s) on the roster who handed nothing in "
        "(0 marks in grades.csv).",
        "off_roster": "Not counted here: {n} submission(s) from students not on the roster "
        "(graded in grades.csv).",
        "no_sheet": "no sheet handed in",
        "no_code": "no .py or .ipynb file handed in",
        "not_on_roster": "{student} is not on the roster ({roster}): graded, but left out of "
        "the class statistics; is the student id right?",
        "mistakes": "mistakes",
        "test_output": "{verdict}: yours {yours}, expected {expected}",
        "no_answer": "(missing)",
        # code exercises: what a student's function did, per case
        "code_own_case": "the exercise's own numbers",
        "code_random_case": "random case {n}",
        "code_not_run": "not run",
        "code_same_mistake": "the same mistake as above ({mistake})",
        "code_not_judged": "bad-output: what came back could not be judged ({reason})",
        "code_changed": "{function}() changed its argument(s) {names} in place: in a training "
        "loop the next step would start from the wrong numbers; work on copies "
        "(W = [w.copy() for w in W])",
        "code_no_key": "the returned dict has no '{key}'",
        "code_not_list": "'{key}' should be a list with one entry per layer ({n})",
        "code_unreadable": "{key} cannot be read ({error})",
        "code_not_numbers": "{key} of layer {layer} is not an array of numbers",
        "code_shape": "{key} of layer {layer} has shape {theirs}, expected {ours}",
        "code_shape_transposed": "{key} of layer {layer} has shape {theirs}, expected {ours}: "
        "transposed (w_jk is row j, column k)?",
        "code_nan": "{key} of layer {layer} holds NaN: were the weights uninitialised "
        "(torch.Tensor(n, m) or np.empty)? Use the W and b given.",
        "code_transposed": "{key} of layer {layer} is transposed: w_jk is row j, column k",
        "code_carried": "computed right from your own {sources}",
        "code_first_difference": "first difference at {name}: yours {yours}, expected {expected}",
    },
    "ko": {
        "feedback": "{student} 피드백: {exercise}",
        "total": "총점: {total:g} / {max:g}",
        "problems": "답안지의 문제",
        "quantity": "값",
        "verdict": "판정",
        "yours": "답",
        "expected": "정답",
        "marks": "점수",
        "worked": "틀린 값의 풀이",
        "summary": "학급 요약: {exercise}",
        "students": "제출 {n}건; 평균 {mean:.2f} / {max:g}, 중앙값 {median:.2f}, "
        "최저 {low:g}, 최고 {high:g}",
        "distribution": "총점 분포",
        "per_quantity": "값별 비율",
        "common": "자주 나온 실수",
        "made_by": "학생 {n}명",
        "made_by_one": "학생 1명",
        "absent": "여기서 뺀 것: 아무것도 내지 않은 명단의 학생 {n}명 (grades.csv에 0점).",
        "off_roster": "여기서 뺀 것: 명단에 없는 학생의 제출 {n}건 (grades.csv에 채점됨).",
        "no_sheet": "낸 답안지 없음",
        "no_code": "낸 .py 또는 .ipynb 파일 없음",
        "not_on_roster": "{student}은(는) 명단({roster})에 없다: 채점했지만 학급 통계에서는 뺐다. "
        "학번이 맞는가?",
        "mistakes": "실수",
        "test_output": "{verdict}: 내 답 {yours}, 맞는 값 {expected}",
        "no_answer": "(답 없음)",
        "code_own_case": "예제 자체의 값",
        "code_random_case": "무작위 사례 {n}",
        "code_not_run": "실행되지 않음",
        "code_same_mistake": "위와 같은 실수 ({mistake})",
        "code_not_judged": "bad-output: 돌려준 값을 판정할 수 없다 ({reason})",  # status first
        "code_changed": "{function}()이(가) 인자 {names}을(를) 그 자리에서 바꿨다: 학습 반복에서는 "
        "다음 단계가 틀린 값에서 시작한다. 복사본으로 계산할 것 (W = [w.copy() for w in W])",
        "code_no_key": "돌려준 dict에 '{key}'가 없다",
        "code_not_list": "'{key}'는 층마다 하나씩 든 리스트여야 한다 ({n}개)",
        "code_unreadable": "{key}를 읽을 수 없다 ({error})",
        "code_not_numbers": "{layer}층의 {key}가 수의 배열이 아니다",
        "code_shape": "{layer}층의 {key} 모양이 {theirs}이다. {ours}이어야 한다",
        "code_shape_transposed": "{layer}층의 {key} 모양이 {theirs}이다. {ours}이어야 한다: "
        "전치했나? (w_jk는 j행 k열)",
        "code_nan": "{layer}층의 {key}에 NaN이 있다: 가중치를 초기화하지 않았나 "
        "(torch.Tensor(n, m)나 np.empty)? 주어진 W와 b를 쓸 것.",
        "code_transposed": "{layer}층의 {key}가 전치되었다: w_jk는 j행 k열이다",
        "code_carried": "내가 앞서 계산한 {sources}에서 올바르게 계산함",
        "code_first_difference": "처음 다른 곳 {name}: 내 답 {yours}, 맞는 값 {expected}",
    },
}

VERDICTS: dict[str, dict[str, str]] = {
    "en": {},  # the verdict ids themselves, as verdicts.csv and the JSON write them
    "ko": {
        "correct": "정답",
        "carried": "이어받은 정답",
        "imprecise": "정밀도 부족",
        "mistake": "흔한 실수",
        "wrong": "오답",
        "missing": "답 없음",
        "unreadable": "읽을 수 없음",
    },
}
"""The verdicts as a report shows them to people, per language. verdicts.csv, grades.csv and
the JSON keep the ids (correct, carried, mistake:<id> …): they are the contract."""


STATUSES: dict[str, dict[str, str]] = {
    "en": {},  # the sandbox's status ids themselves (`sandbox.outcome.STATUSES`)
    "ko": {
        "timeout": "시간 초과",
        "crashed": "비정상 종료",
        "error": "오류",
        "too-much-output": "출력이 너무 많음",
        "bad-output": "잘못된 결과",
        "refused": "실행 거부",
    },
}
"""How a case of a student's code ended, as the feedback says it."""


def status_text(failure: str, lang: str) -> str:
    """A case's failure ("timeout: over 20 s") with its status in `lang`."""
    status, colon, rest = failure.partition(":")
    shown = STATUSES.get(lang, {}).get(status)
    return f"{shown}{colon}{rest}" if shown else failure


@lru_cache(maxsize=256)
def verdict_text(verdict: str, lang: str) -> str:
    """A verdict as a person reads it in `lang`: `mistake:sign-flipped` is "흔한 실수: 부호
    바뀜" in Korean; in English every verdict is shown as its id."""
    names = VERDICTS.get(lang)
    if not names:
        return verdict
    kind, _, mistake = verdict.partition(":")
    shown = names.get(kind, kind)
    return f"{shown}: {mistake_name(mistake, lang)}" if mistake else shown


@lru_cache(maxsize=4096)
def format_number(value: float) -> str:
    """The shared formatter, cached: every student's report shows the same expected values.
    A code exercise's verdicts have no single expected number (nan): shown as —."""
    return "—" if value != value else _format_number(value)


@lru_cache(maxsize=256)
def marks_text(value: float) -> str:
    """Marks as a person writes them: 1, 0.5, 38.5."""
    return f"{value:g}"


@lru_cache(maxsize=256)
def json_number(value: float) -> str:
    """A score as json.dumps writes round(value, 6)."""
    return repr(round(value, 6))


def title(trace: Trace, lang: str) -> str:
    """The exercise's title in `lang` (else English, else its id)."""
    return trace.exercise.title_in(lang)
