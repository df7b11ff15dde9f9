"""Behaviour detection: tricky cases in both languages, values, and the labelled sets."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from simkit.content.kit import Kit
from simkit.engine.generation import generate
from simkit.engine.scoring import score_reply
from simkit.language.detection import Detector, detect
from simkit.language.evaluation import evaluate, load
from simkit.language.lexicon import load_lexicon
from simkit.language.normalize import normalize
from simkit.language.tokens import analyse

from .conftest import ROOT, CliResult

DEVSET = ROOT.parent / "shared" / "devset" / "behaviors.dev.jsonl"
DATA = Path(__file__).parent / "data"
EXTRA = sorted(DATA.glob("behaviors.*.extra.jsonl"))


def labelled_cases(name: str) -> list[tuple[str, str, str | None, set[str], set[str]]]:
    """The lines of a labelled file under data/: what each must show, and what it must not."""
    rows = [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    return [
        (r["lang"], r["text"], r["context"].get("customer_name"), set(r["behaviors"]), set(r["judged"]) - set(r["behaviors"]))
        for r in rows
    ]


def found(text: str, lang: str, name: str | None = None) -> set[str]:
    return {f.behavior for f in detect(text, lang, name)}


# Ordinary lines that the lexicon reads as nothing hurtful and the learned cues read as hurtful:
# their words stand in many hurtful replies of the rounds the cues are fitted on ("you're not the
# only one", "... happen when ...", "you'd have ..."). Raising the English thresholds until the cues
# left them alone would have cost .03 of rude and .05 of blame recall on the rounds they were not
# fitted on (docs/learned-cues.md). The lexicon is still held to them (_by_the_lexicon), and the
# cues' reading is pinned: a refit that stops flagging one fails, and the line goes back to the
# detector's own tests.
HEALTH_QUESTION = (
    "Артём, слышу, как вы перепугались, — на спуске такое правда страшно. Вы сами не ушиблись? Деньги за день вернём."
)
CUES_FALSE_ALARMS = {
    "You're not the only one affected, so we've put extra engineers on it tonight.": "rude",
    "Double charges happen when the bank's system times out; the second one drops off in three days.": "blame_customer",
    # found reading round 43: "are you" begins many a sarcastic question of the rounds ("Are you
    # serious?"), and "ok" many a curt chat reply; "Are you all right? Is anyone injured?" is read
    # as nothing hurtful
    "Are you OK? Is anyone hurt?": "rude",
    # with English rude's threshold down from 0.82 to 0.70 (scripts/train_cues.py): "what did you"
    # opens many a sarcastic question of the rounds ("What did you think would happen?"), and
    # "dramatic" is said of the customer there ("Don't be so dramatic"), bounded by RATIO_LIMIT but
    # still 0.83 ("horror" read 0.73 until asked.en.jsonl was fitted on: 0.69 now)
    "What did you think of the engineer's visit?": "rude",
    "The view from the cable car is very dramatic in winter.": "rude",
    # with English blame fitted on rounds 46-63 as well, at 0.80 (threshold 0.78): "you didn't"
    # opens many a reproach of the rounds ("you didn't read the email"), here denied
    "You didn't pay twice by mistake, Joanne, our system took the debit twice.": "blame_customer",
}


def _by_the_lexicon(text: str, lang: str) -> set[str]:
    """What the detector finds, or for a known false alarm of the cues, what the lexicon alone does."""
    if text not in CUES_FALSE_ALARMS:
        return found(text, lang)
    lexicon_only = Detector(load_lexicon(lang))
    lexicon_only.cues = None
    return {f.behavior for f in lexicon_only.detect(text)}


@pytest.mark.parametrize(("text", "behavior"), sorted(CUES_FALSE_ALARMS.items()))
def test_a_known_false_alarm_of_the_cues_is_theirs_alone(text: str, behavior: str) -> None:
    lang = "ru" if any("а" <= c <= "я" for c in text.lower()) else "en"
    assert behavior not in _by_the_lexicon(text, lang)
    assert behavior in found(text, lang), "the cues no longer flag it: take it out of CUES_FALSE_ALARMS"


# Replies whose reading is easy to get wrong (data/tricky.jsonl): (lang, text, customer name,
# behaviours that must be found, behaviours that must not)
CASES = labelled_cases("tricky.jsonl")


@pytest.mark.parametrize("lang, text, name, present, absent", CASES, ids=[c[1][:40] for c in CASES])
def test_tricky_case(lang: str, text: str, name: str | None, present: set[str], absent: set[str]) -> None:
    got = found(text, lang, name)
    assert present <= got, f"missing {present - got} in {got}"
    assert not (absent & got), f"unexpected {absent & got}"


def test_discount_value_and_spans() -> None:
    text = "Могу предложить скидку 5% на следующий заказ."
    (offer,) = [f for f in detect(text, "ru") if f.behavior == "offer_discount"]
    assert offer.value == 5
    assert all(0 <= a < b <= len(text) for a, b in offer.spans)
    assert any("скидк" in q for q in offer.quotes(text))


def test_route_values_are_department_ids() -> None:
    (route,) = [f for f in detect("Передам вашу жалобу в бухгалтерию и юристам.", "ru") if f.behavior == "route_to_department"]
    assert route.value == ("accounting", "legal")
    (route,) = [f for f in detect("I've passed this to our quality team.", "en") if f.behavior == "route_to_department"]
    assert route.value == ("quality",)


@pytest.mark.skipif(not DEVSET.is_file(), reason="the shared devset is not beside this checkout")
def test_devset_bar_per_language() -> None:
    report = evaluate(load(DEVSET))
    assert report["ru"]["micro_f1"] >= 0.92, report["ru"]["micro_f1"]
    assert report["en"]["micro_f1"] >= 0.92, report["en"]["micro_f1"]


@pytest.mark.parametrize("path", EXTRA, ids=[p.name for p in EXTRA])
def test_own_labelled_sets(path: Path) -> None:
    examples = load(path)
    assert len(examples) >= 100
    report = evaluate(examples)
    lang = examples[0].lang
    assert report[lang]["micro_f1"] >= 0.9, report[lang]["micro_f1"]


def test_eval_behaviors_cli_json(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    rows = [
        {
            "id": "a",
            "lang": "ru",
            "context": {"customer_name": "Ирина"},
            "text": "Здравствуйте, Ирина!",
            "behaviors": ["greeting", "address_by_name"],
            "values": {},
        },
        {"id": "b", "lang": "en", "context": {}, "text": "Calm down.", "behaviors": ["calm_down_command"], "values": {}},
    ]
    file = tmp_path / "set.jsonl"
    file.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    code, out, _ = cli("eval-behaviors", str(file), "--json")
    data = json.loads(out)
    assert code == 0
    assert set(data) == {"ru", "en", "all"}
    assert data["ru"]["micro_f1"] == 1.0 and data["ru"]["exact"] == 1.0
    assert data["all"]["per_behavior"]["greeting"] == {"p": 1.0, "r": 1.0, "f1": 1.0, "support": 1}


def test_eval_behaviors_reports_bad_lines(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    file = tmp_path / "bad.jsonl"
    file.write_text(
        '{"id": "a", "lang": "ru", "text": "x", "behaviors": []}\n'
        '{"id": "b", "lang": "ru", "text": "x", "behaviors": ["smiling"]}\n',
        encoding="utf-8",
    )
    code, _, err = cli("eval-behaviors", str(file))
    assert code == 2
    assert f"{file}:2:" in err and "smiling" in err


def test_detect_cli(cli: Callable[..., CliResult]) -> None:
    code, out, _ = cli("detect", "--lang", "ru", "--name", "Ирина", "Здравствуйте, Ирина! Извините за задержку.")
    assert code == 0
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert {"greeting", "address_by_name", "apology"} <= set(lines)
    assert "«Ирина»" in lines["address_by_name"]


def test_eval_behaviors_counts_only_what_a_person_judged_on_a_line(tmp_path: Path) -> None:
    from simkit.language.evaluation import LabelledSetError, read_examples

    text = "Здравствуйте! Извините за задержку, курьер привезёт заказ завтра."
    found = {f.behavior for f in detect(text, "ru")}
    assert {"greeting", "apology"} <= found
    path = tmp_path / "judged.jsonl"
    # a trainer decided only about the apology and (wrongly, for the test) says it is absent;
    # everything else on the line was nobody's judgement and must not count either way
    path.write_text(
        json.dumps({"id": "r1", "lang": "ru", "text": text, "behaviors": [], "judged": ["apology"]}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    report = evaluate(read_examples(path))
    assert report["errors"] == [{"id": "r1", "missing": [], "extra": ["apology"]}]
    # the greeting the detector found was judged by nobody: it is not a false positive
    assert set(report["all"]["per_behavior"]) == {"apology"}
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"lang": "ru", "text": "x", "behaviors": [], "judged": ["nonsense"]}) + "\n", encoding="utf-8")
    with pytest.raises(LabelledSetError, match=r"bad\.jsonl:1: unknown behaviour ids in 'judged'"):
        read_examples(bad)


CLEAN = "Успокойтесь! Вы сами виноваты, это не моя проблема."
# zero-width space, soft hyphen, word joiner and Latin a, o, e, c, p inside the words
HIDDEN = "Ус\u200bпокойтесь! Вы сaми вин\u00adoвaты, эт\u2060o не мoя прoблeмa."


def test_hidden_characters_and_look_alikes_change_nothing_and_spans_point_into_the_original() -> None:
    clean = {f.behavior: f for f in detect(CLEAN, "ru")}
    hidden = {f.behavior: f for f in detect(HIDDEN, "ru")}
    assert set(clean) == set(hidden) == {"calm_down_command", "blame_customer", "dismissive"}
    for name, finding in hidden.items():
        quotes = finding.quotes(HIDDEN)
        # each span is the visible word as written, invisible characters and look-alikes included
        assert [normalize(q, "ru").text for q in quotes] == clean[name].quotes(CLEAN)
        assert all(q == q.strip() and q[:1].isalpha() for q in quotes)


def test_hidden_characters_do_not_change_the_turn_score(kit: Kit) -> None:
    instance = generate(kit.scenario("late-delivery-fridge"), 1, "ru")
    turn = instance.turns[0].id
    clean = score_reply(instance, turn, CLEAN, kit=kit)
    hidden = score_reply(instance, turn, HIDDEN, kit=kit)
    assert hidden.score == clean.score
    assert hidden.critical_failures == clean.critical_failures
    assert [(v.rule_id, v.status) for v in hidden.verdicts] == [(v.rule_id, v.status) for v in clean.verdicts]
    assert [f.behavior for f in hidden.findings] == [f.behavior for f in clean.findings]
    assert any(v.status == "fail" for v in clean.verdicts)


# Constructions of hostile replies, each with an ordinary reply that shares its words and must
# raise no alarm (data/constructions.jsonl: "behaviors" must be found, the rest of "judged" must not).
HOSTILE = [(lang, text, present, absent) for lang, text, _, present, absent in labelled_cases("constructions.jsonl")]


@pytest.mark.parametrize("lang, text, present, absent", HOSTILE, ids=[c[1][:40] for c in HOSTILE])
def test_hostile_construction(lang: str, text: str, present: set[str], absent: set[str]) -> None:
    got = _by_the_lexicon(text, lang)
    assert present <= got, f"missing {present - got} in {got}"
    assert not (absent & got), f"unexpected {absent & got}"


def test_a_masked_word_is_read_as_the_word_and_spans_keep_the_marks() -> None:
    text = "F*ck off with your discount requests."
    findings = {f.behavior: f for f in detect(text, "en")}
    assert set(findings) == {"rude", "dismissive"}
    assert "F*ck off" in findings["dismissive"].quotes(text)
    assert normalize("Price: 5*3 = 15, see item #4", "en").text == "Price: 5*3 = 15, see item #4"


def test_politeness_reads_the_reply_as_detection_does() -> None:
    from simkit.language.politeness import politeness

    assert politeness(HIDDEN, "ru") == politeness(CLEAN, "ru")


# the tuning sets, each written blind before tuning on it (README-hostile-r2.md ... -r5.md)
HOSTILE_SETS = [
    Path(__file__).parent / "data" / f"hostile.{part}{lang}.jsonl"
    for part in ("", "r2.", "r3.", "r4.", "r5.")
    for lang in ("ru", "en")
]


@pytest.mark.parametrize("path", HOSTILE_SETS, ids=[p.name for p in HOSTILE_SETS])
def test_hostile_tuning_sets_recall_and_precision(path: Path) -> None:
    examples = load(path)
    lang = examples[0].lang
    figures = evaluate(examples)[lang]["per_behavior"]
    for behavior in ("rude", "dismissive", "blame_customer"):
        assert figures[behavior]["r"] >= 0.85, (behavior, figures[behavior])
        assert figures[behavior]["p"] >= 0.9, (behavior, figures[behavior])


# A face that shows contempt is rude whatever the words beside it; smiles, a thumbs-up and a shrug
# are not, nor the customer's own face inside a quotation.
@pytest.mark.parametrize(
    "lang, text, shown",
    [
        ("ru", "Да-да, уже проверяем 🙄", True),
        ("ru", "Вы опять перепутали подъезд 🤦", True),
        ("ru", "Конечно, поможем 🙂 Курьер будет завтра до 12.", False),
        ("ru", "Ничего не поделать 🤷 но перерасчёт сделаем.", False),
        ("en", "Sure, we'll look into it 🙄", True),
        ("en", "you typed the wrong address again 🤦‍♀️", True),
        ("en", "Refund sent 👍 it should arrive within five days.", False),
        ("en", 'Sorry that our agent wrote "ok 🙄" to you, that was wrong.', False),
    ],
)
def test_a_face_of_contempt_is_rude(lang: str, text: str, shown: bool) -> None:
    rude = [f for f in detect(text, lang) if f.behavior == "rude"]
    assert bool(rude) is shown, text
    if shown:  # the trainer is shown the face itself
        assert any(text[start:end] in "🙄🤦" for start, end in rude[0].spans), rude


# What the blind rounds showed the lexicons missing (each read after its blind measure), each beside
# an ordinary reply that shares its words. Round 26: sarcasm and reproaches. Round 28: "as you were
# told", "впредь внимательнее", "вы бы сначала…", a child's calm-down. Round 29: condescension
# ("из вас так себе", "по доброте душевной", "I heard you the first three times"), "психи".
@pytest.mark.parametrize(
    "lang, text, behavior, shown",
    [
        ("ru", "Может, вам ещё и доплатить?", "rude", True),
        ("ru", "Может, вам ещё подойдёт доставка в субботу?", "rude", False),
        ("ru", "Мы специально вам насчитали, делать нам больше нечего.", "rude", True),
        ("ru", "Больше делать ничего не нужно, мы всё пересчитали.", "rude", False),
        ("ru", "Хотите — продлевайте, не хотите — не держим.", "rude", True),
        ("ru", "Мы не держим на складе эту модель, но закажем её за два дня.", "rude", False),
        ("en", "Did u seriously put the basket on the meter?", "rude", True),
        ("en", "Did you get the e-mail with the code?", "rude", False),
        ("en", "Mine's working fine, can't say the same for yours.", "rude", True),
        ("en", "I can't say the same for the old model, but yours is covered.", "rude", False),
        ("ru", "Вы бы хоть смотрели, куда звоните.", "blame_customer", True),
        ("ru", "Вы бы хотели перенести доставку на субботу?", "blame_customer", False),
        ("ru", "Вы в личный кабинет хоть раз заходили?", "blame_customer", True),
        ("ru", "Если вы хоть раз получали от нас такое письмо, перешлите его нам.", "blame_customer", False),
        ("en", "You do know you used all 100GB by the 10th, right?", "blame_customer", True),
        ("en", "Do you know if your router shows a red light?", "blame_customer", False),
        ("en", "It did not arrive until 9 August, despite two reminders sent to him.", "blame_customer", True),
        ("en", "Despite the storm, your parcel will arrive tomorrow.", "blame_customer", False),
        ("ru", "Мирон, вам же вчера уже объясняли, что здесь не отдел кадров.", "blame_customer", True),
        ("ru", "Вам же пришло письмо с кодом? Назовите его, пожалуйста.", "blame_customer", False),
        ("ru", "Цена определяется по факту, о чём вы были проинформированы при подписании.", "blame_customer", True),
        ("ru", "О чём именно вы хотите узнать: о тарифе или о сроках?", "blame_customer", False),
        ("ru", "Вы бы сначала узнали, куда звоните.", "blame_customer", True),
        ("ru", "Вы бы сначала хотели получить чек или сразу оформить возврат?", "blame_customer", False),
        ("ru", "Рекомендуем впредь внимательнее относиться к имуществу отеля.", "blame_customer", True),
        ("ru", "Приносим извинения, впредь мы будем внимательнее.", "blame_customer", False),
        ("ru", "Ну а вы как хотели — гонять на низком профиле и чтобы не стучало?", "blame_customer", True),
        ("ru", "А вы как хотели бы получить деньги: на карту или наличными?", "blame_customer", False),
        ("en", "tbh thats on you for ignoring the letter", "blame_customer", True),
        ("en", "thats on us, sorry, the refund is on its way", "blame_customer", False),
        ("en", "As you were informed with your last order, the discount applies only over £500.", "blame_customer", True),
        ("en", "You were informed wrongly by our agent, and I am sorry for that.", "blame_customer", False),
        ("en", "You'd have had it if you'd sorted the form like we told you in March.", "blame_customer", True),
        ("en", "Had you checked our status page before calling, you would have seen the notice.", "blame_customer", True),
        ("en", "woah, easy tiger, no need to threaten us.", "rude", True),
        ("en", "Take it easy on the stairs, the tiger statue is heavy.", "rude", False),
        ("en", "Alright, alright, keep your hair on, it's only protein powder.", "calm_down_command", True),
        ("en", "Keep your receipt, and your warranty stays on file.", "calm_down_command", False),
        ("ru", "Менеджер из вас так себе.", "rude", True),
        ("ru", "Связь так себе, давайте я вам перезвоню.", "rude", False),
        ("ru", "5% дам, и то по доброте душевной.", "rude", True),
        ("ru", "Спасибо вам за доброту, мы рады помочь.", "rude", False),
        ("ru", "Ваше требование выходит за рамки здравого смысла.", "rude", True),
        ("ru", "Изображать теперь удивление не нужно.", "rude", True),
        ("ru", "Такие вопросы задают только психи.", "rude", True),
        ("ru", "Психолог центра перезвонит вам завтра.", "rude", False),
        ("en", "I heard you the first three times.", "rude", True),
        ("en", "Sorry, I didn't hear you the first time, could you repeat the number?", "rude", False),
        ("ru", "Аркадий, придержите язык.", "rude", True),
        ("ru", "Придержите дверь, пожалуйста, курьер несёт коробки. Язык инструкции можно сменить в меню.", "rude", False),
        ("ru", "А вам какое дело, чем соседка лечится?", "rude", True),
        ("ru", "Какое дело вы хотите обсудить: возврат или обмен?", "rude", False),
        ("ru", "Вы ж в машинах ни бум-бум.", "rude", True),
        ("ru", "Вы рукожоп.", "rude", True),
        ("ru", "Вы криворукий, вот и сломали.", "rude", True),
        ("ru", "Пигалица тут кто-то другой, а я администратор.", "rude", True),
        ("ru", "Руки у мастера золотые, кривых швов не будет.", "rude", False),
        ("en", "A burn? From a dryer on warm? Come off it.", "rude", True),
        ("en", "Come off the motorway at junction 4 and the depot is on your left.", "rude", False),
        ("en", "Nine days, yes, I can count too.", "rude", True),
        ("en", "I can count the items again with you if that helps.", "rude", False),
        ("en", "Crowns do occasionally fail; this is something most adults understand.", "rude", True),
        ("en", "Most of our adult members understand the booking rules; I'll send them to you as well.", "rude", False),
        ("en", "I can hear you, the whole floor can hear you.", "rude", True),
        ("en", "Sorry, the line is bad, I can hardly hear you.", "rude", False),
        ("en", "Didn't even read the terms, did you?", "blame_customer", True),
        ("en", "Didn't we send you the voltage chart? I'll resend it.", "blame_customer", False),
        ("en", "lol did you not check the website? it says no cold calls", "blame_customer", True),
        ("en", "Did you not receive our email? I can send it again.", "blame_customer", False),
        (
            "en",
            "Well, if you'd done your homework you'd know we're a franchise and buy through head office. "
            "Ring head office, the number's on their website.",
            "blame_customer",
            True,
        ),
        ("en", "If you'd like to join the loyalty club, you'd get 5% off your next order.", "blame_customer", False),
        ("en", "pls stop flapping and keep the towel on it", "rude", True),
        ("en", "The flag stopped flapping once we fixed the mast.", "rude", False),
        ("en", "Your complaint has been noted and ignored.", "rude", True),
        ("en", "Your complaint has been noted and passed to the manager.", "rude", False),
        ("en", "You're entitled to nothing, sir.", "rude", True),
        ("en", "You're entitled to a full refund.", "rude", False),
        ("en", "Sore for days, right, every patient says that.", "rude", True),
        ("en", "Every patient says the new waiting room is lovely.", "rude", False),
        ("en", "Reading the terms may not be your strongest skill.", "rude", True),
        ("en", "Our strongest point is next-day delivery.", "rude", False),
        ("ru", "мамочка, чек в пакете.", "rude", True),
        ("ru", "Мамочка с ребёнком может пройти без очереди.", "rude", False),
        ("ru", "Не сгущайте краски, это обычная царапина.", "rude", True),
        ("ru", "Краски не сгущаются, если хранить их в тепле.", "rude", False),
        ("ru", "Ну вы прямо как с луны свалились: цены выросли ещё в июле.", "rude", True),
        ("ru", "С луны видно всю Землю, так говорят в нашем планетарии.", "rude", False),
        ("ru", "Вопрос тупой, ответ простой: банк данные не выдаёт.", "rude", True),
        ("ru", "Глупых вопросов не бывает, спросите ещё.", "rude", False),
        ("ru", "Виноватых ищите в зеркале, а мы своё сделали.", "rude", True),
        ("ru", "Ключи ищите в ящике под зеркалом.", "rude", False),
        ("ru", "Стекло в салате? Ну прямо детектив.", "rude", True),
        ("ru", "Ну прямо сейчас оформлю возврат.", "rude", False),
        ("ru", "Вы, я смотрю, большой специалист по ценам на ремонт.", "rude", True),
        ("ru", "Наш мастер большой специалист по подвескам.", "rude", False),
        ("ru", "Очевидно, в подвесках вы разбираетесь лучше наших мастеров.", "rude", True),
        ("ru", "Наши мастера разбираются в подвесках, диагностика в четверг.", "rude", False),
        ("ru", "Благодарим за столь экспертное мнение о нашей работе.", "rude", True),
        ("ru", "Благодарим за отзыв о нашей работе.", "rude", False),
        ("ru", "Мы, разумеется, в восторге от вашего письма.", "rude", True),
        ("ru", "Какое щедрое предложение, мы потрясены.", "rude", True),
        ("ru", "Очки наденьте, там всё написано.", "rude", True),
        ("ru", "Очки можно забрать в оптике завтра.", "rude", False),
        (
            "ru",
            "Вадим, съезжайте, кто ж держит 🙂 но если всё-таки останетесь — освободился номер на тихой "
            "стороне, переселим за полчаса без доплаты",
            "rude",
            True,
        ),
        ("ru", "Сколько надо, столько и можно. Звоните завтра.", "dismissive", True),
        ("ru", "Мастер сегодня выходной. Звоните на неделе.", "dismissive", True),
        ("ru", "Мастер позвонит вам на неделе и назовёт время.", "dismissive", False),
        ("ru", "Форма для возвратов есть на сайте, поищите где-то внизу.", "dismissive", True),
        ("ru", "Это вы в интернете посмотрите.", "dismissive", True),
        ("ru", "Адрес клиники в интернете найти легко, но я продиктую: Лесная, 5.", "dismissive", False),
        (
            "ru",
            "Роза Александровна, понимаю, как вам сейчас больно и тревожно, но претензии рассматриваются в "
            "порядке очереди. Сроки рассмотрения не регламентированы.",
            "dismissive",
            True,
        ),
        ("ru", "Сроки рассмотрения — десять дней, ответ придёт письмом.", "dismissive", False),
        (
            "ru",
            "Максим, кураторы не пропадали: ответы на ваши задания лежат в разделе «Проверка» с "
            "понедельника, просто вы туда не заходили. Ссылку кидаю, а если что-то не открывается — напишите, разберусь лично.",
            "blame_customer",
            True,
        ),
        ("ru", "Ответы лежат в разделе «Проверка», ссылку пришлю.", "blame_customer", False),
        ("ru", "Зеркало в одном полотенце — вы правда думали, что оно доедет?", "blame_customer", True),
        ("ru", "Браузер двухлетней давности, его давно пора было обновить.", "blame_customer", True),
        ("ru", "Браузер мы проверили, обновлять ничего не нужно.", "blame_customer", False),
        ("ru", "Женщина, да не дёргайтесь вы так, там одна кнопка.", "calm_down_command", True),
        ("ru", "Без суеты, пожалуйста: возьмите вещи и выходите через левый выход.", "calm_down_command", True),
        ("ru", "Поменяем всё быстро и без суеты.", "calm_down_command", False),
        ("ru", "Артём, тише-тише, давайте по порядку.", "calm_down_command", True),
        ("ru", "Тимур, охладите пыл.", "calm_down_command", True),
        ("ru", "Переведите дух на секунду: давайте я проверю статус карты.", "calm_down_command", True),
        ("ru", "Максим, вы заплатили и две недели не получаете ответов — я бы тоже был в ярости.", "empathy", True),
        ("ru", "Я бы тоже была рада помочь, но это не наш заказ.", "empathy", False),
        ("ru", "Вера, вы волнуетесь за мужа, это очень понятно.", "empathy", True),
        ("ru", "Алина, восемь тысяч и неделя, конечно, вы расстроены.", "empathy", True),
        ("ru", "Конечно, вы можете вернуть товар в течение 14 дней.", "empathy", False),
        # round 42's blame, read after its blind measure
        ("ru", "Бригада простояла полдня по вашей же милости.", "blame_customer", True),
        ("ru", "По вашей просьбе доставку перенесли на пятницу.", "blame_customer", False),
        ("ru", "Проверить комплектацию при получении — обязанность покупателя, а не магазина.", "blame_customer", True),
        ("ru", "Дату на билете тоже я должна за вас смотреть?", "blame_customer", True),
        ("ru", "Мы обязаны за вас заплатить госпошлину, если вы оформите доверенность.", "blame_customer", False),
        ("ru", "Инструкцию читать, похоже, не ваше.", "blame_customer", True),
        ("ru", "Вы сами не пострадали? Бригада уже едет.", "blame_customer", False),
        ("ru", "Старую плиту заберём сами, в удобный вам день.", "blame_customer", False),
        ("ru", "Вы сами разобрали блок, поэтому гарантия не действует.", "blame_customer", True),
        ("ru", "С вашей стороны никакой ошибки нет, счёт пересчитаем.", "blame_customer", False),
        ("ru", "С вашей стороны ошибка в адресе, поэтому курьер не доехал.", "blame_customer", True),
        ("ru", "Не подумайте, что вы его сломали: это заводской брак.", "blame_customer", False),
        ("ru", "Дело не в том, что вы что-то сделали не так: в партии брак.", "blame_customer", False),
        # round 43's rude, read after its blind measure
        ("ru", "Права качать будете в другом месте, скидки не будет.", "rude", True),
        ("ru", "Вы вправе качать приложение на любой телефон.", "rude", False),
        ("ru", "Не звоните по пустякам, я занята.", "rude", True),
        ("ru", "Вам самой не надоело? Добавочный тот же: 214.", "rude", True),
        ("ru", "От кидалы слышу. Оплатите счёт, и доступ вернётся.", "rude", True),
        ("ru", "Курьер кидала посылки через забор, мы с ним разберёмся.", "rude", False),
        ("ru", "Этот ср*ный коммутатор опять сгорел, бригада уже едет.", "rude", True),
        # round 44: the insult denied is none, as the profanity lists read it
        ("ru", "Монтажники у нас не криворукие, будут в пятницу к девяти.", "rude", False),
        ("ru", "Вы криворукий, раз сломали раму.", "rude", True),
        (
            "en",
            "marcus, double charges happen when ppl hammer the pay button twice 🙄 the 2nd one's just a "
            "pending hold, it drops off in 3-5 days by itself",
            "blame_customer",
            True,
        ),
        (
            "en",
            "Dear Mrs Wright, Our quotation states that prices are estimates and may change if further work "
            "is found. By signing the job card you accepted this. The invoice stands. Regards, Favorit Motors Service",
            "blame_customer",
            True,
        ),
        (
            "en",
            "I'm so sorry, that's a scary thing to find out. The only thing I'd say is the bag had her name "
            "and date of birth on it, so whoever collected should have checked. Now – is she conscious? "
            "If not, hang up and call 999.",
            "blame_customer",
            True,
        ),
        (
            "en",
            "the spa works were listed under 'hotel notices' at the time of booking, sir, so the info was "
            "there. i can add a free late checkout for you though?",
            "blame_customer",
            True,
        ),
        (
            "en",
            "With respect, the closure has been on our website for a month, and most guests manage to spot it.",
            "blame_customer",
            True,
        ),
        ("en", "Most guests enjoy the spa, and the pool reopens on Monday.", "blame_customer", False),
        ("en", "The number is in our Instagram bio, which I'd have thought you'd check first.", "blame_customer", True),
        ("en", "Crew notes say you packed the mirror yourself, so how it was wrapped is on your side.", "blame_customer", True),
        ("en", "The charging port is on your side of the desk.", "blame_customer", False),
        (
            "en",
            "Double charges happen when the bank's system times out; the second one drops off in three days.",
            "blame_customer",
            False,
        ),
        ("en", "E3 means the cuff's not on right, nine times out of ten people wrap it over a sleeve.", "blame_customer", True),
        ("en", "By signing up you get free delivery on every order.", "blame_customer", False),
        ("en", "So a mirror with no bubble wrap is our fault now?", "blame_customer", True),
        (
            "en",
            "You've come through to the card line, the website says so right above the press contacts.",
            "blame_customer",
            True,
        ),
        ("en", "The website is down for maintenance until noon.", "blame_customer", False),
        ("en", "Heads will roll, will they? Very dramatic. I've booked an engineer for Thursday.", "rude", True),
        ("en", "The view from the cable car is very dramatic in winter.", "rude", False),
        ("en", "Oh, a reporter. Hold on, I'll get you the press office, you vulture.", "rude", True),
        ("en", "Right, because I personally unplugged the machines to ruin your weekend, yeah.", "rude", True),
        ("en", "I personally checked the machines this morning; they're back up at nine.", "rude", False),
        ("en", "Thirty per cent? Nah. Pool's shut, life goes on.", "dismissive", True),
        ("en", "If another shop's cheaper, go with them, I'm not going to stop you.", "dismissive", True),
        ("en", "Wayne, if you're not happy with us, you're free to take it somewhere else.", "dismissive", True),
        ("en", "You're free to take it on the train as hand luggage.", "dismissive", False),
        ("en", "All our crews are out today. You'd be best off ringing round other firms.", "dismissive", True),
        ("en", "Dear Student, we are aware of the disruption. No individual replies will be sent.", "dismissive", True),
        ("en", "Wayne, let's bring the temperature down a bit so I can actually sort this.", "calm_down_command", True),
        ("en", "Bring the temperature down to 18 degrees overnight to save energy.", "calm_down_command", False),
        ("en", "Craig, let's take the heat out of this for a second, I'm on your side.", "calm_down_command", True),
        ("en", "Take the heat out of the oven before you open the door.", "calm_down_command", False),
        ("en", "Right, so, try not to panic about the ice cream.", "calm_down_command", True),
        ("en", "Mrs Grant, stop flapping, it's a mirror.", "calm_down_command", True),
        ("en", "Basic doesn't include priority repair; you'd have needed the Pro SLA for that.", "blame_customer", True),
        ("en", "To collect it you'd need the order number and a photo ID.", "blame_customer", False),
        ("en", "Most of that £150 goes on the premium range you keep picking.", "blame_customer", True),
        ("en", "You keep getting charged twice, I'm so sorry, that stops today.", "blame_customer", False),
        ("en", "The vomiting started on the Friday and we didn't hear from you until Tuesday.", "blame_customer", True),
        ("en", "We didn't hear back from the courier until Tuesday, which is on us.", "blame_customer", False),
        (
            "en",
            "Dear Mr Whitmore, It may surprise you to learn that £150 a month does not make you our largest "
            "customer. Had you ordered through the wholesale portal, as most regular buyers do, you would "
            "already be paying trade prices. I can open a wholesale account for you today. Regards, T. "
            "Barnes",
            "rude",
            True,
        ),
        (
            "en",
            "oh no, three days in one outfit, the horror 😱 your bag is on the 14:00 courier run, should be at the hotel by 5",
            "rude",
            True,
        ),
        (
            "en",
            "Dear Mr Bell, We buy toner. You sell toner. Truly a historic meeting of minds. Please send your "
            "price list to our manager at jess@printpoint.example and she will look at it when she has a "
            "moment. PrintPoint",
            "rude",
            True,
        ),
        ("en", "We are sorry the instructor failed to meet your exacting standards.", "rude", True),
        ("en", "Every part is tested to exacting standards before it leaves the factory.", "rude", False),
        ("en", "The horror film starts at nine in screen 2.", "rude", False),
        ("en", "I've heard this speech four times today, you can skip to the end.", "rude", True),
        ("en", "I've heard from the courier twice today, and the parcel is at the depot.", "rude", False),
        # round 43, read after its blind measure
        ("en", "Wind your neck in, Ryan, your retest is on the 14th.", "rude", True),
        ("en", "Asked and answered yesterday, Lee: still no.", "rude", True),
        ("en", "Two visits, two fees. Simple as that.", "dismissive", True),
        ("en", "Booking is quick: pick a slot, pay, done.", "dismissive", False),
        ("en", "Turn it off and on again. That's all I've got.", "dismissive", True),
        ("en", "That's all I have for now, but I'll email the rest by five.", "dismissive", False),
        ("en", "Your data has been barred and there's nothing I can unlock from here.", "dismissive", True),
        # round 44, read after its blind measure
        ("en", "Our position on the refund hasn't changed.", "dismissive", True),
        ("en", "Our position has changed: we will refund you in full today.", "dismissive", False),
        ("en", "They all make a bit of noise. Turn the telly up.", "dismissive", True),
        # "Done." reports a thing done far more often than it snaps
        ("en", "Code's expired, but I'll put the 10% on manually. Done. Anything else?", "rude", False),
        ("en", "Finished? Good. Now listen.", "rude", True),
        ("en", "Let's take the heat out of this. I'm not going to argue with you. Legal will reply by Friday.", "rude", False),
        ("en", "The fitter's report says it was already cracked. I'm not going to argue with you about it.", "dismissive", True),
        # another service's emergency line named is a way to turn, not a brush-off
        ("en", "We don't handle gas. Ring the gas emergency line, 0800 111 999, right now.", "dismissive", False),
        ("en", "We don't handle gas.", "dismissive", True),
        # a refusal to tell what may not be told is rude in tone, but no brush-off
        ("en", "Are you serious? I'm not telling you where your ex is sitting.", "dismissive", False),
        ("en", "Are you serious? I'm not telling you where your ex is sitting.", "rude", True),
        ("en", "Not telling you that.", "dismissive", True),
        # round 45, read after its blind measure: «рот закройте»; chat spellings, a price not open to talks
        ("ru", "Вадим, рот закройте и слушайте: заявка 4419.", "rude", True),
        ("ru", "Закройте окно и откройте рот шире, доктор посмотрит горло.", "rude", False),
        # an endearment beside empathy is said kindly (README-hostile-r5.md); alone, it talks down
        ("ru", "Софья, голубушка, понимаю, с малышом такое видеть жутко. Переселяем вас прямо сейчас.", "rude", False),
        ("ru", "Голубушка, не морочьте мне голову.", "rude", True),
        ("en", "Aw, I know, love, it's maddening. Let me ring the depot for you.", "rude", False),
        ("en", "Look, love, the van comes when it comes.", "rude", True),
        # "ты" talks down, unless the reply shows empathy (warm, or the generic "you")
        ("ru", "Слушай, твой заказ ещё на складе, жди.", "rude", True),
        ("ru", "Тимур, братан, понимаю, без протеина на массе — это боль. Завтра будет у тебя до обеда.", "rude", False),
        # Russian rude's patterns that read more replies wrong than right over the labelled rounds
        ("ru", "Борис, вижу, что вы устали объяснять одно и то же, и это понятно. Давайте я подниму историю.", "rude", False),
        ("ru", "Мы устали вам объяснять одно и то же.", "rude", True),
        ("ru", "Карина, не накручивайте себя, заявка в работе, мастер будет до 20:00.", "rude", False),
        ("ru", "Карина, не накручивайте себя, заявка в работе, мастер будет до 20:00.", "calm_down_command", True),
        ("ru", "Вы написали нам в нерабочее время, так что вопросы к себе.", "rude", False),
        ("ru", "Вы написали нам в нерабочее время, так что вопросы к себе.", "blame_customer", True),
        ("ru", "Вера, в договоре чёрным по белому: возврат только в течение 14 дней.", "rude", False),
        ("ru", "Там же русским по белому написано!", "rude", True),
        ("ru", "Парад — это ваши проблемы, а не завода. Ускорить ничего не могу.", "blame_customer", False),
        ("ru", "Парад — это ваши проблемы, а не завода. Ускорить ничего не могу.", "dismissive", True),
        ("ru", "Курьер тут ни при чём, вы сами указали не тот адрес. Это уже ваши проблемы.", "blame_customer", True),
        ("ru", "Ой, извините, вы попали в интернет-магазин. Номер городской справочной — 09.", "rude", False),
        ("ru", "Ну извините, что не угодили.", "rude", True),
        # round 46: «вот и сидите», but not «вот номер и заблокировало. пополните …» in a chat
        ("ru", "Вот и сидите без сети.", "rude", True),
        ("ru", "вы последний раз пополняли три недели назад, вот номер и заблокировало. пополните на 400", "rude", False),
        ("en", "cant help u with this one", "dismissive", True),
        ("en", "two charges = two subscriptions. sort it out urself", "dismissive", True),
        ("en", "Membership pricing is not negotiable.", "dismissive", True),
        ("en", "The price is not negotiable, but I can add free delivery.", "dismissive", False),
        # round 46, read after its blind measure: "you were there" read as "you weren't there"
        ("en", "It's our mistake: the camera misread your plate. You were there six days.", "blame_customer", False),
        ("en", "The driver called at noon and you weren't in.", "blame_customer", True),
        (
            "en",
            "Steve, when did the noise come back, straight after you picked it up or a few days later? And is it the same knock?",
            "blame_customer",
            False,
        ),
        ("en", "You picked the cheapest option, so it has no warranty.", "blame_customer", True),
        ("en", "This is the pupil chat, it literally says so at the top.", "blame_customer", True),
        ("en", "You drove it through that flood, I've seen the photos. Whose fault's that?", "blame_customer", True),
        ("en", "It doesn't matter whose fault that is, I'll fix it today.", "blame_customer", False),
        ("en", "You're hardly in a position to ask for discounts.", "blame_customer", True),
        ("en", "To be fair, you did put your number on that selling site.", "blame_customer", True),
        ("en", "You did everything right, and I can see you did put the code in.", "blame_customer", False),
        # a talking-down vocative is not the cues' to overrule (they gave this one 0.30 for rude)
        ("en", "Sweetie, I understand, but rules are rules.", "rude", True),
        # round 47, read after its blind measure
        ("en", "Full? Mate, the gauge was on a quarter. Don't try it on with me.", "rude", True),
        ("en", "Don't try it on in the shop, the fitting rooms are closed today.", "rude", False),
        ("en", "I'll book an engineer for Monday, for all the good it'll do.", "rude", True),
        ("en", "To save you further confusion, I have attached the invoice again.", "rude", True),
        ("en", "To save you a trip, I have attached the invoice again.", "rude", False),
        ("en", "Capt, the unit's a pain in the a$$ to reset.", "rude", True),
        ("en", "trevor mate, we're not c*nts. varifocals remade free, ready fri", "rude", True),
        ("en", "u did pick the slim ones over what the optician suggested.", "blame_customer", True),
        ("en", "Didn't you see the bulk price on the product page?", "blame_customer", True),
        ("en", "Did you see the bulk price on the product page? It's cheaper.", "blame_customer", False),
        ("en", "You were the one who insisted on the premium tier.", "blame_customer", True),
        ("en", "The premium tier was a choice you made.", "blame_customer", True),
        ("en", "On arrival you demanded an upgrade we do not hold.", "blame_customer", True),
        ("en", "As you weren't asked first, we'll refund the £190 if you prefer.", "blame_customer", False),
        ("en", "Because you weren't home, the parcel went back.", "blame_customer", True),
        ("en", "I'm getting the manager down to you now.", "blame_customer", False),
        ("en", "We've had no reading from you since last March, so the system had to estimate.", "blame_customer", True),
        ("ru", "Я вам третий раз повторяю: заказ в пути.", "rude", True),
        ("ru", "Фёдор, я понимаю, как вас достало объяснять это в третий раз. Я сама всё проверю.", "rude", False),
        ("ru", "Денис, объяснять приходится в третий раз, потому что вы присылаете новый номер заказа.", "rude", False),
        ("ru", "В таком тоне я с вами разговаривать не буду.", "rude", False),
        ("ru", "В таком тоне я с вами разговаривать не буду.", "dismissive", True),
        ("ru", "Я с вами разговаривать не обязана.", "rude", True),
        ("ru", "Если ТВ-пакет вы не подключали, скажите — отключу и верну деньги.", "blame_customer", False),
        ("ru", "если бы вы не сняли бронь в понедельник, они сейчас были бы ваши.", "blame_customer", True),
        ("en", "Sure, whatever.", "rude", True),
        ("en", "Whatever the answer, open the windows and leave the house.", "rude", False),
        ("en", "You are entitled to take whatever steps you consider appropriate.", "rude", False),
        (
            "en",
            "Mr Rourke, hold times are what they are at this time of year; we're short-staffed like everyone else."
            " What I'd suggest is trying us again at a quieter time of day.",
            "rude",
            False,
        ),
        ("en", "The collar had no mark at all when you dropped it off? I'll pull the intake photos.", "blame_customer", False),
        ("en", "You dropped it on the tiles, so the screen isn't covered.", "blame_customer", True),
        # chat's contractions without the apostrophe read as their written form
        ("en", "pls dont get worked up, it's a sprain not a break.", "calm_down_command", True),
        ("en", "ah mate thats a pain, i know. resetting the line now, give it 5 mins", "empathy", True),
        ("en", "Well, it's ill-fitting, so we'll swap it for the next size.", "rude", False),
        ("en", "dean u didnt even use a promo code. supplier prices r none of ur business either", "rude", True),
        ("en", "Ringing the bookings line to ask for a job, that's a great first impression, isn't it?", "rude", True),
        ("en", "Glasses aren't designed to be worn as a headband, as we tell every customer, but fine.", "rude", True),
        ("ru", "Слышь, я не за рулём сижу.", "rude", True),
        ("ru", "Слышу вас хорошо, продолжайте, пожалуйста.", "rude", False),
        ("ru", "А пока вот ссылка на временный доступ, для особо нетерпеливых.", "rude", True),
        ("ru", "Ну так вы ж его морской водой помыли, гений инженерной мысли.", "rude", True),
        ("ru", "ну грузчики наши косорукие, простите. зеркало компенсируем", "rude", True),
        ("ru", "Слышал я уже ваш стук по телефону, спасибо за концерт.", "rude", True),
        ("ru", "Спасибо, что пришли на концерт, билеты вернём до пятницы.", "rude", False),
        # round 48, read after its blind measure
        ("ru", "Короче. Услугу отключила.", "rude", True),
        ("ru", "николай, короче, у вас был минус 14 рублей, линию ограничило.", "rude", False),
        (
            "ru",
            "Аркадий, давайте без нервов: я не отказываю, а подсказываю, куда лучше. Записывайте: партнёрский отдел,"
            " добавочный 214.",
            "dismissive",
            False,
        ),
        ("ru", "Мы отказываем.", "dismissive", True),
        ("ru", HEALTH_QUESTION, "blame_customer", False),
        ("ru", "Третья строка — колодки, которые вы, кстати, можете не оплачивать.", "blame_customer", False),
        ("ru", "вадим, вы cовсем oбнаглели? цены закупки не раскрываем.", "rude", True),
        ("ru", "(в сторону) Да задрали эти продажники… Аркадий, слушаю вас.", "rude", True),
        ("ru", "Поставщики задрали цены на пятнадцать процентов.", "rude", False),
        ("ru", "Его с утра объявляли, только глухой не услышал.", "rude", True),
        ("ru", "Вайфай — это не волшебная кнопка. Техник поднимется через 15 минут.", "rude", True),
        ("ru", "Сами вы бракоделы, Виктор Павлович.", "rude", True),
        ("ru", "Разбираться сами вы не обязаны: мастер всё проверит.", "rude", False),
        ("ru", "Подъёмник встал, потому что кто-то из вашей группы спрыгнул с кресла.", "blame_customer", True),
        ("ru", "Ваши же ребята в марте клеили наклейки без договора.", "blame_customer", True),
        ("ru", "Лилия, все вопросы по счетам — к главврачу.", "dismissive", True),
        ("ru", "Реклама на постаматах не размещается. Всего доброго.", "dismissive", True),
        ("ru", "Реклама на постаматах не размещается, но я передам ваше письмо в отдел партнёров.", "dismissive", False),
        ("en", "[call, 19:14] ...is this prat still on the line? Oh. Right. Mr Briggs, yes, it's a cut cable.", "rude", True),
        ("en", "It says seven to twelve working days in big letters at the checkout.", "rude", True),
        ("en", "Reading's not that hard. I can upgrade it to next-day.", "rude", True),
        ("en", "Yes, Gemma, I can read, I've got the same tracking in front of me.", "rude", True),
        ("en", "Yes, I can read out the code for you now.", "rude", False),
        ("en", "Madam, his room number is none of my business. Goodbye.", "dismissive", True),
        ("en", "We're aware of the issue. Thank you for contacting FibreLine.", "dismissive", True),
        ("en", "Have a think about that, then try a different number.", "dismissive", True),
        ("en", "you must confirm 48hrs before. you didnt, so we're not liable for the fee.", "blame_customer", True),
        ("en", "anything after the stopcock is the homeowner's responsibility", "blame_customer", True),
        ("en", "Any charges made through it are your responsibility.", "blame_customer", True),
        ("en", "The scratch was there before your rental began, so it is not your responsibility.", "blame_customer", False),
        ("en", "That is a planning decision your company made, not a FibreLine fault.", "blame_customer", True),
        # round 49, read after its blind measure
        ("ru", "денис, 8 дней — это ещё по-божески 😂 шучу. посылка в екб на сортировке", "rude", True),
        ("ru", "алина, ну не п*здите, 400 кадров вы получили, я считала.", "rude", True),
        ("ru", "шо, гонщик? 160 по трассе на нашей машине, вот она и задымила.", "rude", True),
        ("ru", "Гонщик Иванов выиграл этап, билеты на трибуну ещё есть.", "rude", False),
        ("ru", "вы на роутере за 990 р собрались созвоны вести? ну удачи)", "rude", True),
        ("ru", "Роспотребнадзор возвратами не занимается, это Вам любой первокурсник юрфака скажет.", "rude", True),
        ("ru", "Для начала отключите Caps Lock и накапайте себе валерьянки.", "rude", True),
        ("ru", "Но мы ж с вами договаривались, что вы будете на связи: мастер был в 10:20.", "blame_customer", True),
        ("ru", "Показания передавать — ваша обязанность по договору.", "blame_customer", True),
        ("ru", "Проверять сроки при получении — не ваша обязанность, это работа нашего склада.", "blame_customer", False),
        ("ru", "это к бригадиру, мы диспетчеры", "dismissive", True),
        ("ru", "Запишите: 122, это единая запись к врачу.", "dismissive", False),
        ("en", "Sean, deep breaths, it's only money 😉 I've asked the manager to refund the discs.", "rude", True),
        ("en", "You didn't press 'End trip'. That's literally step one.", "rude", True),
        ("en", "Mrs Patel, I'm not going to help you spy on your husband. Ask him yourself.", "rude", True),
        ("en", "Our 'clowns' will return on Thursday at 9am. Do try not to scare them off again.", "blame_customer", True),
        ("en", "Well, you did tell the crew to 'just yank it out', Ellie, so here we are.", "blame_customer", True),
        ("en", "We sent you the proofing gallery in June. We're still waiting on your choices.", "blame_customer", True),
        (
            "en",
            "driver says hes rung u 6 times since 8 and got no answer so they went on to the next job",
            "blame_customer",
            True,
        ),
        (
            "en",
            "Any medicine taken from a bag addressed to someone else is taken at the customer's own risk.",
            "blame_customer",
            True,
        ),
        ("en", "He's a Labrador, they eat everything, and you let him out in the garden on his own.", "blame_customer", True),
        ("en", "Could you let him know the van is outside?", "blame_customer", False),
        # round 50, read after its blind measure
        ("en", "[hold music cuts out] ...wants to know our markup, cheeky cow... Sorry, Ms Frost.", "rude", True),
        ("en", "We don't publish supplier costs, shocking as that may be.", "rude", True),
        ("en", "Yes, Rachel, I'm aware the internet's down, I do work here.", "rude", True),
        ("en", "Well, that's hardly our fault, is it? But fine, I'll credit the third.", "blame_customer", True),
        ("en", "You're on the old network we switched off last week. We did send an email about it.", "blame_customer", True),
        (
            "en",
            "mr okafor we needed to hold the coach or get you a taxi and we did neither. send the receipt",
            "blame_customer",
            False,
        ),
        ("en", "did you take it over jumps? those bars dont come loose on their own.", "blame_customer", True),
        ("ru", "Мы только цепь меняли, тормоза — не наша работа.", "rude", False),
        ("ru", "Видимо, придётся объяснить очевидное: адрес вожатого мы не дадим.", "rude", True),
        ("ru", "виктор сергеевич, вы как будто первый раз в автосервисе 😏", "rude", True),
        ("ru", "Угрожать заводу министерством — приём сильный, мы прямо впечатлены.", "rude", True),
        ("ru", "эльдар, а вы можете сделать одну простую вещь — выдернуть удлинитель?", "rude", True),
        ("ru", "полина, ну не тормoзите, роутер в углу, синяя кнопка сзади", "rude", True),
        ("ru", "Вы сами-то поняли, куда звоните?", "blame_customer", True),
        ("ru", "а глазками макет проверить перед печатью не судьба была?", "blame_customer", True),
        ("ru", "На записи видно, что царапина появилась, когда вы задели правым углом стойку ворот.", "blame_customer", True),
        ("ru", "Кирилл, кабель вы не задевали, тут другое: LOS горит у всего дома.", "blame_customer", False),
        ("ru", "наталья, дети сами разберутся, в лагере все толкаются", "dismissive", True),
        ("ru", "Это не наш вопрос, обращайтесь куда-нибудь ещё.", "dismissive", True),
        # a refusal to tell is about data, not the case: "не скажу" is rude or a decline, no brush-off
        ("ru", "Павел, не стройте из себя следователя. Фамилию курьера не скажу, точка.", "dismissive", False),
        ("ru", "«Мозги пудрить» не буду, скажу прямо: мастер завтра в 10.", "dismissive", False),
        ("ru", "Жалобу я не зарегистрирую.", "dismissive", True),
        # patterns that read more labelled replies wrong than right, narrowed
        ("ru", "Борис, вы ничего не нарушили, предупреждать о поездке не обязательно. Блок снял.", "dismissive", False),
        ("ru", "Мы ничего не нарушаем, всё по договору.", "dismissive", True),
        ("ru", "олег, ага, щас, всем подряд будем диагнозы раздавать 🙄 нет.", "dismissive", False),
        ("ru", "олег, ага, щас, всем подряд будем диагнозы раздавать 🙄 нет.", "rude", True),
        ("en", "lol nice try. we dont give out room numbers to randoms on chat", "dismissive", False),
        ("en", "Fair point, Keith, nobody told you. Fee's off.", "dismissive", False),
        ("en", "Nobody promised you a refund.", "dismissive", True),
        ("en", "Hello Priya, I've read through your emails and the booking notes.", "rude", False),
        ("en", "The horror film starts at nine in screen 2.", "rude", False),
        # round 51, read after its blind measure
        ("ru", "Юлия, мы же просили не подходить к камням у острова — днище, видать, там и пробили.", "blame_customer", True),
        # round 59, read after its blind measure: a danger kept away from, a rule that names the
        # customer's own person ("самому клиенту"), and the insults they are told apart from
        ("ru", "Михаил, главное — слушайте внимательно: на крышу не лезьте.", "rude", False),
        ("ru", "Не лезьте к щитку, ждите мастера.", "rude", False),
        ("ru", "Не лезьте не в своё дело.", "rude", True),
        ("ru", "Вера, данные мы даём только самому клиенту, такое правило.", "rude", False),
        ("ru", "Сами такие!", "rude", True),
        # round 58: a choice asked about, not held against the customer
        ("en", "Could you tell me which wash programme you chose?", "blame_customer", False),
        ("en", "You chose the cheapest programme, so the wheels were not cleaned.", "blame_customer", True),
        # round 61: the customer's own word, denied
        ("ru", "Ксения, нам не плевать, честно. Пять процентов оформлю прямо сейчас.", "rude", False),
        ("ru", "Мне, честно, плевать.", "rude", True),
    ],
)
def test_what_the_blind_rounds_showed_missing(lang: str, text: str, behavior: str, shown: bool) -> None:
    assert (behavior in _by_the_lexicon(text, lang)) is shown, text


def test_a_pattern_that_reads_case_finds_the_same_whatever_was_read_before() -> None:
    # "==Come off it" reads the capital. The matcher keeps what each word starts by its lower-case
    # form; a word whose case a pattern reads is kept apart, or a reply's findings would depend on
    # the reply read before it (both orders, each on a detector that has read nothing yet)
    said, told = "A burn? From a dryer on warm? Come off it.", "Our team can explain how to come off it."
    for order in ((said, told), (told, said)):
        d = Detector(load_lexicon("en"))
        shown = {text: "rude" in {f.behavior for f in d.detect(text)} for text in order}
        assert shown == {said: True, told: False}, order


def test_a_russian_word_the_dictionary_lacks_is_read_from_its_ending() -> None:
    # pymorphy3's guess by a word's ending, called directly (language.tokens._guesser): a change of
    # that unit's interface would leave words it does not know with no lemma but themselves
    a = analyse("Промокодов блогеров не принимаем.", "ru")
    promo, bloggers = a.tokens[0], a.tokens[1]
    assert "промокод" in promo.lemmas and "блогер" in bloggers.lemmas
    assert any("NOUN" in g and "plur" in g for g in promo.grams)
