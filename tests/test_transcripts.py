"""Real transcripts: topics read from the customer's words, CSV rows checked by line, agent turns scored and stored."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from simkit.content.kit import Kit
from simkit.engine.generation import generate
from simkit.language.topics import customer_topics, kind_of
from simkit.store.database import Store
from simkit.store.records import Attempt, Reply, TurnScoreRow
from simkit.store.transcripts import (
    TranscriptError,
    attempt_id,
    import_transcripts,
    language,
    read_transcripts,
    score_conversation,
)

DATA = Path(__file__).resolve().parent / "data"
SAMPLE = DATA / "transcripts.sample.csv"
BAD = DATA / "transcripts.bad.csv"


@pytest.mark.parametrize(
    ("lang", "text", "topic"),
    [
        ("ru", "Дайте мне скидку 10 процентов, иначе уйду.", "discount_demand"),
        ("ru", "Зарядка заискрила и обожгла мне руку!", "safety_threat"),
        ("ru", "Если не вернёте деньги, подам в суд.", "legal_threat"),
        ("ru", "Назовите мне телефон и адрес вашего клиента.", "confidential_request"),
        ("ru", "Звоню уже третий раз за неделю, сколько можно?", "repeat_contact"),
        ("en", "Give me a discount or I'm leaving.", "discount_demand"),
        ("en", "The heater caught fire in my kitchen!", "safety_threat"),
        ("en", "My lawyer will see you in court.", "legal_threat"),
        ("en", "You promised to deliver it yesterday and nobody came.", "deadline_missed"),
        ("en", "The kettle is leaking and doesn't switch on.", "quality_claim"),
    ],
)
def test_customer_topics_are_read_from_the_words(lang: str, text: str, topic: str) -> None:
    assert topic in customer_topics(text, lang)


@pytest.mark.parametrize(
    ("lang", "text", "topic"),
    [
        ("ru", "Я не собираюсь судиться, просто объясните, что случилось.", "legal_threat"),
        ("en", "I'm not going to court over this, just tell me what happened.", "legal_threat"),
        ("ru", "Добрый день, подскажите часы работы магазина.", "discount_demand"),
        ("en", "Thanks, that's all for today.", "complaint"),
    ],
)
def test_negated_or_absent_topics_are_not_read(lang: str, text: str, topic: str) -> None:
    assert topic not in customer_topics(text, lang)


def test_kind_follows_the_most_specific_topic() -> None:
    assert kind_of(("complaint", "safety_threat", "quality_claim")) == "safety_hazard"
    assert kind_of(("bill_question", "complaint")) == "wrong_bill"
    assert kind_of(("complaint",)) == "other"


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_topics_agree_with_the_scripted_turns(kit: Kit, lang: str) -> None:
    # the scripts' topics describe the situation, not only the line, so agreement is partial;
    # this bar (measured 0.71 ru / 0.73 en) catches a broken lexicon or matcher
    tp = fp = fn = 0
    for scenario in kit.scenarios.values():
        for seed in (1, 2):
            instance = generate(scenario, seed, lang)
            for turn, script in zip(instance.turns, scenario.turns, strict=True):
                gold = set(script.topics) - {"wrap_up"}
                found = set(customer_topics(turn.customer, lang))
                tp, fp, fn = tp + len(gold & found), fp + len(found - gold), fn + len(gold - found)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert 2 * precision * recall / (precision + recall) >= 0.65


def test_the_sample_reads_cleanly() -> None:
    conversations, problems = read_transcripts(SAMPLE)
    assert problems == []
    assert [c.id for c in conversations] == ["chat-1041", "chat-1042", "call-2207", "chat-3310"]
    first = conversations[0]
    assert first.customer == "Ирина Белова" and first.channel == "chat"
    assert [m.speaker for m in first.lines] == ["customer", "agent"] * 3
    assert language([m.text for m in first.lines]) == "ru"
    assert language([m.text for m in conversations[2].lines]) == "en"


def test_bad_rows_are_reported_by_line_and_the_good_ones_kept() -> None:
    conversations, problems = read_transcripts(BAD)
    by_line = {p.line: p.message for p in problems}
    assert sorted(by_line) == [4, 5, 6, 7, 8, 11]
    assert "not ISO 8601" in by_line[4]
    assert "neither agent nor customer" in by_line[5]
    assert "empty text" in by_line[6]
    assert "7 fields where the header has 6" in by_line[7]
    assert "no conversation_id" in by_line[8]
    assert "channel 'fax'" in by_line[11]
    assert all(str(p).startswith(f"{BAD}:") for p in problems)
    c1 = next(c for c in conversations if c.id == "c-1")
    # the two-line quoted text is one row, and the row after it has its own line number
    assert [m.line for m in c1.lines] == [2, 3, 9, 12]
    assert c1.lines[2].text == "A text over\ntwo lines, still one row."


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        ("conversation_id,speaker,text\nc,agent,hi\n", "the header lacks timestamp"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TranscriptError, match=message):
        read_transcripts(path)
    with pytest.raises(TranscriptError, match="cannot read"):
        read_transcripts(tmp_path / "absent.csv")


def test_agent_turns_are_judged_in_their_situation(kit: Kit) -> None:
    conversations, _ = read_transcripts(SAMPLE)
    by_id = {c.id: c for c in conversations}
    good = score_conversation(by_id["chat-1041"], kit, "client_manager", "chat", "ru")
    assert [t.context.turn_id for t in good] == ["t1", "t2", "t3"]
    assert good[0].context.first and good[-1].context.last and not good[1].context.first
    assert "quality_claim" in good[0].context.topics
    assert good[0].seconds == 35.0
    assert all(t.score.text_only for t in good)
    discount = score_conversation(by_id["chat-1042"], kit, "client_manager", "chat", "ru")
    failed = {v.rule_id for v in discount[0].score.verdicts if v.status == "fail"}
    assert {"discount-limit-five-percent", "discount-over-limit-to-head"} <= failed
    assert discount[0].score.critical_failures
    safety = score_conversation(by_id["chat-3310"], kit, "client_manager", "chat", "en")
    assert "safety-threat-report" in {v.rule_id for v in safety[0].score.verdicts if v.status == "fail"}
    assert min(t.score.score for t in good) > max(t.score.score for t in safety)


def test_import_stores_real_evidence_once(db: str, kit: Kit) -> None:
    with Store(db) as store:
        report = import_transcripts(store, kit, SAMPLE, "Анна Смирнова")
        assert (report.conversations, report.stored, report.already, report.replies) == (4, 4, 0, 9)
        again = import_transcripts(store, kit, SAMPLE, "Анна Смирнова")
        assert (again.stored, again.already, again.replies) == (0, 4, 0)
        with store.session(write=False) as s:
            modes = s.execute(select(Attempt.mode, func.count()).group_by(Attempt.mode)).all()
            assert modes == [("real", 4)]
            assert s.scalar(select(func.count()).select_from(Reply)) == 9
            assert s.scalar(select(func.count()).select_from(TurnScoreRow)) == 9
            reply = s.scalars(select(Reply).where(Reply.attempt_id == attempt_id("Анна Смирнова", "chat-1042"))).first()
            assert reply is not None and reply.context is not None
            assert "скидка" in reply.context["customer"] and reply.context["first"] is True
        stored = store.attempt(attempt_id("Анна Смирнова", "call-2207"))
        assert stored["lang"] == "en" and stored["mode"] == "real" and stored["scenario_id"] == "transcript:call-2207"
        assert stored["started_at"].startswith("2026-03-03T09:30:00")
        assert [r["reply"][:4] for r in stored["replies"]] == ["Good", "I've", "Than"]


def test_import_keeps_good_rows_of_a_bad_file(db: str, kit: Kit) -> None:
    with Store(db) as store:
        report = import_transcripts(store, kit, BAD, "Tom's trainer")
        assert report.stored == 1
        # c-2 has no agent turn: reported at its first line, not stored
        assert [p.line for p in report.problems] == [4, 5, 6, 7, 8, 11, 13]
        assert "no agent turn" in report.problems[-1].message
        assert len(store.attempts("Tom's trainer")[0]["replies"]) == 2


def test_cli_import_transcripts(cli: Callable[..., tuple[int, str, str]], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    code, out, err = cli("import-transcripts", str(BAD), "--trainee", "Ольга", "--db", url)
    assert code == 0
    assert "1 conversations stored" in out and "7 rows or conversations skipped" in out
    assert f"skipped {BAD}:4: timestamp 'yesterday'" in err
    code, _, err = cli("import-transcripts", str(tmp_path / "none.csv"), "--trainee", "Ольга", "--db", url)
    assert code == 2 and "no file" in err
    code, _, err = cli("import-transcripts", str(SAMPLE), "--trainee", "Ольга", "--role", "pilot", "--db", url)
    assert code == 1 and "unknown role 'pilot'" in err
    code, _, err = cli("import-transcripts", str(SAMPLE), "--db", url)
    assert code == 2 and "--trainee" in err


def test_rescoring_reads_imported_conversations_again(db: str, kit: Kit, shipped_copy: Path) -> None:
    from simkit.content.kit import load_kit
    from simkit.store.rescore import rescore

    with Store(db) as store:
        import_transcripts(store, kit, SAMPLE, "Анна Смирнова")
        rules = shipped_copy / "rulebook" / "rules" / "escalation.yaml"
        rules.write_text(rules.read_text(encoding="utf-8").replace("weight: 10", "weight: 9", 1), encoding="utf-8")
        changed = load_kit(shipped_copy)
        assert changed.rulebook_hash != kit.rulebook_hash
        report = rescore(store, changed, workers=1)
        assert (report.scored, report.missing_content) == (9, 0)
        stored = store.attempt(attempt_id("Анна Смирнова", "chat-1042"))
        first = stored["replies"][0]
        assert [s["rulebook_hash"] for s in first["scores"]] == [kit.rulebook_hash, changed.rulebook_hash]
        again = [v for v in first["verdicts"] if v["rulebook_hash"] == changed.rulebook_hash]
        failed = {v["rule"] for v in again if v["status"] == "fail"}
        assert {"discount-limit-five-percent", "discount-over-limit-to-head"} <= failed
