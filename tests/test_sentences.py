import json
from pathlib import Path

from index.sentences import MAX_SENTENCE, heading, split_spans
from tests.conftest import SEEDS

SEED = SEEDS / "000_fcbddb13c552a77e.txt"


def test_offsets_are_exact_on_the_seed_article():
    text = SEED.read_text(encoding="utf-8")
    spans = split_spans(text)
    for s, e in spans:
        assert text[s:e] == text[s:e].strip() and text[s:e]
    sentences = [text[s:e] for s, e in spans]
    exchange = "However, both sides did agree to exchange thousands of combatants who were deceased or critically injured."
    assert exchange in sentences
    # The article breaks one sentence across a line; it stays one sentence.
    assert any(t.startswith("Peskov indicated that a summit") and "Donald Trump is 'unlikely" in t for t in sentences)
    first = "Negotiations between Russia and Ukraine yield minimal advancements, with a ceasefire proposal on the table."
    assert sentences[0] == first
    # spans are ordered and do not overlap
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_abbreviations_do_not_split():
    text = "The U.S. President spoke on Monday. Then Mr. Smith left."
    assert [text[s:e] for s, e in split_spans(text)] == ["The U.S. President spoke on Monday.", "Then Mr. Smith left."]


def test_a_list_items_number_and_no_before_a_number_start_the_next_sentence():
    text = "Aftercare\n\n1. Keep the wound dry.\n2. Take the tablets.\n\nCharity no. 1187342. It reached No. 1 in 1966."
    assert [text[s:e] for s, e in split_spans(text)] == [
        "Aftercare",
        "1. Keep the wound dry.",
        "2. Take the tablets.",
        "Charity no. 1187342.",
        "It reached No. 1 in 1966.",
    ]


def test_a_numbered_clause_and_a_key_value_line_start_a_sentence_and_a_numbered_title_is_a_heading():
    text = (
        "Club: IronPeak Fitness, Unit 4, Canal Street Retail Park, Leeds LS11 5QR\nClub manager: Priya Natarajan\n\n"
        "5. Guests\n5.1 Each member is entitled to 2 guest passes per calendar month.\n5.2 Unused passes expire.\n"
    )
    got = [text[s:e] for s, e in split_spans(text)]
    assert got == [
        "Club: IronPeak Fitness, Unit 4, Canal Street Retail Park, Leeds LS11 5QR",
        "Club manager: Priya Natarajan",
        "5. Guests",
        "5.1 Each member is entitled to 2 guest passes per calendar month.",
        "5.2 Unused passes expire.",
    ]
    assert [heading(t) for t in got] == [False, False, True, False, False]
    assert [heading(t) for t in ("2 Squadron RAAF", "12 apples", "3.5 Stars", "1.500 Mitglieder")] == [False] * 4


def test_a_line_that_runs_on_is_not_cut_before_a_number_or_a_colon():
    for text in (
        "Notice may be given subject to clause\n7.2 (b), by giving notice in writing.",
        "She is best known for her role in the 2015 film\nMad Max: Fury Road, which won six Oscars.",
        "Der Verein hat inzwischen mehr als\n1.500 Mitglieder in ganz Deutschland.",
        "The chip runs at\n2.4 GHz and ships with 16 GB of memory.",
        "The fee rose by\n3.5 per cent.",
    ):
        assert [text[s:e] for s, e in split_spans(text)] == [text]


def test_blank_lines_and_markdown_headings_end_sentences():
    text = "# Kestrel Bridge\nThe bridge is long.\n\nA list:\n- first item\n- second item"
    got = [text[s:e] for s, e in split_spans(text)]
    assert got == ["# Kestrel Bridge", "The bridge is long.", "A list:", "- first item", "- second item"]


def test_runaway_text_is_cut_into_readable_pieces():
    text = "word " * 1000
    spans = split_spans(text)
    assert len(spans) > 1 and all(e - s <= MAX_SENTENCE for s, e in spans)
    assert all(text[s:e].strip() == text[s:e] for s, e in spans)


def test_empty_and_whitespace():
    assert split_spans("") == []
    assert split_spans(" \n\n \t") == []


def test_no_gold_or_contrast_evidence_sentence_is_a_heading():
    """Headings are never evidence, so a heading rule that caught a sentence some answer rests on would decline it:
    every gold support sentence of the labelled set and every premise pair's evidence must pass."""
    data = Path(__file__).resolve().parent.parent / "bench" / "data"
    gold = [
        s["text"]
        for line in (data / "labelled.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
        for s in json.loads(line).get("support", [])
    ]
    premise = [
        json.loads(line)["evidence"] for line in (data / "premise.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    assert len(gold) > 50 and len(premise) > 20
    assert [t for t in gold + premise if heading(t)] == []


def test_a_line_without_a_full_stop_is_a_heading_only_when_it_is_a_title():
    """Bullet items, captions and notices often end without a full stop; they state something."""
    statements = [
        "Margaret Oakes is the Head Librarian",
        "Tarnholt Observatory is on Harrow Hill",
        "Scott Derrickson and Ed Wood were American",
        "- Margaret Oakes is Head Librarian at Wickmoor Library",
        "Jane Smith, Tom Brown and Ada Lovelace",
        "THE MUSEUM IS CLOSED ON MONDAYS AND PUBLIC HOLIDAYS",
        "The bridge will carry four traffic lanes",
        "这座桥横跨马罗河口。",
    ]
    titles = [
        "Lumenfold Analytics Remote Work Policy",
        "A Practical Guide to Growing Tomatoes",
        "Restoring the Great Refractor at Tarnholt Observatory",
        "# The Fennick Valley Apple Cooperative",
        "## What we know about the bridge so far",
    ]
    assert [t for t in statements if heading(t)] == []
    assert [t for t in titles if not heading(t)] == []


def test_a_span_that_cannot_begin_a_sentence_joins_the_one_before():
    """Punkt ends a sentence at "!" inside a quoted title and after a name's first initial; the pieces are one
    sentence ('"Hip Hip Pooh-Ray!"' alone was indexed, and "A. Milne." was cited as a sentence)."""
    text = (
        '"Hip Hip Pooh-Ray!" is a song from a 1968 featurette. It is based on stories by A. A. Milne. '
        'It is in "Winnie the Pooh and Tigger Too!", a 1974 release. It was popular during World War I. He sang it.'
    )
    assert [text[s:e] for s, e in split_spans(text)] == [
        '"Hip Hip Pooh-Ray!" is a song from a 1968 featurette.',
        "It is based on stories by A. A. Milne.",
        'It is in "Winnie the Pooh and Tigger Too!", a 1974 release.',
        "It was popular during World War I.",
        "He sang it.",
    ]


def test_joined_fragments_stay_within_the_longest_sentence():
    text = "x" * (MAX_SENTENCE - 20) + "! and then " + "y" * 40 + "."
    assert all(e - s <= MAX_SENTENCE for s, e in split_spans(text))
