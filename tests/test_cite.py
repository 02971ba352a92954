"""Citation parsing and the support check (real embedder, hand-made sources)."""

import pytest

from qa.cite import Verifier, is_decline, lexical, parse, render
from qa.records import Sentence, Source

SRC = [
    "However, both sides did agree to exchange thousands of combatants who were deceased or critically injured.",
    "He also proposed scheduling further discussions between June 20 and June 30.",
    "The bridge will cost £46 million according to the council.",
    "Tomatoes need at least six hours of direct sunlight each day.",
]


def _sources():
    return [Source(i + 1, f"doc{i}.txt", Sentence(f"d{i}", 0, 0, len(t), None, t), 0.5) for i, t in enumerate(SRC)]


@pytest.fixture
def verifier(embedder):
    return Verifier(embedder, 0.45)


def test_parse_markers_in_all_positions():
    claims = parse("They agreed to swap prisoners [1]. Talks are set for June [2][3]. No cite here.")
    assert [(c.text, c.cited) for c in claims] == [
        ("They agreed to swap prisoners.", [1]),
        ("Talks are set for June.", [2, 3]),
        ("No cite here.", []),
    ]
    assert parse("Cost is high.[3] It opens soon. [1, 2]")[0].cited == [3]
    assert parse("Cost is high.[3] It opens soon. [1, 2]")[1].cited == [1, 2]


def test_correct_citation_is_kept(verifier):
    sentences, citations, declined = verifier.verify(
        "Both sides agreed to exchange thousands of dead or critically injured combatants [1].", _sources())
    assert not declined
    assert sentences[0].supported and sentences[0].citations == [1]
    assert citations[0].text == SRC[0]


def test_wrong_citation_is_replaced_by_the_supporting_sentence(verifier):
    sentences, citations, _ = verifier.verify(
        "Further discussions were proposed between June 20 and June 30 [4].", _sources())
    assert sentences[0].supported
    assert [c.text for c in citations] == [SRC[1]]


def test_missing_citation_is_filled_in(verifier):
    sentences, citations, _ = verifier.verify("Tomatoes need six hours of direct sunlight a day.", _sources())
    assert sentences[0].supported and citations[0].text == SRC[3]


def test_made_up_claim_is_marked_unsupported(verifier):
    sentences, citations, declined = verifier.verify(
        "Both sides agreed to exchange combatants [1]. The moon is made of green cheese [1].", _sources())
    assert not declined
    assert sentences[0].supported
    assert not sentences[1].supported and sentences[1].citations == []
    assert len(citations) == 1


def test_wrong_number_is_not_supported(verifier):
    sentences, _, declined = verifier.verify("The bridge will cost £61 million [3].", _sources())
    assert declined or not sentences[0].supported


def test_answer_with_nothing_supported_declines(verifier):
    assert verifier.verify("Paris is the capital of France [2].", _sources())[2] is True
    assert verifier.verify("The documents do not say.", _sources())[2] is True
    assert verifier.verify("", _sources())[2] is True


def test_citations_are_renumbered_in_order_of_use(verifier):
    sentences, citations, _ = verifier.verify(
        "Tomatoes need six hours of direct sunlight [4]. Both sides agreed to exchange combatants [1].", _sources())
    assert [s.citations for s in sentences] == [[1], [2]]
    assert [c.id for c in citations] == [1, 2]
    assert render(sentences).endswith("[2]")


def test_helpers():
    assert is_decline("The documents do not say.") and not is_decline("It costs £46 million.")
    assert lexical("It costs 61 million", ["It costs 46 million"]) == 0.0
    assert lexical("bridge cost", ["The bridge will cost a lot"]) == 1.0


def test_leading_markers_cite_the_sentence_after_them():
    claims = parse("[3] The bridge will cost £46 million. [4] Tomatoes need sun.\nSo both are true.")
    assert [(c.text, c.cited) for c in claims] == [
        ("The bridge will cost £46 million.", [3]), ("Tomatoes need sun.", [4]), ("So both are true.", [])]


BRIDGE = [
    "The Kestrel Bridge will link Oldquay with the town of Port Verrin across the Marrow Estuary.",
    "The Kestrel Bridge will carry four traffic lanes.",
    "Construction work on the Kestrel Bridge began on 3 March 2025.",
    "The Kestrel Bridge is expected to open in 2028.",
]


def _bridge():
    return [Source(i + 1, "bridge.txt", Sentence("b", i, 0, len(t), None, t), 0.5) for i, t in enumerate(BRIDGE)]


@pytest.mark.parametrize("question, answer, declined", [
    # a true, cited sentence about the topic that lacks the question's focus is not an answer
    ("Who is the architect of the Kestrel Bridge?", "[1] The Kestrel Bridge will link Oldquay with the town of "
     "Port Verrin across the Marrow Estuary.", True),
    ("What will the speed limit be on the Kestrel Bridge?", "The Kestrel Bridge will carry four traffic lanes [2].",
     True),
    # "how many" answered without any quantity
    ("How many toll booths will the Kestrel Bridge have?", "The Kestrel Bridge will link Oldquay with the town of "
     "Port Verrin [1].", True),
    ("When did construction work on the Kestrel Bridge begin?", "[3] Construction work on the Kestrel Bridge began "
     "on 3 March 2025.", False),
    ("How many traffic lanes will the Kestrel Bridge carry?", "The Kestrel Bridge will carry four traffic lanes [2].",
     False),
])
def test_answers_must_address_the_question(embedder, question, answer, declined):
    v = Verifier(embedder, 0.50, 0.50)
    assert v.verify(answer, _bridge(), question)[2] is declined


def test_attribution_words_are_not_claim_words(embedder):
    src = ["The residents say the total cost of the bridge is now estimated at £61 million."]
    sources = [Source(1, "newsletter.md", Sentence("n", 0, 0, len(src[0]), None, src[0]), 0.6)]
    answer = "According to the Oldquay Residents Association newsletter, the total cost is estimated at £61 million [1]."
    sentences, citations, declined = Verifier(embedder, 0.50).verify(answer, sources)
    assert not declined and sentences[0].supported and citations[0].text == src[0]


def test_two_step_question_answered_by_its_last_step(embedder):
    texts = ["This remote work policy is owned by Marisol Quenby.",
             "It applies to all permanent employees of Lumenfold Analytics.",
             "Lumenfold Analytics books all business trips through its travel desk.",
             "The daily meal allowance is 45 euros.",
             "Hotel costs are reimbursed up to 140 euros a night."]
    sources = [Source(i + 1, "p.md", Sentence("p", i, 0, len(t), None, t), 0.5) for i, t in enumerate(texts)]
    q = "What daily meal allowance does the company whose remote work policy is owned by Marisol Quenby pay?"
    sentences, _, declined = Verifier(embedder, 0.50, 0.50).verify("[4] The daily meal allowance is 45 euros.",
                                                                   sources, q)
    assert not declined and sentences[0].citations == [1]


def test_compound_claim_needs_every_clause_supported(verifier):
    whole = "The bridge will cost £46 million according to the council, and drivers cross toll free [3]."
    sentences, _, declined = verifier.verify(whole, _sources())
    assert declined or not sentences[0].supported  # 5 of 9 words are cited, but nothing says crossing is free
    sentences, _, declined = verifier.verify("The bridge will cost £46 million according to the council [3].",
                                             _sources())
    assert not declined and sentences[0].supported and sentences[0].citations == [1]


def test_numbers_in_an_attribution_still_count():
    assert lexical("In 2024, the bridge will cost £46 million.", [SRC[2]]) == 0.0  # 2024 is not in the source
    assert lexical("According to the council, the bridge will cost £46 million.", [SRC[2]]) == 1.0


def test_a_claim_that_restates_the_question_is_not_an_answer(embedder):
    """The model attached the question's premise ("in containers on a balcony") to a true fact; no source says it."""
    texts = ["Cherry tomatoes are usually the easiest type for beginners to grow.",
             "Beefsteak tomatoes produce large fruit but need a long, warm season.",
             "Tomato seeds germinate best when the soil temperature is between 21 and 27 degrees Celsius."]
    sources = [Source(i + 1, "guide.pdf", Sentence("g", i, 0, len(t), None, t), 0.5) for i, t in enumerate(texts)]
    v = Verifier(embedder, 0.50, 0.50)
    q = "Which tomato variety grows best in containers on a balcony?"
    assert v.verify("[1] Cherry tomatoes grow best in containers on a balcony.", sources, q)[2] is True
    sentences, _, declined = v.verify("Cherry tomatoes are the easiest type for beginners to grow [1].", sources,
                                      "Which tomato variety is easiest for beginners?")
    assert not declined and sentences[0].citations == [1]


def test_bare_markers_quote_their_sentences(embedder):
    """"[2][3]" with no words: the cited sentences (here table rows) are the answer, checked for relevance only."""
    texts = ["The default targets, applied when a service declares none, are:", "| signal | default target |",
             "| p95 latency | ≤ 400 ms |", "| error ratio | ≤ 0.5% |"]
    sources = [Source(i + 1, "slo.md", Sentence("s", i, 0, len(t), None, t), 0.5) for i, t in enumerate(texts)]
    sentences, citations, declined = Verifier(embedder, 0.50, 0.50).verify(
        "[1][3]", sources, "What is the default p95 latency target for a service that declares none?")
    assert not declined and [c.text for c in citations] == [texts[0], texts[2]]
    assert "400 ms" in sentences[0].text


def test_a_restated_question_counts_only_with_the_evidence_documents_own_words(embedder):
    """"X is known by his stage name Aladin" restates the question: fine when the answer's document says the rest;
    joining one document's Friday evenings to another's £8 ticket is not."""
    rows = [("obs.md", "The trust opens the observatory to the public every Friday evening."),
            ("obs.md", "Visitors can look through the great refractor when the sky is clear."),
            ("fest.txt", "An adult day ticket costs £8."),
            ("fateh.txt", "Eenasul Fateh"),
            ("fateh.txt", "His stage name is Aladin."),
            ("fateh.txt", "He worked as a management consultant for many years.")]
    sources = [Source(i + 1, d, Sentence(d, i, 0, len(t), None, t), 0.5) for i, (d, t) in enumerate(rows)]
    v = Verifier(embedder, 0.50, 0.50)
    q = "How much does it cost to attend a Friday open evening at the observatory?"
    assert v.verify("It costs £8 to attend a Friday open evening at the observatory [3].", sources, q)[2] is True
    q = "Who is known by his stage name Aladin and worked as a consultant?"
    sentences, citations, declined = v.verify(
        "Eenasul Fateh is known by his stage name Aladin and worked as a consultant [4].", sources, q)
    # the name is the answer: its sentence stays cited (without the premise only [5] and [6] would be)
    assert not declined and sentences[0].supported and citations[0].text == "Eenasul Fateh"
