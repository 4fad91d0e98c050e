"""Line-level removal of the boilerplate that slips through trafilatura.

trafilatura keeps a page's main block, but that block often still carries ad labels, cookie
banners, share/newsletter prompts and copyright footers. They are short, formulaic and repeated on
millions of pages, so they waste tokens and teach a model nothing. We drop them line by line.

The rules are plain data (``_RULE_DATA``) compiled once into ``RULES``, a tuple of
``(rule_name, regex)``. They are deliberately conservative: every regex is anchored at the start
of the line and carries a length limit, so a paragraph that merely *mentions* cookies or
advertising stays. A rule has up to three kinds of phrases (regex fragments, case-insensitive,
a space matches any run of whitespace):

* ``line``: the whole line is one or more of these phrases, plus punctuation ("– Anzeige –");
* ``prefix``: the line starts with the phrase ("We use cookies to ...");
* ``contains``: the phrase occurs anywhere in the (short) line ("... All rights reserved.").

Phrases are matched at word boundaries for alphabetic scripts (Latin, Greek, Cyrillic) and
anywhere for CJK, which has no spaces between words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple


class _Rule(NamedTuple):
    name: str
    max_chars: int
    line: tuple[str, ...] = ()
    prefix: tuple[str, ...] = ()
    contains: tuple[str, ...] = ()


_SOCIAL = (
    "facebook|twitter|instagram|linkedin|whatsapp|telegram|pinterest|reddit|xing|youtube"
    "|tiktok|e-?mail|vk|weibo|wechat"
)
# Mid-line, a rights phrase only counts after a sentence end: "(all rights reserved)" is prose.
_RIGHTS = (
    "all rights? reserved|alle rechte vorbehalten|tous droits réservés"
    "|todos los derechos reservados|tutti i diritti riservati|alle rechten voorbehouden"
    "|todos os direitos reservados|wszelkie prawa zastrzeżone|все права защищены"
)
_RELATED = (
    "related (?:articles?|posts?|stories|content|news|links|topics)|read (?:also|next)|see also"
    "|you (?:may|might) also (?:like|enjoy)|recommended (?:for you|articles|stories|reading)",
    "ähnliche (?:beiträge|artikel|themen)|empfohlene (?:beiträge|artikel)|mehr zum thema"
    "|weitere (?:beiträge|artikel|nachrichten)(?: zum thema)?|(?:lesen sie|lies) (?:auch|mehr)"
    "|das (?:könnte|dürfte) (?:sie|dich) auch interessieren|zum weiterlesen",
    "vous aimerez aussi|(?:à )?lire aussi|sur le même (?:sujet|thème)"
    "|articles? (?:similaires|liés|connexes)",
    "artículos relacionados|noticias relacionadas|(?:te|le) puede interesar|lea (?:también|más)"
    "|puedes ver",
    "articoli correlati|leggi anche|(?:ti )?potrebbe interessar(?:ti|e)(?: anche)?",
    "gerelateerde artikelen|lees ook|artigos relacionados|leia também|veja também",
    "(?:czytaj|zobacz) (?:też|także)|podobne artykuły|dowiedz się więcej",
    "читайте также|похожие (?:статьи|новости|материалы)|по теме",
    "関連記事|おすすめ記事|あわせて読みたい|相关(?:文章|阅读|新闻)|猜你喜欢|延伸阅读",
)

# The first matching rule wins; the order only decides which counter a line lands in.
# fmt: off
_RULE_DATA: tuple[_Rule, ...] = (
    _Rule("ad_label", 60, line=(
        "advertisements?|adverts?|ads?|sponsored(?: content| post| links?| stories)?"
        "|paid (?:content|post)|promoted",
        "anzeigen?|werbung|gesponsert|publicités?|annonces?|contenu sponsorisé",
        "publicidad|anuncios?|patrocinado|pubblicità|annuncio|sponsorizzato",
        "advertenties?|reclame|gesponsord|publicidade|anúncios?",
        "reklam[ay]|ogłoszenie|sponsorowane|реклама|спонсорский материал",
        "広告|スポンサーリンク|PR|广告|廣告|推广|赞助内容",
    )),
    _Rule("affiliate_disclosure", 300, contains=(
        "(?:contains|includes|may contain) affiliate links|as an amazon associate"
        "|we (?:may )?(?:earn|receive) (?:a )?(?:small )?(?:commission|compensation)",
        "enthält (?:affiliate[- ]?links|werbung|werbelinks)|unbezahlte werbung"
        "|werbung (?:wegen|durch) (?:markennennung|verlinkung)|als amazon-partner verdiene",
        "contient des liens (?:d'affiliation|affiliés)|contiene enlaces de afiliados",
        "contiene link affiliati|bevat affiliate ?links|contém links de afiliados",
        "zawiera linki afiliacyjne",
    )),
    _Rule("cookie_notice", 300, line=(
        "cookie (?:settings|policy|preferences|consent)|cookie-(?:einstellungen|richtlinie)",
    ), prefix=(
        "(?:we|we and our partners) use cookies|(?:this|our) (?:web)?site uses cookies",
        "by (?:continuing to )?(?:browse|browsing|use|using) (?:this|our) (?:web)?site",
        "(?:accept|allow|reject) (?:all )?cookies|(?:manage|customi[sz]e) cookie",
        "wir (?:verwenden|nutzen|benutzen|setzen) (?:auf (?:unserer|dieser) [\\w-]+ )?cookies",
        "(?:diese|unsere) (?:web)?(?:seite|site) (?:verwendet|nutzt|benutzt) cookies",
        "(?:alle )?cookies (?:akzeptieren|zulassen|erlauben)",
        "um (?:unsere|diese) (?:web)?(?:seite|site) .{0,80}(?:verwenden|nutzen) wir cookies",
        "(?:ce site|notre site) utilise des cookies|nous utilisons des cookies",
        "(?:tout )?accepter(?: tous)? les cookies|utilizamos cookies|usamos cookies",
        "(?:este sitio(?: web)?|esta web) utiliza cookies|aceptar (?:todas )?(?:las )?cookies",
        "questo sito(?: web)? utilizza (?:i )?cookie|utilizziamo (?:i )?cookie",
        "accetta (?:tutti i )?cookie|(?:wij|we) gebruiken cookies|(?:alle )?cookies accepteren",
        "deze (?:web)?site (?:gebruikt|maakt gebruik van) cookies",
        "este (?:site|sítio) utiliza cookies|aceitar (?:todos os )?cookies",
        "ta strona (?:internetowa )?(?:używa|wykorzystuje) (?:plików )?cookies?",
        "używamy (?:plików )?cookies?|akceptuj(?:ę)? (?:wszystkie )?(?:pliki )?cookies?",
        "мы используем (?:файлы )?cookie|этот сайт использует (?:файлы )?cookie",
        "принять (?:все )?cookie|当サイトでは(?:クッキー|cookie)|このサイトは(?:クッキー|cookie)",
        "本网站使用(?:cookie|cookies)|我们使用(?:cookie|cookies)",
    )),
    _Rule("javascript_notice", 200, prefix=(
        "(?:please )?(?:enable|turn on) javascript|you (?:need to|must) (?:enable|have) javascript",
        "javascript is (?:required|disabled|not enabled|turned off|currently disabled)",
        "(?:this|the) (?:site|website|page|app) requires javascript",
        "your browser (?:does not support|has disabled) javascript",
        "(?:bitte )?(?:aktivieren sie|aktiviere) javascript",
        "javascript ist (?:deaktiviert|nicht aktiviert)|(?:veuillez )?activer javascript",
        "javascript est désactivé|(?:activa|habilita) javascript|javascript está desactivado",
        "attiva(?:re)? javascript|javascript è disattivato|schakel javascript in",
        "javascript is uitgeschakeld|ative o javascript|włącz javascript",
        "javascript jest wyłączony|включите javascript|javascript отключен",
        "javascriptを有効に|javascriptが無効|请(?:启用|开启)javascript",
    )),
    _Rule("newsletter", 160, line=("newsletter|nieuwsbrief|рассылка|メルマガ",), prefix=(
        "subscribe (?:to (?:our|the) (?:free )?(?:newsletter|mailing list)|now)",
        "sign up (?:for|to) (?:our|the) (?:free )?newsletter|join (?:our|the) newsletter",
        "never miss .{0,40}sign(?:ing)? up|(?:jetzt |zum )?newsletter (?:abonnieren|anmelden)",
        "abonnieren sie (?:jetzt )?(?:unseren|den) newsletter|abonnez-vous",
        "inscrivez-vous (?:à|a) (?:notre|la) newsletter|suscr[ií]b(?:ete|ase)",
        "iscriviti alla (?:nostra )?newsletter",
        "abonneer (?:je|u) (?:nu )?op (?:onze|de) nieuwsbrief",
        "inscreva-se|assine (?:a )?(?:nossa )?newsletter|zapisz się (?:do|na) newslett?era?",
        "подпишитесь на (?:нашу )?(?:рассылку|новости)|подписаться на (?:рассылку|новости)",
        "ニュースレター(?:の)?(?:登録|購読)|メルマガ(?:登録|購読)|订阅(?:我们的)?(?:新闻通讯|电子报|邮件)",
    )),
    _Rule("paywall", 160, prefix=(
        "to continue reading|subscribe to (?:continue|read)|already a (?:subscriber|member)",
        "(?:sign|log) in to (?:continue|read)|(?:bereits|schon) abonnent",
        "dieser (?:artikel|beitrag|inhalt) ist (?:nur )?(?:für abonnenten|exklusiv)",
        "pour lire la suite|pour accéder en illimité|déjà abonné|para seguir leyendo",
        "ya (?:eres|es) suscriptor|per continuare a leggere|sei già abbonato|om verder te lezen",
        "al abonnee|para continuar lendo|já (?:é|és) assinante|aby czytać dalej",
        "чтобы продолжить чтение",
    )),
    _Rule("share", 80, line=(
        f"(?:{_SOCIAL})(?:[\\W_]+(?:{_SOCIAL}))+|tweet(?: this)?|pin it|like this|loading\\.*",
        f"share(?: this(?: article| post| page| story)?)?(?: on (?:{_SOCIAL}|x)| via e-?mail)?",
        f"(?:artikel |beitrag )?teilen(?: auf (?:{_SOCIAL}))?|auf (?:{_SOCIAL}) teilen",
        f"teilen mit|gefällt mir|wird geladen|partager(?: sur (?:{_SOCIAL})| cet article)?",
        f"j'aime|chargement|compartir(?: en (?:{_SOCIAL})| esto)?|cargando",
        f"condividi(?: su (?:{_SOCIAL}))?|delen(?: op (?:{_SOCIAL}))?",
        f"compartilh(?:e|ar)(?: no (?:{_SOCIAL}))?|udostępnij(?: na (?:{_SOCIAL}))?",
        f"поделиться(?: в (?:{_SOCIAL}))?|シェア(?:する)?|分享(?:到)?",
    )),
    _Rule("follow", 200, prefix=(
        f"follow (?:us|\\S+(?: \\S+){{0,2}}) on (?:{_SOCIAL})",
        f"(?:like|find|join) us on (?:{_SOCIAL})",
        "follow us|folg(?:en sie|e) uns|suivez-nous|s[ií]g(?:ue|a)nos|seguici|siga-nos|volg ons",
        "obserwuj nas|подписывайтесь на нас|следите за нами|フォローする|关注我们",
    )),
    _Rule("related", 200, line=_RELATED, prefix=tuple(f"(?:{p}) ?:" for p in _RELATED)),
    _Rule("read_more", 60, line=(
        "read (?:more|on)|read (?:the )?(?:full|whole|entire) (?:article|story|post)",
        "(?:continue|keep) reading|click here(?: to .{1,40})?|learn more|more info",
        "weiterlesen|mehr (?:lesen|erfahren|dazu)|(?:hier|klicken sie hier)(?: klicken)?",
        "lire (?:la suite|plus)|en savoir plus|cliquez ici|leer más|s(?:e|i)gu(?:ir|e) leyendo",
        "ha(?:z|ga) clic aquí|leggi (?:di più|tutto|altro)|continua a leggere|clicca qui",
        "lees (?:meer|verder)|verder lezen|klik hier|leia mais|continu(?:ar|e) lendo",
        "clique aqui|saiba mais|czytaj (?:więcej|dalej)|kliknij tutaj|więcej",
        "читать (?:далее|полностью|дальше|ещё|еще)|подробнее|нажмите здесь",
        "続きを読む|もっと見る|詳しくはこちら|阅读(?:更多|全文)|查看(?:更多|全文)|点击(?:这里|此处)|更多",
    )),
    _Rule("navigation", 40, line=(
        "print(?: this (?:page|article))?|back to top|skip to (?:main )?content|drucken",
        "druckversion|nach oben|zum inhalt springen|imprimer|retour en haut|aller au contenu",
        "imprimir|volver arriba|ir al contenido|stampa|torna su|vai al contenuto|naar boven",
        "afdrukken|voltar ao topo|drukuj|do góry|przejdź do treści|печать|наверх",
        "перейти к содержанию|ページトップへ|印刷する|返回顶部|打印",
    )),
    _Rule("copyright", 250, prefix=(
        "©|\\(c\\) ?(?:19|20)\\d\\d|copyright ?(?:©|\\(c\\)|(?:19|20)\\d\\d|:)",
        _RIGHTS,
    ), contains=(f"(?<=[.!?|]\\s)(?:{_RIGHTS})", "無断(?:転載|複製)|版[权權]所有")),
    _Rule("media_credit", 150, prefix=(
        "(?:photo|foto|fotos|bild|bilder|image|picture|credits?)(?: credit)? ?:",
        "bildquelle ?:|titelbild ?:|beitragsbild ?:|crédits? photo ?:|zdjęcie ?:|fot\\. ?:|фото ?:",
    ), contains=("©[^©.!?]{1,60}$",)),
    _Rule("lorem_ipsum", 2000, prefix=("lorem ipsum dolor",)),
)
# fmt: on

# Word boundary for alphabetic scripts only: CJK phrases run straight into the next word.
_ALPHA_CHARS = "A-Za-zÀ-ÖØ-öø-ɏͰ-ϿЀ-ӿ"
_END = f"(?!(?<=[{_ALPHA_CHARS}])[{_ALPHA_CHARS}])"
# "(at the start or) after a non-alphabetic character": the engine only tries the phrases there.
_START = f"(?:.*?[^{_ALPHA_CHARS}])?"


def _alternation(phrases: tuple[str, ...]) -> str:
    return "(?:" + "|".join(p.replace(" ?", r"\s*").replace(" ", r"\s+") for p in phrases) + ")"


def _compile(rule: _Rule) -> re.Pattern[str]:
    """One anchored, length-limited regex per rule (see the module docstring)."""
    branches = []
    if rule.line:
        alt = _alternation(rule.line)
        branches.append(rf"[\W_]*{alt}{_END}(?:[\W_]*{alt}{_END})*[\W_]*$")
    if rule.prefix:
        branches.append(rf"[\W_]*{_alternation(rule.prefix)}{_END}")
    if rule.contains:
        branches.append(rf"{_START}{_alternation(rule.contains)}{_END}")
    return re.compile(rf"^(?=.{{1,{rule.max_chars}}}$)(?:{'|'.join(branches)})", re.IGNORECASE)


RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple((r.name, _compile(r)) for r in _RULE_DATA)
# The same limits as in the regexes, checked first: most lines are paragraphs, longer than any.
_LIMITS = tuple(r.max_chars for r in _RULE_DATA)


def boilerplate_rule(line: str) -> str | None:
    """The name of the first rule that matches ``line`` (already stripped), or None."""
    size = len(line)
    for (name, pattern), limit in zip(RULES, _LIMITS, strict=True):
        if size <= limit and pattern.match(line):
            return name
    return None


def clean_text(text: str, count: Callable[[str], None] = lambda name: None) -> str:
    """Drop boilerplate lines (counting ``cleanup:<rule>`` for each), collapse blank-line runs.

    Lines are right-stripped; a line that is blank after stripping separates paragraphs, and a run
    of them (including those left behind by dropped lines) becomes a single blank line.
    """
    kept: list[str] = []
    for raw_line in text.splitlines():
        line = raw_line.rstrip()
        stripped = line.strip()
        if not stripped:
            if kept and kept[-1]:
                kept.append("")
            continue
        rule = boilerplate_rule(stripped)
        if rule is None:
            kept.append(line)
        else:
            count(f"cleanup:{rule}")
    return "\n".join(kept).strip()
