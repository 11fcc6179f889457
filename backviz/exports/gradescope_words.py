"""The sentences a Gradescope autograder says to the student, in English and Korean: who was
graded, and why nothing was (all of it text: `output_format` "text")."""

from __future__ import annotations

from ..grading.escape import gradescope_text
from .gradescope_identity import Identity

__all__ = ["WORDS", "identity_line"]

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "sid": "Student ID",
        "email": "email",
        "email_id": "email as student id",
        "name": "name",
        "on_roster": "Graded as student {student} (matched by {rule} on {roster}).",
        "from_gradescope": "Graded as student {student} (Gradescope's {rule}).",
        "group": " A group submission of {names}.",
        "unknown": "Submitter: not known (Gradescope's submission_metadata.json names no one).",
        "no_id": "Submitter: {names}, without Student ID, email or name.",
        "not_on_roster": "Submitter: {names}: not on the roster ({roster}: no student with this "
        "Student ID, email or name).",
        "sheets": "answer sheet",
        "code": ".py file or Jupyter notebook",
        "variant_unknown": "Each student has their own numbers, and whose they are is not "
        "known: not graded. Tell your teacher (Gradescope's roster and backviz's roster must "
        "name you alike).",
        "no_variant": "There is no variant for student {student}: not graded. Tell your teacher.",
        "no_folder": "Nothing was handed in: upload your {what} ({endings}).",
        "nothing": "Nothing to grade was handed in: upload your {what} ({endings}).",
        "found_only": " Found only {names}.",
        "one": "Hand in one {what}; found {n}: {names}. Submit again with only the one to grade.",
        "after_due_date": "Your marks, and each quantity's verdict, are shown after the due date.",
        "after_published": "Your marks, and each quantity's verdict, are shown when your "
        "teacher publishes the grades.",
        "hidden": "Your teacher will tell you your marks.",
    },
    "ko": {
        "sid": "학번",
        "email": "이메일",
        "email_id": "학번으로 쓴 이메일",
        "name": "이름",
        "on_roster": "학생 {student}의 제출로 채점했습니다 ({roster}에서 {rule}(으)로 찾음).",
        "from_gradescope": "학생 {student}의 제출로 채점했습니다 (Gradescope의 {rule}).",
        "group": " {names}의 그룹 제출입니다.",
        "unknown": "제출자: 알 수 없음 (Gradescope의 submission_metadata.json에 제출자가 없음).",
        "no_id": "제출자: {names} (학번, 이메일, 이름이 없음).",
        "not_on_roster": "제출자: {names}: 명단({roster})에 없습니다 (이 학번, 이메일, 이름의 "
        "학생이 없음).",
        "sheets": "답안지",
        "code": ".py 파일 또는 Jupyter 노트북",
        "variant_unknown": "학생마다 숫자가 다른데, 누구의 제출인지 알 수 없어 채점하지 "
        "않았습니다. 선생님께 알려 주세요 (Gradescope 명단과 backviz 명단의 이름이 같아야 합니다).",
        "no_variant": "학생 {student}의 문제(변형)가 없어 채점하지 않았습니다. 선생님께 알려 "
        "주세요.",
        "no_folder": "제출된 것이 없습니다: {what}({endings})을(를) 올려 주세요.",
        "nothing": "채점할 것이 제출되지 않았습니다: {what}({endings})을(를) 올려 주세요.",
        "found_only": " 올라온 파일: {names}.",
        "one": "{what}은(는) 하나만 내야 합니다. {n}개가 있습니다: {names}. 채점할 것 하나만 "
        "다시 제출하세요.",
        "after_due_date": "점수와 문항별 판정은 마감 후에 보입니다.",
        "after_published": "점수와 문항별 판정은 선생님이 성적을 공개하면 보입니다.",
        "hidden": "점수는 선생님이 알려 줄 것입니다.",
    },
}
"""Per language, each sentence (str.format fields in braces)."""


def identity_line(identity: Identity, roster: str, lang: str) -> str:
    """The output's first line: whose submission was graded, and how that was found."""
    w = WORDS[lang]
    names = ", ".join(identity.submitters)
    if identity.student is None:
        return gradescope_text(w[identity.rule].format(names=names, roster=roster))
    if identity.rule.startswith("gradescope_"):
        line = w["from_gradescope"].format(student=identity.student, rule=w[identity.rule[11:]])
    else:
        line = w["on_roster"].format(student=identity.student, rule=w[identity.rule], roster=roster)
    return gradescope_text(line + (w["group"].format(names=names) if identity.submitters else ""))
