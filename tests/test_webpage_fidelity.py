"""A web page's stored text keeps every word the page shows in its article, and only those: inline elements stay in
their sentence, raised and lowered text stays distinguishable, words a browser shows apart are never glued,
captions are kept, and headlines, bylines, datelines and site chrome are handled the same way on every site.

The pages are in tests/fixtures/pages, small and hand-written, one for each case.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from lxml import html as lxml_html  # type: ignore[import-untyped]

from provenance.anchoring import anchor_quote
from provenance.errors import Invalid, ProvenanceError
from provenance.extract import document_from_bytes, read_document
from provenance.extract.htmlinline import prepare
from provenance.extract.webpage import from_html
from provenance.models import AnchorMethod

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"


def paragraphs(page: str) -> list[str]:
    return read_document(PAGES / page).document.text.split("\n\n")


def article(body: str, lang: str = "en") -> list[str]:
    """The stored paragraphs of a page whose article is ``body`` (between two ordinary paragraphs, dropped)."""
    before = "<p>The harbour authority published its annual figures on Monday, a week later than planned.</p>"
    after = "<p>Councillors will discuss the figures at their next meeting, on the first Thursday of June.</p>"
    page = (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>Harbour figures</title></head><body>'
        f"<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article>{before}{body}{after}</article>"
        "<footer><p>© The Ellis Courier</p></footer></body></html>"
    )
    stored = from_html(page.encode(), "page.html", None).document.text.split("\n\n")
    assert stored[0] == "The harbour authority published its annual figures on Monday, a week later than planned."
    assert stored[-1].startswith("Councillors will discuss the figures")
    return stored[1:-1]


# --- inline elements stay in their sentence ------------------------------------------------------------


def test_inline_elements_stay_in_their_sentence_with_a_readers_spacing() -> None:
    assert paragraphs("inline.html") == [
        "Household energy bills are set to rise by 12% in April, citing the ONS release of 30 April, the regulator "
        "said on Friday.",
        "The ONS said wholesale prices were “higher than at any time ‘since records began’ in 1988”, according to "
        "its chief economist.",
        "Analysts who ran bills --region=all on the published data found that prices rose in every region, with "
        "London, Leeds, Cardiff and Belfast hit hardest.",
    ]


def test_a_date_in_a_sentence_is_kept_but_its_machine_form_is_not() -> None:
    text = read_document(PAGES / "inline.html").document.text

    assert "citing the ONS release of 30 April, the regulator" in text
    assert "2024-04-30" not in text


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "She said “we will ‘never’ build it” on Tuesday."),
        ("de", "She said „we will ‚never‘ build it“ on Tuesday."),
        ("fr", "She said «we will “never” build it» on Tuesday."),
    ],
)
def test_q_is_one_sentence_with_the_quotation_marks_of_the_pages_language(lang: str, expected: str) -> None:
    assert article("<p>She said <q>we will <q>never</q> build it</q> on Tuesday.</p>", lang) == [expected]


def test_struck_text_is_what_the_page_no_longer_says() -> None:
    body = (
        "<p>Bills are set to rise <del>12%</del> 9.4% next year, <s>said</s> <strike>wrote</strike> the regulator.</p>"
    )

    assert article(body) == ["Bills are set to rise 9.4% next year, the regulator."]


def test_a_line_break_in_struck_text_neither_splits_the_paragraph_nor_glues_words() -> None:
    assert article("<p>one <s>two<br></s> three <s>four</s> five</p>") == ["one three five"]


def test_a_date_in_a_short_line_is_kept_and_a_date_on_a_line_of_its_own_is_not() -> None:
    body = "<p>On <time datetime='2024-05-03'>3 May</time>, rain.</p><p><time>14 March 2023</time></p>"

    assert article(body) == ["On 3 May, rain."]


def test_code_inside_a_sentence_stays_in_it_and_a_code_block_stays_a_block() -> None:
    body = "<p>Run <code>make test</code> before you commit.</p><pre><code>make test\nmake lint</code></pre>"

    assert article(body) == ["Run make test before you commit.", "make test\nmake lint"]


# --- raised and lowered text ---------------------------------------------------------------------------


def test_sup_and_sub_take_their_unicode_forms_ordinals_stay_plain_and_other_text_is_its_own_word() -> None:
    assert paragraphs("scripts.html") == [
        "The figures in table 3¹ show CO₂ emissions of 10⁻³ tonnes a head, while H₂O use grew as x² over the decade.",
        "The 1st and 2nd readings were taken in May; the 2e édition of the French survey followed in June.",
        "The council’s report¹ and the audit[2] disagree, as do two earlier studies³,⁴ and the model a the authors "
        "used.",
        "Ellis Borough Council, Annual Emissions Report, 2023.",
    ]


def test_a_footnote_marker_is_never_read_into_the_number_before_it() -> None:
    text = read_document(PAGES / "scripts.html").document.text

    assert "table 31" not in text
    assert "table 3¹" in text


@pytest.mark.parametrize(
    ("markup", "shown"),
    [
        ("E = mc<sup>2</sup>", "E = mc²"),
        ("the 21<sup>st</sup> century", "the 21st century"),
        ("le 19<sup>e</sup> siècle", "le 19e siècle"),
        ("Brand<sup>TM</sup> cars", "Brand TM cars"),
        ("x<sub>i</sub> and y", "x i and y"),
        ("see note<sup> 4</sup> below", "see note ⁴ below"),
        ("pages 3<sup>1–3</sup>", "pages 3¹–³"),
        ("an empty<sup></sup> marker", "an empty marker"),
        ("the term x<sup>a<sup>b</sup></sup> grows", "the term x a b grows"),
        ("CO<sub>x<sub>2</sub></sub> and", "CO x₂ and"),
        ("the H<sub>2<q>O</q></sub> mark", "the H 2“O” mark"),
    ],
)
def test_raised_and_lowered_text_in_a_sentence(markup: str, shown: str) -> None:
    assert article(f"<p>{markup}, the report says.</p>") == [f"{shown}, the report says."]


def test_a_formula_is_stored_as_drawn_not_as_its_latex_source() -> None:
    formula = (
        "<math><msup><mi>r</mi><mn>2</mn></msup><mo>×</mo><mi>π</mi>"
        "<annotation encoding='application/x-tex'>r^2 \\times \\pi</annotation></math>"
    )

    assert article(f"<p>The area is {formula} square metres.</p>") == ["The area is r²×π square metres."]


def test_raised_text_after_thousands_of_empty_elements_is_read_without_running_out_of_stack() -> None:
    empty = "<span></span>" * 3000

    assert article(f"<p>The model{empty}<sup>a</sup>{empty}used data from 2020.</p>") == [
        "The model a used data from 2020."
    ]


# --- words a browser shows apart are never glued ---------------------------------------------------------


def test_words_a_browser_shows_apart_are_never_glued_and_words_it_shows_together_are_never_split() -> None:
    assert paragraphs("adjacent.html") == [
        "The letter was signed by Omar Haddad Ilhan Demir and three other councillors on Monday.",
        "Fees rose sharply in May, when the harbour authority met again.",
        "The vote:\nYes, 7\nNo, 2",
        "Present: Omar Haddad Ilhan Demir",
        "Washington",
        "Leeds",
        "Ferry\t€2.90",
    ]


def test_names_either_side_of_an_element_trafilatura_removes_are_not_glued() -> None:
    body = (
        "<p>The letter was signed by <span>Omar Haddad</span><span aria-hidden='true'>•</span><span>Ilhan Demir</span>"
        " and <span>Ann Lee</span><span class='share-tools'>Share</span><span>Bo Chan</span> on Monday.</p>"
    )

    assert article(body) == ["The letter was signed by Omar Haddad Ilhan Demir and Ann Lee Bo Chan on Monday."]


def test_names_in_adjacent_elements_of_one_class_are_two_names() -> None:
    body = (
        "<p>Signed by <span class='name'>Omar</span><span class='name'>Ilhan</span>, and spelt "
        "<span class='char'>N</span><span class='char'>O</span> in Wash<span>ington</span>.</p>"
    )

    assert article(body) == ["Signed by Omar Ilhan, and spelt NO in Washington."]


def test_the_page_tree_gets_a_space_only_where_a_browser_shows_one() -> None:
    tree = lxml_html.fromstring(
        "<div><p>Wash<span>ington</span> <a href='a'>Omar</a><a href='b'>Ilhan</a></p><div>One</div><div>Two</div>"
        "rose<img src='x'>sharply<span style='display: block'>Ann</span>Lee</div>"
    )

    prepare(tree)

    assert " ".join(tree.text_content().split()) == "Washington Omar Ilhan One Two rose sharply Ann Lee"


# --- hidden text, captions ----------------------------------------------------------------------------


def test_text_a_browser_does_not_show_is_not_stored() -> None:
    body = (
        "<p>The port<span hidden> SECRET-ONE</span> reopened<span style='display: none'> SECRET-TWO</span> on"
        "<span class='sr-only'> SECRET-THREE</span> Monday<span class='d-none d-md-inline'> morning</span>.</p>"
    )

    assert article(body) == ["The port reopened on Monday morning."]


def test_a_card_shown_only_while_pointing_at_a_link_is_not_stored() -> None:
    body = (
        "<p>Governor <a href='/people/kristi-noem'>Kristi Noem</a><span class='rollover-people-block'><img src='k.jpg'>"
        "<a href='/people/kristi-noem'>Kristi Lynn Noem</a><a href='/news/1'>Her latest story</a></span> defended "
        "the campaign.</p>"
    )

    assert article(body) == ["Governor Kristi Noem defended the campaign."]


def test_captions_are_paragraphs_of_their_own_where_their_figure_is() -> None:
    assert paragraphs("captions.html") == [
        "The new flood wall will run for 3.2 kilometres between the ferry terminal and the old mill.",
        "The first section of the wall, seen from the ferry terminal. Photo: Ann Lee",
        "Two pumping stations will be built at the mouths of the Alder and Wren streams.",
        "A pumping station on the Alder, 2019.",
        "A raised footpath will double as an emergency access road for the lower town.",
    ]


def test_a_tables_caption_follows_it_and_a_pull_quote_which_repeats_the_text_is_left_out() -> None:
    body = (
        "<figure><table><tr><td>Single</td><td>€2.90</td></tr></table><figcaption>Fares from March</figcaption>"
        "</figure><figure class='pullquote'><blockquote>It is time to build.</blockquote><figcaption>Inés Calderón"
        "</figcaption></figure>"
    )

    assert article(body) == ["Single\t€2.90", "Fares from March"]


# --- headline, byline, dateline, chrome --------------------------------------------------------------


@pytest.mark.parametrize("page", ["headline-in-article.html", "headline-above-article.html"])
def test_headline_standfirst_byline_and_dateline_are_not_text_wherever_the_site_puts_them(page: str) -> None:
    document = read_document(PAGES / page).document

    assert document.text == (
        "The Port Ellis city council voted 7-2 on Tuesday night to fund a 3.2 kilometre flood wall along the river "
        "front.\n\nConstruction is expected to start in the autumn of 2024 and to take about three years."
    )
    assert document.metadata.title == "Council approves flood wall"
    assert document.metadata.author == "Maren Okafor"
    assert document.metadata.published == dt.date(2023, 3, 14)


@pytest.mark.parametrize(
    "line",
    ["By Maren Okafor", "Maren Okafor", "By Maren Okafor | 14 March 2023, 09:30", "Updated 3 hours ago"],
)
def test_a_byline_or_dateline_in_the_article_is_left_out(line: str) -> None:
    page = (
        '<html><head><title>Flood wall</title><meta name="author" content="Maren Okafor"></head><body><article>'
        f"<p>{line}</p><p>The council voted 7-2 on Tuesday night to fund a flood wall along the river.</p>"
        "</article></body></html>"
    )

    document = from_html(page.encode(), "page.html", None).document

    assert document.text == "The council voted 7-2 on Tuesday night to fund a flood wall along the river."
    assert document.metadata.author == "Maren Okafor"


def test_a_section_heading_right_under_the_headline_is_kept() -> None:
    page = (
        "<html><head><title>Flood wall</title></head><body><article><h1>Flood wall</h1><h2>Introduction</h2>"
        "<p>The council voted 7-2 on Tuesday night to fund a flood wall along the river.</p></article></body></html>"
    )

    assert from_html(page.encode(), "page.html", None).document.text == (
        "Introduction\n\nThe council voted 7-2 on Tuesday night to fund a flood wall along the river."
    )


def test_site_chrome_is_left_out() -> None:
    assert paragraphs("chrome.html") == [
        "A single ticket on the Wren ferry will rise from €2.40 to €2.90 on 1 March, the operator said on Monday.",
        "Commuters with a monthly pass will pay 8% more; pensioners keep their free pass.",
        "The operator blamed fuel prices, which it said had doubled since 2021.",
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "Sign up for the ferry scheme opened in May.",
        "Published in 1998, the book sold a million copies.",
        "Share prices fell.",
        "Updated figures follow.",
    ],
)
def test_a_sentence_of_the_article_that_starts_like_chrome_is_kept(sentence: str) -> None:
    assert article(f"<p>{sentence}</p>") == [sentence]


@pytest.mark.parametrize("page", ["sign-in.html", "empty-article.html"])
def test_a_page_with_no_article_text_left_is_refused_with_the_reason(page: str) -> None:
    path = PAGES / page

    with pytest.raises(Invalid) as info:
        read_document(path)

    assert str(info.value) == (
        f"{path} has no article text that could be extracted; save the article page itself, or copy its text into "
        "a .txt file"
    )


def test_a_short_page_that_is_all_article_is_captured_as_its_paragraphs() -> None:
    document = read_document(PAGES / "short.html").document

    assert document.text == "The Wren ferry runs again from Monday.\n\nTickets cost €2.90."
    assert document.metadata.title == "Ferry resumes"


def test_text_placed_directly_in_a_div_of_the_article_is_kept() -> None:
    body = (
        "<div>Text placed directly in a div, with several words. <div>An inner div with words too.</div> The tail "
        "of the outer div.</div>"
    )

    # trafilatura reads such a div as one paragraph: its lines run together, a space between them
    assert article(body) == [
        "Text placed directly in a div, with several words. An inner div with words too. The tail of the outer div."
    ]


def test_words_in_a_script_are_never_stored_as_the_article() -> None:
    data = (
        b'<html><head><title>Ferry</title><script type="application/ld+json">{"@type": "NewsArticle", '
        b'"articleBody": "Text the page itself never shows, from its structured data."}</script></head>'
        b"<body><p>The Wren ferry runs again from Monday.</p></body></html>"
    )

    assert document_from_bytes(data, name="p.html", origin=None).document.text == (
        "The Wren ferry runs again from Monday."
    )


# --- the article's parts, wherever the site puts them --------------------------------------------------


def test_an_article_split_over_containers_of_one_class_is_kept_whole() -> None:
    first = "".join(
        f"<p>Part one, paragraph {n}: the harbour authority published its annual figures.</p>" for n in "1234567"
    )
    second = "".join(
        f"<p>Part two, paragraph {n}: councillors will discuss the published figures in June./p>" for n in "1234567"
    )
    page = (
        "<html><head><title>Harbour figures</title></head><body><article>"
        f"<div class='article__body grid'>{first}</div><div class='ad-rail'>ADVERTISEMENT-TEXT</div>"
        f"<div class='article__body grid'>{second}</div></article></body></html>"
    )

    stored = from_html(page.encode(), "page.html", None).document.text.split("\n\n")

    assert len(stored) == 14
    assert stored[0].startswith("Part one, paragraph 1:") and stored[-1].startswith("Part two, paragraph 7:")


def test_a_post_embedded_in_the_article_is_kept_as_a_quotation() -> None:
    body = (
        "<div class='social-media-embed'><blockquote class='twitter-tweet'><p>The ferry is late again.</p>"
        "— Ann Lee (@annlee) <a href='https://twitter.example/annlee/1'>May 3, 2024</a></blockquote></div>"
    )

    assert article(body) == ["The ferry is late again.", "— Ann Lee (@annlee) May 3, 2024"]


def test_a_paragraph_that_only_links_to_another_page_of_the_site_is_left_out() -> None:
    tree = lxml_html.fromstring(
        '<html><head><link rel="canonical" href="https://www.ellis.example/news/harbour"></head><body>'
        "<p>Read more: <a href='/news/ferry-fares'>Ferry fares rise in March</a></p>"
        "<p><a href='https://ellis.example/news/tides'>Tide tables revised for the spring</a></p>"
        "<p><a href='https://shop.example/tickets'>Get a ferry ticket for €2.90</a></p>"
        "<p>The <a href='/news/report'>report</a> was published on Monday.</p>"
        "<p>Account: <a href='https://social.example/annlee'>annlee</a></p></body></html>"
    )

    prepare(tree)

    assert [" ".join(p.text_content().split()) for p in tree.iter("p")] == [
        "Get a ferry ticket for €2.90",
        "The report was published on Monday.",
        "Account: annlee",
    ]


def test_a_quote_that_reads_a_footnote_into_a_number_is_not_found_exactly_but_the_page_as_shown_is() -> None:
    text = read_document(PAGES / "scripts.html").document.text

    with pytest.raises(ProvenanceError):
        anchor_quote(text, "The figures in table 31 show", source_key="scripts")
    anchor = anchor_quote(text, "The figures in table 3¹ show", source_key="scripts")
    assert text[anchor.start : anchor.end] == "The figures in table 3¹ show"
    assert anchor.method == AnchorMethod.EXACT
