"""The service through a real database outage: submissions are spooled on its side, then written once.

The database goes away for real (tests/test_outage.py: a private PostgreSQL server stopped with
``pg_ctl stop -m immediate``; an SQLite file's folder moved away) while trainees submit; every
submission is answered "spooled"; once the database is back a flush stores each attempt exactly
once, and what the service's next stored submission finds waiting is written too.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from simkit.content.kit import Kit
from simkit.engine.dialogue import play_model
from simkit.engine.generation import generate
from simkit.service.client import submission
from simkit.service.errors import ServiceError
from simkit.service.operations import Service, call
from simkit.service.roles import Caller
from simkit.service.timing import Timing
from simkit.store.database import Store
from tests.test_outage import Outage, kit_copy, outage, pg_server, postgres  # noqa: F401  (the real outages)

TRAINEES = [Caller.of(name, ["trainees"]) for name in ("anna", "boris", "Иван", "o'brien")]


def _body(kit: Kit, seed: int, replies: int | None = None) -> dict[str, object]:
    result = play_model(generate(kit.scenario("discount-demand-sports-food"), seed, "ru" if seed % 2 else "en"), kit)
    body = submission(result, "practice", None, None, final=False)
    body["attempt_id"] = str(uuid.UUID(int=seed + 1))
    if replies is not None:
        body["replies"] = body["replies"][:replies]
    return body


def _stored(url: str) -> dict[str, tuple[str, int, int]]:
    """Per attempt: its trainee, its replies and their turn scores (each reply scored once)."""
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            rows = c.execute(
                text(
                    "SELECT a.id, t.name, count(DISTINCT r.id), count(s.reply_id) FROM attempts a "
                    "JOIN trainees t ON t.id = a.trainee_id LEFT JOIN replies r ON r.attempt_id = a.id "
                    "LEFT JOIN turn_scores s ON s.reply_id = r.id GROUP BY a.id, t.name"
                )
            ).all()
    finally:
        engine.dispose()
    return {str(row[0]): (row[1], int(row[2]), int(row[3])) for row in rows}


def test_submissions_during_an_outage_are_spooled_and_flushed_once(outage: Outage, kit_copy: Kit, tmp_path: Path) -> None:  # noqa: F811
    spool = tmp_path / "service-spool"
    service = Service.open(outage.url, kit_copy.root, spool, Timing())
    try:
        before = _body(kit_copy, 0)
        if not outage.open_connections_survive:  # PostgreSQL: stored while it is up, its connections broken by the crash
            assert call(service, TRAINEES[0], "submit", before, 0.0)["recorded"] == "stored"
        outage.down()
        during = [_body(kit_copy, seed, replies=1) for seed in range(1, 7)]
        answers = [call(service, TRAINEES[k % 4], "submit", body, 0.0) for k, body in enumerate(during)]
        # the same attempts grow while the database is away: the spool keeps each attempt once, the longest
        grown = [_body(kit_copy, seed) for seed in range(1, 4)]
        answers += [call(service, TRAINEES[k % 4], "submit", body, 0.0) for k, body in enumerate(grown)]
        assert [a["recorded"] for a in answers] == ["spooled"] * 9
        assert all("will be written" in a["reason"] for a in answers)
        assert service.submissions.spooled() == 6 and service.submissions.waiting
        # an attempt id another trainee took while the database was away is refused from the service's memory
        with pytest.raises(ServiceError) as caught:
            call(service, TRAINEES[1], "submit", during[0], 0.0)
        assert (caught.value.status, caught.value.code) == (409, "attempt_taken")
        outage.up()
        report = service.submissions.flush()
        assert (report.written, report.remaining, report.problems) == (6, 0, ())
        assert not service.submissions.waiting
        assert service.submissions.flush().written == 0  # nothing left to write twice
        after = _body(kit_copy, 9)
        assert call(service, TRAINEES[1], "submit", after, 0.0)["recorded"] == "stored"
    finally:
        service.close()
    expected = {str(b["attempt_id"]): (TRAINEES[k % 4].name, len(b["replies"]), len(b["replies"])) for k, b in
                enumerate(grown + during[3:])}  # fmt: skip
    expected[str(after["attempt_id"])] = ("boris", len(after["replies"]), len(after["replies"]))
    if not outage.open_connections_survive:
        expected[str(before["attempt_id"])] = ("anna", len(before["replies"]), len(before["replies"]))
    assert _stored(outage.url) == expected
    assert list(spool.glob("*.json")) == []


def test_a_flush_never_adds_replies_to_another_trainees_attempt(outage: Outage, kit_copy: Kit, tmp_path: Path) -> None:  # noqa: F811
    """Two services' memories cannot help here (a restart between): the store's owner decides at the flush."""
    spool = tmp_path / "service-spool"
    outage.down()
    first = Service.open(outage.url, kit_copy.root, spool, Timing())
    body = _body(kit_copy, 1, replies=1)
    assert call(first, TRAINEES[1], "submit", body, 0.0)["recorded"] == "spooled"
    first.close()
    outage.up()
    with Store(outage.url, root=kit_copy.root) as store:  # meanwhile anna's attempt of that id was stored
        result = play_model(generate(kit_copy.scenario("discount-demand-sports-food"), 5, "en"), kit_copy)
        store.save_attempt(result, "anna", "practice", attempt_id=str(body["attempt_id"]))
    restarted = Service.open(outage.url, kit_copy.root, spool, Timing())
    try:
        report = restarted.submissions.flush()
    finally:
        restarted.close()
    assert report.written == 0 and len(report.quarantined) == 1
    assert "another trainee" in report.problems[0]
    assert _stored(outage.url) == {str(body["attempt_id"]): ("anna", len(result.exchanges), len(result.exchanges))}
