"""clean_text: exact output and exact counters, per rule and per language."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from transforms.cleanup import RULES, boilerplate_rule, clean_text


def run(text: str) -> tuple[str, dict[str, int]]:
    """clean_text's output and the counters it incremented."""
    counts: Counter[str] = Counter()
    return clean_text(text, lambda name: counts.update([name])), dict(counts)


def test_mixed_page_exact_output_and_counters():
    text = "\n".join(
        [
            "Harbour cranes return to Lisbon",
            "We use cookies to improve your experience. By continuing you accept our policy.",
            "The old harbour cranes of Lisbon were taken down in 1998.",
            "",
            "– Anzeige –",
            "",
            "",
            "Last spring the council decided to bring three of them back.",
            "Share on Facebook",
            "Facebook Twitter WhatsApp",
            "Read more »",
            "Subscribe to our newsletter",
            "© 2024 Lisbon Daily News. All rights reserved.",
        ]
    )
    assert run(text) == (
        "Harbour cranes return to Lisbon\n"
        "The old harbour cranes of Lisbon were taken down in 1998.\n"
        "\n"
        "Last spring the council decided to bring three of them back.",
        {
            "cleanup:cookie_notice": 1,
            "cleanup:ad_label": 1,
            "cleanup:share": 2,
            "cleanup:read_more": 1,
            "cleanup:newsletter": 1,
            "cleanup:copyright": 1,
        },
    )


@pytest.mark.parametrize(
    "label",
    [
        "Advertisement",
        "ADVERTISEMENT",
        "[Advertisement]",
        "Sponsored",
        "Anzeige",
        "- Werbung -",
        "Publicité",
        "Publicidad",
        "Pubblicità",
        "Advertentie",
        "Publicidade",
        "Reklama",
        "Реклама",
        "広告",
        "广告",
    ],
)
def test_ad_labels_in_many_languages(label):
    assert run(f"Prose before.\n{label}\nProse after.") == (
        "Prose before.\nProse after.",
        {"cleanup:ad_label": 1},
    )


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("We use cookies to give you the best experience on our website.", "cookie_notice"),
        ("Accept all cookies", "cookie_notice"),
        ("This website uses cookies. Learn more", "cookie_notice"),
        ("Wir verwenden Cookies, um unsere Website für Sie zu optimieren.", "cookie_notice"),
        ("Ce site utilise des cookies pour améliorer votre expérience.", "cookie_notice"),
        ("Este sitio web utiliza cookies propias y de terceros.", "cookie_notice"),
        ("Questo sito utilizza cookie tecnici e di profilazione.", "cookie_notice"),
        ("Wij gebruiken cookies om de website te verbeteren.", "cookie_notice"),
        ("Este site utiliza cookies para melhorar a navegação.", "cookie_notice"),
        ("Ta strona używa plików cookies.", "cookie_notice"),
        ("Мы используем файлы cookie для улучшения работы сайта.", "cookie_notice"),
        ("当サイトではクッキーを使用しています。", "cookie_notice"),
        ("本网站使用cookie以改善您的体验。", "cookie_notice"),
        ("JavaScript is required to view this page.", "javascript_notice"),
        ("Please enable JavaScript in your browser.", "javascript_notice"),
        ("Bitte aktivieren Sie JavaScript.", "javascript_notice"),
        ("Subscribe to our newsletter", "newsletter"),
        ("Newsletter abonnieren", "newsletter"),
        ("Abonnez-vous à notre newsletter", "newsletter"),
        ("Suscríbete", "newsletter"),
        ("Share on Twitter", "share"),
        ("Auf Facebook teilen", "share"),
        ("Partager sur Facebook", "share"),
        ("Condividi su WhatsApp", "share"),
        ("Follow us on Instagram", "follow"),
        ("Folgen Sie uns auf Twitter", "follow"),
        ("Suivez-nous sur Facebook", "follow"),
        ("Lorem ipsum dolor sit amet, consectetur adipiscing elit.", "lorem_ipsum"),
        ("Read more", "read_more"),
        ("Click here", "read_more"),
        ("Weiterlesen »", "read_more"),
        ("Lire la suite…", "read_more"),
        ("Leer más", "read_more"),
        ("Leggi di più", "read_more"),
        ("Lees meer", "read_more"),
        ("Leia mais", "read_more"),
        ("Czytaj więcej", "read_more"),
        ("Читать далее", "read_more"),
        ("続きを読む", "read_more"),
        ("阅读全文", "read_more"),
        ("© 2024 Example GmbH", "copyright"),
        ("Copyright 2023 Example Corp. All rights reserved.", "copyright"),
        ("Example Inc. All rights reserved.", "copyright"),
        ("Alle Rechte vorbehalten.", "copyright"),
        ("Tous droits réservés", "copyright"),
        ("Wszelkie prawa zastrzeżone.", "copyright"),
        ("Все права защищены.", "copyright"),
        ("Foto: dpa", "media_credit"),
        ("Marco Odermatt, Ski-Star aus der Schweiz. © AFP / MARCO BERTORELLO", "media_credit"),
        ("Lesen Sie auch: Die Bahn erhöht die Preise", "related"),
        ("Czytaj też: Wyścig zbrojeń ruszył z kopyta", "related"),
        ("Related articles", "related"),
        ("Zum Inhalt springen", "navigation"),
        ("This post contains affiliate links.", "affiliate_disclosure"),
        ("Pour lire la suite", "paywall"),
    ],
)
def test_each_rule_drops_its_lines(line, rule):
    assert boilerplate_rule(line) == rule
    assert run(f"{line}\nKept.") == ("Kept.", {f"cleanup:{rule}": 1})


@pytest.mark.parametrize(
    "line",
    [
        # mentions, not notices: the phrase is not where a notice has it, or the line is prose
        "Grandma said we use cookies from the tin only on Sundays, and never before dinner.",
        "Cookies",
        "Advertisements are everywhere in modern cities, from bus stops to phone screens.",
        "Sponsored by the city council, the festival returns to the harbour this summer.",
        "Subscribers grew by a third in a year.",
        "Sharing is caring, as the kindergarten teacher likes to say.",
        "Die Werbung im Fernsehen hat sich seit den Neunzigern stark verändert.",
        "Read more books, the librarian told the class.",
        "Copyright law in the United States protects original works of authorship.",
        "Das Urheberrecht (all rights reserved) steht der Public Domain gegenüber.",
        "在这个城市里，广告牌随处可见。",
        "The festival poster was credited: photographers were thanked by name.",
        "x              x              x",
        "We use cookies" + " and milk" * 40,  # a cookie notice is never that long
    ],
)
def test_prose_is_kept(line):
    assert boilerplate_rule(line) is None
    assert run(line) == (line, {})


def test_blank_runs_collapse_and_edges_strip():
    text = "\n\n  \nFirst paragraph.   \n\n\n\t\nSecond paragraph.\nAdvertisement\n\n\nThird.\n\n"
    assert run(text) == (
        "First paragraph.\n\nSecond paragraph.\n\nThird.",
        {"cleanup:ad_label": 1},
    )


def test_dropping_a_line_between_paragraphs_leaves_one_blank_line():
    assert run("One.\n\nRead more\n\nTwo.") == ("One.\n\nTwo.", {"cleanup:read_more": 1})


def test_empty_and_all_boilerplate_give_empty_string():
    assert run("") == ("", {})
    assert run("Advertisement\nShare on Facebook\n") == (
        "",
        {"cleanup:ad_label": 1, "cleanup:share": 1},
    )


def test_default_counter_is_optional():
    assert clean_text("Kept.\nAdvertisement") == "Kept."


def test_rules_are_named_anchored_and_length_limited():
    names = [name for name, _ in RULES]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z_]+", name) for name in names)
    for name, pattern in RULES:
        assert pattern.pattern.startswith("^(?=.{1,"), name
        assert pattern.flags & re.IGNORECASE, name
    assert boilerplate_rule("Lorem ipsum dolor " + "sit amet " * 300) is None
