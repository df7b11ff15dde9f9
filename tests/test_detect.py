"""Behaviour detection: tricky cases in both languages, values, and the labelled sets."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from simkit.content.kit import Kit
from simkit.engine.generation import generate
from simkit.engine.scoring import score_reply
from simkit.language.detection import detect
from simkit.language.evaluation import evaluate, load
from simkit.language.normalize import normalize

from .conftest import ROOT, CliResult

DEVSET = ROOT.parent / "shared" / "devset" / "behaviors.dev.jsonl"
EXTRA = sorted((Path(__file__).parent / "data").glob("behaviors.*.extra.jsonl"))


def found(text: str, lang: str, name: str | None = None) -> set[str]:
    return {f.behavior for f in detect(text, lang, name)}


# (lang, text, customer name, behaviours that must be found, behaviours that must not)
CASES = [
    ("ru", "Не буду я извиняться, вы сами всё сломали.", None, {"blame_customer"}, {"apology"}),
    ("ru", "Извиняться мне не за что: товар проверен.", None, set(), {"apology"}),
    ("ru", "Ну извините, что мы не угадали ваши желания.", None, {"rude"}, {"apology"}),
    ("ru", "Спасибо за ваше «терпение», конечно.", None, {"rude"}, {"gratitude"}),
    ("ru", "Приношу извинения за задержку заказа.", None, {"apology"}, set()),
    ("ru", "Извините, а номер заказа у вас под рукой?", None, {"clarifying_question"}, {"apology"}),
    ("ru", "Доставим в ближайшее время.", None, {"next_step"}, {"timeframe"}),
    ("ru", "Курьер привезёт заказ завтра до 18:00.", None, {"next_step", "timeframe"}, set()),
    ("ru", "Тариф поменялся с первого числа, уведомление было в кабинете.", None, set(), {"timeframe"}),
    ("ru", "Данные уже в CRM, заявку передали в ОТК.", None, set(), {"shouting"}),
    ("ru", "ВЫ НЕ ПОНИМАЕТЕ, КАК ЭТО РАБОТАЕТ.", None, {"shouting"}, set()),
    ("ru", "Ждите ответа!!", None, {"shouting"}, set()),
    ("ru", "Рада помочь Ирине с заказом.", "Ирина", {"address_by_name"}, set()),
    ("ru", "Заказ Ирины уже собран.", "Ирина", {"address_by_name"}, set()),
    ("ru", "Успокойтесь, пожалуйста.", None, {"calm_down_command", "please"}, set()),
    ("ru", "Скидку 20% дать не могу, это не в моих полномочиях.", None, set(), {"offer_discount"}),
    ("ru", "Могу предложить вам скидку 5% на этот заказ.", None, {"offer_discount"}, set()),
    ("ru", "Понимаю ваше возмущение, это действительно неприятно.", None, {"empathy"}, set()),
    ("ru", "Вы говорите, что вам ответили «это не моя проблема»? Так быть не должно.", None, set(), {"dismissive"}),
    ("ru", "Соединяю вас с руководителем отдела.", None, {"escalate_to_supervisor"}, {"route_to_department"}),
    ("ru", "Передаю вашу претензию в юридический отдел.", None, {"route_to_department"}, {"escalate_to_supervisor"}),
    ("ru", "Не могу сообщить данные других клиентов.", None, {"refuse_confidential"}, set()),
    ("en", "I'm not going to apologise for the courier.", None, set(), {"apology"}),
    ("en", "Well, excuse me for trying to help.", None, {"rude"}, {"apology"}),
    ("en", "I'm sorry for the delay with your order.", None, {"apology"}, set()),
    ("en", "I'm afraid the warehouse is closed today.", None, set(), {"apology"}),
    ("en", "We'll get back to you shortly.", None, set(), {"timeframe"}),
    ("en", "A courier will collect it by 6 pm today.", None, {"next_step", "timeframe"}, set()),
    ("en", "Please check whether the ONT LED is red.", None, {"please"}, {"shouting"}),
    ("en", "YOU MUST WAIT like everyone else.", None, {"shouting"}, set()),
    ("en", "I'm pleased to hear the parcel arrived.", None, set(), {"please"}),
    ("en", "Thanks, Mr Smith, that helps.", "Mr Smith", {"address_by_name", "gratitude"}, set()),
    ("en", "Calm down, please.", None, {"calm_down_command", "please"}, set()),
    ("en", "I can't give you 15% off, but I'll waive the delivery fee.", None, set(), {"offer_discount"}),
    ("en", "You say it was 'not my problem'? That should never have been said.", None, set(), {"dismissive"}),
    ("en", "I can't share other customers' details.", None, {"refuse_confidential"}, set()),
    ("en", "I'll pass this to our legal department today.", None, {"route_to_department"}, set()),
    ("en", "I'm transferring you to my supervisor now.", None, {"escalate_to_supervisor"}, {"route_to_department"}),
    # obscene words and insults are rude; a copied insult too; a quoted or reported one is not
    ("ru", "Блин, опять вы. Заказ приедет, когда приедет.", None, {"rude", "dismissive"}, set()),
    ("ru", "Сами вы безмозглый.", None, {"rude"}, set()),
    ("ru", "Вы назвали нас «бестолочами». Назовите, пожалуйста, номер заказа.", None, {"please"}, {"rude"}),
    ("ru", "Не рекомендуем употреблять продукт после срока годности, заменим его бесплатно.", None, {"next_step"}, {"rude"}),
    ("ru", "Мы заменим тупой нож из набора на новый.", None, {"next_step"}, {"rude"}),
    ("ru", "Простите за хамство нашего мастера.", None, {"apology"}, {"rude"}),
    ("ru", "Я не виновата, что вы не умеете пользоваться приложением.", None, {"blame_customer", "rude"}, {"apology"}),
    (
        "ru",
        "Ваш роутер тут ни при чём, авария на линии: мастера восстановят связь до 18:00.",
        None,
        {"next_step"},
        {"dismissive"},
    ),
    ("en", "Sh1t happens, mate. Deal with it.", None, {"rude", "dismissive"}, set()),
    ("en", "You're the clown here, not me.", None, {"rude"}, set()),
    ("en", "We'll assess the damage to the cocktail cabinet and send a replacement.", None, {"next_step"}, {"rude"}),
    ("en", "Nobody forced you to pick the cheapest plan.", None, {"blame_customer", "dismissive"}, set()),
]


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
# raise no alarm: (lang, text, behaviours that must be found, behaviours that must not).
HOSTILE = [
    # a tautology promises nothing; the same words with a real time do
    ("ru", "Склад ответит, когда ответит.", {"dismissive"}, {"next_step"}),
    ("ru", "Ну сломался и сломался, бывает.", {"dismissive"}, set()),
    ("en", "The engineer will come when he comes.", {"dismissive"}, set()),
    ("ru", "Склад ответит, когда получит заявку: сегодня до 18:00.", {"timeframe"}, {"dismissive"}),
    # a last sentence that is only a refusal; "Нет" answering a question before help is none
    ("ru", "Спасибо за ваше обращение. Нет.", {"dismissive"}, set()),
    ("en", "Thanks for asking. The answer is still no.", {"dismissive"}, set()),
    ("ru", "Нет, это не ваша вина. Курьер привезёт заказ завтра.", set(), {"dismissive", "blame_customer"}),
    # name-calling as a form of address; the same word inside a clause is no address
    ("ru", "Баран, прочитай договор.", {"rude"}, set()),
    ("en", "Check your statement, you muppet.", {"rude"}, set()),
    ("ru", "Корова на этикетке — логотип фермы, это не брак.", set(), {"rude"}),
    # hostile brush-offs are rude, and dismissive when nothing is offered
    ("ru", "Мы не волшебники, ждать придётся всем.", {"rude", "dismissive"}, set()),
    ("ru", "Не устраивает — не пользуйтесь.", {"rude", "dismissive"}, set()),
    ("en", "Don't like it? Nobody's stopping you from going to a competitor.", {"rude", "dismissive"}, set()),
    ("en", "You should be grateful it came at all.", {"rude", "dismissive"}, set()),
    ("ru", "Подумаешь, один день без связи.", {"rude", "dismissive"}, set()),
    ("en", "You're making a mountain out of a molehill.", {"rude", "dismissive"}, set()),
    # condescension
    ("ru", "Повторяю в пятый раз: заказ в пути.", {"rude"}, set()),
    ("en", "Let me say it slowly this time: the parcel is on its way.", {"rude"}, set()),
    ("ru", "Вам бы поучиться пользоваться роутером.", {"rude"}, set()),
    ("en", "Are you actually reading my messages?", {"rude"}, set()),
    ("ru", "Простите, что вам приходится повторять одно и то же.", set(), {"rude"}),
    ("en", "I'm sorry you had to repeat the same thing several times.", set(), {"rude"}),
    # a returned insult
    ("ru", "От такого слышу. Мастер будет в четверг.", {"rude"}, set()),
    ("en", "Takes one to know one. Your engineer comes Thursday.", {"rude"}, set()),
    # blame: the customer's own action, "у вас, а не у нас", "everyone else is fine"
    ("ru", "Вы ввели не тот номер карты, поэтому оплата не прошла.", {"blame_customer"}, set()),
    ("en", "You typed the wrong card number, so the payment failed.", {"blame_customer"}, set()),
    ("ru", "Значит, проблема у вас, а не у нас.", {"blame_customer", "dismissive"}, set()),
    ("en", "Everyone else in your building is fine, so it must be your router.", {"blame_customer"}, set()),
    ("ru", "Вы можете сами выбрать удобный день доставки в личном кабинете.", set(), {"blame_customer"}),
    ("ru", "Я не говорю, что вы что-то сломали: мастер просто проверит чайник.", set(), {"blame_customer"}),
    ("ru", "У всех соседей сейчас не работает интернет — авария, инженеры уже выехали.", set(), {"blame_customer"}),
    # a refusal with an offer after "но" is no brush-off; a polite "ничего страшного" neither
    ("ru", "Ничего сделать с погодой не можем, но можем перенести доставку на субботу.", set(), {"dismissive"}),
    ("en", "We can't do anything about the snow, but we can move the delivery to Saturday.", set(), {"dismissive"}),
    ("ru", "Ничего страшного, такое бывает: заменим чайник бесплатно.", {"next_step"}, {"rude", "dismissive"}),
    # empathy, said in other words
    ("ru", "Разделяю ваше огорчение: подарок должен был прийти вовремя.", {"empathy"}, set()),
    ("en", "Your frustration makes complete sense after three outages.", {"empathy"}, set()),
    ("en", "I'd feel exactly the same in your position.", {"empathy"}, set()),
    # round 2 (hostile.r2.*): constructions found in its misses, each with a polite counterpart
    # impersonal refusal: the rule says no, nothing offered
    ("ru", "Возврат за такие товары не предусмотрен.", {"dismissive"}, set()),
    ("ru", "Возврат за такие товары не предусмотрен, но могу оформить обмен на другую модель.", set(), {"dismissive"}),
    ("en", "That's just how the policy works.", {"dismissive"}, set()),
    ("en", "That's how the policy works, but I can waive the fee this once.", set(), {"dismissive"}),
    # a case action refused in the future tense
    ("ru", "Пересчитывать ничего не будем.", {"dismissive"}, set()),
    ("ru", "Не буду вас задерживать: заявку передала мастеру, он позвонит завтра.", set(), {"dismissive"}),
    ("en", "I'm not escalating this any further.", {"dismissive"}, set()),
    (
        "en",
        "We won't be reopening the old ticket; I've opened a new one and the engineer will call you today.",
        set(),
        {"dismissive"},
    ),
    # ending the conversation with nothing done (a conditional warning is not)
    ("ru", "Всё, завершаю разговор.", {"dismissive"}, set()),
    ("ru", "Если оскорбления продолжатся, я положу трубку.", set(), {"dismissive"}),
    ("en", "I'm closing this chat now.", {"dismissive"}, set()),
    ("en", "Before closing this chat: the engineer is booked for Tuesday at 10am.", set(), {"dismissive"}),
    # stalling: a vague promise with no time
    ("ru", "Проверим. Когда-нибудь.", {"dismissive"}, set()),
    ("ru", "Проверим сегодня до 18:00 и перезвоним.", set(), {"dismissive"}),
    ("en", "Someone will look at it at some point.", {"dismissive"}, set()),
    ("en", "Someone will look at it by 5pm today.", set(), {"dismissive"}),
    # the problem denied ("everything works on your side"); a repair reported is not
    ("ru", "У вас всё работает, не выдумывайте.", {"dismissive"}, set()),
    ("ru", "Всё уже работает: мы заменили оборудование на станции.", set(), {"dismissive"}),
    # modal and attention blame; the agent's own omission is not
    ("ru", "Следить надо было за сроком оплаты.", {"blame_customer"}, set()),
    ("ru", "Нам надо было предупредить вас заранее.", set(), {"blame_customer"}),
    ("ru", "А договор вы вообще открывали?", {"blame_customer"}, set()),
    ("ru", "Договор у вас под рукой? Назовите, пожалуйста, его номер.", {"clarifying_question"}, {"blame_customer"}),
    ("en", "Had you read the terms, this would never have happened.", {"blame_customer"}, set()),
    ("en", "Did you receive the terms by email?", {"clarifying_question"}, {"blame_customer", "dismissive"}),
    # the fault placed in the customer's device; negated, it is not
    ("ru", "Причина в вашем телефоне.", {"blame_customer"}, set()),
    ("ru", "Причина не в вашем телефоне: сбой на нашей стороне, чиним.", set(), {"blame_customer"}),
    ("en", "It's your laptop, not the network.", {"blame_customer"}, set()),
    ("en", "It's not your laptop - the fault is on our line and engineers are fixing it.", set(), {"blame_customer"}),
    # a rhetorical question that blames is no clarifying question: nothing is offered
    ("en", "Did you even read the contract?", {"blame_customer", "dismissive"}, set()),
    # impatient retorts are rude only on their own
    ("ru", "Вы закончили? Тогда слушайте.", {"rude"}, set()),
    ("ru", "Вы закончили оформление заказа или нужна помощь?", set(), {"rude"}),
    ("en", "Finished? Good.", {"rude"}, set()),
    ("en", "Are you done with the setup, or shall I stay on the line?", set(), {"rude"}),
    # patronising address; the same word as a product name is not
    ("ru", "Солнышко, подождите ещё.", {"rude"}, set()),
    ("ru", "Набор «Солнышко» приедет завтра.", set(), {"rude"}),
    ("en", "It'll turn up, sweetheart.", {"rude"}, set()),
    # threats if the customer goes on; a courteous "будете так добры" is not
    ("ru", "Будете так разговаривать — отключим линию.", {"rude"}, set()),
    ("ru", "Будете так добры назвать номер заказа?", set(), {"rude"}),
    ("en", "Keep talking like that and I'll block your number.", {"rude"}, set()),
    # calm-down requests, polite or not
    ("ru", "Не переживайте вы так.", {"calm_down_command"}, set()),
    ("ru", "Мы переживаем за ваш заказ не меньше вас и уже ищем его.", set(), {"calm_down_command"}),
    ("en", "Don't worry about it.", {"calm_down_command"}, set()),
    ("en", "I'm worried the parcel was lost, so I'm checking with the depot now.", set(), {"calm_down_command"}),
    # a supervisor named only to refuse the transfer is no escalation
    ("ru", "Начальника нет, и переключать вас я ни на кого не стану.", {"dismissive"}, {"escalate_to_supervisor"}),
    # "why did you do it" blames; "why do you need it" asks
    ("ru", "Зачем же вы его разбирали?", {"blame_customer"}, set()),
    ("ru", "Зачем вам справка: для банка или для работодателя?", set(), {"blame_customer"}),
    # "instead of calling us"
    ("ru", "Читайте договор, а не нам названивайте.", {"rude"}, set()),
    ("ru", "Можно написать нам, а не звонить: ответим в течение часа.", set(), {"rude"}),
    ("en", "Maybe read your statement instead of ringing us.", {"rude", "blame_customer"}, set()),
]


@pytest.mark.parametrize("lang, text, present, absent", HOSTILE, ids=[c[1][:40] for c in HOSTILE])
def test_hostile_construction(lang: str, text: str, present: set[str], absent: set[str]) -> None:
    got = found(text, lang)
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


# the tuning sets, each written blind before tuning on it (README-hostile-r2.md, README-hostile-r3.md)
HOSTILE_SETS = [Path(__file__).parent / "data" / f"hostile.{part}{lang}.jsonl" for part in ("", "r2.", "r3.") for lang in ("ru", "en")]


@pytest.mark.parametrize("path", HOSTILE_SETS, ids=[p.name for p in HOSTILE_SETS])
def test_hostile_tuning_sets_recall_and_precision(path: Path) -> None:
    examples = load(path)
    lang = examples[0].lang
    figures = evaluate(examples)[lang]["per_behavior"]
    for behavior in ("rude", "dismissive", "blame_customer"):
        assert figures[behavior]["r"] >= 0.85, (behavior, figures[behavior])
        assert figures[behavior]["p"] >= 0.9, (behavior, figures[behavior])
