"""extract_text on small hand-made pages, bad input, and count_words."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest
import trafilatura.core

from transforms.extract import ExtractionConfig, count_words, extract_text

PARAGRAPHS = (
    "The old harbour cranes of Lisbon were taken down in 1998, when the port moved its container"
    " traffic further down the river. For twenty years the quay stood empty.",
    "Last spring the city council decided to bring three of them back, restored, as a monument to"
    " the dock workers who operated them for most of the twentieth century.",
    "The restoration took eleven months. Every bolt was replaced, and the cabins were rebuilt from"
    " the original drawings kept in the municipal archive.",
    "Visitors can now climb into one of the cabins on weekends, when former crane operators"
    " explain how the machines were handled in wind and rain.",
)

# A news page with a cookie banner, navigation, ad blocks (one of them a bare "Advertisement"
# paragraph inside the article, which trafilatura keeps), a share prompt, related links, footer.
PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Harbour cranes return to Lisbon</title></head>
<body>
<div id="cookie-banner" class="cookie-consent">
  <p>We use cookies to improve your experience. Accept all cookies?</p><button>Accept</button>
</div>
<header><nav><ul>
  <li><a href="/">Home</a></li><li><a href="/news">News</a></li>
  <li><a href="/sport">Sport</a></li><li><a href="/about">About us</a></li>
</ul></nav></header>
<main><article>
<h1>Harbour cranes return to Lisbon</h1>
<p>{PARAGRAPHS[0]}</p>
<div class="ad-slot"><span>Advertisement</span>
  <a href="https://ads.example.com/click"><img src="banner.gif" alt="Buy now"></a></div>
<p>{PARAGRAPHS[1]}</p>
<p>Advertisement</p>
<p>{PARAGRAPHS[2]}</p>
<p>Share on Facebook</p>
<p>{PARAGRAPHS[3]}</p>
</article></main>
<aside><h3>Related stories</h3><ul>
  <li><a href="/a">Ferries on strike</a></li><li><a href="/b">New bridge opens</a></li>
</ul></aside>
<footer>
  <p>Subscribe to our newsletter</p>
  <p>© 2024 Lisbon Daily News. All rights reserved.</p>
  <p><a href="/privacy">Privacy policy</a> | <a href="/imprint">Imprint</a></p>
</footer>
</body>
</html>"""

EXPECTED = "\n".join(("Harbour cranes return to Lisbon", *PARAGRAPHS))

CONFIGS = [
    ExtractionConfig(),
    ExtractionConfig(fast=True),
    ExtractionConfig(favor_precision=True),
    ExtractionConfig(favor_recall=True),
]


@pytest.mark.parametrize("config", CONFIGS, ids=["default", "fast", "precision", "recall"])
def test_main_text_without_boilerplate(config):
    counts: Counter[str] = Counter()
    text = extract_text(PAGE, "https://example.com/cranes", config, lambda n: counts.update([n]))
    assert text == EXPECTED
    assert dict(counts) == {"cleanup:ad_label": 1, "cleanup:share": 1}


def test_url_and_counter_are_optional():
    assert extract_text(PAGE) == EXPECTED


def test_html_is_parsed_once(monkeypatch):
    calls = []
    real = trafilatura.core.load_html

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(trafilatura.core, "load_html", counting)
    assert extract_text(PAGE) == EXPECTED
    assert len(calls) == 1


def test_cleanup_can_empty_the_text():
    page = "<html><body><article><p>Advertisement</p><p>Read more</p></article></body></html>"
    assert extract_text(page) is None


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n\t",
        "\x00\x00\x00",
        bytes(range(256)).decode("latin-1") * 20,
        "just a line of text, not a page",
        "<html></html>",
        "<!DOCTYPE html>",
        "<p>a lone fragment</p>",
        "<html><body><p>\ud800 lone surrogate</p></body></html>",
        "<div>" * 5000 + "deep" + "</div>" * 5000,
        "<?xml version='1.0' encoding='utf-8'?><html><body></body></html>",
    ],
    ids=lambda s: repr(s[:20]),
)
def test_bad_input_gives_none_without_raising(html):
    assert extract_text(html) is None


def test_xml_declaration_with_encoding_is_accepted():
    page = "<?xml version='1.0' encoding='utf-8'?><html><body><article>"
    page += "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</article></body></html>"
    assert extract_text(page) == "\n".join(PARAGRAPHS)


def test_config_defaults_and_immutability():
    config = ExtractionConfig()
    assert dataclasses.asdict(config) == {
        "favor_precision": False,
        "favor_recall": False,
        "include_tables": True,
        "include_comments": False,
        "fast": False,
    }
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.fast = True  # type: ignore[misc]
    assert hash(config) == hash(ExtractionConfig())


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", 0),
        ("  \n\t ", 0),
        ("hello world", 2),
        ("  one  two\nthree\tfour ", 4),
        ("don't stop-the-music!", 2),
        ("你好世界", 4),
        ("你好，世界。", 4),
        ("日本語のテキストです", 10),
        ("สวัสดีครับ", 10),
        ("Hello 世界 again", 4),
        ("한국어 문장입니다", 2),  # Korean is written with spaces: whitespace words
    ],
)
def test_count_words(text, words):
    assert count_words(text) == words
