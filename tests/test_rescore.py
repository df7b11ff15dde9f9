"""Re-scoring adds verdicts under the new rulebook and keeps the old ones."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from simkit.dialogue import play_through
from simkit.generation import generate
from simkit.kit import Kit, load_kit
from simkit.rescore import rescore
from simkit.store import Store

from .conftest import CliResult


def _change_a_rule(root: Path) -> Kit:
    """The same kit with the greeting rule made major: a new rulebook version."""
    file = root / "rulebook" / "rules" / "etiquette.yaml"
    text = file.read_text(encoding="utf-8")
    start = text.index("  - id: greet-on-phone")
    head, tail = text[:start], text[start:]
    file.write_text(head + tail.replace("    severity: minor", "    severity: major", 1), encoding="utf-8")
    return load_kit(root)


def _store_two_attempts(store: Store, kit: Kit) -> None:
    instance = generate(kit.scenario("discount-demand-sports-food"), 3, "ru")
    rude = play_through(instance, [("Ладно, дам вам скидку 10%.", ["offer_discount:10"])], kit)
    text_only = play_through(instance, [("Хорошо, соединяю вас с начальником отдела.", None)], kit)
    store.save_attempt(rude, "Анна", "practice")
    store.save_attempt(text_only, "Борис", "practice")


def test_rescoring_adds_rows_under_the_new_rulebook_and_keeps_the_old(db: str, shipped_copy: Path) -> None:
    old_kit = load_kit(shipped_copy)
    store = Store(db)
    _store_two_attempts(store, old_kit)
    new_kit = _change_a_rule(shipped_copy)
    assert new_kit.rulebook_hash != old_kit.rulebook_hash

    report = rescore(store, new_kit)
    assert (report.scored, report.already, report.missing_content) == (2, 0, 0)
    for attempt in store.attempts():
        reply = attempt["replies"][0]
        hashes = {s["rulebook_hash"] for s in reply["scores"]}
        assert hashes == {old_kit.rulebook_hash, new_kit.rulebook_hash}
        by_hash = {(v["rulebook_hash"], v["rule"]): v for v in reply["verdicts"]}
        old, new = by_hash[(old_kit.rulebook_hash, "greet-on-phone")], by_hash[(new_kit.rulebook_hash, "greet-on-phone")]
        assert (old["severity"], new["severity"]) == ("minor", "major")  # history kept, new verdict added

    again = rescore(store, new_kit)
    assert (again.scored, again.already) == (0, 2)


def test_text_only_replies_are_read_again_from_the_text(db: str, kit: Kit) -> None:
    store = Store(db)
    _store_two_attempts(store, kit)
    stored = {a["trainee"]: a for a in store.attempts()}
    assert stored["Борис"]["replies"][0]["actions"] == [{"id": "escalate_supervisor"}]  # read from the text


def test_since_limits_the_attempts(db: str, shipped_copy: Path) -> None:
    store = Store(db)
    _store_two_attempts(store, load_kit(shipped_copy))
    new_kit = _change_a_rule(shipped_copy)
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    assert rescore(store, new_kit, since=tomorrow).scored == 0
    progress: list[tuple[int, int]] = []
    assert rescore(store, new_kit, since=tomorrow - timedelta(days=2), progress=lambda d, t: progress.append((d, t))).scored == 2
    assert progress[-1] == (2, 2)


def test_cli_rescore(cli: Callable[..., CliResult], shipped_copy: Path) -> None:
    url = f"sqlite:///{shipped_copy / 'simkit.db'}"
    store = Store(url)
    _store_two_attempts(store, load_kit(shipped_copy))
    store.close()
    _change_a_rule(shipped_copy)
    code, out, _ = cli("rescore", "--db", url, "--kit", str(shipped_copy))
    assert code == 0 and "2 replies scored" in out
    code, out, _ = cli("rescore", "--db", url, "--kit", str(shipped_copy))
    assert "0 replies scored, 2 already scored" in out
    assert cli("rescore", "--since", "yesterday", "--db", url, "--kit", str(shipped_copy))[0] == 2
