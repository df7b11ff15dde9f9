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
    # round 3 (hostile.r3.*): each miss taken as an instance of a construction, written over lemmas with
    # its variants; sentences written for these tests, each hostile one beside an ordinary reply that
    # shares its words, and more ordinary replies (hard negatives) that must raise no alarm
    # the entitlement ran out: a refusal with no one to blame but the calendar
    ("en", "Your promo code has already expired.", {"dismissive"}, set()),
    ("en", "Your promo code has expired, so I've added a new one to your basket.", set(), {"dismissive"}),
    ("en", "Your promo code hasn't expired: it works until Sunday.", set(), {"dismissive"}),
    # speeding up refused
    ("en", "Your order is in the queue. It won't go any faster.", {"dismissive"}, set()),
    ("en", "It won't get there any sooner by post, so I've sent it by courier for tomorrow.", set(), {"dismissive"}),
    # the request itself forbidden
    ("en", "Don't ring us again about this meter.", {"dismissive"}, set()),
    ("en", "Don't worry, you won't need to ring us again: I've booked the engineer for Monday.", set(), {"dismissive"}),
    # carry on as it is
    ("en", "It's cosmetic. Just keep using it.", {"dismissive"}, set()),
    ("en", "Just keep it unplugged until the engineer arrives at 10am tomorrow.", set(), {"dismissive"}),
    # nothing more to tell
    ("en", "We have no further updates on the repair.", {"dismissive"}, set()),
    ("en", "We have no further updates yet, but I'll call you the moment the depot replies.", set(), {"dismissive"}),
    # a class of job refused, nobody else offered
    ("en", "We don't send anyone out for a dripping tap.", {"dismissive"}, set()),
    (
        "en",
        "We don't send anyone out for a dripping tap, but I can book a plumber from our partner for Thursday.",
        set(),
        {"dismissive"},
    ),
    # a tautology with a particle
    ("en", "Your engineer will turn up when he turns up.", {"dismissive"}, set()),
    (
        "en",
        "Your engineer will turn up when the road reopens, around 3pm, and I'll text you his arrival time.",
        set(),
        {"dismissive"},
    ),
    # the failure made universal
    ("en", "Everyone is waiting this week, that's December for you.", {"dismissive"}, set()),
    (
        "en",
        "Everyone is waiting on the same part, so I've ordered yours from another supplier for Friday.",
        set(),
        {"dismissive"},
    ),
    # a bare order to wait
    ("en", "Look, I said wait.", {"dismissive"}, set()),
    ("en", "I said I'd wait for the depot's reply, and it's in: your parcel comes tomorrow.", set(), {"dismissive"}),
    # identity denied: "we're a shop, not a repair service"
    ("en", "This is an energy supplier, not a plumbing service.", {"dismissive"}, set()),
    (
        "en",
        "This is an energy supplier, not a plumbing service, but I can give you the number of the plumbers we recommend.",
        set(),
        {"dismissive"},
    ),
    ("en", "We're not a library, you know.", {"dismissive"}, set()),
    # the fault renamed into a trifle
    ("en", "That's not a dent, it's a smudge.", {"dismissive"}, set()),
    ("en", "That's not a dent, it's a smudge on the film: I'll send you a cleaning kit today.", set(), {"dismissive"}),
    # an impersonal "can't be done", and the agent refusing by will
    ("en", "It's not possible to reverse a payment once it's cleared.", {"dismissive"}, set()),
    ("en", "It's not possible to reverse the payment, but I can refund it to your card today.", set(), {"dismissive"}),
    ("en", "I'm not going to waive the fee.", {"dismissive"}, set()),
    ("en", "I'm not going to make you wait: the refund is on its way today.", set(), {"dismissive"}),
    # mock concern, the world revolving around the customer
    ("en", "Two days without TV, however did you cope.", {"rude", "dismissive"}, set()),
    ("en", "Two days without TV is a lot; how did you cope with the kids? I've added a credit for both days.", set(), {"rude"}),
    ("en", "The world doesn't revolve around your parcel.", {"rude", "dismissive"}, set()),
    ("en", "The courier's route revolves around the depot's schedule, so I've asked them to bring yours first.", set(), {"rude"}),
    # the customer disbelieved
    ("en", "Everybody says that when they want a refund.", {"rude", "dismissive"}, set()),
    ("en", "Everybody in the team says your order is top priority, and it ships today.", set(), {"rude"}),
    ("en", "You're imagining the noise.", {"rude", "dismissive"}, set()),
    ("en", "You're not imagining the noise: it's a known fault, and I'm sending a replacement.", set(), {"rude", "dismissive"}),
    # sarcastic consent that refuses
    ("en", "Like I'd ever hand out a courier's number.", {"rude", "dismissive"}, set()),
    ("en", "I'd like to hand you over to our courier team, who can rebook the slot.", set(), {"rude", "dismissive"}),
    # wait in line like the rest, complain to anyone you like
    ("en", "Queue like everybody else.", {"rude", "dismissive"}, set()),
    (
        "en",
        "You won't have to wait in the queue: like other priority customers, you'll be called first.",
        set(),
        {"rude", "dismissive"},
    ),
    ("en", "Write to whoever you want, it won't change a thing.", {"rude", "dismissive"}, set()),
    (
        "en",
        "You can write to whoever handles your account: their address is on the first page of the bill.",
        set(),
        {"rude", "dismissive"},
    ),
    # sent back to themselves
    ("en", "You chose the plan, so take it up with yourself.", {"rude"}, set()),
    ("en", "You can take it up with the manufacturer's helpline yourself, or I can call them for you.", set(), {"rude"}),
    # rhetorical questions that answer themselves; imperatives of dismissal
    ("en", "Did you honestly expect a refund for a used mattress?", {"rude", "dismissive"}, set()),
    (
        "en",
        "Did you expect the refund this week? It was sent on Monday and should show by Thursday.",
        set(),
        {"rude", "dismissive"},
    ),
    ("en", "Leave me alone and read the FAQ.", {"rude"}, set()),
    ("en", "I'll leave you alone to try the reset and call back at 3pm to check.", set(), {"rude"}),
    # condescension: repetition held against the customer, "even you", "knowing your type"
    ("en", "As I already said, the charge is correct.", {"rude"}, set()),
    ("en", "As I said I would, I've corrected the charge and emailed you the new bill.", set(), {"rude"}),
    ("en", "I'll spell it out so even you can follow.", {"rude"}, set()),
    ("en", "Even if you can't find the receipt, we can look up the order for you.", set(), {"rude"}),
    ("en", "Knowing your type, you'll be calling again tomorrow.", {"rude"}, set()),
    ("en", "Knowing your account number would let me check the bill; could you read it out?", set(), {"rude", "blame_customer"}),
    ("en", "Book online like normal people do.", {"rude"}, set()),
    ("en", "Most people book online, but I'm happy to book it for you by phone now.", set(), {"rude"}),
    ("en", "The only liar here is the one on the phone.", {"rude"}, set()),
    ("en", "The only engineer here today is already on a job, so I've booked another for tomorrow at 9.", set(), {"rude"}),
    ("en", "It's printed in plain English on the receipt.", {"rude", "blame_customer"}, set()),
    ("en", "In plain English: you pay £5 a month and the first month is free.", set(), {"rude", "blame_customer"}),
    ("en", "It's not our problem that you lost the receipt.", {"rude", "blame_customer"}, set()),
    (
        "en",
        "It's not a problem that you lost the receipt: I can find the order by your email address.",
        set(),
        {"rude", "blame_customer"},
    ),
    # blame: what the customer did or let happen, any person and tense
    ("en", "You let your insurance lapse in March.", {"blame_customer"}, set()),
    ("en", "We let your insurance lapse by mistake in March, so I've reinstated it from today.", set(), {"blame_customer"}),
    ("en", "What have you done to it this time?", {"blame_customer"}, set()),
    ("en", "What can we do to fix it? I'll send an engineer on Monday.", set(), {"blame_customer"}),
    ("en", "You've probably unplugged the box again.", {"blame_customer"}, set()),
    (
        "en",
        "You've probably been told to keep the box plugged in; the engineer is testing it remotely now.",
        set(),
        {"blame_customer"},
    ),
    ("en", "Then it turns out the dog chewed the cable.", {"blame_customer"}, set()),
    ("en", "It turns out the courier dropped the box, so a new one is on its way.", set(), {"blame_customer"}),
    ("en", "The router isn't faulty, you are.", {"blame_customer"}, set()),
    ("en", "The router isn't faulty, you are right: the fault is at the exchange.", set(), {"blame_customer"}),
    ("en", "Under clause 7, the subscriber bears all costs of a missed visit.", {"blame_customer"}, set()),
    (
        "en",
        "Under clause 7, the subscriber is not responsible for missed visits, so I've waived the fee.",
        set(),
        {"blame_customer"},
    ),
    ("en", "Maybe don't leave the window open next time.", {"blame_customer"}, set()),
    ("en", "Maybe the window was open when the storm hit; I've booked the repair for Friday.", set(), {"blame_customer"}),
    ("en", "Read the statement before you ring us.", {"blame_customer"}, set()),
    ("en", "Could you read the statement number to me, please?", set(), {"blame_customer"}),
    ("en", "Insurance doesn't cover carelessness.", {"blame_customer"}, set()),
    ("en", "Insurance covers accidental damage, so I've opened a claim for you.", set(), {"blame_customer"}),
    # empathy in other words; an electric shock is no feeling
    ("en", "I appreciate how disruptive this has been for your shop.", {"empathy"}, set()),
    ("en", "I appreciate your patience while I check the order.", set(), {"empathy"}),
    ("en", "You must be at the end of your tether with this.", {"empathy"}, set()),
    ("en", "I recognise the worry this has caused.", {"empathy"}, set()),
    ("en", "Who could blame you after four missed visits?", {"empathy"}, set()),
    ("en", "Don't touch the cable, it could shock you; I'm sending an electrician now.", set(), {"empathy"}),
    # calm-down requests; a threat on a condition is rude, not a brush-off
    ("en", "Let's not get heated about a delivery slot.", {"calm_down_command"}, set()),
    ("en", "Let's not wait for the courier: I'll collect it myself today.", set(), {"calm_down_command"}),
    ("en", "Stop being so dramatic.", {"calm_down_command"}, set()),
    ("en", "Call me that once more and I'm hanging up.", set(), {"dismissive"}),
    ("en", "Oh, I feel so sorry for you, truly tragic.", {"rude"}, {"empathy"}),
    ("ru", "Быстрее не получится.", {"dismissive"}, set()),
    ("ru", "Быстрее по почте не получится, поэтому отправлю курьером: завтра до 14:00 будет у вас.", set(), {"dismissive"}),
    ("ru", "Сейчас все опаздывают, сезон.", {"dismissive"}, set()),
    (
        "ru",
        "Сейчас все задерживаются из-за снегопада, но ваш заказ я перевела в приоритет: привезём завтра.",
        set(),
        {"dismissive"},
    ),
    ("ru", "Авария на линии, ждите.", {"dismissive"}, set()),
    ("ru", "Ждите звонка мастера: он приедет сегодня до 18:00.", set(), {"dismissive"}),
    ("ru", "Не пишите нам больше по этому поводу.", {"dismissive"}, set()),
    ("ru", "Писать нам больше не нужно: я всё оформила, деньги вернём за три дня.", set(), {"dismissive"}),
    ("ru", "Это просто царапина, пользуйтесь дальше.", {"dismissive"}, set()),
    ("ru", "Пока пользуйтесь дальше, а в субботу курьер привезёт замену.", set(), {"dismissive"}),
    ("ru", "Ваш перевод никуда не денется.", {"dismissive"}, set()),
    ("ru", "Какая поломка, это потёртость.", {"dismissive"}, set()),
    ("ru", "Это не поломка, а потёртость на плёнке — пришлю вам новую плёнку сегодня.", set(), {"dismissive"}),
    ("ru", "Больше никаких сведений у меня нет.", {"dismissive"}, set()),
    ("ru", "Больше сведений у склада нет, но я поставила задачу уточнить и перезвоню вам до 17:00.", set(), {"dismissive"}),
    ("ru", "Из-за такой ерунды мастер не поедет.", {"dismissive"}, set()),
    ("ru", "Даже из-за такой мелочи мастер приедет: записала вас на пятницу.", set(), {"dismissive"}),
    ("ru", "Бросаю трубку.", {"dismissive"}, set()),
    ("ru", "Если связь оборвётся, я не брошу трубку, а перезвоню сама.", set(), {"dismissive"}),
    ("ru", "Мы не раздаём чайники даром.", {"dismissive"}, set()),
    ("ru", "Поменять тариф задним числом невозможно.", {"dismissive"}, set()),
    ("ru", "Поменять тариф задним числом невозможно, но я верну разницу бонусами.", set(), {"dismissive"}),
    ("ru", "Заменить его не выйдет.", {"dismissive"}, set()),
    ("ru", "Отказываюсь это обсуждать.", {"dismissive"}, set()),
    ("ru", "Отказываться от заказа не нужно: я перенесу доставку на субботу.", set(), {"dismissive"}),
    ("ru", "Я не собираюсь ничего пересчитывать.", {"dismissive"}, set()),
    ("ru", "Я не собираюсь вас задерживать: заявка оформлена, мастер позвонит завтра.", set(), {"dismissive"}),
    ("ru", "Планета не вертится вокруг вашего роутера.", {"rude", "dismissive"}, set()),
    ("ru", "Антенна вращается вокруг своей оси, это нормально: так она ищет сигнал.", set(), {"rude"}),
    ("ru", "Каждый так говорит, когда хочет вернуть деньги.", {"rude", "dismissive"}, set()),
    ("ru", "Так говорит инструкция: сначала перезагрузка, потом я проверю линию.", set(), {"rude"}),
    ("ru", "Вы это выдумали, никакого шума нет.", {"rude", "dismissive"}, set()),
    ("ru", "Вы ничего не выдумали: шум — известный дефект, заменим блок бесплатно.", set(), {"rude", "dismissive"}),
    ("ru", "Разбежались мы вам кредиты раздавать.", {"rude", "dismissive"}, set()),
    ("ru", "Ещё чего, компенсацию ему.", {"rude", "dismissive"}, set()),
    ("ru", "Ещё чем-нибудь могу помочь?", set(), {"rude", "dismissive"}),
    ("ru", "Ну а чего вы ждали от бесплатной доставки?", {"rude", "dismissive"}, set()),
    ("ru", "А что вы хотели бы изменить в заказе?", set(), {"rude", "dismissive"}),
    ("ru", "Мы с хамами не разговариваем.", {"rude", "dismissive"}, set()),
    ("ru", "Мы с юристами уже разговаривали: они ответят вам письменно до пятницы.", set(), {"rude", "dismissive"}),
    ("ru", "Оплачивайте или уходите.", {"rude", "dismissive"}, set()),
    ("ru", "Оплатить можно картой или наличными курьеру.", set(), {"rude", "dismissive"}),
    ("ru", "А вы как думали? Акция закончилась.", {"rude", "dismissive"}, set()),
    ("ru", "А как вы думаете, удобнее утром или вечером? Запишу на любое время.", set(), {"rude", "dismissive"}),
    ("ru", "Не мешайте мне работать.", {"rude", "dismissive"}, set()),
    ("ru", "Мастер не помешает вам работать: он всё сделает за полчаса в обед.", set(), {"rude", "dismissive"}),
    ("ru", "Даже вы разберётесь, там всего две кнопки.", {"rude"}, set()),
    ("ru", "Это бесплатно и для вас, и для вашей семьи.", set(), {"rude"}),
    ("ru", "Нажмите кнопку, я в вас верю.", {"rude"}, set()),
    ("ru", "Я верю вам на слово и оформлю возврат без фото.", set(), {"rude"}),
    ("ru", "Раз такой умный, чините сами.", {"rude"}, set()),
    ("ru", "Раз такая ситуация, я сама позвоню в сервис.", set(), {"rude"}),
    ("ru", "Идите в суд, посмотрим, что вам там ответят.", {"rude"}, set()),
    ("ru", "Давайте посмотрим, что вам ответили из банка: пришлите скриншот.", set(), {"rude"}),
    ("ru", "От грубияна слышу.", {"rude"}, set()),
    ("ru", "От курьера слышу, что он уже у подъезда.", set(), {"rude"}),
    ("ru", "Сами сломали — сами и платите.", {"rude", "blame_customer"}, set()),
    ("ru", "Разбираться сами вы не обязаны: мастер всё проверит.", set(), {"rude", "blame_customer"}),
    ("ru", "Срок вы пропустили, так что претензии к себе.", {"rude", "blame_customer"}, set()),
    ("ru", "Вопросы к юристу можно задать в чате, он ответит в течение часа.", set(), {"rude", "blame_customer"}),
    ("ru", "Как я уже говорила, счёт верный.", {"rude"}, set()),
    ("ru", "Как я и обещала, счёт исправлен и отправлен вам на почту.", set(), {"rude"}),
    ("ru", "Вы на звонки не отвечали, вот курьер и уехал.", {"blame_customer"}, set()),
    ("ru", "Вы не туда вставляете кабель.", {"blame_customer"}, set()),
    ("ru", "Если вы не туда вставили кабель, ничего страшного — подскажу, куда.", set(), {"blame_customer"}),
    ("ru", "Ничего не сломано, это вы отключили роутер.", {"blame_customer"}, set()),
    ("ru", "Ничего не сломано, это вы правильно заметили: сбились настройки, я их уже сбросила.", set(), {"blame_customer"}),
    ("ru", "Обманщик здесь скорее вы.", {"blame_customer"}, set()),
    ("ru", "Обманщик здесь явно не вы: мошенники звонили от нашего имени, карту я заблокировала.", set(), {"blame_customer"}),
    ("ru", "Согласно договору, абонент самостоятельно несёт расходы на ремонт кабеля.", {"blame_customer"}, set()),
    ("ru", "Согласно договору, абонент не несёт расходов на ремонт кабеля, всё за наш счёт.", set(), {"blame_customer"}),
    ("ru", "Потом оказывается, что кошка погрызла провод.", {"blame_customer"}, set()),
    ("ru", "Оказалось, что курьер повредил коробку, поэтому заменим товар.", set(), {"blame_customer"}),
    ("ru", "Вы не должны сами разбираться в настройках — это наша работа, я подключусь удалённо.", set(), {"blame_customer"}),
    ("ru", "Не хочу сказать, что дело в вашей розетке, но давайте проверим её вместе.", set(), {"blame_customer"}),
    ("ru", "Неудивительно, что вы расстроились: заказ ехал три недели.", {"empathy"}, set()),
    ("ru", "Неудивительно, что письмо не дошло: в адресе была опечатка, я её исправила.", set(), {"empathy"}),
    ("ru", "Должно быть, это было очень тревожно.", {"empathy"}, set()),
    ("ru", "История действительно неприятная.", {"empathy"}, set()),
    ("ru", "Давайте не будем ссориться из-за доставки.", {"calm_down_command"}, set()),
    ("ru", "Давайте не будем ждать курьера: я сама отвезу заказ в пункт выдачи.", set(), {"calm_down_command"}),
    ("ru", "Соблюдайте спокойствие и отойдите от щитка.", {"calm_down_command"}, set()),
    ("ru", "Сочувствую, прямо до слёз.", {"rude"}, {"empathy"}),
    # more constructions of the same kinds, in other words and other persons
    ("en", "You wiped the settings yourself, so that's why it stopped.", {"blame_customer"}, set()),
    (
        "en",
        "You can reset the settings yourself in the app, or I can do it for you now.",
        set(),
        {"blame_customer", "rude", "dismissive"},
    ),
    ("en", "It isn't possible to get you an earlier slot.", {"dismissive"}, set()),
    ("en", "It isn't possible to get you an earlier slot online, but I can book one by phone right now.", set(), {"dismissive"}),
    ("en", "Calm down and stop the tantrum, it's impossible to talk to you.", {"rude", "calm_down_command"}, {"dismissive"}),
    ("en", "I'm not prepared to discuss it further.", {"dismissive"}, set()),
    ("en", "We decline to refund the ticket.", {"dismissive"}, set()),
    ("en", "I won't be charging you for the visit.", set(), {"dismissive"}),
    ("en", "Like I said before, it's on its way.", {"rude"}, set()),
    ("en", "Like I said earlier, I'm staying on this until it's sorted.", set(), {"rude"}),
    ("en", "Have you ever actually opened the manual?", {"rude", "blame_customer"}, set()),
    ("en", "And whose fault is that?", {"rude", "blame_customer"}, set()),
    ("en", "Stop calling this number.", {"rude", "dismissive"}, set()),
    ("en", "I've got better things to do than listen to this.", {"rude"}, set()),
    ("en", "I'm not your personal assistant.", {"rude", "dismissive"}, set()),
    ("en", "I've heard enough.", {"rude", "dismissive"}, set()),
    ("en", "Seriously, it's one missed delivery.", {"rude", "dismissive"}, set()),
    ("en", "I'm done repeating myself.", {"rude"}, set()),
    ("en", "You get what you pay for.", {"rude", "blame_customer"}, set()),
    ("en", "The app works fine for everyone else.", {"blame_customer"}, set()),
    (
        "en",
        "It works for most people, so let's find out what's different on your phone.",
        set(),
        {"blame_customer", "dismissive"},
    ),
    ("en", "Complain all you want, the fee stays.", {"rude", "dismissive"}, set()),
    ("en", "That claim was rejected and it's staying rejected.", {"dismissive"}, set()),
    ("en", "The claim was rejected, but you can appeal, and I'll help you write it.", set(), {"dismissive"}),
    ("en", "The meter doesn't lie, so you used the gas.", {"blame_customer"}, set()),
    ("en", "Insurance isn't a savings account, you know.", {"rude"}, set()),
    ("en", "It's a bank, not a magic money tree.", {"rude"}, set()),
    ("en", "Calm down, it's a toaster, not a kidney.", {"rude"}, set()),
    ("en", "It's a leak under the sink, not a burst main, so the plumber comes tomorrow at 8.", set(), {"rude", "dismissive"}),
    ("en", "What do you want, a medal?", {"rude"}, set()),
    ("en", "Do I need to draw you a picture?", {"rude"}, set()),
    ("en", "I'll draw you a quick diagram and email it, if that helps.", set(), {"rude"}),
    ("en", "You're not the only one affected, so we've put extra engineers on it tonight.", set(), {"rude"}),
    ("en", "I've read your email twice to make sure I understood everything.", set(), {"blame_customer", "dismissive"}),
    # hard negatives: ordinary replies that use the words of the patterns above
    (
        "en",
        "I'm sorry, the voucher expired last week; I've issued you a new one valid until June.",
        set(),
        {"rude", "dismissive", "blame_customer"},
    ),
    ("en", "It won't take long: the engineer is five minutes away.", set(), {"rude", "dismissive", "blame_customer"}),
    (
        "en",
        "Please don't worry about calling again, I'll ring you as soon as I hear back.",
        set(),
        {"rude", "dismissive", "blame_customer"},
    ),
    (
        "en",
        "The meter was read wrongly by our contractor, so I've corrected your bill.",
        set(),
        {"rude", "dismissive", "blame_customer"},
    ),
    ("en", "There's no need to wait in the queue; I'll book you in directly.", set(), {"rude", "dismissive", "blame_customer"}),
    (
        "en",
        "If it's not possible for you to be home, we can leave it with a neighbour.",
        set(),
        {"rude", "dismissive", "blame_customer"},
    ),
    ("en", "Thanks for your patience; everyone on the team is working on it.", set(), {"rude", "dismissive", "blame_customer"}),
    ("en", "It's not your fault the app crashed; we've fixed the bug.", set(), {"rude", "dismissive", "blame_customer"}),
    ("en", "Just so you know, the refund can take three days to appear.", set(), {"rude", "dismissive", "blame_customer"}),
    (
        "en",
        "Like many customers, you were charged twice; I've reversed the second charge.",
        set(),
        {"rude", "dismissive", "blame_customer"},
    ),
    ("en", "You've been very patient; the parcel is out for delivery now.", set(), {"rude", "dismissive", "blame_customer"}),
    ("en", "I know you've already explained this, and I'm sorry to ask again.", set(), {"rude", "dismissive", "blame_customer"}),
    ("en", "As promised, I've called back: the repair is booked for Tuesday.", set(), {"rude", "dismissive", "blame_customer"}),
    (
        "en",
        "You don't need to repeat yourself, I've got all the details and I'm fixing it now.",
        set(),
        {"rude", "dismissive", "blame_customer"},
    ),
    ("en", "That's not your fault: the reminders went to an old address.", set(), {"rude", "dismissive", "blame_customer"}),
    ("ru", "Вы сами стёрли настройки, поэтому он и перестал работать.", {"blame_customer"}, set()),
    ("ru", "Автоплатёж вы отключили сами.", {"blame_customer"}, set()),
    (
        "ru",
        "Автоплатёж можно отключить самостоятельно в приложении или я отключу его сейчас.",
        set(),
        {"blame_customer", "rude", "dismissive"},
    ),
    ("ru", "К сожалению, это изменить нельзя.", {"dismissive"}, set()),
    ("ru", "Это нельзя изменить в приложении, но я изменю сама прямо сейчас.", set(), {"dismissive"}),
    ("ru", "Ускорить никак не получится.", {"dismissive"}, set()),
    ("ru", "Успокойтесь и прекратите истерику, с вами невозможно разговаривать.", {"rude", "calm_down_command"}, {"dismissive"}),
    ("ru", "Делать я этого не буду.", {"dismissive"}, set()),
    ("ru", "Плату за выезд я брать не буду.", set(), {"dismissive"}),
    ("ru", "Обсуждать это дальше я не намерена.", {"dismissive"}, set()),
    ("ru", "В возврате билета отказываем.", {"dismissive"}, set()),
    ("ru", "В последний раз повторяю: комиссия верная.", {"rude"}, set()),
    ("ru", "А кто в этом виноват, по-вашему?", {"rude", "blame_customer"}, set()),
    ("ru", "Никто в этом не виноват, просто сбой; уже исправили.", set(), {"rude", "blame_customer", "dismissive"}),
    ("ru", "Перестаньте звонить на этот номер.", {"rude", "dismissive"}, set()),
    ("ru", "Я вам не личный секретарь.", {"rude", "dismissive"}, set()),
    ("ru", "Ой, ну подумаешь, одна доставка сорвалась.", {"rude", "dismissive"}, set()),
    ("ru", "Я устала повторять одно и то же.", {"rude"}, set()),
    ("ru", "Больше никто не жалуется, значит, дело в вас.", {"blame_customer"}, set()),
    ("ru", "Дело не в вас: сбой на станции, инженеры уже выехали.", set(), {"blame_customer"}),
    ("ru", "Жалуйтесь сколько угодно, комиссия останется.", {"rude", "dismissive"}, set()),
    ("ru", "Счётчик не врёт, значит, газ вы израсходовали.", {"blame_customer"}, set()),
    ("ru", "Страховка — это вам не копилка.", {"rude"}, set()),
    ("ru", "Это вам не подойдёт, лучше возьмите модель с большим баком.", set(), {"rude"}),
    ("ru", "Банк — это не благотворительная организация.", {"rude", "dismissive"}, set()),
    ("ru", "Вам что, на пальцах объяснять?", {"rude"}, set()),
    ("ru", "Объясню на пальцах: тариф — это абонплата плюс звонки сверх пакета.", set(), {"rude"}),
    ("ru", "Ага, теперь мы виноваты.", {"rude"}, set()),
    ("ru", "Мы сделали всё, что собирались.", {"dismissive"}, set()),
    ("ru", "Ответ на претензию вы получили. На этом всё.", {"dismissive"}, set()),
    ("ru", "Мы магазин телефонов и ноутбуки не чиним, но рядом есть сервис, дам адрес.", set(), {"dismissive"}),
    ("ru", "Погуглите в следующий раз.", {"rude"}, set()),
    ("ru", "Вы меня не слушаете совершенно.", {"rude"}, set()),
    ("ru", "Вы меня не слышите? Перезвоню с другого номера.", set(), {"rude"}),
    ("ru", "Заплатили бы вовремя — не отключили бы.", {"blame_customer"}, set()),
    ("ru", "Мы бы перезвонили раньше, если бы знали, простите.", set(), {"blame_customer"}),
    # hard negatives
    ("ru", "Сертификат, к сожалению, истёк, но я выпустила вам новый до июня.", set(), {"rude", "dismissive", "blame_customer"}),
    ("ru", "Ждать долго не придётся: мастер в пяти минутах от вас.", set(), {"rude", "dismissive", "blame_customer"}),
    (
        "ru",
        "Не нужно звонить ещё раз, я сама перезвоню, как только будут новости.",
        set(),
        {"rude", "dismissive", "blame_customer"},
    ),
    ("ru", "Вы всё сделали правильно, ошибка на нашей стороне.", set(), {"rude", "dismissive", "blame_customer"}),
    (
        "ru",
        "Показания счётчика наш подрядчик записал неверно, счёт я исправила.",
        set(),
        {"rude", "dismissive", "blame_customer"},
    ),
    ("ru", "Очередь ждать не нужно, я запишу вас напрямую.", set(), {"rude", "dismissive", "blame_customer"}),
    ("ru", "Если вы не сможете быть дома, курьер оставит заказ у соседей.", set(), {"rude", "dismissive", "blame_customer"}),
    ("ru", "Приложение упало не по вашей вине, ошибку мы уже исправили.", set(), {"rude", "dismissive", "blame_customer"}),
    ("ru", "Так долго ждать никто не должен, простите нас.", set(), {"rude", "dismissive", "blame_customer"}),
    (
        "ru",
        "Авария затронула не только вас, поэтому мы отправили дополнительные бригады.",
        set(),
        {"rude", "dismissive", "blame_customer"},
    ),
    (
        "ru",
        "Можно настроить это самостоятельно в приложении, а можно я сделаю это за вас.",
        set(),
        {"rude", "dismissive", "blame_customer"},
    ),
    (
        "ru",
        "Как и многим клиентам, вам дважды списали оплату; второе списание я отменила.",
        set(),
        {"rude", "dismissive", "blame_customer"},
    ),
    ("ru", "За выезд мы денег не берём, мастер привезёт деталь с собой.", set(), {"rude", "dismissive", "blame_customer"}),
    ("ru", "Знаю, что вы уже всё объясняли, простите, что переспрашиваю.", set(), {"rude", "dismissive", "blame_customer"}),
    ("ru", "Как и обещала, перезваниваю: ремонт назначен на вторник.", set(), {"rude", "dismissive", "blame_customer"}),
    ("ru", "Повторять не нужно, я всё записала и уже исправляю.", set(), {"rude", "dismissive", "blame_customer"}),
    ("ru", "Это не ваша вина: напоминания уходили на старый адрес.", set(), {"rude", "dismissive", "blame_customer"}),
    (
        "ru",
        "Заявление отклонено, но его можно обжаловать, я помогу составить жалобу.",
        set(),
        {"rude", "dismissive", "blame_customer"},
    ),
    # round 4 (hostile.r4.*, held-out set 2 until its blind figures were published): each miss read as
    # an instance of a construction over lemmas; sentences written for these tests, each hostile one
    # beside an ordinary reply that shares its words
    # not much to be done, nothing more to tell
    ("en", "Not a lot we can do about the weather, I'm afraid.", {"dismissive"}, set()),
    ("en", "Not a lot we can do about the weather, but I can move your slot to Friday.", set(), {"dismissive"}),
    ("en", "There's nothing else to tell you about the outage.", {"dismissive"}, set()),
    ("en", "There's nothing else to tell yet, so I'll ring you at 4pm with the engineer's report.", set(), {"dismissive"}),
    # a case action the agent cannot touch or does not do
    ("en", "I can't amend invoices.", {"dismissive"}, set()),
    ("en", "I can't amend the invoice myself, but I've asked billing to reissue it today.", set(), {"dismissive"}),
    ("en", "We don't hand those out.", {"dismissive"}, set()),
    ("en", "We don't hand those out, but I can pass your message to the driver.", set(), {"dismissive"}),
    ("en", "We don't have a procedure for lost vouchers.", {"dismissive"}, set()),
    ("en", "We don't have a procedure for lost vouchers, but I can issue a new one today.", set(), {"dismissive"}),
    ("en", "Cancelled trains aren't something we refund.", {"dismissive"}, set()),
    ("en", "Opened software is non-refundable.", {"dismissive"}, set()),
    ("en", "Opened software is non-refundable, but I can offer you store credit.", set(), {"dismissive"}),
    ("en", "I'm unable to log a claim for that.", {"dismissive"}, {"register_request"}),
    ("en", "I've logged a claim for that and the team will call you tomorrow.", {"register_request"}, {"dismissive"}),
    # the promise downgraded to a guess; another team named and nothing passed on
    ("en", "Delivery times are just estimates.", {"dismissive"}, set()),
    (
        "en",
        "Delivery times are just estimates, so I've asked the depot for an exact slot and will text it to you today.",
        set(),
        {"dismissive"},
    ),
    ("en", "Refund questions go to the payments team.", {"dismissive"}, set()),
    (
        "en",
        "Refund questions go to the payments team, so I've passed yours on and they'll email you by Friday.",
        set(),
        {"dismissive"},
    ),
    ("en", "No internet means no internet.", {"dismissive"}, set()),
    ("en", "A red light means no internet, so I'm sending an engineer today.", set(), {"dismissive"}),
    ("en", "We're not detectives, madam.", {"dismissive"}, set()),
    ("en", "Our detectives in the fraud team will call you today.", set(), {"dismissive"}),
    # hostile brush-offs: rude, and dismissive when nothing is offered
    ("en", "Your parcel isn't special, it waits like the rest.", {"rude", "dismissive"}, set()),
    ("en", "Your order is special to us, so I've upgraded the delivery for free.", set(), {"rude", "dismissive"}),
    ("en", "Complain to the council if you like, knock yourself out.", {"rude", "dismissive"}, set()),
    ("en", "Mind your own business.", {"rude", "dismissive"}, set()),
    ("en", "Your own business account can be set up online, or I can do it for you now.", set(), {"rude", "dismissive"}),
    ("en", "Are you taking the mickey?", {"rude", "dismissive"}, set()),
    ("en", "Are you taking the train or the bus to collect it?", set(), {"rude", "dismissive"}),
    ("en", "Anything else, or are we done?", {"rude", "dismissive"}, set()),
    ("en", "We get hundreds of these a week.", {"rude", "dismissive"}, set()),
    ("en", "We get deliveries from that supplier every week, so a replacement arrives on Monday.", set(), {"rude", "dismissive"}),
    ("en", "I'm a call centre, not your secretary.", {"rude", "dismissive"}, set()),
    ("en", "Your personal assistant can call us on your behalf if that's easier.", set(), {"rude", "dismissive"}),
    ("en", "Sort it out between yourselves.", {"dismissive"}, set()),
    ("en", "For 20% off you can jog on.", {"rude", "dismissive"}, {"offer_discount"}),
    ("en", "For 20% off the annual plan, you can pay upfront online.", {"offer_discount"}, {"rude", "dismissive"}),
    # condescension: mock news, impatience, lecturing
    ("en", "Ooh, a £5 overcharge, hold the front page.", {"rude"}, set()),
    ("en", "Oh bless you, it's only a fuse.", {"rude"}, set()),
    ("en", "Bless you! Right, the new fuse is in the post.", set(), {"rude"}),
    ("en", "Was that all? I've got twenty people waiting.", {"rude"}, set()),
    ("en", "I've got two engineers waiting at the depot, so yours can go out today.", set(), {"rude"}),
    ("en", "I'm paid to fix routers, not to listen to this.", {"rude"}, set()),
    ("en", "You've paid to have it fixed, not replaced, so I've refunded the difference.", set(), {"rude"}),
    ("en", "Pls tell me you've actually plugged it in.", {"rude"}, set()),
    ("en", "Please tell me your postcode and I'll check the area.", set(), {"rude"}),
    ("en", "Ring back when you've pulled yourself together.", {"rude"}, set()),
    ("en", "Ring back when you've got the serial number, or send a photo of it.", set(), {"rude"}),
    ("en", "I've had friendlier chats with my kettle.", {"rude"}, set()),
    ("en", "I've had a chat with my manager and we've waived the fee.", set(), {"rude"}),
    ("en", "Fine, I'll refund it, but don't make a habit of it.", {"rude"}, set()),
    ("en", "That's not how any of this works.", {"rude"}, set()),
    ("en", "Here's how all of this works: you pay monthly and the first month is free.", set(), {"rude"}),
    ("en", "What a prick.", {"rude"}, set()),
    ("en", "Stop shouting at me.", {"rude"}, set()),
    ("en", "There's no need to scream down the phone.", {"rude"}, set()),
    # retorts as a clause of their own
    ("en", "So what?", {"rude"}, set()),
    ("en", "So what can I do for you today?", set(), {"rude"}),
    ("en", "Honestly. Some people.", {"rude"}, set()),
    ("en", "Some people prefer email, so I've sent it both ways.", set(), {"rude"}),
    ("en", "A solicitor? Good for you.", {"rude"}, set()),
    ("en", "Is Tuesday good for you?", set(), {"rude"}),
    # blame: the cheap choice, the warning ignored, the passive misuse, the counterfactual
    ("en", "You went for the cheapest plan.", {"blame_customer"}, set()),
    ("en", "You can go for the cheapest plan and still keep your number.", set(), {"blame_customer"}),
    ("en", "You switched data roaming on, what did you think would happen?", {"rude", "blame_customer"}, set()),
    ("en", "What did you think of the engineer's visit?", set(), {"rude", "blame_customer"}),
    ("en", "You carried on anyway after the warning text.", {"blame_customer"}, set()),
    ("en", "You can carry on using it while the new one is on its way.", set(), {"blame_customer"}),
    ("en", "You'd have received a reminder email in March.", {"blame_customer"}, set()),
    ("en", "You should have received a reminder email; I'll resend it now.", set(), {"blame_customer"}),
    ("en", "You never confirmed the slot.", {"blame_customer"}, set()),
    ("en", "You never need to confirm the slot; it's booked automatically.", set(), {"blame_customer"}),
    ("en", "It was switched on straight away instead of standing for four hours.", {"blame_customer"}, set()),
    ("en", "That crack is from being dropped.", {"blame_customer"}, set()),
    ("en", "The parcel was damaged from being dropped by our courier, so a new one is on its way.", set(), {"blame_customer"}),
    ("en", "Phones don't crack by themselves.", {"blame_customer"}, set()),
    ("en", "Don't worry, the phone will restart by itself after the update.", set(), {"blame_customer"}),
    ("en", "Should've been quicker.", {"blame_customer"}, set()),
    ("en", "The courier should have been quicker, and I've refunded the delivery fee.", set(), {"blame_customer"}),
    ("en", "If you'd answered the door, you'd have your parcel.", {"blame_customer"}, set()),
    ("en", "If you'd like, you'd have the parcel by noon with the express option.", set(), {"blame_customer"}),
    ("en", "The screen fault was caused by liquid damage.", {"blame_customer"}, set()),
    ("ru", "Свою позицию мы уже озвучили.", {"dismissive"}, set()),
    ("ru", "Свою позицию мы озвучили в письме, но я передам ваш ответ юристу, он перезвонит завтра.", set(), {"dismissive"}),
    ("ru", "Сроки ремонта примерные, как получится.", {"dismissive"}, set()),
    ("ru", "Сроки ремонта примерные, поэтому я уточню дату у мастера и перезвоню до 17:00.", set(), {"dismissive"}),
    ("ru", "Возвратами мы не занимаемся, этим ведает склад.", {"dismissive"}, set()),
    ("ru", "Этим занимается склад, я уже передала им заявку, ответят сегодня.", set(), {"dismissive"}),
    ("ru", "Заявку я не оформлю.", {"dismissive"}, set()),
    ("ru", "Заявку я оформлю сегодня, мастер позвонит завтра.", set(), {"dismissive"}),
    ("ru", "Жалобы на курьеров мы не регистрируем, в системе нет такой категории.", {"dismissive"}, set()),
    (
        "ru",
        "В системе нет такой категории, поэтому я оформила жалобу как обращение: ответ придёт завтра.",
        set(),
        {"dismissive"},
    ),
    ("ru", "Чините за свой счёт.", {"dismissive"}, set()),
    ("ru", "Починим за свой счёт: мастер приедет в среду.", set(), {"dismissive"}),
    ("ru", "Нет света — значит нет.", {"dismissive"}, set()),
    ("ru", "Нет света — значит, авария на подстанции; бригада уже выехала.", set(), {"dismissive"}),
    ("ru", "Запах сам выветрится.", {"dismissive"}, set()),
    ("ru", "Скидок мы не предоставляем.", {"dismissive"}, set()),
    ("ru", "Скидок на эту модель мы не предоставляем, но могу предложить бесплатную доставку.", set(), {"dismissive"}),
    ("ru", "Такую скидку вам никто не даст.", {"dismissive"}, set()),
    ("ru", "В таком тоне продолжать я не буду.", {"dismissive"}, set()),
    ("ru", "Продолжать ждать не нужно: я оформлю возврат сегодня.", set(), {"dismissive"}),
    ("ru", "Когда починят, тогда и заработает.", {"dismissive"}, set()),
    ("ru", "Ну и валите к конкурентам.", {"rude", "dismissive"}, set()),
    ("ru", "Идите нафиг.", {"rude", "dismissive"}, set()),
    ("ru", "С такими клиентами мы не работаем.", {"rude", "dismissive"}, set()),
    ("ru", "С такими поломками мы работаем каждый день: заменим деталь завтра.", set(), {"rude", "dismissive"}),
    ("ru", "Мне за это не доплачивают.", {"rude", "dismissive"}, set()),
    ("ru", "За доставку доплачивать не нужно, она бесплатная.", set(), {"rude", "dismissive"}),
    ("ru", "Без интернета пару дней не проживёте?", {"rude", "dismissive"}, set()),
    ("ru", "Без интернета вы не останетесь: мастер приедет сегодня.", set(), {"rude", "dismissive"}),
    ("ru", "Я похожа на справочную?", {"rude", "dismissive"}, set()),
    ("ru", "Я похожую модель нашла на складе, привезём завтра.", set(), {"rude", "dismissive"}),
    ("ru", "Тут служба поддержки, а не бюро находок.", {"rude", "dismissive"}, set()),
    ("ru", "Это служба поддержки банка, и я помогу с переводом.", set(), {"rude", "dismissive"}),
    ("ru", "Конечно, сейчас всё бросим и сделаем вам скидку.", {"rude"}, {"offer_discount"}),
    ("ru", "Сейчас всё проверю и сделаю вам скидку 5%.", {"offer_discount"}, {"rude"}),
    ("ru", "Раз у конкурентов дешевле, там и покупайте.", {"rude"}, set()),
    ("ru", "Если у конкурентов дешевле, пришлите ссылку — мы снизим цену.", set(), {"rude"}),
    # condescension: impatience, mock news, lecturing, threats
    ("ru", "У меня очередь, говорите быстрее.", {"rude"}, set()),
    ("ru", "Очередь на ремонт у нас небольшая: мастер приедет завтра.", set(), {"rude"}),
    ("ru", "Какой свежий вопрос, впервые слышу.", {"rude"}, set()),
    ("ru", "Хороший вопрос: тариф меняется с первого числа.", set(), {"rude"}),
    ("ru", "Ну началось.", {"rude"}, set()),
    ("ru", "Ремонт уже начался, мастер на месте.", set(), {"rude"}),
    ("ru", "Ой, как страшно.", {"rude"}, set()),
    ("ru", "Как страшно, когда пахнет газом: я уже вызвала аварийную службу.", set(), {"rude"}),
    ("ru", "А то всякое бывает.", {"rude"}, set()),
    ("ru", "Бывает всякое, поэтому я сразу оформила замену.", set(), {"rude"}),
    ("ru", "Не ревите как маленькая.", {"rude"}, set()),
    ("ru", "Пришлём коробку маленькую, как вы просили.", set(), {"rude"}),
    ("ru", "Смотреть надо, куда нажимаете.", {"rude"}, set()),
    ("ru", "Смотреть надо на индикатор: если он зелёный, всё работает.", set(), {"rude"}),
    ("ru", "Будете хамить — отключим.", {"rude"}, set()),
    ("ru", "Будете ждать курьера дома или оставить у соседей?", set(), {"rude"}),
    ("ru", "Это же элементарно.", {"rude"}, set()),
    ("ru", "Ладно, так уж и быть, верну.", {"rude"}, set()),
    ("ru", "Медаль вам выдать?", {"rude"}, set()),
    ("ru", "Медаль за участие в акции вам пришлём почтой.", set(), {"rude"}),
    ("ru", "Короче.", {"rude"}, set()),
    ("ru", "Короче говоря, заказ приедет завтра.", set(), {"rude"}),
    ("ru", "Солнышко моё, ждите.", {"rude"}, set()),
    ("ru", "Сочувствую, аж сердце разрывается.", {"rude"}, {"empathy"}),
    ("ru", "Чёрт, опять линия легла.", {"rude"}, set()),
    ("ru", "Черта на корпусе — это шов, а не трещина.", set(), {"rude"}),
    ("ru", "Ну и жмот же вы.", {"rude"}, set()),
    ("ru", "Вы охренели?", {"rude"}, set()),
    ("ru", "От глупого слышу.", {"rude"}, set()),
    # blame: what the customer left undone, evidence on their side, "нефиг было", "зачем выбирали"
    ("ru", "Вы не отключили автопродление.", {"blame_customer"}, set()),
    ("ru", "Если вы не отключили автопродление, я отключу его сейчас.", set(), {"blame_customer"}),
    ("ru", "Гарантия не покрывает удары, а у вас вмятина.", {"blame_customer"}, set()),
    ("ru", "А у вас вмятина или царапина? Пришлите фото, пожалуйста.", set(), {"blame_customer"}),
    ("ru", "Нефиг было самому разбирать.", {"blame_customer"}, set()),
    ("ru", "А тариф зачем выбирали?", {"blame_customer"}, set()),
    ("ru", "Сбой вызван установкой стороннего приложения.", {"blame_customer"}, {"next_step"}),
    ("ru", "Мастер вызван на завтра, он позвонит за час.", {"next_step"}, {"blame_customer"}),
    # round 5 (hostile.r5.*, written blind): each family written over verb classes (the verbs that damage,
    # misuse or neglect, not only those of the set), tried on sentences of our own beside a polite
    # counterpart that shares its words
    # the customer as the doer of a fault verb, either word order
    ("ru", "Компрессор перегрузили вы, это не гарантийный случай, но ремонт можем сделать платно.", {"blame_customer"}, set()),
    ("ru", "Вы поцарапали экран при установке, поэтому замена платная.", {"blame_customer"}, set()),
    ("ru", "Вы ничего не сломали: это заводской брак, заменим бесплатно.", set(), {"blame_customer"}),
    ("ru", "Сами в настройки полезли, а теперь жалуетесь.", {"blame_customer"}, set()),
    ("ru", "Мы сами всё проверили: сбой на линии, инженер уже выехал.", set(), {"blame_customer"}),
    ("en", "You overtightened the valve, so the seal split. I'll send a new seal today.", {"blame_customer"}, set()),
    ("en", "You never overtightened anything — the seal was faulty, and I'll send a new one today.", set(), {"blame_customer"}),
    ("en", "You declined the extended cover at checkout, so this one is chargeable.", {"blame_customer"}, set()),
    # an omission: the customer's due act not done
    (
        "ru",
        "Счётчик вы так и не поверили, поэтому начисление по нормативу. Могу записать поверителя на пятницу.",
        {"blame_customer"},
        set(),
    ),
    ("ru", "Фильтр вы не почистили ни разу, отсюда и шум. Мастер приедет в среду.", {"blame_customer"}, set()),
    ("ru", "Подскажите, вы не меняли тариф в этом месяце? Это поможет найти причину.", set(), {"blame_customer"}),
    ("ru", "Вы мне тут не указывайте, как работать.", set(), {"blame_customer"}),
    (
        "en",
        "You never registered the boiler, so the extended warranty doesn't apply. I can register it today.",
        {"blame_customer"},
        set(),
    ),
    ("en", "You didn't reply to the reminder, so the slot went. I'll book you a new one.", {"blame_customer"}, set()),
    ("en", "You didn't need to reply to the reminder — I've booked the slot for you.", set(), {"blame_customer"}),
    ("en", "The filter was never descaled, which is why it clogged. I'll send a new filter.", {"blame_customer"}, set()),
    # done by someone unqualified on the customer's side, against the instructions
    (
        "ru",
        "Кондиционер вам вешал сосед, а не наш монтажник, — отсюда и течь. Мастер приедет в четверг.",
        {"blame_customer"},
        set(),
    ),
    ("ru", "Котёл подключён вопреки схеме в паспорте. Отключите газ, аварийная служба уже едет.", {"blame_customer"}, set()),
    ("ru", "Наш монтажник подключит котёл по схеме в паспорте в четверг.", set(), {"blame_customer"}),
    (
        "en",
        "Your mate wired the hob straight to the mains. Switch it off at the fuse box; our electrician is on his way.",
        {"blame_customer"},
        set(),
    ),
    (
        "en",
        "You had the dishwasher plumbed in by someone off the internet, so the leak isn't covered.",
        {"blame_customer"},
        set(),
    ),
    ("en", "Our fitter wired the hob and he'll come back tomorrow to check it.", set(), {"blame_customer"}),
    # the counterfactual and the modal reproach
    ("ru", "Проверили бы коробку при курьере — вопросов бы сейчас не было. Оформлю возврат.", {"blame_customer"}, set()),
    ("ru", "Мы были бы рады, если бы вы оставили отзыв о доставке.", set(), {"blame_customer"}),
    ("ru", "Нельзя было заряжать его от автомобильного адаптера. Замену оформлю платно.", {"blame_customer"}, set()),
    ("ru", "Ничего нельзя было сделать: склад закрыли из-за погоды. Привезём в понедельник.", set(), {"blame_customer"}),
    (
        "en",
        "If you'd charged it with the original cable, the port wouldn't have burnt out. I can still send it for repair.",
        {"blame_customer"},
        set(),
    ),
    ("en", "If you'd like, I would be happy to send it for repair today.", set(), {"blame_customer"}),
    ("en", "Had you set up the direct debit, you'd never have had the late fee. I'll set it up now.", {"blame_customer"}, set()),
    ("en", "You were meant to defrost it every six months, it says so on page 4.", {"blame_customer"}, set()),
    # the cause put on the customer
    (
        "ru",
        "Заказ задержался из-за того, что адрес у вас в профиле старый. Исправим и отправим сегодня.",
        {"blame_customer"},
        set(),
    ),
    ("ru", "Заказ задержался из-за сбоя на нашем складе, отправим сегодня.", set(), {"blame_customer"}),
    ("ru", "Задержка из-за вашей же просрочки платежа.", {"blame_customer"}, set()),
    (
        "en",
        "It went back to the depot because the postcode you gave was missing a letter. I'll resend it tomorrow.",
        {"blame_customer"},
        set(),
    ),
    ("en", "That's what happens when a laptop lives on a duvet. I'll book the repair.", {"blame_customer"}, set()),
    ("en", "Your payment bounced, so the order was held. Pay by card and it ships today.", set(), {"dismissive"}),
    # a passive over the customer's handling, a duty of the customer in a clause
    ("ru", "Насос эксплуатировался с нарушением инструкции, гарантия не действует.", {"blame_customer", "dismissive"}, set()),
    ("ru", "Номер квартиры при заказе указан неверно. Исправлю и перешлю курьеру.", {"blame_customer"}, {"dismissive"}),
    ("ru", "За сроком действия сертификата клиент следит самостоятельно.", {"blame_customer"}, set()),
    ("en", "The unit wasn't serviced per the manual, so the claim can't go ahead.", {"blame_customer", "dismissive"}, set()),
    (
        "en",
        "The first two visits were cancelled at your request, according to the notes. Let's book Saturday.",
        {"blame_customer"},
        {"dismissive"},
    ),
    # a contrast that mocks what the customer does now, the generalisation, the rhetorical question
    ("ru", "Полгода не платили, а теперь удивляетесь, что отключили.", {"blame_customer", "rude"}, set()),
    ("ru", "Такие, как вы, всегда теряют чеки, а потом требуют возврат.", {"blame_customer", "rude"}, set()),
    ("ru", "Такие клиенты, как вы, — наша гордость, спасибо, что вы с нами.", set(), {"blame_customer", "rude"}),
    ("en", "You lot always skip the small print. I'll walk you through it.", {"blame_customer", "rude"}, set()),
    ("en", "Did you even look at the sizing chart? Fine, I'll swap them.", {"blame_customer", "rude"}, set()),
    ("en", "Did you get the sizing chart I sent? I can resend it.", set(), {"blame_customer", "rude"}),
    ("en", "What could possibly go wrong with a toaster in the bath? Call 999 now.", {"blame_customer", "rude"}, set()),
    # brush-offs: someone else's business in any form, comments refused, a redirect to nowhere
    ("ru", "Его графики меня не касаются.", {"dismissive"}, set()),
    ("ru", "Графики курьеров меня не касаются, но я сейчас позвоню в доставку и уточню время.", set(), {"dismissive"}),
    ("ru", "Это не в моей компетенции.", {"dismissive"}, set()),
    ("ru", "Комментариев по ценам поставщиков мы не даём.", {"dismissive"}, set()),
    ("ru", "Сбоев там быть не может, система всё считает сама.", {"dismissive"}, set()),
    ("ru", "Вечером у всех так.", {"dismissive"}, set()),
    ("en", "Printers aren't really my area.", {"dismissive"}, set()),
    (
        "en",
        "Printers aren't really my area, so I've passed this to our tech team and they'll ring you at 3pm.",
        set(),
        {"dismissive"},
    ),
    ("en", "We don't handle warranty claims here.", {"dismissive"}, set()),
    ("en", "I can't comment on that.", {"dismissive"}, set()),
    ("en", "This chat is now closed.", {"dismissive"}, set()),
    ("en", "The fee stands.", {"dismissive"}, set()),
    ("en", "There's no error on the bill.", {"dismissive"}, set()),
    ("en", "The manufacturer's number is somewhere on the website.", {"dismissive"}, set()),
    ("en", "The manufacturer's number is 0800 123 456, and I'll email you their claim form.", set(), {"dismissive"}),
    # hostile brush-offs and condescension
    ("ru", "Пусть ваш бухгалтер и разбирается.", {"rude", "dismissive"}, set()),
    ("ru", "Мы за вашими посылками бегать не нанимались.", {"rude", "dismissive"}, set()),
    ("ru", "Развели драму из-за одной царапины.", {"rude"}, set()),
    ("ru", "Повторяю по слогам: пе-ре-за-гру-зи-те.", {"rude"}, set()),
    ("ru", "Перепечатать договор? Это надо уметь — потерять три экземпляра.", {"rude"}, set()),
    ("ru", "Ох уж эти знатоки.", {"rude"}, set()),
    ("ru", "Бедненький.", {"rude"}, set()),
    ("ru", "Бедный кот, надеюсь, он не пострадал. Курьер заберёт переноску завтра.", set(), {"rude"}),
    ("en", "Go pester your bank about it.", {"rude", "dismissive"}, set()),
    ("en", "I've got better things to do than argue about 50p.", {"rude", "dismissive"}, set()),
    ("en", "A bit of smoke never hurt anyone.", {"rude", "dismissive"}, set()),
    ("en", "It's a toaster, not the Titanic.", {"rude", "dismissive"}, set()),
    ("en", "For the fourth time: it's the blue cable.", {"rude"}, set()),
    ("en", "For the first time this year we're offering free delivery.", set(), {"rude"}),
    ("en", "Let me guess: you pressed reset.", {"rude"}, set()),
    ("en", "Is anybody home? The engineer is coming on Friday.", {"rude"}, set()),
    ("en", "Oh no, an hour's wait, how dreadful for you.", {"rude"}, {"empathy"}),
    ("en", "Clown yourself. Order number?", {"rude"}, set()),
    ("en", "You can't even find the order number?", {"rude"}, set()),
    ("en", "I can't even imagine how stressful that is; I'll sort a replacement today.", set(), {"rude"}),
    # calm-down requests in other words; "calmly" as a manner is none
    ("ru", "Постарайтесь не паниковать: перекройте воду и ждите аварийку.", {"calm_down_command"}, set()),
    ("ru", "Давайте спокойно разберёмся, что случилось с заказом.", set(), {"calm_down_command"}),
    ("ru", "Пользуйтесь спокойно, это не брак.", set(), {"calm_down_command"}),
    ("en", "Try to stay calm and keep breathing slowly; the ambulance is on its way.", {"calm_down_command"}, set()),
    ("en", "Steady on, let's sort this out.", {"calm_down_command"}, set()),
    ("en", "Please don't be alarmed: the parcel is safe at the depot.", {"calm_down_command"}, set()),
    # "that's the policy" closes the matter; "that's not the service we want to give you" owns a failure
    ("en", "That's just the way it is.", {"dismissive"}, set()),
    ("en", "I'm sorry for the trouble this has caused; that's not the service we want to give you.", {"apology"}, {"dismissive"}),
    # round 5, second pass. The help after a reproach said as the agent's own action (the agent-action
    # verbs in the first person, "let me", "I'm ...-ing", a sentence opened by the action): the reply
    # blames and helps, so it is no brush-off; negated, the same verb offers nothing
    ("ru", "Автоплатёж вы отключили сами. Подключу его обратно сегодня.", {"blame_customer"}, {"dismissive"}),
    ("ru", "Пароль вы трижды ввели с ошибкой. Разблокирую вход прямо сейчас.", {"blame_customer"}, {"dismissive"}),
    ("ru", "Показания вы так и не передали. Пересчитываю по среднему и высылаю новый счёт.", {"blame_customer"}, {"dismissive"}),
    ("ru", "Экран вы разбили сами. Ничего я вам не заменю.", {"blame_customer", "dismissive"}, set()),
    ("ru", "Чек к заявлению вы не приложили. Приложите скан, и деньги вернут за три дня.", {"blame_customer"}, {"dismissive"}),
    ("ru", "Двадцать процентов не положено, десять могу.", set(), {"dismissive"}),
    ("ru", "Двадцать процентов не положено.", {"dismissive"}, set()),
    (
        "ru",
        "Срок сдвинулся из-за того, что оплата от вас пришла поздно. Компенсацию не дам, а подъём на этаж — могу.",
        {"blame_customer"},
        {"dismissive"},
    ),
    (
        "ru",
        "Срок сдвинулся из-за того, что оплата от вас пришла поздно, а ускорить доставку я не могу.",
        {"blame_customer", "dismissive"},
        set(),
    ),
    (
        "ru",
        "Гарантия не покрывает удары, но у вас заводской брак, значит, замена бесплатная.",
        set(),
        {"dismissive", "blame_customer"},
    ),
    ("ru", "Заявку на возврат я уже продублировала в бухгалтерию, а вы не волнуйтесь.", set(), {"dismissive", "blame_customer"}),
    ("en", "You entered the old card, so the payment bounced. I'm updating it now.", {"blame_customer"}, {"dismissive"}),
    ("en", "You left the flat number off the form. Let me resend it with the full address.", {"blame_customer"}, {"dismissive"}),
    ("en", "You left the flat number off the form, so I'm not resending it.", {"blame_customer", "dismissive"}, set()),
    ("en", "That crack is from a drop, so it isn't covered. Bring it in and we'll quote a repair.", set(), {"dismissive"}),
    ("en", "You skipped the first two slots. Reissuing your booking link now.", {"blame_customer"}, {"dismissive"}),
    ("en", "Thank you for sending the form in; no grounds for reissuing the invoice were found.", {"dismissive"}, set()),
    ("en", "Wrong number, I'm afraid — we only sell sofas. Try 0345 600 1234 for the council.", set(), {"dismissive"}),
    ("en", "Wrong number, I'm afraid — we only sell sofas.", {"dismissive"}, set()),
    (
        "en",
        "You had no cover for drops, but the hinge fault is ours, so you're fully covered for the repair.",
        set(),
        {"dismissive"},
    ),
    # blame, second pass: the cause in how the customer set the thing up or paid; signed, therefore
    # agreed; doing it and then complaining; the same word order negated or on the company's side is none
    ("ru", "Показания сбиваются из-за того, что счётчик у вас висит на морозе.", {"blame_customer"}, set()),
    ("ru", "Отправка задержится из-за того, что у нас на складе инвентаризация.", set(), {"blame_customer"}),
    ("ru", "Возврат задержался из-за того, что заявление от вас пришло в пятницу.", {"blame_customer"}, set()),
    ("ru", "Договор вы подписали, следовательно, с тарифом согласились.", {"blame_customer"}, set()),
    ("ru", "Вы третий месяц не вносите плату, поэтому услуга приостановлена.", {"blame_customer"}, set()),
    ("ru", "Вы не волнуйтесь, услуга работает, заявку я закрыла.", set(), {"blame_customer"}),
    ("ru", "Не продлить подписку и удивляться, что фильмы не грузятся, — это сильно.", {"blame_customer"}, set()),
    ("ru", "Мы не проверили упаковку и удивились трещине не меньше вашего. Заменим завтра.", set(), {"blame_customer"}),
    ("ru", "Холодильник стоит вплотную к батарее, а так нельзя. Мастер приедет и переставит.", {"blame_customer"}, set()),
    ("ru", "Согнуть титановую ручку — это надо было постараться.", {"blame_customer"}, set()),
    ("ru", "Гениальная идея — стирать пуховик на девяноста градусах.", {"blame_customer"}, set()),
    ("ru", "Отличная идея, давайте так и сделаем.", set(), {"blame_customer", "rude"}),
    ("ru", "Номер заказа читать умеем?", {"rude"}, set()),
    ("ru", "Мы умеем читать штрихкоды с фото, пришлите снимок.", set(), {"rude"}),
    ("en", "You chose collection instead of delivery, so it's waiting at the branch.", {"blame_customer"}, set()),
    ("en", "You typed the old postcode, so it went to your last address. I'll redirect it.", {"blame_customer"}, set()),
    ("en", "You didn't type the wrong number — our system swapped two digits.", set(), {"blame_customer"}),
    ("en", "Your gate was locked, so the driver couldn't get in. I'll rebook for Monday.", {"blame_customer"}, set()),
    ("en", "Our van broke down, so the driver couldn't get to you. I'll rebook for Monday.", set(), {"blame_customer"}),
    ("en", "The speaker was left out in the rain overnight, which corroded the board.", {"blame_customer"}, set()),
    ("en", "Your parcel was left out in the rain by the driver; a replacement goes out today.", set(), {"blame_customer"}),
    ("en", "Didn't check the voltage and now you're surprised it blew.", {"blame_customer"}, set()),
    ("en", "Didn't we send you the voltage chart? I'll resend it.", set(), {"blame_customer"}),
    ("en", "Someone's had it open at home, so the warranty's void.", {"blame_customer"}, set()),
    ("en", "Your technician fitted it upside down, so the drain can't work.", {"blame_customer"}, set()),
    (
        "en",
        "Our engineer came on Monday and nobody was able to fix it; I'm sorry, he's back tomorrow.",
        set(),
        {"blame_customer"},
    ),
    (
        "en",
        "Had you renewed the cover when the reminder came last spring, you'd have a free repair now.",
        {"blame_customer"},
        set(),
    ),
    ("en", "If you'd like the engineer to come sooner, we would need a morning slot.", set(), {"blame_customer"}),
    (
        "en",
        "If you'd kept the receipt from the shop in the envelope we gave you, this would be a free repair.",
        {"blame_customer"},
        set(),
    ),
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
