"""The walkthrough page in a real headless Chromium: it loads fast and without errors; the
buttons, the keys, the step list and `window.backvizPage` move through every step; the diagram
shows only what has been computed, highlights the quantity and everything its formula reads,
is the diagram of the equation's step and sample, and keeps the current element in view."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import backviz
from backviz.render.solution import worked_solution
from backviz.render.walkthrough import walkthrough_page
from backviz.render.words import WORDS
from tests.conftest import EXERCISES

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() or shutil.which("dot") is None,
    reason="./run setup installs Debian's chromium and graphviz",
)

# A 4-8-8-3 network: every layer drawn in full, far too big to read when fitted to the page.
NETWORK_4883 = """
id = "net-4883"
title = { en = "A 4-8-8-3 network", ko = "4-8-8-3 신경망" }

[network]
sizes = [4, 8, 8, 3]
activation = "sigmoid"
bias = true
loss = "half_sse"

[parameters]
init = "uniform"
seed = 3

[data]
inputs  = [[0.1, 0.2, 0.3, 0.4]]
targets = [[0.2, 0.5, 0.8]]

[training]
learning_rate = 0.5
steps = 1
"""

# The ids of the elements marked as the quantity (now) and as what its formula reads.
MARKED = """cls => [...document.querySelectorAll('#diagram .' + cls)].map(e => e.id).sort()"""
# Per value text of the diagram shown: its quantity and whether its number is displayed.
VALUES = """() => [...document.querySelectorAll('#diagram text[data-q]')].map(t => [
    t.dataset.q, getComputedStyle(t.querySelector('.v')).visibility !== 'hidden'])"""
# The text a reader sees in the diagram: each text element without its hidden parts.
SEEN = """() => [...document.querySelectorAll('#diagram text')].map(t => [...t.childNodes].filter(
    n => n.nodeType === 3 || getComputedStyle(n).visibility !== 'hidden').map(
    n => n.textContent).join(''))"""


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def seed():
    return backviz.solve(EXERCISES / "seed-222.toml")


def open_page(browser, path: Path, viewport=(1400, 850)):
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    return page, errors, requests


def write_page(tmp_path: Path, trace, lang: str = "en") -> Path:
    path = tmp_path / f"walk-{lang}.html"
    path.write_text(walkthrough_page(trace, lang=lang), encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "lang"), [("seed-222", "ko"), ("chain-rule", "en")])
def test_buttons_keys_and_list_move_through_every_step(browser, tmp_path, name, lang) -> None:
    trace = backviz.solve(EXERCISES / f"{name}.toml")
    path = write_page(tmp_path, trace, lang)
    equations = worked_solution(trace, lang=lang).equations()
    page, errors, requests = open_page(browser, path)
    total = len(equations)
    assert page.inner_text("#counter") == f"1 / {total}"
    assert page.is_disabled("#prev")
    for i in range(total):
        counter = page.inner_text("#counter")
        assert counter == f"{i + 1} / {total}"
        formula = page.inner_text("#formula")
        value = re.sub(r"\s+", "", formula).rsplit("=", 1)[1]
        shown = f"{equations[i].value:.8f}".replace("-", "−")
        assert value == shown, (i, formula)
        assert page.evaluate(MARKED, "now"), i  # the quantity is marked on the diagram
        if i < total - 1:
            page.click("#next")
    assert page.is_disabled("#next")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert page.inner_text("#counter") == f"{total - 2} / {total}"
    page.keyboard.press("ArrowRight")
    assert page.inner_text("#counter") == f"{total - 1} / {total}"
    page.click('nav li[data-i="2"]')
    assert page.inner_text("#counter") == f"3 / {total}"
    assert page.get_attribute('nav li[data-i="2"]', "class") == "current"
    page.screenshot(path=str(tmp_path / "walkthrough.png"))
    assert (tmp_path / "walkthrough.png").stat().st_size > 10_000
    assert errors == []
    assert all(url.startswith("file:") for url in requests)  # nothing fetched from a network


def test_the_page_shows_its_first_slide_within_a_second(browser, tmp_path, seed) -> None:
    path = write_page(tmp_path, seed)
    page, errors, _ = open_page(browser, path)
    shown = page.evaluate("performance.getEntriesByName('backviz:first-slide')[0].startTime")
    assert shown < 1000, f"first slide after {shown:.0f} ms"
    assert errors == []


def test_z1_lights_what_its_formula_reads(browser, tmp_path, seed) -> None:
    page, errors, _ = open_page(browser, write_page(tmp_path, seed))
    page.evaluate("backvizPage.step('z1')")
    # z1 = W1·x1 + W2·x2: its node and value; the two weights' edges, the two inputs' nodes
    # and the four values the formula reads
    assert page.evaluate(MARKED, "now") == ["n_h1", "value_z1"]
    reads = ["e_W1", "e_W2", "n_x1", "n_x2", "value_W1", "value_W2", "value_x1", "value_x2"]
    assert page.evaluate(MARKED, "reads") == reads
    terms = page.evaluate(
        "[...document.querySelectorAll('#formula .term.reads')].map(t => t.dataset.q)"
    )
    assert {"W1", "W2", "x1", "x2"} <= set(terms)
    # hovering a term of the equation marks its edge; hovering a value marks its terms
    page.hover('#formula .term[data-q="W1"]')
    assert page.evaluate(MARKED, "hover") == ["e_W1", "value_W1"]
    page.hover("#value_x2")
    hovered = page.evaluate(
        "[...document.querySelectorAll('#formula .term.hover')].map(t => t.dataset.q)"
    )
    assert hovered and set(hovered) == {"x2"}
    assert errors == []


def test_a_hidden_dE_dh_lights_every_path_it_sums(browser, tmp_path, seed) -> None:
    page, errors, _ = open_page(browser, write_page(tmp_path, seed))
    page.evaluate("backvizPage.step('dE/dh1')")
    # ∂E/∂h1 = δ_o1·W5 + δ_o2·W7: both paths, through o1 and through o2
    assert page.evaluate(MARKED, "now") == ["n_h1", "value_dE_dh1"]
    reads = set(page.evaluate(MARKED, "reads"))
    assert {"e_W5", "n_o1", "e_W7", "n_o2"} <= reads
    assert {"value_delta_o1", "value_W5", "value_delta_o2", "value_W7"} <= reads
    assert not {"e_W6", "e_W8", "n_h2"} & reads
    assert errors == []


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_later_values_are_blank_until_their_step(browser, tmp_path, seed, lang) -> None:
    names = [eq.name for eq in worked_solution(seed).equations()]
    given = {seed.name(r) for r in seed.refs() if seed.formula(r) is None}
    page, errors, _ = open_page(browser, write_page(tmp_path, seed, lang))
    for k in [0, 1, 7, 10, 27, len(names) - 2, len(names) - 1]:
        page.evaluate(f"backvizPage.step({k + 1})")
        values = page.evaluate(VALUES)
        assert {q for q, _ in values} >= given | {"z1", "E_total", "W5+"}
        for q, visible in values:
            computed = q in given or names.index(q) <= k
            assert visible == computed, (k, q)
        # the text a reader sees has no number computed later (unless an earlier one is equal)
        earlier = {f"{seed.value(seed.ref(n)):.8f}" for n in names[: k + 1]}
        later = {f"{seed.value(seed.ref(n)):.8f}" for n in names[k + 1 :]} - earlier
        seen = " ".join(page.evaluate(SEEN))
        assert not [v for v in later if v in seen], k
    page.evaluate("backvizPage.step(1)")
    page.check("#show-all")
    assert all(visible for _, visible in page.evaluate(VALUES))
    page.uncheck("#show-all")
    assert not all(visible for _, visible in page.evaluate(VALUES))
    assert errors == []


def test_the_diagram_is_the_equations_step_and_sample(browser, tmp_path) -> None:
    trace = backviz.solve(EXERCISES / "nn-221-regression.toml")  # 4 samples, 3 steps
    page, errors, _ = open_page(browser, write_page(tmp_path, trace))
    shown = page.evaluate(
        """() => Array.from({length: backvizPage.length}, (_, i) => {
            const c = backvizPage.step(i + 1);
            return [c.name, c.step, c.sample, document.getElementById('position').textContent,
                    document.querySelector('#diagram svg .graph > text').textContent];
        })"""
    )
    names = [eq.name for eq in worked_solution(trace).equations()]
    assert [row[0] for row in shown] == names
    samples_seen = set()
    for name, step, sample, heading, title in shown:
        ref = trace.ref(name)
        assert step == ref.step and f"Step {step}" in heading and f"Step {step}" in title, name
        assert f"Sample {sample}" in title, name
        if ref.sample is not None:
            assert sample == ref.sample and f"Sample {sample}" in heading, name
        else:  # ∂E/∂W and E read every sample
            assert "every sample" in heading, name
        samples_seen.add((step, sample))
    assert samples_seen == {(s, n) for s in (1, 2, 3) for n in (1, 2, 3, 4)}
    # another sample's diagram on request, and back to the equation's on the next slide
    page.evaluate("backvizPage.step('dE/da(3)_1[2]@2')")
    page.click('#samples button[data-sample="3"]')
    assert "Sample 3" in page.text_content("#diagram svg .graph > text")
    page.keyboard.press("ArrowRight")  # ∂a(3)_1/∂z(3)_1[2]: sample 2's diagram again
    assert page.evaluate("backvizPage.current().sample") == 2
    assert errors == []


def test_the_step_list_numbers_each_entry_once(browser, tmp_path) -> None:
    trace = backviz.solve(EXERCISES / "nn-221-regression.toml")
    page, errors, _ = open_page(browser, write_page(tmp_path, trace))
    markers = page.evaluate(
        "[...document.querySelectorAll('nav li')].map(li => getComputedStyle(li).listStyleType)"
    )
    assert set(markers) == {"none"}
    entries = page.evaluate(
        "[...document.querySelectorAll('nav li[data-i]')].map(li => li.textContent)"
    )
    names = [eq.lhs.text for eq in worked_solution(trace).equations()]
    assert entries == [f"{i + 1}.{name}" for i, name in enumerate(names)]
    assert not re.search(r"\d+\.\s*\d+\.", page.inner_text("nav"))
    assert errors == []


def test_the_current_element_stays_in_view_on_a_big_network(browser, tmp_path) -> None:
    exercise = tmp_path / "net-4883.toml"
    exercise.write_text(NETWORK_4883, encoding="utf-8")
    trace = backviz.solve(exercise)
    page, errors, _ = open_page(browser, write_page(tmp_path, trace))
    total = page.evaluate("backvizPage.length")
    # readable: not shrunk to fit the whole network into the page
    assert page.evaluate("JSON.parse(document.querySelector('#diagram svg').dataset.box).w") > 1400
    scale = page.evaluate(
        "document.getElementById('diagram').getBoundingClientRect().width"
        " / document.querySelector('#diagram svg').viewBox.baseVal.width"
    )
    assert scale > 0.99
    for k in [1, 2, 40, 80, 120, 200, 260, 300, 350, 420, total]:
        page.evaluate(f"backvizPage.step({k})")
        # the current element: the quantity's value, or (a path, written nowhere) its node
        inside = page.evaluate(
            """() => {
                const box = document.getElementById('diagram').getBoundingClientRect();
                const texts = [...document.querySelectorAll('#diagram text.now')];
                const node = document.querySelector('#diagram g.node.now');
                return (texts.length ? texts : [node]).every(e => {
                    const r = e.getBoundingClientRect();
                    return r.left >= box.left && r.right <= box.right
                        && r.top >= box.top && r.bottom <= box.bottom;
                });
            }"""
        )
        assert inside, k
        assert page.evaluate(MARKED, "now"), k
    # zoom: the buttons change the scale, the wheel too
    width = page.evaluate("document.querySelector('#diagram svg').viewBox.baseVal.width")
    page.click("#zoom-in")
    assert page.evaluate("document.querySelector('#diagram svg').viewBox.baseVal.width") < width
    page.click("#zoom-fit")
    fitted = page.evaluate("document.querySelector('#diagram svg').viewBox.baseVal.width")
    assert fitted >= page.evaluate(
        "JSON.parse(document.querySelector('#diagram svg').dataset.box).w"
    )
    page.screenshot(path=str(tmp_path / "big.png"))
    assert errors == []


def test_the_page_can_be_driven_from_script(browser, tmp_path, seed) -> None:
    page, errors, _ = open_page(browser, write_page(tmp_path, seed))
    names = [eq.name for eq in worked_solution(seed).equations()]
    current = page.evaluate("backvizPage.step(5)")
    assert current["index"] == 5 and current["name"] == names[4]
    assert page.inner_text("#counter") == f"5 / {len(names)}"
    assert page.evaluate("backvizPage.current().name") == names[4]
    assert page.evaluate("backvizPage.step('dE/dW5').index") == names.index("dE/dW5") + 1
    assert page.evaluate("backvizPage.value('dE/dW5')") == seed.value(seed.ref("dE/dW5"))
    assert page.evaluate("backvizPage.value('W1')") == 0.3
    assert page.evaluate("backvizPage.value('no such thing')") is None
    assert errors == []


@pytest.mark.parametrize(
    ("name", "slide"), [("seed-222", "dE/dh1"), ("nn-221-regression", "dE/dW(3)_11@2")]
)
def test_the_korean_page_has_no_english_words(browser, tmp_path, name, slide) -> None:
    trace = backviz.solve(EXERCISES / f"{name}.toml")
    page, errors, _ = open_page(browser, write_page(tmp_path, trace, "ko"))
    page.evaluate(f"backvizPage.step('{slide}')")
    english = {
        word.lower()
        for phrase in WORDS.values()
        if "ko" in phrase
        for word in re.findall(r"[A-Za-z]{4,}", re.sub(r"\{\w+\}", "", phrase["en"]))
    }
    text = page.evaluate(
        """() => [document.body.innerText, ...[...document.querySelectorAll('[title],[aria-label]')]
            .flatMap(e => [e.title, e.getAttribute('aria-label') || ''])].join(' ')"""
    )
    found = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)} & english
    assert not found
    assert "이전" in text and "다음" in text and "모든 값 보기" in text
    assert errors == []
