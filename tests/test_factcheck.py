"""``qa verify``'s stances (fake judge): a sentence contradicts a statement only when it states the statement's
counterpart (another value of the same thing, or the same thing negated), not whenever it has another number."""

import pytest

from qa.cite import Verifier
from qa.factcheck import _DATE, FactChecker, _affirmed, counterpart_of, disputes, with_digits
from qa.records import AnswerSentence, Citation, Sentence, Source
from tests.conftest import CountingEmbedder, FakeGenerator


@pytest.fixture
def checker(embedder):
    return FactChecker(retriever=None, verifier=Verifier(embedder, FakeGenerator()))  # counterpart needs no retrieval


COST = "The Kestrel Bridge will cost £46 million."


def test_another_value_of_the_same_thing_is_a_counterpart(checker):
    assert checker.counterpart(COST, "The Kestrel Bridge will cost £61 million.") >= 0.55
    lanes = "The bridge will carry only two traffic lanes."
    assert checker.counterpart("The bridge will carry four traffic lanes.", lanes) >= 0.55


def test_the_counterpart_judged_is_returned_with_its_score_in_24_hour_time(checker):
    """``counterpart_of`` gives the variant it judged: what a verify citation's reason quotes."""
    p, variant = counterpart_of(checker.verifier, COST, "The Kestrel Bridge will cost £61 million.")
    assert p >= 0.55 and variant == "The Kestrel Bridge will cost £61 million."
    p, variant = counterpart_of(checker.verifier, "Visiting ends at 9 pm.", "Visiting ends at 20:00.")
    assert p >= 0.55 and variant == "Visiting ends at 20:00."  # "9 pm" read as 21:00, the sentence's 20 in its place
    assert counterpart_of(checker.verifier, COST, "The Kestrel Bridge will open in 2027.") == (0.0, "")


@pytest.mark.parametrize(("statement", "sentence"), [("5 °C", "−5 °C"), ("-5 °C", "5 °C"), ("−5 °C", "-3 °C")])
def test_a_minus_sign_is_part_of_the_value(checker, statement, sentence):
    """A minus sign is part of the value ("−5 °C" is not "5 °C"): the screens read it, and the counterpart swaps it."""
    said = "The lowest temperature at the Tarnholt weather station was {} in January."
    assert checker.verifier.supports(said.format(statement), said.format(sentence))[1].startswith("the number")
    assert checker.counterpart(said.format(statement), said.format(sentence)) >= 0.55


def test_another_number_about_something_else_is_not(checker):
    # the screens alone saw "46 is not in the sentence, which has a number" and called this a contradiction
    assert checker.counterpart(COST, "The Kestrel Bridge was approved by the council in 2023.") < 0.55
    assert checker.counterpart(COST, "The Kestrel Bridge will cost £46 million.") == 0.0  # no number missing


def test_the_same_thing_negated_is_a_counterpart_and_something_else_negated_is_not(checker):
    free = "Crossing the Kestrel Bridge will be free of charge."
    assert checker.counterpart(free, "Crossing the Kestrel Bridge will not be free of charge.") >= 0.55
    assert checker.counterpart(free, "The council has not published its budget.") < 0.55


def test_another_date_is_a_counterpart_as_a_whole(checker):
    opening = "The Kestrel Bridge will open to traffic on 14 September 2027."
    assert checker.counterpart(opening, "The Kestrel Bridge will open to traffic on 3 April 2028.") >= 0.55
    assert checker.counterpart(opening, "The Kestrel Bridge ferry timetable changed on 3 April 2028.") < 0.55


def test_a_labels_number_is_no_value_and_a_weekday_goes_with_its_date(checker):
    """A probe's disputes: "Year 5" (a label the document has) made two numbers missing, so no counterpart was judged
    for "£15 per child"-like values, and "Thursday 14 May 2026" against "Friday 15 May 2026" became "Thursday 15 May"."""
    statement = "The Year 5 trip to Hollins Farm is on Thursday 14 May 2026."
    sentence = "Year 5 are heading off to Hollins Farm on Friday 15 May 2026."
    p, variant = counterpart_of(checker.verifier, statement, sentence, "Hollins Farm Year 5")
    assert p >= 0.55 and variant == "The Year 5 trip to Hollins Farm is on Friday 15 May 2026."
    helpers = "Six parent helpers are wanted for the Year 5 trip."
    p, variant = counterpart_of(checker.verifier, helpers, "We need 10 parent helpers on the day.", "Year 5")
    assert variant == "10 parent helpers are wanted for the Year 5 trip."
    assert counterpart_of(checker.verifier, helpers, "We need 10 parent helpers on the day.") == (0.0, "")  # 5 and 6
    # the same label word with another number is another thing, not another value of this one (a review)
    other_class = "Year 6 pupils need 10 parent helpers."
    assert counterpart_of(checker.verifier, "Year 5 pupils need 8 parent helpers.", other_class, "Year 5") == (0.0, "")


def test_another_day_of_the_week_is_a_counterpart(checker):
    p, variant = counterpart_of(checker.verifier, "The museum is closed on Wednesdays.", "The museum is closed on Mondays.")
    assert p >= 0.55 and variant == "The museum is closed on Mondays."
    assert counterpart_of(checker.verifier, "The museum is closed on Mondays.", "The museum is closed on Mondays.") == (0.0, "")
    # "Mon–Sat" says Monday: no other day to swap in (a review)
    assert counterpart_of(checker.verifier, "The café is open on Mondays.", "It is open Mon–Sat, closed Sundays.") == (0.0, "")


def test_number_words_are_read_as_numbers():
    assert with_digits("Thirty-eight trees, four lanes, one of the piers.") == "38 trees, 4 lanes, one of the piers."


def _source(n, doc, text):
    return Source(n, doc, Sentence(doc, n, 0, len(text), None, text), 0.5)


def test_an_answer_gets_another_documents_other_value_as_a_contradicting_citation(checker):
    sources = [
        _source(1, "report.md", COST),
        _source(2, "newsletter.html", "The Kestrel Bridge will cost £61 million."),
        _source(3, "newsletter.html", "The Kestrel Bridge was approved by the council in 2023."),
        _source(4, "report.md", "The Kestrel Bridge will cost £70 million in the worst case."),
    ]
    sentences = [AnswerSentence(COST, [1], True), AnswerSentence("It will be painted green.", [1], True)]
    citations = [Citation(1, "report.md", COST, 0, len(COST), None, 0.9)]
    out, cites = disputes(checker.verifier, sentences, citations, sources)
    assert out[0].disputed_by == [2] and out[1].disputed_by == []
    assert (cites[1].role, cites[1].document, cites[1].text) == ("contradicts", "newsletter.html", sources[1].sentence.text)
    # the claim's own document is not another document; a sentence with the claim's own number disputes nothing
    same = [_source(1, "report.md", COST), _source(2, "newsletter.html", "The Kestrel Bridge will cost £46 million.")]
    assert disputes(checker.verifier, sentences, citations, same) == (sentences, citations)


def test_a_number_inside_a_name_is_no_value_to_dispute(checker):
    """A probe's villages "Fir50ford" and "Fir22ford" got "another document says otherwise": the names' digits were
    swapped as if they were values of one thing. A value beside such a name still has its counterpart."""
    fir50, fir22 = "The village of Fir50ford lies on the river Fir50.", "The village of Fir22ford lies on the river Fir22."
    assert checker.counterpart(fir50, fir22) == 0.0
    sentences, citations = [AnswerSentence(fir50, [1], True)], [Citation(1, "village_050.txt", fir50, 0, len(fir50), None, 0.9)]
    sources = [_source(1, "village_050.txt", fir50), _source(2, "village_022.txt", fir22)]
    assert disputes(checker.verifier, sentences, citations, sources) == (sentences, citations)
    hangar = "The A380 hangar at Fir50ford is {} metres long."
    assert checker.counterpart(hangar.format(300), hangar.format(250)) >= 0.55


def test_verify_then_disputes_embed_each_text_once(embedder):
    """``disputes`` reads the vectors ``verify`` has just computed (before, every answer embedded them twice)."""

    counting = CountingEmbedder(embedder)
    verifier = Verifier(counting, FakeGenerator())
    sources = [
        _source(1, "report.md", COST),
        _source(2, "newsletter.html", "The Kestrel Bridge will cost £61 million."),
        _source(3, "newsletter.html", "The Kestrel Bridge was approved by the council in 2023."),
    ]
    checked = verifier.verify(f"{COST} [1]", sources, "How much will the Kestrel Bridge cost?")
    assert checked.sentences[0].supported, checked.sentences
    embedded = len(counting.texts)
    out, _ = disputes(verifier, checked.sentences, checked.citations, sources)
    assert out[0].disputed_by  # the disputes were judged, on vectors verify had computed
    assert len(counting.texts) == embedded, counting.texts[embedded:]
    assert len(counting.texts) == len(set(counting.texts))


@pytest.mark.parametrize(
    ("negative", "affirmed"),
    [
        ("Residents cannot park on the bridge.", "Residents can park on the bridge."),
        ("The ferry won’t run after 2027.", "The ferry will run after 2027."),
        ("The toll isn't charged at night.", "The toll is charged at night."),
    ],
)
def test_a_negation_in_any_spelling_has_its_counterpart(checker, negative, affirmed):
    assert _affirmed(negative) == affirmed
    assert checker.counterpart(affirmed, negative) >= 0.55


@pytest.mark.parametrize("date", ["14th September 2027", "14 Sept 2027", "September 14, 2027", "2027-09-14"])
def test_dates_in_other_spellings_are_counterparts_as_a_whole(checker, date):
    assert _DATE.findall(f"The bridge will open on {date}.") == [date]
    opening = f"The Kestrel Bridge will open to traffic on {date}."
    assert checker.counterpart(opening, "The Kestrel Bridge will open to traffic on 3 April 2028.") >= 0.55


def test_another_document_saying_it_with_the_other_polarity_disputes_it(checker):
    """ "… will not ship in version 2.0" disputes "… will ship in version 2.0"; a negation about something else
    in the other document's sentence ("… and no toll will be charged") disputes nothing and costs no judge call."""
    ships = "The offline sync feature will ship in version 2.0."
    sentences = [AnswerSentence(ships, [1], True)]
    citations = [Citation(1, "spec.html", ships, 0, len(ships), None, 0.9)]
    minutes = "Ravi reported that the offline sync feature will not ship in version 2.0 and is postponed to version 2.1."
    sources = [_source(1, "spec.html", ships), _source(2, "minutes.txt", minutes)]
    out, cites = disputes(checker.verifier, sentences, citations, sources)
    assert out[0].disputed_by == [2] and cites[1].text == minutes
    toll = "The offline sync feature will ship in version 2.0, and no extra licence will be charged."
    judged = len(checker.verifier.judge.judged)
    out, _ = disputes(checker.verifier, sentences, citations, [_source(1, "spec.html", ships), _source(2, "minutes.txt", toll)])
    assert out[0].disputed_by == [] and len(checker.verifier.judge.judged) == judged


def test_a_heading_disputes_nothing(checker):
    cost = "The Kestrel Bridge report was published in 2025."
    sentences = [AnswerSentence(cost, [1], True)]
    citations = [Citation(1, "report.md", cost, 0, len(cost), None, 0.9)]
    sources = [_source(1, "report.md", cost), _source(2, "newsletter.html", "# The Kestrel Bridge report 2024")]
    assert disputes(checker.verifier, sentences, citations, sources) == (sentences, citations)
