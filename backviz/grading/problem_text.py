"""What is wrong with what a student handed in, in English and Korean: a file that is not read
(a link, a FIFO, too large, binary, in another encoding), a sheet or a row of it that is not
(not valid TOML, a cell too many), an entry given twice, a student id twice.

These are the lines under "Problems with the sheet" of a student's feedback; like the rest of
a report, they are written in the report's language (`grade --lang`). Each is said once here,
as a template with named fields, and the readers fill it in.
"""

from __future__ import annotations

__all__ = ["PROBLEMS", "problem_text"]

PROBLEMS: dict[str, dict[str, str]] = {
    "en": {
        # the file itself (handed_in, reading)
        "link": "a symbolic link, not followed: inside a folder only real files and folders "
        "are read (a link is followed only when named on the command line)",
        "fifo": "a FIFO (named pipe)",
        "device": "a device",
        "socket": "a socket",
        "not_regular": "not a regular file",
        "not_a_file": "{kind}, not a file: not read",
        "folder": "a folder, not a file",
        "too_large": "too large ({size:.1f} MB; {what} are read up to {limit} MB), not read",
        "no_such_file": "no such file",
        "cannot_read": "cannot be read: {error}",
        "folder_without": "no {what} in this folder",
        "several_files": "{folder}: {count} {what} in this folder: graded {graded}, left out "
        "{left}; hand in one (or the teacher names the one to grade: backviz grade EXERCISE "
        "{folder}/FILE)",
        # what is handed in (`handed_in`'s `what`)
        "what_sheets": "answer sheets (*.csv, *.tsv, *.toml, *.json, *.txt)",
        "what_code": ".py or .ipynb files",
        "what_sheet_files": "answer sheets",
        "what_code_files": "code files",
        "what_rosters": "rosters",
        "what_metadata_files": "metadata files",
        "workbook": "a spreadsheet workbook, not read: save it as CSV (UTF-8) and grade that",
        "not_a_sheet": "not an answer sheet ({found}): use {suffixes}",
        "no_suffix": "no suffix",
        "empty": "empty file",
        "unforeseen": "could not be read ({error})",
        "binary": "a binary file (it holds NUL bytes), not an answer sheet",
        "encoding": "line {line}: byte 0x{byte} is neither UTF-8 nor CP949; save the file as UTF-8",
        # a sheet's entries (submission)
        "no_name": "the value {text!r} has no quantity name",
        "given_again": "{name!r} is given again{where}; the first is kept",
        "first_on_line": " (first on line {line})",
        "id_not_text": "the student id should be text, found {found!r}",
        "second_id": "a second student id {student!r} (the first, {first!r}{where}, is kept)",
        "on_line": " on line {line}",
        "no_answers": "no answers found",
        # CSV
        "not_csv": "not readable as CSV: {error}",
        "split_row": "the row of {quantity!r} has {cells} cells ({shown}) where {width} were "
        "expected: {hint}; not read",
        "own_column": "the value belongs in column {column}, alone",
        "quote": 'quote a name or value holding a comma ("W(2)_10,3") or separate columns by ";"',
        "decimal_comma": "a decimal comma? write {whole}.{fraction} or quote it "
        '("{whole},{fraction}")',
        "column_again": "column {column}: {name!r} is given again (first in column {first}); "
        "the first is kept",
        "no_id": "no student id; named {name!r}",
        # a row of Moodle's quiz Responses report
        "quiz_no_student": "no student id, e-mail or name in this row",
        "quiz_no_attempt": "no attempt at the quiz (Moodle's response is '-')",
        "quiz_not_cloze": "column {column!r}: expected a Cloze response ('part 1: …; part 2: …'), "
        "found {found!r}; not read",
        "quiz_not_finished": "the attempt's state is {status!r}, not Finished",
        "shifted": "{cells} cells but the header has {header}: {hint}; the columns after it are "
        "shifted, so no answer of this row is read",
        "no_rows": "a header but no rows of answers under it",
        # TOML, JSON, text
        "not_toml": "not valid TOML: {reason}",
        "toml_too_deep": "not valid TOML: a value too long or nested too deep to read",
        "not_json": "not valid JSON: {reason} (column {column})",
        "json_too_deep": "not valid JSON: a value too long or nested too deep to read",
        "not_object": 'expected an object {{"student": …, "answers": {{…}}}}, found {found}',
        "a_list": "a list",
        "kind_table": "table",
        "kind_object": "object",
        "answers_kind": "'answers' should be a {kind} of quantity = value, found {found!r}",
        "not_name_value": "expected 'name = value', found {found!r}, not read",
        # the same student on several sheets (ids)
        "same_id": "student id {student!r}, expected on one sheet only, found {found} on "
        "{shown}{more}: each sheet is graded on its own (this one as {name})",
        "same_id_same": "the same student id",
        "same_id_lookalike": "a lookalike id",
        "same_id_more": " and {n} more",
        "same_id_as": "{source} as {name}",
        "same_id_other": "{source} (id {student!r}: another {how}) as {name}",
        "same_id_case": "case",
        "same_id_form": "width or form",
    },
    "ko": {
        "link": "심볼릭 링크라서 따라가지 않았다: 폴더 안에서는 실제 파일과 폴더만 읽는다 "
        "(링크는 명령줄에 적은 것만 따라간다)",
        "fifo": "FIFO(이름 있는 파이프)",
        "device": "장치 파일",
        "socket": "소켓",
        "not_regular": "일반 파일이 아니다",
        "not_a_file": "{kind}이고 파일이 아니다: 읽지 않음",
        "folder": "파일이 아니라 폴더다",
        "too_large": "너무 크다 ({size:.1f} MB; {what}은(는) {limit} MB까지만 읽는다): 읽지 않음",
        "no_such_file": "그런 파일이 없다",
        "cannot_read": "읽을 수 없다: {error}",
        "folder_without": "이 폴더에 {what}이(가) 없다",
        "several_files": "{folder}: 이 폴더에 {what}이(가) {count}개 있다: {graded}을(를) "
        "채점하고 {left}은(는) 채점하지 않았다; 하나만 낼 것 (또는 선생님이 채점할 파일을 "
        "지정: backviz grade EXERCISE {folder}/FILE)",
        "what_sheets": "답안지(*.csv, *.tsv, *.toml, *.json, *.txt)",
        "what_code": ".py 또는 .ipynb 파일",
        "what_sheet_files": "답안지",
        "what_code_files": "코드 파일",
        "what_rosters": "명단 파일",
        "what_metadata_files": "메타데이터 파일",
        "workbook": "스프레드시트 통합 문서라서 읽지 않았다: CSV(UTF-8)로 저장해서 채점할 것",
        "not_a_sheet": "답안지가 아니다 ({found}): {suffixes} 중 하나로 낼 것",
        "no_suffix": "확장자 없음",
        "empty": "빈 파일",
        "unforeseen": "읽을 수 없다 ({error})",
        "binary": "이진 파일(NUL 바이트가 있음)이라 답안지가 아니다",
        "encoding": "{line}번째 줄: 바이트 0x{byte}는 UTF-8도 CP949도 아니다; 파일을 UTF-8로 "
        "저장할 것",
        "no_name": "값 {text!r}에 값 이름이 없다",
        "given_again": "{name!r}이(가) 다시 나왔다{where}: 처음 것을 쓴다",
        "first_on_line": " (처음은 {line}번째 줄)",
        "id_not_text": "학번은 문자여야 한다: {found!r}",
        "second_id": "두 번째 학번 {student!r}: 처음 학번 {first!r}{where}을(를) 쓴다",
        "on_line": " ({line}번째 줄)",
        "no_answers": "답이 없다",
        "not_csv": "CSV로 읽을 수 없다: {error}",
        "split_row": "{quantity!r}의 줄에 칸이 {width}개여야 하는데 {cells}개다 ({shown}): "
        "{hint}; 읽지 않음",
        "own_column": "값은 {column}번째 칸에 따로 적는다",
        "quote": '쉼표가 든 이름이나 값은 따옴표로 감싸거나("W(2)_10,3") 칸을 ";"로 나눌 것',
        "decimal_comma": "소수점 쉼표인가? {whole}.{fraction}로 적거나 따옴표로 감쌀 것 "
        '("{whole},{fraction}")',
        "column_again": "{column}번째 칸: {name!r}이(가) 다시 나왔다 (처음은 {first}번째 칸): "
        "처음 것을 쓴다",
        "no_id": "학번이 없다: {name!r}(으)로 부른다",
        "quiz_no_student": "이 행에 학번도 이메일도 이름도 없다",
        "quiz_no_attempt": "퀴즈를 시도하지 않았다 (Moodle의 응답이 '-')",
        "quiz_not_cloze": "{column!r} 열: Cloze 응답('part 1: …; part 2: …')이어야 하는데 "
        "{found!r}이(가) 있다; 읽지 않았다",
        "quiz_not_finished": "시도의 상태가 {status!r}(이)다: 마침(Finished)이 아니다",
        "shifted": "칸이 {cells}개인데 머리글은 {header}개다: {hint}; 그 뒤의 칸이 밀려서 이 줄의 "
        "답은 하나도 읽지 않았다",
        "no_rows": "머리글만 있고 그 아래에 답이 적힌 줄이 없다",
        "not_toml": "올바른 TOML이 아니다: {reason}",
        "toml_too_deep": "올바른 TOML이 아니다: 값이 너무 길거나 너무 깊이 겹쳐 있다",
        "not_json": "올바른 JSON이 아니다: {reason} ({column}번째 글자)",
        "json_too_deep": "올바른 JSON이 아니다: 값이 너무 길거나 너무 깊이 겹쳐 있다",
        "not_object": '{{"student": …, "answers": {{…}}}} 꼴의 객체여야 하는데 {found}이다',
        "a_list": "리스트",
        "kind_table": "표",
        "kind_object": "객체",
        "answers_kind": "'answers'는 값 이름 = 값의 {kind}이어야 하는데 {found!r}이다",
        "not_name_value": "'이름 = 값' 꼴이어야 하는데 {found!r}이다: 읽지 않음",
        "same_id": "학번 {student!r}은(는) 답안지 하나에만 있어야 하는데 {shown}{more}에 "
        "{found}이 있다: 답안지마다 따로 채점한다 (이것은 {name})",
        "same_id_same": "같은 학번",
        "same_id_lookalike": "비슷한 학번",
        "same_id_more": " 외 {n}개",
        "same_id_as": "{source} ({name})",
        "same_id_other": "{source} (학번 {student!r}: {how}가 다름) ({name})",
        "same_id_case": "대소문자",
        "same_id_form": "너비나 유니코드 형태",
    },
}


def problem_text(key: str, lang: str, **fields: object) -> str:
    """The problem `key` in `lang` (English when the language has no such table)."""
    table = PROBLEMS.get(lang, PROBLEMS["en"])
    return table[key].format(**fields)
