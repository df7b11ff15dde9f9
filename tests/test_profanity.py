"""Obscene words and insults: caught with their derivatives and disguises, and not in ordinary words."""

from __future__ import annotations

from dataclasses import replace

import pytest

from simkit.language.detection import detect, detector
from simkit.language.profanity import PROFANITY_FILE, load_lists, profanity


def rude(text: str, lang: str, name: str | None = None) -> bool:
    return any(f.behavior == "rude" for f in detect(text, lang, name))


OBSCENE_RU = [
    "хуй",
    "нахуй",
    "похуй",
    "охуеть",
    "хуёвый",
    "пиздец",
    "распиздяй",
    "спиздили",
    "ебать",
    "заебали",
    "заебись",
    "уёбок",
    "долбоёб",
    "разъебай",
    "съебись",
    "подъебнуть",
    "ебучий",
    "ёбаный",
    "бля",
    "блядь",
    "блять",
    "выблядок",
    "мудак",
    "мудила",
    "говно",
    "говнюк",
    "дерьмовый",
    "засранец",
    "насрать",
    "обоссали",
    "жопа",
    "черножопый",
    "сука",
    "сукин",
    "пидор",
    "шлюха",
    "дрочит",
    "трахнуть",
    "блин",
    "хрень",
    "херня",
    "похер",
    "пофиг",
    "нафиг",
    # "на" + a euphemism, as a question word ("нахрена вы его включали?")
    "нахрена",
    "нахера",
    "нафига",
]
INSULT_RU = [
    "хамами",
    "хамом",
    "идиот",
    "идиоты",
    "дебилами",
    "кретин",
    "придурок",
    "урод",
    "мразь",
    "тварь",
    "быдло",
    "бестолочь",
    "безмозглый",
    "недоумок",
    "тупица",
    "дура",
    "дурак",
    "сволочь",
    "лох",
    "хамло",
    "неадекват",
    "заткнитесь",
]
OBSCENE_EN = [
    "fuck",
    "fucking",
    "motherfucker",
    "shit",
    "bullshit",
    "shitty",
    "asshole",
    "arse",
    "bitch",
    "bastard",
    "damn",
    "goddamn",
    "crap",
    "pissed",
    "dickhead",
    "cunt",
    "wanker",
    "bollocks",
    "dumbass",
    "smartass",
    "wtf",
]
INSULT_EN = [
    "idiot",
    "idiotic",
    "moron",
    "moronic",
    "stupid",
    "imbecile",
    "retarded",
    "dumb",
    "dimwit",
    "muppet",
    "numpty",
    "pillock",
    "loser",
    "pathetic",
    "brainless",
]
# ordinary words that share letters with the lists (the Scunthorpe problem), several found by
# running the Russian lists over every word form pymorphy3's dictionary knows
ORDINARY_RU = [
    "употреблять",
    "употреблении",
    "оскорблять",
    "корабля",
    "рубля",
    "ослаблять",
    "бляшка",
    "застрахуйте",
    "страхование",
    "себе",
    "хлеб",
    "небо",
    "гребень",
    "скребок",
    "учебник",
    "вебинар",
    "ребёнок",
    "погреб",
    "подебелее",
    "подебютнее",
    "надебоширить",
    "мудрый",
    "премудрость",
    "команда",
    "мандарин",
    "мандат",
    "педиатр",
    "педикюр",
    "сравнение",
    "осрамить",
    "сражение",
    "поссорились",
    "ссутулиться",
    "уссурийский",
    "ссылка",
    "рассылка",
    "сукно",
    "сучок",
    "сучковатый",
    "межоперационный",
    "похудеть",
    "трахея",
    "тупик",
    "поступить",
    "дурно",
    "урожай",
    "гадость",
    "хамство",
    "недоумение",
    "болванка",
    "лохматый",
    "фигура",
    "фигурный",
    "хулиган",
    "документ",
    "момент",
    "комментарий",
    "запаздывание",
    "обед",
    "убедить",
    "потребовать",
    "сабля",
    "Ебург",
    "потребитель",
    "хамам",  # a bathhouse
]
ORDINARY_EN = [
    "class",
    "assess",
    "assistant",
    "pass",
    "bass",
    "Massachusetts",
    "Dickens",
    "cocktail",
    "cockpit",
    "Scunthorpe",
    "shiitake",
    "shitake",
    "retardant",
    "dumbbell",
    "therapist",
    "analysis",
    "Essex",
    "Sussex",
    "document",
    "grape",
    "hello",
    "assassin",
    "scrap",
    "skyscraper",
    "Hancock",
    "Moroni",
    "knob",
    "bellow",
]


@pytest.mark.parametrize("word", OBSCENE_RU + INSULT_RU)
def test_russian_swearing_and_insults_with_their_forms(word: str) -> None:
    assert rude(f"Ну вы и {word}.", "ru"), word


@pytest.mark.parametrize("word", OBSCENE_EN + INSULT_EN)
def test_english_swearing_and_insults_with_their_forms(word: str) -> None:
    assert rude(f"Well, that's {word}.", "en"), word


@pytest.mark.parametrize("word", ORDINARY_RU)
def test_ordinary_russian_words_are_not_swearing(word: str) -> None:
    lists = profanity("ru")
    assert lists.kind(word.lower().replace("ё", "е")) is None
    assert not rude(f"Проверим {word} и перезвоним.", "ru"), word


@pytest.mark.parametrize("word", ORDINARY_EN)
def test_ordinary_english_words_are_not_swearing(word: str) -> None:
    assert profanity("en").kind(word.lower()) is None
    assert not rude(f"We'll check the {word} and call you back.", "en"), word


@pytest.mark.parametrize(
    "lang, text",
    [
        ("ru", "Бл*, опять вы."),
        ("ru", "Х*р его знает, где курьер."),
        ("ru", "Это п**дец какой-то."),
        ("ru", "Е**ть, опять холодильник."),
        ("ru", "Вы д*бил?"),
        ("ru", "6лин, да сколько можно."),
        ("ru", "Вы дeбил?"),  # Latin 'e'
        ("ru", "Вы д\u200bебил?"),
        ("ru", "б л я т ь, опять вы"),
        ("en", "What the f*ck do you want?"),
        # the first letter and a mark for each other one
        ("en", "Calm the f*** down, mate."),
        ("en", "S*** happens."),
        ("ru", "Х** его знает, где курьер."),
        ("ru", "Б***, опять вы."),
        ("en", "Sh1t happens."),
        ("en", "You are an @sshole."),
        ("en", "B*llsh1t, nobody promised that."),
        ("en", "F u c k this."),
        ("en", "What an id10t."),
        ("en", "You m\u043er\u043en."),  # Cyrillic 'о'
        ("en", "ｆｕｃｋ off"),
        # British insults, masked: each has one listed form of its length
        ("en", "B*gger off to the council."),
        ("en", "You t0sser."),
        ("en", "What a kn*bhead."),
        ("en", "Bl**dy hell, again?"),
        # a full stop before a lower-case word ends the clause, so "don't" no longer negates the insult
        ("en", "we don't do that for u. b*gger off to the council"),
    ],
)
def test_disguised_spellings_are_caught(lang: str, text: str) -> None:
    assert rude(text, lang), text


@pytest.mark.parametrize(
    "lang, text",
    [
        ("ru", "Обратите *внимание*: заказ № 15 оплачен картой ****1234."),
        ("ru", "Я в с у д не пойду, мы всё решим сами."),
        ("en", "Please note *all* fields are required; card ending ****1234."),
        # one letter and marks that hide a name or an address
        ("en", "Dear Mr S***, your order is ready; we wrote to s***@mail.com."),
        ("ru", "Уважаемый С***, ответ придёт на х**@mail.ru."),
        ("en", "I'll call at 5 p m today."),
    ],
)
def test_stars_and_single_letters_alone_are_not_swearing(lang: str, text: str) -> None:
    # the swearing lists' reading, not the reply's whole tone (which language.learned also weighs)
    d = detector(lang)
    assert not d.profanity.find(d.read(text)[1], d.negators, d.lexicon.negation_window), text


@pytest.mark.parametrize(
    "lang, text, expected",
    [
        # copying the customer's insult back is an insult
        ("ru", "Сами вы безмозглый.", True),
        ("ru", "Это вы клоун, а не я.", True),
        ("en", "You're the clown here, not me.", True),
        ("en", "No, YOU are the idiot.", True),
        ("en", "My brain works fine, can't say the same for yours.", True),
        # quoting or reporting it is not
        ("ru", "Вы назвали нас «бестолочами» — давайте разберёмся, что случилось.", False),
        ("ru", "Вы назвали нас бестолочами, и я понимаю ваше раздражение.", False),
        ("ru", "Наш сотрудник назвал вас дебилом? Приношу извинения.", False),
        ("ru", "Мастер сказал слово «блин», но не в ваш адрес.", False),
        ("en", "You said our driver called you an 'idiot'. I'm sorry.", False),
        ("en", "He called you an idiot? That is unacceptable, I apologise.", False),
        # ... unless the agent says it would call them that
        ("ru", "Я бы назвал вас идиотом.", True),
        # a negated insult is none; a negated command still calls names
        ("ru", "Вы совсем не дурак, это наша ошибка.", False),
        ("en", "It isn't a stupid question at all.", False),
        ("ru", "Не тупите, номер на чеке.", True),
        ("en", "Don't be an idiot, the number is on the receipt.", True),
        # a name is not an insult
        ("ru", "Передам ваш вопрос Ольге Олеговне и Петру Сучкову.", False),
        ("en", "Our engineer, Mr Dick Wankel, will call you today.", False),
    ],
)
def test_copied_quoted_reported_negated(lang: str, text: str, expected: bool) -> None:
    assert rude(text, lang) is expected, text


def test_a_hostile_refusal_of_confidential_data_is_rude_not_polite() -> None:
    found = {f.behavior for f in detect("Не могу сообщить данные других клиентов, идиот.", "ru")}
    assert "rude" in found and "refuse_confidential" not in found


def test_spans_point_at_the_word_as_written() -> None:
    text = "Ну ты и д\u200bе6ил, честное слово."
    (finding,) = [f for f in detect(text, "ru") if f.behavior == "rude"]
    assert "д\u200bе6ил" in finding.quotes(text)


def test_every_exception_is_needed_and_the_file_names_its_source_and_licence() -> None:
    header = PROFANITY_FILE.read_text(encoding="utf-8").split("\nru:")[0]
    assert "Source:" in header and "Licence:" in header and "version" in header
    for lang in ("ru", "en"):
        lists = load_lists(lang)
        unguarded = profanity(lang).__class__(replace(lists, excepted=()))
        for word in lists.excepted:
            assert unguarded.kind(word) is not None, f"{word}: the exception is not needed"
            assert profanity(lang).kind(word) is None
