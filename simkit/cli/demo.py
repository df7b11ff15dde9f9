"""Demo data: simulated trainees play the real scenarios through the real engine into a store.

Each simulated trainee has a skill (some strong, some weak) that grows over three days of
practice, trainer sessions and a final assessment. A reply is the turn's own model reply, spoilt
in proportion to the trainee's weakness: courtesy, empathy or the key step left out, a wrong
discount, a curt, blaming or rude phrase, a slow answer. The replies are then played through
``Dialogue`` and stored with ``Store.save_attempt``, so every score, anger curve, branch, outcome
and readiness verdict comes from the engine itself, not from the simulation.

Everything is drawn from ``random.Random`` seeded with the demo seed (attempts from their own
seeded generator), and attempt ids are uuid5 of the seed, trainee and position, so the same seed
gives the same data and a second run stores nothing new.
"""

from __future__ import annotations

import random
import re
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from ..content.kit import Kit
from ..content.scenario_model import Action
from ..engine.dialogue import AttemptResult, Dialogue, StepClock
from ..engine.generation import InstanceTurn, ScenarioInstance, generate
from ..language.detection import detect
from ..reports.readiness import readiness
from ..store.database import Store
from ..store.records import Attempt, Mode, TrainerSession

NAMESPACE = uuid.UUID("0b6c1f0e-5d3a-4f43-9a57-2f1d8c6e7a10")  # demo attempt ids live apart from real ones
DAYS = 3

_RU_FEMALE = ("Анна", "Мария", "Екатерина", "Ольга", "Татьяна", "Елена", "Дарья", "Ксения", "Алина", "Юлия", "Светлана", "Полина")
_RU_MALE = ("Алексей", "Дмитрий", "Иван", "Михаил", "Сергей", "Андрей", "Павел", "Никита", "Артём", "Егор", "Кирилл", "Роман")
_RU_SURNAMES = (
    "Соколов", "Иванов", "Смирнов", "Кузнецов", "Попов", "Лебедев", "Козлов", "Новиков",
    "Морозов", "Волков", "Фёдоров", "Орлов", "Зайцев", "Павлов", "Семёнов", "Голубев",
)  # fmt: skip
_EN_FIRST = ("Emily", "James", "Olivia", "Daniel", "Sophie", "Michael", "Grace", "Thomas", "Hannah", "Oliver")
_EN_SURNAMES = ("Carter", "Wilson", "Bennett", "Hughes", "Turner", "Reed", "Collins", "Parker", "Foster", "Gray")

# Slips a weak trainee makes, each checked to be detected by the shipped lexicons (see tests).
CURT = {
    "ru": ("Это не ко мне.", "Ничем не могу помочь.", "Успокойтесь.", "Не надо нервничать.", "Надо было раньше думать."),
    "en": ("That's not my problem.", "There's nothing I can do.", "Rules are rules.", "Calm down.", "It's your own fault."),
}
RUDE = {  # a critical slip (no-rudeness)
    "ru": ("Вы вообще слушаете?", "Что вы от меня хотите?", "Не кричите на меня."),
    "en": ("Are you even listening?", "You people never read anything."),
}
GIVE_IN = {"ru": "Ладно, дам вам скидку {percent} %.", "en": "Fine, I'll give you {percent} % off."}
_FILLER = {"ru": "Хорошо.", "en": "OK."}

_COURTESY = frozenset({"greeting", "self_introduction", "address_by_name", "please"})
_EMPATHY = frozenset({"empathy", "apology", "ownership"})
_CLOSING = frozenset({"closing", "gratitude"})
_STEPS = frozenset({"escalate_to_supervisor", "route_to_department", "register_request", "refuse_confidential"})
_SUBSTANCE = frozenset({"next_step", "timeframe", "clarifying_question", "offer_discount"})
_STEP_ACTIONS = frozenset({"escalate_supervisor", "route_department", "register_request", "refuse_disclosure"})
_PACE = {"phone": 1.0, "chat": 2.0, "email": 8.0, "letter": 8.0}  # written replies take longer to type
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class DemoTrainee:
    """A simulated trainee: ``skill`` on day 1 (0..1), gaining ``gain`` each day after."""

    name: str
    cohort: str
    lang: str  # nine attempts in ten are in this language
    skill: float
    gain: float
    start_date: date
    late: bool  # joined on the last day: too few attempts for a verdict

    def skill_on(self, day: int) -> float:
        """The skill on day ``day`` (1..3)."""
        return min(0.98, self.skill + self.gain * (day - 1))


@dataclass(frozen=True)
class DemoReport:
    """What a demo run holds: trainees, their attempts and replies, and readiness verdict counts."""

    trainees: int
    attempts: int  # the demo's attempts, whether stored by this run or an earlier one
    new: int  # attempts this run stored; 0 when the same seed ran before
    replies: int
    verdicts: dict[str, int]


def plan_trainees(count: int, seed: int, first_day: date) -> list[DemoTrainee]:
    """``count`` trainees with unique names, two cohorts and skills spread from weak to strong."""
    if count < 1:
        raise ValueError("the demo needs at least one trainee")
    rng = random.Random(f"simkit-demo/{seed}")
    names = [f"{f} {s}" for f in _RU_MALE for s in _RU_SURNAMES] + [f"{f} {s}а" for f in _RU_FEMALE for s in _RU_SURNAMES]
    english = [f"{f} {s}" for f in _EN_FIRST for s in _EN_SURNAMES]
    rng.shuffle(names)
    rng.shuffle(english)
    # stratified, so that even a small group has both strong and weak trainees
    skills = [0.3 + 0.65 * (k + rng.random()) / count for k in range(count)]
    rng.shuffle(skills)
    trainees = []
    for k in range(count):
        lang = "en" if k % 6 == 5 else "ru"
        pool = english if lang == "en" else names
        name = pool[k % len(pool)] + (f" {k // len(pool) + 1}" if k >= len(pool) else "")
        cohort = f"{first_day:%Y-%m}-{'AB'[k % 2]}"
        late = count >= 12 and k % 12 == 7
        gain = round(rng.uniform(0.04, 0.1), 3)
        start = first_day + timedelta(days=DAYS - 1) if late else first_day
        trainees.append(DemoTrainee(name, cohort, lang, round(skills[k], 3), gain, start, late))
    return trainees


@dataclass(frozen=True)
class _Planned:
    scenario_id: str
    mode: Mode
    day: int
    started_at: datetime
    session: str | None = None


def _schedule(kit: Kit, trainee: DemoTrainee, seed: int, days: list[date]) -> list[_Planned]:
    """The trainee's attempts in order: practice each day, a trainer session on day 2, an assessment on day 3."""
    rng = random.Random(f"simkit-demo/{seed}/{trainee.name}/plan")
    group = random.Random(f"simkit-demo/{seed}/{trainee.cohort}")  # what the whole cohort plays together
    by_kind: dict[str, list[str]] = {}
    for sid, scenario in sorted(kit.scenarios.items()):
        by_kind.setdefault(scenario.kind, []).append(sid)
    required = [k for k in kit.readiness.required_kinds if k in by_kind]
    assessed = group.choice(required) if required else group.choice(sorted(by_kind))
    assessment = group.choice(by_kind[assessed])
    sessions = group.sample(sorted(kit.scenarios), 2)
    code = "".join(group.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))

    def at(day: int, hour: float) -> datetime:
        return datetime.combine(days[day - 1], time(tzinfo=UTC)) + timedelta(hours=hour)

    if trainee.late:
        return [_Planned(rng.choice(sorted(kit.scenarios)), "practice", 3, at(3, 9 + k + rng.random())) for k in range(3)]
    counts = {1: rng.randint(3, 5), 2: rng.randint(1, 3), 3: rng.randint(1, 2)}
    # every required kind appears at least once; the rest of the practice is free choice
    practice = [rng.choice(by_kind[k]) for k in required if k != assessed]
    practice += [rng.choice(sorted(kit.scenarios)) for _ in range(sum(counts.values()) - len(practice))]
    rng.shuffle(practice)
    plan: list[_Planned] = []
    for day in (1, 2, 3):
        for k in range(counts[day]):
            plan.append(_Planned(practice.pop(), "practice", day, at(day, 8.5 + 0.75 * k + rng.random() / 2)))
    offset = 14 if trainee.cohort.endswith("A") else 16
    for j, sid in enumerate(sessions):
        plan.append(_Planned(sid, "session", 2, at(2, offset + 0.5 * j + rng.random() / 4), code))
    plan.append(_Planned(assessment, "assessment", 3, at(3, 15 + rng.random() / 2)))
    return sorted(plan, key=lambda p: p.started_at)


def _sentences(text: str, lang: str, name: str) -> list[tuple[str, frozenset[str]]]:
    """The model reply split into sentences, each with the behaviours the detector finds in it."""
    parts: list[tuple[int, str]] = []
    position = 0
    for piece in _SENTENCE_END.split(text):
        start = text.index(piece, position)
        parts.append((start, piece))
        position = start + len(piece)
    shown: list[set[str]] = [set() for _ in parts]
    for finding in detect(text, lang, name):
        for a, _ in finding.spans:
            index = max(i for i, (start, _) in enumerate(parts) if start <= a)
            shown[index].add(finding.behavior)
    return [(piece, frozenset(s)) for (_, piece), s in zip(parts, shown, strict=True)]


def _without_name(sentence: str, name: str) -> str:
    out = sentence.replace(f", {name}", "").replace(f"{name}, ", "").replace(name, "").strip()
    return out[:1].upper() + out[1:]


def simulate_reply(
    instance: ScenarioInstance, turn: InstanceTurn, skill: float, rng: random.Random
) -> tuple[str, list[Action], float]:
    """A reply of a trainee of this skill: the model reply with slips; its text, actions and seconds."""
    lang, name, weak = instance.lang, instance.customer.name, 1.0 - skill
    dropped: set[str] = set()
    if rng.random() < 0.9 * weak:
        dropped |= _COURTESY
    if rng.random() < 0.9 * weak:
        dropped |= _EMPATHY
    if rng.random() < 0.6 * weak:
        dropped |= _CLOSING
    percent = instance.facts.get("percent")
    over = percent if isinstance(percent, int) and percent > 5 else 0  # a demand beyond the 5 % an agent may give
    give_in = "offer_discount" in turn.actions and over > 0 and rng.random() < 0.5 * weak**1.5
    skip_step = give_in or rng.random() < 0.9 * weak**1.5  # the key step is what strong trainees rarely miss
    kept: list[str] = []
    said: set[str] = set()
    for sentence, shown in _sentences(turn.model_reply, lang, name):
        if shown & _STEPS:
            keep = not skip_step
        elif shown & _SUBSTANCE:
            keep = True
        else:
            keep = not (shown & dropped)
        if keep:
            kept.append(_without_name(sentence, name) if "address_by_name" in dropped else sentence)
            said |= shown
    # a skipped step takes its actions with it, and a callback no sentence promises any more
    actions = [
        a
        for a in turn.model_actions
        if not (skip_step and (a.id in _STEP_ACTIONS or (a.id == "promise_callback" and "timeframe" not in said)))
    ]
    if give_in:
        kept.append(GIVE_IN[lang].format(percent=over))
        actions.append(Action(id="offer_discount", percent=float(over)))
    if rng.random() < 0.8 * weak:
        kept.insert(rng.choice((0, len(kept))), rng.choice(CURT[lang]))  # blurted first or muttered last
    if rng.random() < 0.6 * max(0.0, weak - 0.3):
        kept.append(rng.choice(RUDE[lang]))
    seconds = (3.0 + rng.uniform(0, 6) + 30 * weak * rng.random()) * _PACE.get(instance.channel, 1.0)
    return " ".join(s for s in kept if s) or _FILLER[lang], actions, round(seconds, 1)


def play_attempt(kit: Kit, trainee: DemoTrainee, scenario_id: str, day: int, attempt_id: str) -> AttemptResult:
    """One attempt of ``trainee`` on ``day``, played through the engine (drawn from ``attempt_id`` alone)."""
    rng = random.Random(attempt_id)
    lang = trainee.lang if rng.random() < 0.9 else ("en" if trainee.lang == "ru" else "ru")
    # the default reference date, as re-scoring regenerates the instance from seed and language alone
    instance = generate(kit.scenario(scenario_id), rng.randint(1, 9999), lang)
    skill = min(0.99, max(0.05, trainee.skill_on(day) + rng.gauss(0, 0.05)))  # good and bad days
    clock = StepClock()
    dialogue = Dialogue(instance, kit, clock)
    for _ in range(3 * len(instance.turns)):  # a script that loops still stops
        turn = dialogue.turn
        if turn is None:
            break
        text, actions, took = simulate_reply(instance, turn, skill, rng)
        clock.seconds.append(took)  # the clock moves on by it when the reply arrives
        dialogue.reply(text, actions)
    return dialogue.result()


def _known(store: Store, ids: list[str], codes: set[str]) -> tuple[set[str], set[str]]:
    """Which of these attempts are stored finished, and which session codes exist."""
    with store.session(write=False) as s:
        done = set(s.scalars(select(Attempt.id).where(Attempt.id.in_(ids), Attempt.finished_at.is_not(None))))
        found = set(s.scalars(select(TrainerSession.join_code).where(TrainerSession.join_code.in_(codes))))
    return done, found


def fill(
    store: Store,
    kit: Kit,
    trainees: int = 30,
    seed: int = 1,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoReport:
    """Play and store the demo attempts of ``trainees`` trainees over the three days before ``today``.

    ``today`` defaults to the current UTC date, so every attempt lies in the past and inside the
    readiness window. ``progress(done, total)`` is called after each trainee.
    """
    today = today or datetime.now(UTC).date()
    days = [today - timedelta(days=DAYS - k) for k in range(DAYS)]
    people = plan_trainees(trainees, seed, days[0])
    new = 0
    demo_ids: set[str] = set()
    for done, person in enumerate(people):
        plan = _schedule(kit, person, seed, days)
        ids = [str(uuid.uuid5(NAMESPACE, f"{seed}/{person.name}/{k}")) for k in range(len(plan))]
        demo_ids.update(ids)
        stored, sessions = _known(store, ids, {p.session for p in plan if p.session})
        store.add_trainee(person.name, person.cohort, person.start_date)
        for code in sorted({p.session for p in plan if p.session} - sessions):
            store.add_session(f"{person.cohort}: занятие с тренером {days[1]:%d.%m.%Y}", code)
        for attempt_id, planned in zip(ids, plan, strict=True):
            if attempt_id in stored:
                continue  # replaying it would only reach the same result
            result = play_attempt(kit, person, planned.scenario_id, planned.day, attempt_id)
            store.save_attempt(
                result,
                person.name,
                planned.mode,
                attempt_id,
                session=planned.session,
                started_at=planned.started_at,
                finished_at=planned.started_at + timedelta(seconds=sum(result.seconds)),
                final=True,  # a simulated attempt that stops before the script's end is over, not open
            )
            new += 1
        if progress is not None:
            progress(done + 1, len(people))
    attempts = [a for p in people for a in store.attempts(p.name)]  # not the whole store: it may hold real data
    latest = max((datetime.fromisoformat(a["finished_at"] or a["started_at"]) for a in attempts), default=None)
    verdicts = Counter(v.verdict for v in readiness(attempts, kit, now=latest))
    return DemoReport(
        trainees=len(people),
        attempts=len(demo_ids),
        new=new,
        replies=sum(len(a["replies"]) for a in attempts if a["id"] in demo_ids),
        verdicts={k: verdicts.get(k, 0) for k in ("ready", "not_ready", "insufficient_evidence")},
    )
