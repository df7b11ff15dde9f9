"""The scenario player in a real browser: its first render, and a reply scored and its feedback drawn.

Run: .venv/bin/python benchmarks/bench_player.py [--loads 5] [--replies 30] [--lang en]

Starts JupyterLab (with Voilà) on 127.0.0.1 with a throwaway store, opens the day 3 notebook as a
Voilà page in Debian's chromium (Playwright; never ``playwright install``), and times inside the page:

- first render: from the page's kernel being ready (the first message on the page's kernel
  connection) to the player (``.simkit-player``) drawn and painted; one fresh page and kernel per
  load; budget 1 s;
- a reply: from the click on Send to that turn's feedback drawn and painted (the feedback quotes the
  reply, so the test knows it is this turn's); budget 300 ms at p95. The replies are each turn's
  model reply with an unconditional promise added (every turn then fails a rule that quotes the
  reply, and the dialogue still runs to its end); a finished dialogue is followed by another variant.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the browser tests' server and page helpers

import simkit
from simkit.content.scenario_model import Action
from tests.browser.jupyter import CHROMIUM_FLAGS, NOT_LOOPBACK, chromium_path, jupyter_server
from tests.browser.pages import (
    choose_actions,
    customer_lines,
    first_model_reply,
    identify,
    normalized,
    open_voila,
    played_instance,
    shown_customer,
    start_scenario,
)

FIRST_RENDER_BUDGET_S = 1.0
REPLY_BUDGET_MS = 300.0
NOTEBOOK = "day3_practice.ipynb"
SCENARIO = "defective-kettle"  # its first model reply depends on the customer's name only
PROMISE = {"en": " I guarantee everything will be fine, ref {ref}.", "ru": " Гарантирую, что всё будет хорошо, номер {ref}."}

# In every page: when the kernel connection of the page first hears from its kernel, and when the player is painted.
TIMING = """(() => {
  const t = window.__simkit = {wsOpen: null, kernelReady: null, player: null, playerPainted: null};
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      if (String(url).includes('/api/kernels/')) {
        this.addEventListener('open', () => { if (t.wsOpen === null) t.wsOpen = performance.now(); });
        this.addEventListener('message', () => { if (t.kernelReady === null) t.kernelReady = performance.now(); });
      }
    }
  };
  const shown = el => !!el && el.offsetParent !== null && el.getBoundingClientRect().height > 0;
  const watch = new MutationObserver(() => {
    if (t.player === null && shown(document.querySelector('.simkit-player'))) {
      t.player = performance.now();
      watch.disconnect();
      requestAnimationFrame(() => { t.playerPainted = performance.now(); });
    }
  });
  watch.observe(document, {subtree: true, childList: true, attributes: true});
})();"""

# Armed before each click on Send: the click's time, then the time this turn's feedback is drawn and painted.
ARM = """({token, count}) => {
  const t = window.__simkit_reply = {click: null, drawn: null, painted: null};
  const send = document.querySelector('.simkit-player button.simkit-send');
  send.addEventListener('click', () => { if (t.click === null) t.click = performance.now(); }, {capture: true, once: true});
  const done = () => {
    const feedback = document.querySelector('.simkit-player .simkit-feedback');
    return t.click !== null && !!feedback && feedback.offsetParent !== null && feedback.textContent.includes(token)
      && document.querySelectorAll('.simkit-player .simkit-msg-trainee').length >= count;
  };
  const watch = new MutationObserver(() => {
    if (t.drawn === null && done()) {
      t.drawn = performance.now();
      watch.disconnect();
      requestAnimationFrame(() => { t.painted = performance.now(); });
    }
  });
  watch.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
}"""


def _page(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.route(NOT_LOOPBACK, lambda route: route.abort())
    context.set_default_timeout(30_000)
    context.add_init_script(TIMING)
    return context.new_page()


def first_renders(browser: Any, server: Any, loads: int) -> list[tuple[float, float]]:
    """(kernel ready -> player painted, page opened -> player painted) in seconds, one fresh page per load."""
    out = []
    for _ in range(loads):
        page = _page(browser)
        open_voila(page, server, NOTEBOOK, ".simkit-player")
        page.wait_for_function("() => window.__simkit.playerPainted !== null")
        t = page.evaluate("window.__simkit")
        assert t["kernelReady"] is not None, "the page never heard from its kernel"
        out.append(((t["playerPainted"] - t["kernelReady"]) / 1000, t["playerPainted"] / 1000))
        page.context.close()
    return out


def _reply(page: Any, text: str, actions: list[Action], token: str, lang: str) -> float:
    player = page.locator(".simkit-player")
    count = player.locator(".simkit-msg-trainee").count() + 1
    player.locator(".simkit-reply textarea").fill(text)
    choose_actions(player, actions, lang)
    page.evaluate(ARM, {"token": token, "count": count})
    player.locator("button.simkit-send").click()
    page.wait_for_function("() => window.__simkit_reply.painted !== null")
    t = page.evaluate("window.__simkit_reply")
    return float(t["painted"] - t["click"])


def _ref(k: int) -> str:
    # a reference in the reply that the feedback quotes back: found there, this turn's feedback is drawn
    return f"R{k + 1:03d}X"


def replies(browser: Any, server: Any, count: int, lang: str) -> list[float]:
    """Milliseconds from the click on Send to that turn's feedback painted, over ``count`` replies."""
    kit = simkit.load_kit()
    page = _page(browser)
    open_voila(page, server, NOTEBOOK, ".simkit-player")
    identify(page, "Bench Marker", lang)
    start_scenario(page, kit, SCENARIO, lang)
    times: list[float] = []
    while len(times) < count:
        # the first reply: the model reply for the customer shown; then the seed is in the store
        ref = _ref(len(times))
        text, actions = first_model_reply(kit, SCENARIO, lang, shown_customer(page))
        times.append(_reply(page, text + PROMISE[lang].format(ref=ref), actions, ref, lang))
        attempt = page.locator(".simkit-player .simkit-status").first.get_attribute("data-attempt")
        instance = played_instance(server, kit, str(attempt))
        by_line = {normalized(t.customer): t for t in instance.turns}
        while len(times) < count:
            line = customer_lines(page)[-1]
            turn = by_line.get(line)
            if turn is None:  # the closing line: the dialogue is over
                break
            ref = _ref(len(times))
            times.append(_reply(page, turn.model_reply + PROMISE[lang].format(ref=ref), list(turn.model_actions), ref, lang))
        if len(times) < count:
            page.locator(".simkit-player button.simkit-new-variant").click()
            page.wait_for_function("() => !document.querySelector('.simkit-player .simkit-msg-trainee')")
    page.context.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=5, help="fresh page loads for the first render (default 5)")
    parser.add_argument("--replies", type=int, default=30, help="replies to time (default 30, at least 20)")
    parser.add_argument("--lang", choices=["ru", "en"], default="en")
    args = parser.parse_args()
    executable = chromium_path()
    if executable is None:
        raise SystemExit("chromium is not installed: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="simkit-bench-player-") as workdir,
        jupyter_server(Path(workdir)) as server,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
        renders = first_renders(browser, server, args.loads)
        times = sorted(replies(browser, server, max(args.replies, 20), args.lang))
        browser.close()
    after_kernel = sorted(r for r, _total in renders)
    totals = sorted(total for _r, total in renders)
    median = statistics.median(after_kernel)
    print(f"player first render after the kernel is ready ({NOTEBOOK} in Voilà, {args.loads} fresh pages):")
    print(
        f"  median {median:.3f} s, worst {after_kernel[-1]:.3f} s (budget {FIRST_RENDER_BUDGET_S} s; "
        f"{'within' if median <= FIRST_RENDER_BUDGET_S else 'OVER'} budget)"
    )
    print(f"  page opened -> player painted: median {statistics.median(totals):.2f} s (kernel start and notebook run included)")
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"reply scored and its feedback drawn (click on Send -> feedback painted, {len(times)} replies, {args.lang}):")
    print(
        f"  median {statistics.median(times):.0f} ms, p95 {p95:.0f} ms (budget {REPLY_BUDGET_MS:.0f} ms; "
        f"{'within' if p95 <= REPLY_BUDGET_MS else 'OVER'} budget), worst {times[-1]:.0f} ms"
    )
    print(f"(whole run {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
