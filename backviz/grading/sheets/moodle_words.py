"""Moodle's own words for the quiz Responses report's columns and states, in its languages.

Taken from Moodle's language packs (AMOS), as the `projectestac/moodle-langpacks` mirror holds
them: `moodle.php` (lastname, firstname, email, idnumber, username), `quiz.php` (attemptstate,
statefinished, stateinprogress, stateoverdue, stateabandoned), `question.php` (questionx),
`quiz_responses.php` (responsex, rightanswerx). `{}` is where Moodle puts the question's slot
number (`{$a}`): after the word in most languages ("Response {}", "回答{}"), before it in some
("{} erantzuna"). The report is read by what its columns hold wherever it can
(`moodle_responses.py`); these words name the columns that cannot be told apart by their cells
(a name, an ID number, the response and the right answer), in a language not listed here too
when the cells tell.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

__all__ = ["EARLIER", "STRINGS", "known", "slot_template", "words"]

STRINGS: dict[str, dict[str, str]] = {
    "ar": {
        "lastname": "الاسم الأخير",
        "firstname": "الاسم الأول",
        "email": "عنوان البريد الإلكتروني",
        "idnumber": "رقم المُعرَّف",
        "username": "اسم المستخدم",
        "attemptstate": "الحالة",
        "statefinished": "منتهية",
        "stateinprogress": "قيد التنفيذ",
        "stateoverdue": "مُتأخرة",
        "stateabandoned": "غير مسلمة أبداً",
        "questionx": "سؤال {}",
        "responsex": "الاستجابة {}",
        "rightanswerx": "الإجابة الصحيحة {}",
    },
    "ca": {
        "lastname": "Cognoms",
        "firstname": "Nom",
        "email": "Adreça electrònica",
        "idnumber": "Número ID",
        "username": "Nom d'usuari",
        "attemptstate": "Estat",
        "statefinished": "Acabat",
        "stateinprogress": "En curs",
        "stateoverdue": "Vençut",
        "stateabandoned": "No s'ha tramès mai",
        "questionx": "Pregunta {}",
        "responsex": "Resposta {}",
        "rightanswerx": "Resposta correcta {}",
    },
    "de": {
        "lastname": "Nachname",
        "firstname": "Vorname",
        "email": "E-Mail-Adresse",
        "idnumber": "ID-Nummer",
        "username": "Anmeldename",
        "attemptstate": "Status",
        "statefinished": "Beendet",
        "stateinprogress": "In Bearbeitung",
        "stateoverdue": "Überfällig",
        "stateabandoned": "Nie abgegeben",
        "questionx": "Frage {}",
        "responsex": "Antwort {}",
        "rightanswerx": "Richtige Antwort {}",
    },
    "el": {
        "lastname": "Επίθετο",
        "firstname": "Μικρό/Βαπτιστικό όνομα",
        "email": "Διεύθυνση ηλε.ταχυδρομείου",
        "idnumber": "Αναγνωριστικός αριθμός",
        "username": "Όνομα χρήστη",
        "attemptstate": "Κατάσταση",
        "statefinished": "Ολοκληρωμένο",
        "stateinprogress": "Σε εξέλιξη",
        "stateoverdue": "Εκπρόθεσμο",
        "stateabandoned": "Δεν έχει υποβληθεί",
        "questionx": "Ερώτηση {}",
        "responsex": "Απόκριση {}",
        "rightanswerx": "Σωστή απάντηση {}",
    },
    "en": {
        "lastname": "Last name",
        "firstname": "First name",
        "email": "Email address",
        "idnumber": "ID number",
        "username": "Username",
        "attemptstate": "Status",
        "statefinished": "Finished",
        "stateinprogress": "In progress",
        "stateoverdue": "Overdue",
        "stateabandoned": "Never submitted",
        "questionx": "Question {}",
        "responsex": "Response {}",
        "rightanswerx": "Right answer {}",
    },
    "es": {
        "lastname": "Apellido(s)",
        "firstname": "Nombre",
        "email": "Dirección de correo",
        "idnumber": "Número de ID",
        "username": "Nombre de usuario",
        "attemptstate": "Estado",
        "statefinished": "Finalizado",
        "stateinprogress": "En curso",
        "stateoverdue": "Atrasados",
        "stateabandoned": "Nunca enviado",
        "questionx": "Pregunta {}",
        "responsex": "Respuesta {}",
        "rightanswerx": "Respuesta correcta {}",
    },
    "eu": {
        "lastname": "Abizena(k)",
        "firstname": "Izena",
        "email": "Helbide elektronikoa",
        "idnumber": "ID zenbakia",
        "username": "Erabiltzaile-izena",
        "attemptstate": "Egoera",
        "statefinished": "Amaituta",
        "stateinprogress": "Abian",
        "stateoverdue": "Atzeratuta",
        "stateabandoned": "Bidali gabea",
        "questionx": "{}. galdera",
        "responsex": "{} erantzuna",
        "rightanswerx": "Erantzun zuzena {}",
    },
    "fr": {
        "lastname": "Nom de famille",
        "firstname": "Prénom",
        "email": "Adresse de courriel",
        "idnumber": "Numéro d’identification",
        "username": "Nom d’utilisateur",
        "attemptstate": "Statut",
        "statefinished": "Terminée",
        "stateinprogress": "En cours",
        "stateoverdue": "En retard",
        "stateabandoned": "Jamais envoyée",
        "questionx": "Question {}",
        "responsex": "Réponse {}",
        "rightanswerx": "Réponse correcte {}",
    },
    "gl": {
        "lastname": "Apelidos",
        "firstname": "Nome",
        "email": "Enderezo de correo",
        "idnumber": "Número ID",
        "username": "Nome de usuario",
        "attemptstate": "Estado",
        "statefinished": "Finalizada",
        "stateinprogress": "Avanzando",
        "stateoverdue": "Atrasada",
        "stateabandoned": "Nunca entregada",
        "questionx": "Pregunta {}",
        "responsex": "Resposta {}",
        "rightanswerx": "Resposta correcta {}",
    },
    "it": {
        "lastname": "Cognome",
        "firstname": "Nome",
        "email": "Indirizzo email",
        "idnumber": "Codice identificativo",
        "username": "Username",
        "attemptstate": "Stato",
        "statefinished": "Completato",
        "stateinprogress": "In svolgimento",
        "stateoverdue": "Fuori tempo massimo",
        "stateabandoned": "Non inviato",
        "questionx": "Domanda {}",
        "responsex": "Risposta data {}",
        "rightanswerx": "Risposta giusta",
    },
    "ja": {
        "lastname": "姓",
        "firstname": "名",
        "email": "メールアドレス",
        "idnumber": "IDナンバ",
        "username": "ユーザ名",
        "attemptstate": "ステータス",
        "statefinished": "終了",
        "stateinprogress": "進行中",
        "stateoverdue": "期限切れ",
        "stateabandoned": "未送信",
        "questionx": "問題 {}",
        "responsex": "解答 {}",
        "rightanswerx": "正解 {}",
    },
    "ko": {
        "lastname": "성",
        "firstname": "이름",
        "email": "이메일 주소",
        "idnumber": "id 번호",
        "username": "사용자 아이디",
        "attemptstate": "상태",
        "statefinished": "종료됨",
        "stateinprogress": "진행중",
        "stateoverdue": "기한 만료",
        "stateabandoned": "제출되지 않았습니다.",
        "questionx": "질문 {}",
        "responsex": "응답 {}",
        "rightanswerx": "정답 {}",
    },
    "lt": {
        "lastname": "Pavardė",
        "firstname": "Vardas",
        "email": "El. pašto adresas",
        "idnumber": "ID numeris",
        "username": "Naudotojo vardas",
        "attemptstate": "Būsena",
        "statefinished": "Baigtas",
        "stateinprogress": "Nebaigta",
        "stateoverdue": "Pavėluota",
        "stateabandoned": "Dar nepateikti",
        "questionx": "Klausimas {}",
        "responsex": "Atsakas {}",
        "rightanswerx": "Teisingas atsakymas {}",
    },
    "nl": {
        "lastname": "Achternaam",
        "firstname": "Voornaam",
        "email": "E-mailadres",
        "idnumber": "Nummer (ID)",
        "username": "Gebruikersnaam",
        "attemptstate": "Status",
        "statefinished": "Beëindigd",
        "stateinprogress": "Bezig",
        "stateoverdue": "Te laat",
        "stateabandoned": "Nooit ingestuurd",
        "questionx": "Vraag {}",
        "responsex": "Antwoord {}",
        "rightanswerx": "Juist antwoord {}",
    },
    "pt": {
        "lastname": "Apelido",
        "firstname": "Nome",
        "email": "E-mail",
        "idnumber": "Número de identificação (ID)",
        "username": "Nome de utilizador",
        "attemptstate": "Estado",
        "statefinished": "Terminadas",
        "stateinprogress": "Em progresso",
        "stateoverdue": "Tempo limite ultrapassado",
        "stateabandoned": "Nunca submetidas",
        "questionx": "Pergunta {}",
        "responsex": "Resposta {}",
        "rightanswerx": "Resposta correta {}",
    },
    "ro": {
        "lastname": "Nume de familie",
        "firstname": "Prenume",
        "email": "Adresa de e-mail",
        "idnumber": "Număr ID",
        "username": "Nume de utilizator",
        "attemptstate": "Status",
        "statefinished": "Finalizate",
        "stateinprogress": "În desfășurare",
        "stateoverdue": "Depășit",
        "stateabandoned": "Nu au fost trimise niciodată",
        "questionx": "{} întrebare",
        "responsex": "Răspuns {}",
        "rightanswerx": "Răspuns corect {}",
    },
    "ru": {
        "lastname": "Фамилия",
        "firstname": "Имя",
        "email": "Адрес электронной почты",
        "idnumber": "Индивидуальный номер",
        "username": "Логин",
        "attemptstate": "Состояние",
        "statefinished": "Завершены",
        "stateinprogress": "В процессе",
        "stateoverdue": "Просроченные",
        "stateabandoned": "Не отправленные",
        "questionx": "Вопрос {}",
        "responsex": "Ответ {}",
        "rightanswerx": "Правильный ответ: {}",
    },
    "sv": {
        "lastname": "Efternamn",
        "firstname": "Förnamn",
        "email": "E-postadress",
        "idnumber": "ID nummer",
        "username": "Användarnamn",
        "attemptstate": "Status",
        "statefinished": "Slutfört",
        "stateinprogress": "Pågående",
        "stateoverdue": "Försenat",
        "stateabandoned": "Aldrig inskickat",
        "questionx": "Fråga {}",
        "responsex": "Svar {}",
        "rightanswerx": "Rätt svar {}",
    },
    "tr": {
        "lastname": "Soyadı",
        "firstname": "Adı",
        "email": "E-posta adresi",
        "idnumber": "ID numarası",
        "username": "Kullanıcı adı",
        "attemptstate": "Durum",
        "statefinished": "Biten",
        "stateinprogress": "Devam etmekte",
        "stateoverdue": "Geciken",
        "stateabandoned": "Gönderilmeyen",
        "questionx": "Soru {}",
        "responsex": "Yanıt {}",
        "rightanswerx": "Doğru yanıt {}",
    },
    "uk": {
        "lastname": "Прізвище",
        "firstname": "Ім'я",
        "email": "Електронна пошта",
        "idnumber": "Індивідуальний номер",
        "username": "Ім’я входу",
        "attemptstate": "Стан",
        "statefinished": "Завершено",
        "stateinprogress": "В процесі",
        "stateoverdue": "Прострочено",
        "stateabandoned": "Не здано",
        "questionx": "Питання {}",
        "responsex": "Відповідь {}",
        "rightanswerx": "Правильна відповідь {}",
    },
    "zh_cn": {
        "lastname": "姓",
        "firstname": "名",
        "email": "电子邮件地址",
        "idnumber": "学号",
        "username": "用户名",
        "attemptstate": "状态",
        "statefinished": "已结束",
        "stateinprogress": "进行中",
        "stateoverdue": "过期",
        "stateabandoned": "从未提交",
        "questionx": "试题 {}",
        "responsex": "回答{}",
        "rightanswerx": "标准答案{}",
    },
}
"""Per language (Moodle's code), its words, as its language pack has them."""

EARLIER: dict[str, tuple[str, ...]] = {
    "lastname": ("Surname", "성"),  # English before Moodle 3.11
    "attemptstate": ("State",),  # English before Moodle 4.0
    "idnumber": ("ID 번호", "학번", "Student ID"),
    "email": ("이메일", "Email"),
    "questionx": ("문제 {}",),
    "statefinished": ("완료", "완료됨", "종료", "제출됨"),
}
"""Words of earlier Moodle releases and of sites that renamed a column, read as the same."""


def _key(text: str) -> str:
    """A header or a state as compared: NFKC, case-folded, spaces as one, no final '.'."""
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold().rstrip(".")


@cache
def words(key: str) -> frozenset[str]:
    """Every language's word for `key` (and its earlier forms), as `_key` compares them."""
    found = [strings[key] for strings in STRINGS.values() if key in strings]
    return frozenset(_key(word) for word in (*found, *EARLIER.get(key, ())))


def known(text: str, key: str) -> bool:
    """Whether a header cell or a state is Moodle's word for `key`, in some language (a
    numbered column's with any number: "Antwort 3" is a "responsex")."""
    found = words(key)
    slot = slot_template(text)
    return _key(text) in found or (slot is not None and slot[0] in found)


_SLOT = re.compile(r"[0-9]+")


def slot_template(header: str) -> tuple[str, str] | None:
    """A numbered column's word with its number taken out, and the number: ("response {}",
    "1") for "Response 1"; None when the header holds no number."""
    match = _SLOT.search(header)
    if match is None:
        return None
    return _key(header[: match.start()] + "{}" + header[match.end() :]), match.group()
