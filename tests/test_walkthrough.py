"""The walkthrough page in a real headless Chromium: it loads without errors, and the buttons,
the arrow keys and the step list move through every step, highlighting the diagram."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import backviz
from backviz.render.solution import worked_solution
from backviz.render.walkthrough import walkthrough_page
from tests.conftest import EXERCISES

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() or shutil.which("dot") is None,
    reason="./run setup installs Debian's chromium and graphviz",
)


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


def open_page(browser, path: Path):
    page = browser.new_page(viewport={"width": 1400, "height": 850})
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    return page, errors, requests


@pytest.mark.parametrize(("name", "lang"), [("seed-222", "ko"), ("chain-rule", "en")])
def test_buttons_keys_and_list_move_through_every_step(browser, tmp_path, name, lang) -> None:
    trace = backviz.solve(EXERCISES / f"{name}.toml")
    path = tmp_path / "walk.html"
    path.write_text(walkthrough_page(trace, lang=lang), encoding="utf-8")
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
        assert page.evaluate("document.querySelectorAll('#diagram .lit').length") >= 1, i
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


def test_the_highlight_follows_the_quantity(browser, tmp_path) -> None:
    trace = backviz.solve(EXERCISES / "seed-222.toml")
    path = tmp_path / "walk.html"
    path.write_text(walkthrough_page(trace), encoding="utf-8")
    page, errors, _ = open_page(browser, path)
    names = [eq.name for eq in worked_solution(trace).equations()]
    page.click(f'nav li[data-i="{names.index("dE/dW5")}"]')
    lit = page.evaluate("[...document.querySelectorAll('#diagram .lit')].map(e => e.id)")
    assert set(lit) == {"e_W5", "n_o1"}
    page.keyboard.press("End")
    lit = page.evaluate("[...document.querySelectorAll('#diagram .lit')].map(e => e.id)")
    assert lit == ["n_loss"]  # E_total⁺
    assert errors == []
