"""The HTML pages for the personnel file fit a 1,280 px screen and an A4 portrait page, measured in chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simkit.content.kit import Kit
from simkit.engine.dialogue import play_model, play_through
from simkit.engine.generation import generate
from simkit.reports.exports import readiness_html, trainee_html
from simkit.reports.readiness import readiness
from simkit.store.database import Store

A4_PX = 794  # 210 mm at 96 dpi
LONG_WORD = "Ааааааааааааааааааааааааааааааааааааааааааааааааааааааааааааааааааааааааааааааааааааааааааааааааааааааааааааа"


def _pages(kit: Kit, folder: Path) -> dict[str, Path]:
    with Store(f"sqlite:///{folder / 'w.db'}") as store:
        for n, scenario in enumerate(sorted(kit.scenarios)[:6]):
            store.save_attempt(
                play_model(generate(kit.scenario(scenario), n + 1, "ru"), kit),
                "Анна Длиннофамильная-Двойная",
                "practice",
                cohort="Группа 2025-03",
            )
        instance = generate(kit.scenario("late-delivery-fridge"), 1, "ru")
        store.save_attempt(
            play_through(instance, [(LONG_WORD + " <script>alert(1)</script>", None)] * 3, kit),
            "Анна Длиннофамильная-Двойная",
            "assessment",
        )
        store.save_attempt(play_model(instance, kit), "Борис", "practice", cohort="Группа 2025-03")
        attempts = store.attempts()
    verdicts = readiness(attempts, kit)
    pages = {}
    for lang in ("ru", "en"):
        pages[f"readiness-{lang}"] = readiness_html(verdicts, lang, kit, "Группа 2025-03")
        pages[f"trainee-{lang}"] = trainee_html("Анна Длиннофамильная-Двойная", attempts, verdicts[0], kit, lang)
    out = {}
    for name, text in pages.items():
        out[name] = folder / f"{name}.html"
        out[name].write_text(text, encoding="utf-8")
    return out


def _widths(page: Any) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")


@pytest.fixture(scope="module")
def pages(kit: Kit, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _pages(kit, tmp_path_factory.mktemp("pages"))


@pytest.mark.parametrize("name", ["readiness-ru", "readiness-en", "trainee-ru", "trainee-en"])
def test_the_page_fits_the_screen_and_a4(browser: Any, pages: dict[str, Path], name: str) -> None:
    for width, media in ((1280, "screen"), (A4_PX, "print")):
        context = browser.new_context(viewport={"width": width, "height": 900})
        try:
            page = context.new_page()
            page.emulate_media(media=media)
            page.goto(pages[name].as_uri())
            scroll, client = _widths(page)
            assert scroll <= width, f"{name} is {scroll} px wide in {media} at {width} px"
            assert client <= width
            if name.startswith("trainee"):
                assert page.locator("script").count() == 0  # the reply's markup shows as text
                assert "<script>alert(1)</script>" in page.inner_text("body")
        finally:
            context.close()
