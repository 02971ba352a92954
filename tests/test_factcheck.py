"""``qa verify``'s stances (fake judge): a sentence contradicts a statement only when it states the statement's
counterpart (another value of the same thing, or the same thing negated), not whenever it has another number."""

import pytest

from qa.cite import Verifier
from qa.factcheck import FactChecker, with_digits
from tests.conftest import FakeGenerator


@pytest.fixture
def checker(embedder):
    return FactChecker(retriever=None, verifier=Verifier(embedder, FakeGenerator()))  # counterpart needs no retrieval


COST = "The Kestrel Bridge will cost £46 million."


def test_another_value_of_the_same_thing_is_a_counterpart(checker):
    assert checker.counterpart(COST, "The Kestrel Bridge will cost £61 million.") >= 0.55
    lanes = "The bridge will carry only two traffic lanes."
    assert checker.counterpart("The bridge will carry four traffic lanes.", lanes) >= 0.55


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


def test_number_words_are_read_as_numbers():
    assert with_digits("Thirty-eight trees, four lanes, one of the piers.") == "38 trees, 4 lanes, one of the piers."
