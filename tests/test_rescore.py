"""Re-scoring adds verdicts under the new rulebook and keeps the old ones."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update

from simkit.content.kit import Kit, load_kit
from simkit.engine.dialogue import play_model, play_through
from simkit.engine.generation import generate
from simkit.engine.scoring import TurnScore
from simkit.language import stored
from simkit.store.database import Store, score_values
from simkit.store.records import Attempt, FindingsRow, Reply, TurnScoreRow
from simkit.store.rescore import RescoreReport, rescore, score_stored

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
    code, out, _ = cli("rescore", "--workers", "1", "--db", url, "--kit", str(shipped_copy))
    assert "0 replies scored, 2 already scored" in out
    assert cli("rescore", "--since", "yesterday", "--db", url, "--kit", str(shipped_copy))[0] == 2
    assert cli("rescore", "--workers", "two", "--db", url, "--kit", str(shipped_copy))[0] == 2


def test_worker_processes_score_what_one_process_would(db: str, shipped_copy: Path) -> None:
    """Two spawned workers, one reply per chunk: every reply scored once, rows equal to scoring in-process."""
    old_kit = load_kit(shipped_copy)
    store = Store(db)
    _store_two_attempts(store, old_kit)
    store.save_attempt(play_model(generate(old_kit.scenario("late-delivery-fridge"), 2, "en"), old_kit), "Вера", "practice")
    gone = replace(play_model(generate(old_kit.scenario("defective-kettle"), 1, "ru"), old_kit), scenario_id="transcript:x")
    store.save_attempt(gone, "Вера", "real")
    new_kit = _change_a_rule(shipped_copy)
    replies = sum(len(a["replies"]) for a in store.attempts())
    progress: list[tuple[int, int]] = []
    report = rescore(store, new_kit, workers=2, batch=1, progress=lambda d, t: progress.append((d, t)))
    assert (report.scored, report.already, report.missing_content) == (replies - len(gone.exchanges), 0, len(gone.exchanges))
    assert sorted(progress)[-1] == (replies, replies) and len(progress) == replies
    with_evidence = 0
    with store.session(write=False) as s:
        for reply, attempt in s.execute(select(Reply, Attempt).join(Attempt)).all():
            expected = score_stored(new_kit, reply, attempt)
            stored = store.attempt(attempt.id)["replies"][reply.turn_index]
            current = new_kit.rulebook_hash
            # the JSON columns too: the workers send them as text, which must come back as the values
            mine = [
                (v["rule"], v["status"], v["weight"], v["evidence"], v["missing"])
                for v in stored["verdicts"]
                if v["rulebook_hash"] == current
            ]
            scores = [(t["score"], t["critical_failures"]) for t in stored["scores"] if t["rulebook_hash"] == current]
            if expected is None:
                assert attempt.scenario_id == "transcript:x" and mine == [] and scores == []
            else:
                verdicts = score_values(reply.id, expected, current)[0]
                assert mine == [(v["rule_id"], v["status"], v["weight"], v["evidence"], v["missing"]) for v in verdicts]
                assert len(mine) == len([v for v in expected.verdicts if v.status != "n/a"])
                with_evidence += sum(1 for row in mine if row[3])
                assert scores == [(expected.score, list(expected.critical_failures))]
    assert with_evidence > 0  # the comparison of JSON values above compared some that are not empty
    again = rescore(store, new_kit, workers=2, batch=1)
    assert (again.scored, again.already) == (0, replies - len(gone.exchanges))
    store.close()


def test_scores_written_twice_are_stored_once(db: str, shipped_copy: Path) -> None:
    """A concurrent run that scored a reply first wins; the later write adds nothing for it."""
    store = Store(db)
    _store_two_attempts(store, load_kit(shipped_copy))
    new_kit = _change_a_rule(shipped_copy)
    with store.session(write=False) as s:
        pairs = s.execute(select(Reply, Attempt).join(Attempt)).all()
    scored = [(reply.id, score_stored(new_kit, reply, attempt)) for reply, attempt in pairs]
    assert all(score is not None for _, score in scored)
    assert store.add_scores(scored[:1], new_kit.rulebook_hash) == 1  # type: ignore[arg-type]
    assert store.add_scores(scored, new_kit.rulebook_hash) == len(scored) - 1  # type: ignore[arg-type]
    assert store.add_scores(scored, new_kit.rulebook_hash) == 0  # type: ignore[arg-type]
    assert rescore(store, new_kit, workers=1).already == len(scored)
    store.close()


class _Stop(Exception):
    """Raised from the progress callback: the run stops there, as a killed run would."""


def _rows_under(store: Store, rulebook_hash: str) -> tuple[dict[str, int], dict[str, list[tuple[str, str, float]]]]:
    """Per reply: how many turn scores under ``rulebook_hash``, and its verdicts (rule, status, weight)."""
    from simkit.store.records import TurnScoreRow, VerdictRow

    with store.session(write=False) as s:
        counts: dict[str, int] = {}
        for reply_id in s.scalars(select(TurnScoreRow.reply_id).where(TurnScoreRow.rulebook_hash == rulebook_hash)):
            counts[reply_id] = counts.get(reply_id, 0) + 1
        verdicts: dict[str, list[tuple[str, str, float]]] = {}
        rows = s.execute(
            select(VerdictRow.reply_id, VerdictRow.rule_id, VerdictRow.status, VerdictRow.weight).where(
                VerdictRow.rulebook_hash == rulebook_hash
            )
        )
        for reply_id, rule, status, weight in rows:
            verdicts.setdefault(reply_id, []).append((rule, status, weight))
    return counts, {k: sorted(v) for k, v in verdicts.items()}


@pytest.mark.parametrize("workers", [1, 2])
def test_a_stopped_run_resumes_and_matches_one_process(db: str, shipped_copy: Path, workers: int) -> None:
    """Stopped after its first chunk, a run has written whole chunks only; the next run does the rest,
    and every reply ends with one turn score and the verdicts one process scoring alone gives."""
    old_kit = load_kit(shipped_copy)
    store = Store(db)
    for seed, scenario in enumerate(["late-delivery-fridge", "defective-kettle", "legal-threat-refund"]):
        for lang in ("ru", "en"):
            played = play_model(generate(old_kit.scenario(scenario), seed, lang), old_kit)
            store.save_attempt(played, f"T{seed}{lang}", "practice")
    new_kit = _change_a_rule(shipped_copy)
    replies = sum(len(a["replies"]) for a in store.attempts())

    def stop_after_first(done: int, total: int) -> None:
        raise _Stop

    with pytest.raises(_Stop):
        rescore(store, new_kit, workers=workers, batch=2, progress=stop_after_first)
    partial, _ = _rows_under(store, new_kit.rulebook_hash)
    assert len(partial) == 2 and set(partial.values()) == {1}  # the first chunk, written whole
    report = rescore(store, new_kit, workers=workers, batch=2)
    assert (report.scored, report.already, report.missing_content) == (replies - 2, 2, 0)

    counts, verdicts = _rows_under(store, new_kit.rulebook_hash)
    assert len(counts) == replies and set(counts.values()) == {1}  # nothing lost, nothing twice
    with store.session(write=False) as s:
        for reply, attempt in s.execute(select(Reply, Attempt).join(Attempt)).all():
            expected = score_stored(new_kit, reply, attempt)
            assert expected is not None
            assert verdicts[reply.id] == sorted((v.rule_id, v.status, v.weight) for v in expected.verdicts if v.status != "n/a")
    store.close()


def test_the_workers_copy_of_the_kit_lasts_as_long_as_they_do(
    db: str, shipped_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers read the kit from a file of the run's own: there while they work, gone when the
    run ends and when it stops half-way; a run with nothing left to do starts no workers."""
    folder = tmp_path / "temporary"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    old_kit = load_kit(shipped_copy)
    store = Store(db)
    _store_two_attempts(store, old_kit)
    store.save_attempt(play_model(generate(old_kit.scenario("late-delivery-fridge"), 2, "en"), old_kit), "Вера", "practice")
    new_kit = _change_a_rule(shipped_copy)
    seen: list[int] = []

    def stop_after_first(done: int, total: int) -> None:
        seen.append(len(list(folder.glob("simkit-rescore-*"))))
        raise _Stop

    with pytest.raises(_Stop):
        rescore(store, new_kit, workers=2, batch=1, progress=stop_after_first)
    assert seen == [1] and not list(folder.iterdir())
    report = rescore(store, new_kit, workers=2, batch=1, progress=lambda d, t: seen.append(len(list(folder.iterdir()))))
    assert report.scored > 1 and set(seen[1:]) == {1} and not list(folder.iterdir())
    del seen[:]
    assert rescore(store, new_kit, workers=2, batch=1, progress=lambda d, t: seen.append(d)).scored == 0
    assert seen == [] and not list(folder.iterdir())
    store.close()


# --- findings kept with each reply (language.stored): re-scoring reads them instead of the text ---


def _kept(store: Store) -> dict[str, tuple[str, str]]:
    with store.engine.connect() as c:
        return {
            r: (f, text) for r, f, text in c.execute(select(FindingsRow.reply_id, FindingsRow.fingerprint, FindingsRow.findings))
        }


def test_a_stored_reply_keeps_its_findings_under_the_language_fingerprint(db: str, kit: Kit) -> None:
    store = Store(db)
    _store_two_attempts(store, kit)
    kept = _kept(store)
    with store.session(write=False) as s:
        replies = s.execute(select(Reply, Attempt).join(Attempt)).all()
    assert len(kept) == len(replies) == 2
    for reply, attempt in replies:
        fingerprint, text = kept[reply.id]
        assert fingerprint == stored.fingerprint()
        score = score_stored(kit, reply, attempt)
        assert score is not None and score.findings
        assert stored.decode(text, score.customer_name) == score.findings


def test_kept_findings_give_the_scores_that_reading_the_text_gives(db: str, shipped_copy: Path) -> None:
    """Re-scoring with kept findings, with findings of another customer name and with garbage kept:
    the same rows as scoring every text afresh; what was not usable is kept anew."""
    store = Store(db)
    old_kit = load_kit(shipped_copy)
    _store_two_attempts(store, old_kit)
    store.save_attempt(play_model(generate(old_kit.scenario("late-delivery-fridge"), 2, "en"), old_kit), "Вера", "practice")
    ids = list(_kept(store))
    with store.engine.begin() as c:  # one reply's findings were kept for another name, one's are garbage, one has none
        c.execute(update(FindingsRow).where(FindingsRow.reply_id == ids[0]).values(findings=stored.encode([], "Somebody else")))
        c.execute(update(FindingsRow).where(FindingsRow.reply_id == ids[1]).values(findings='{"not": "findings"'))
        c.execute(delete(FindingsRow).where(FindingsRow.reply_id == ids[2]))
    new_kit = _change_a_rule(shipped_copy)
    report = rescore(store, new_kit, workers=1)
    assert report.scored == len(ids)
    with store.session(write=False) as s:
        for reply, attempt in s.execute(select(Reply, Attempt).join(Attempt)).all():
            fresh = score_stored(new_kit, reply, attempt)  # read from the text
            assert fresh is not None
            stored_reply = store.attempt(attempt.id)["replies"][reply.turn_index]
            rows = [
                (v["rule"], v["status"], v["evidence"])
                for v in stored_reply["verdicts"]
                if v["rulebook_hash"] == new_kit.rulebook_hash
            ]
            assert rows == [(v["rule"], v["status"], v["evidence"]) for v in _as_stored(fresh, reply.id, new_kit)]
    kept = _kept(store)
    assert ids[2] in kept and kept[ids[2]][0] == stored.fingerprint()  # the reply without findings has them now


def test_findings_of_a_changed_language_layer_are_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fingerprint covers every lexicon and code file of the language layer."""
    layer = tmp_path / "language"
    shutil.copytree(Path(stored.__file__).parent, layer, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(stored, "_LAYER", layer)
    stored.fingerprint.cache_clear()
    try:
        before = stored.fingerprint()
        lexicon = layer / "lexicons" / "en.yaml"
        lexicon.write_text(lexicon.read_text(encoding="utf-8") + "\n# one more line\n", encoding="utf-8")
        stored.fingerprint.cache_clear()
        assert stored.fingerprint() != before
    finally:
        monkeypatch.undo()
        stored.fingerprint.cache_clear()


def _as_stored(score: TurnScore, reply_id: str, kit: Kit) -> list[dict[str, object]]:
    verdicts, _ = score_values(reply_id, score, kit.rulebook_hash)
    return [{"rule": v["rule_id"], "status": v["status"], "evidence": v["evidence"]} for v in verdicts]


def test_rescoring_reads_kept_findings_instead_of_the_text(db: str, shipped_copy: Path) -> None:
    """Kept findings are what re-scoring judges: a reply whose kept findings say nothing fails what it asks."""
    store = Store(db)
    old_kit = load_kit(shipped_copy)
    store.save_attempt(play_model(generate(old_kit.scenario("late-delivery-fridge"), 2, "ru"), old_kit), "Вера", "practice")
    with store.session(write=False) as s:
        reply, attempt = s.execute(select(Reply, Attempt).join(Attempt).where(Reply.turn_index == 0)).one()
    first = score_stored(old_kit, reply, attempt)
    assert first is not None and first.score >= 95
    with store.engine.begin() as c:
        c.execute(
            update(FindingsRow).where(FindingsRow.reply_id == reply.id).values(findings=stored.encode([], first.customer_name))
        )
    new_kit = _change_a_rule(shipped_copy)
    rescore(store, new_kit, workers=1)
    scores = store.attempt(attempt.id)["replies"][0]["scores"]
    assert next(s["score"] for s in scores if s["rulebook_hash"] == new_kit.rulebook_hash) < first.score - 50


def test_an_action_stored_before_it_was_refused_does_not_stop_a_rescoring(db: str, shipped_copy: Path) -> None:
    """A department with path characters, stored by an older release: judged as not chosen."""
    store = Store(db)
    _store_two_attempts(store, load_kit(shipped_copy))
    with store.engine.begin() as c:
        c.execute(update(Reply).values(actions=[{"id": "route_department", "department": "../../etc"}]))
    new_kit = _change_a_rule(shipped_copy)
    assert rescore(store, new_kit, workers=1).scored == 2
    with store.session(write=False) as s:
        for reply, attempt in s.execute(select(Reply, Attempt).join(Attempt)).all():
            score = score_stored(new_kit, reply, attempt)
            assert score is not None and all(a.department != "../../etc" for a in score.actions)


def test_two_runs_at_once_score_every_reply_once(db: str, shipped_copy: Path) -> None:
    """Two re-scorings of one store at the same time: every reply gets one score under the new
    rulebook; on PostgreSQL the database hands out the chunks, so the two share the work and
    neither scores a reply the other scored."""
    old_kit = load_kit(shipped_copy)
    store = Store(db)
    for seed, scenario in enumerate(("late-delivery-fridge", "defective-kettle", "discount-demand-sports-food") * 2):
        store.save_attempt(play_model(generate(old_kit.scenario(scenario), seed, "ru"), old_kit), "Вера", "practice")
    total = sum(len(a["replies"]) for a in store.attempts())
    new_kit = _change_a_rule(shipped_copy)
    start = threading.Barrier(2)
    reports: list[RescoreReport] = []

    def run() -> None:
        own = Store(db)
        start.wait()
        reports.append(rescore(own, new_kit, workers=1, batch=1))
        own.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(reports) == 2
    with store.engine.connect() as c:
        counts = c.execute(
            select(TurnScoreRow.reply_id, func.count())
            .where(TurnScoreRow.rulebook_hash == new_kit.rulebook_hash)
            .group_by(TurnScoreRow.reply_id)
        ).all()
    assert len(counts) == total and {n for _, n in counts} == {1}
    assert sum(r.scored for r in reports) == total
    if store.engine.dialect.name == "postgresql":
        assert [r.raced for r in reports] == [0, 0]  # no reply scored by both
        assert all(r.scored > 0 for r in reports)  # the work was shared
