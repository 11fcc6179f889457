"""Moodle's quiz Responses report as sites in other languages download it.

Each site writes the report's columns, its attempts' states and a Cloze response's summary in
its language pack's words. The words below are copied from Moodle's language packs (AMOS, as
the projectestac/moodle-langpacks mirror holds them): moodle.php `lastname`, `firstname`,
`email`, `idnumber`; quiz.php `attemptstate`, `startedon`, `timecompleted`, `attemptduration`,
`grade`, `statefinished`; question.php `questionx`; quiz_responses.php `responsex`,
`rightanswerx`; qtype_multianswer.php `subqresponse` (`{}` the number, `{a}` the response).
The files are written as Moodle's CSV download and Excel write them: a UTF-8 BOM, quoted
fields, `;` between cells and decimal commas where Excel's locale uses them.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from backviz.cli import main
from backviz.grading.cloze_parts import right_answers
from backviz.grading.sheets.reading import read_sheet
from backviz.grading.sheets.submission import Submission
from tests.test_export_moodle import (
    ASKED_222,
    export,
    grade,
    parse_xml,
    rounded,
    summary,
    torch_222,
    verdicts,
)
from tests.test_grading import SEED as SEED_EXERCISE

# language: (last name, first name, e-mail, ID number, status, started, completed, duration,
# grade, question N, response N, right answer N, finished, the Cloze part's summary)
SITES = {
    "de": ("Nachname", "Vorname", "E-Mail-Adresse", "ID-Nummer", "Status", "Begonnen",
           "Beendet", "Dauer", "Bewertung", "Frage {}", "Antwort {}", "Richtige Antwort {}",
           "Beendet", "Teil {n}: {a}"),
    "fr": ("Nom de famille", "Prénom", "Adresse de courriel", "Numéro d’identification",
           "Statut", "Commencé", "Terminé", "Durée", "Note", "Question {}", "Réponse {}",
           "Réponse correcte {}", "Terminée", "partie {n} : {a}"),
    "es": ("Apellido(s)", "Nombre", "Dirección de correo", "Número de ID", "Estado",
           "Comenzado", "Finalizado", "Duración", "Calificación", "Pregunta {}",
           "Respuesta {}", "Respuesta correcta {}", "Finalizado", "parte {n}: {a}"),
    "pt": ("Apelido", "Nome", "E-mail", "Número de identificação (ID)", "Estado", "Iniciada",
           "Terminada", "Tempo gasto", "Nota", "Pergunta {}", "Resposta {}",
           "Resposta correta {}", "Terminadas", "parte {n}: {a}"),
    "ja": ("姓", "名", "メールアドレス", "IDナンバ", "ステータス", "開始日時", "受験完了",
           "継続時間", "評点", "問題 {}", "解答 {}", "正解 {}", "終了", "パート {n}: {a}"),
    "zh_cn": ("姓", "名", "电子邮件地址", "学号", "状态", "开始于", "完成", "考试时长", "评分",
              "试题 {}", "回答{}", "标准答案{}", "已结束", "子问题 {n}：{a}"),
    "eu": ("Abizena(k)", "Izena", "Helbide elektronikoa", "ID zenbakia", "Egoera", "Hasita",
           "Osatuta", "Iraupena", "Kalifikazioa", "{}. galdera", "{} erantzuna",
           "Erantzun zuzena {}", "Amaituta", "{n}. zatia: {a}"),
    "ko": ("성", "이름", "이메일 주소", "id 번호", "상태", "시작", "종료", "소비 시간", "성적",
           "질문 {}", "응답 {}", "정답 {}", "종료됨", "파트 {n}: {a}"),
}  # fmt: skip
EXCEL = {"de", "fr", "es", "pt"}  # decimal-comma locales: Excel re-saves with `;` and 0,08

ANSWERS = ["0.0800", "0.5200", "", "-0.0150", "1/2"]  # as typed, one left blank


def summarise(part: str, answers: list[str], comma: bool) -> str:
    """qtype_multianswer's summarise_response: each part's 'subqresponse', joined by '; '."""
    typed = [a.replace(".", ",") if comma else a for a in answers]
    return "; ".join(part.format(n=k, a=a) for k, a in enumerate(typed, start=1))


def write_site(
    path: Path, lang: str, rows: list[list[str]], *, slot: int = 1, delimiter: str = ""
) -> None:
    """The report as Excel re-saves it in a decimal-comma locale (`;`), else as Moodle's
    "Comma separated values" download writes it (`delimiter` "," for a decimal-comma site's
    own download: its decimal commas inside quoted cells)."""
    last, first, email, idnumber, status, started, completed, duration, grade_word = SITES[lang][:9]
    question, response, right = (word.format(slot) for word in SITES[lang][9:12])
    comma = lang in EXCEL
    header = [last, first, email, idnumber, status, started, completed, duration,
              f"{grade_word}/10{',' if comma else '.'}00", question, response, right]  # fmt: skip
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(
            file, delimiter=delimiter or (";" if comma else ","), quoting=csv.QUOTE_MINIMAL
        )
        writer.writerow(header)
        writer.writerows(rows)


def row(lang: str, student: str, answers: list[str] | None) -> list[str]:
    comma = lang in EXCEL
    part, finished = SITES[lang][13], SITES[lang][12]
    response = summarise(part, answers, comma) if answers is not None else "-"
    right = summarise(part, ["0.08", "0.52", "0.1", "-0.015", "0.5"], comma)
    times = ["1. November 2026, 10:00", "1. November 2026, 10:40", "40 Min."]
    grade_text = "8,00" if comma else "8.00"
    return ["Kim", "Minjun", f"{student}@example.edu", student, finished, *times, grade_text,
            "[backviz seed-222] text _____", response, right]  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "delimiter"), [(lang, "") for lang in sorted(SITES)] + [("de", ",")]
)
def test_a_report_in_the_sites_language_is_read_part_by_part(
    tmp_path: Path, lang: str, delimiter: str
) -> None:
    """Every column found in the site's words: the student by their ID number, each part as
    typed (decimal commas where Excel wrote them), the blank part missing, the question's text
    (not the right answer) kept to find the exercise, the attempt finished."""
    path = tmp_path / "responses.csv"
    write_site(path, lang, [row(lang, "0012345", ANSWERS), row(lang, "s02", None)],
               delimiter=delimiter)  # fmt: skip
    first, second = read_sheet(path)
    assert first.student == "0012345"
    comma = lang in EXCEL
    written = {k: a.replace(".", ",") if comma else a for k, a in enumerate(ANSWERS, start=1)}
    assert {name: answer.text for name, answer in first.answers.items()} == {
        f"part {k}": written[k] for k in written
    }
    assert first.answers["part 1"].value == pytest.approx(0.08)
    assert first.answers["part 5"].value == pytest.approx(0.5)
    assert first.answers["part 3"].value is None  # blank: missing
    assert first.cloze == "[backviz seed-222] text _____"
    assert first.problems == () and first.attempt is not None
    assert first.attempt.state == "finished"
    assert second.student == "s02" and not second.answers
    assert any("no attempt" in problem for problem in second.problems)


def test_a_report_in_a_language_of_no_pack_is_read_by_what_its_columns_hold(
    tmp_path: Path,
) -> None:
    """Headers and states in words backviz has never seen: the e-mail column is the one of
    e-mail addresses, the response the slot's first column of Cloze summaries (the right
    answer, the second, is not taken for it), whatever their words."""
    path = tmp_path / "responses.csv"
    right = "parto 1: 0.08; parto 2: 0.52"
    path.write_text(
        "Familinomo,Persona nomo,Retpoŝto,Stato,Poentaro/10.00,Demando 1,Respondo 1,"
        "Ĝusta respondo 1\n"
        f"Kim,Minjun,kim@example.edu,Finita,8.00,[backviz seed-222] …,"
        f"parto 1: 0.0801; parto 2: 0.5,{right}\n"
        f"Lee,Seoyeon,lee@example.edu,Finita,9.00,[backviz seed-222] …,"
        f"parto 1: 0.08; parto 2: 0.52,{right}\n",
        encoding="utf-8",
    )
    kim, lee = read_sheet(path)
    assert (kim.student, lee.student) == ("kim@example.edu", "lee@example.edu")
    assert [a.text for a in kim.answers.values()] == ["0.0801", "0.5"]
    assert kim.cloze == "[backviz seed-222] …"  # the question's text names the exercise
    path.write_text(path.read_text(encoding="utf-8").replace("[backviz seed-222] …", "-"))
    kim, _ = read_sheet(path)
    assert kim.cloze == right  # without it, the right answer: to tell a variant by


@pytest.mark.parametrize("lang", ["de", "zh_cn"])
def test_a_translated_report_is_regraded_against_torchs_answer_key(
    tmp_path: Path, lang: str
) -> None:
    """The whole regrade of a German site's Excel-saved report (`;`, decimal commas, BOM,
    quoted fields) and a Chinese site's (full-width colon, "回答1"): right answers right, a
    slipped h1 wrong."""
    _, xml = export(tmp_path, SEED_EXERCISE)
    (question,) = parse_xml(xml)[1]
    right = rounded(torch_222())
    slipped = list(right)
    slipped[ASKED_222.index("h1")] = "0.5225"
    rows = [row(lang, "s01", right), row(lang, "s02", slipped)]
    for r in rows:
        r[9] = summary(question)
        r[11] = "-"
    path = tmp_path / "responses.csv"
    write_site(path, lang, rows)
    result, out = grade(tmp_path, SEED_EXERCISE, path)
    assert result.exit_code == 0, result.output
    v = verdicts(out)
    assert all(v["s01", name] == "correct" for name in ASKED_222)
    assert v["s02", "h1"] == "wrong"
    assert sum(v["s02", name] == "correct" for name in ASKED_222) == len(ASKED_222) - 1


def test_a_report_without_its_response_column_names_the_headers_found(tmp_path: Path) -> None:
    """A German report downloaded without 'Responses' ticked: one line naming the file, the
    column looked for, and the headers found."""
    path = tmp_path / "antworten.csv"
    path.write_text(
        "\ufeffNachname;Vorname;E-Mail-Adresse;Status;Bewertung/10,00\n"
        "Kim;Minjun;kim@example.edu;Beendet;8,00\n",
        encoding="utf-8",
    )
    result, _ = grade(tmp_path, SEED_EXERCISE, path)
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        "backviz: antworten.csv: column 'Response N': expected one (Response 1, Antwort 1, "
        "응답 1, … in the site's language, or a column of 'part 1: …; part 2: …'), found none "
        "among 'Nachname', 'Vorname', 'E-Mail-Adresse', 'Status', 'Bewertung/10,00': tick "
        "'Responses' in the report's options before downloading"
    )


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("partie 1 : 0,08; partie 2 : -0,015", [0.08, -0.015]),  # French: ' : ', decimal comma
        ("子问题 1：0.08; 子问题 2：0.52", [0.08, 0.52]),  # Chinese: a full-width colon
        ("1. zatia: 0.08; 2. zatia: 0.52", [0.08, 0.52]),  # Basque: the number first
        ("Frage 1 text _____", None),  # a question's text, not a right answer
    ],
)
def test_right_answers_are_read_in_the_sites_words(text: str, values: list[float] | None) -> None:
    """The "Right answer N" column tells a variant by its numbers, in any language's summary."""
    found = right_answers(Submission("s01", "r.csv:row 2", {}, cloze=text))
    assert found == (pytest.approx(values) if values is not None else None)


@pytest.mark.parametrize(
    ("roster", "named"),
    [
        ("student\ns01@example.edu\ns02@example.edu\n", ["s01_example.edu", "s02_example.edu"]),
        ("student\n0012345\n0012346\n", ["0012345", "0012346"]),
        ("학번,이름\nKim Minjun,x\nLee Seoyeon,x\n", ["Kim_Minjun", "Lee_Seoyeon"]),
    ],
)
def test_the_roster_says_which_identity_column_names_the_students(
    tmp_path: Path, roster: str, named: list[str]
) -> None:
    """A site showing both the ID number and the e-mail: the rows are named by the column the
    roster lists (e-mails, ID numbers, or names), so no one is 'absent' for being listed by
    another field."""
    _, xml = export(tmp_path, SEED_EXERCISE)
    (question,) = parse_xml(xml)[1]
    right = rounded(torch_222())
    rows = []
    for student, email, (last, first) in [("0012345", "s01", ("Kim", "Minjun")),
                                          ("0012346", "s02", ("Lee", "Seoyeon"))]:  # fmt: skip
        cells = row("de", student, right)
        cells[:3] = [last, first, f"{email}@example.edu"]
        cells[9], cells[11] = summary(question), "-"
        rows.append(cells)
    path = tmp_path / "responses.csv"
    write_site(path, "de", rows)
    roster_path = tmp_path / "roster.csv"
    roster_path.write_text(roster, encoding="utf-8")
    out = tmp_path / "reports"
    args = ["grade", str(SEED_EXERCISE), str(path), "--roster", str(roster_path)]
    result = CliRunner().invoke(main, [*args, "--out", str(out), "--no-diagrams"])
    assert result.exit_code == 0, result.output
    with (out / "grades.csv").open(encoding="utf-8") as file:
        totals = {r["student"]: float(r["total"]) for r in csv.DictReader(file)}
    assert totals == dict.fromkeys(named, 39.0)  # nobody absent, nobody off the roster
    # (a report file is named as a file may be: "Kim Minjun" is Kim_Minjun)
