"""The one tokenizer of words, shared by keyword search (``index.catalog``) and verification (``qa.cite``).

``terms`` gives the distinct content words of a text: lower-cased ``\\w+`` runs without function words. Negation
words are function words here too: the verifier reads polarity with its own screen (``qa.cite.negated``), and
BM25 gains nothing from them. ``stem`` folds the regular plural and possessive so that "bridges", "bridge's"
and "bridge" are one word; FTS5's porter tokenizer does the same (and more) inside the keyword index.
"""

from __future__ import annotations

import re

STOP = frozenset(
    "a an and are as at be by did do does for from had has have how in is it its of on or that the this to was"
    " were what when where which who whom why will with would about into than then there their they them"
    " he she his her we our you your i me my not no yes can could should may might".split()
)
WORD = re.compile(r"\w+", re.UNICODE)


def terms(text: str) -> list[str]:
    """The distinct content words of ``text``, lower-cased and sorted.

    >>> terms("The bridge is not free; the bridges are free!")
    ['bridge', 'bridges', 'free']
    """
    return sorted({w for w in (m.lower() for m in WORD.findall(text)) if w not in STOP and len(w) > 1})


def stem(word: str) -> str:
    """The regular plural and possessive folded: ``stem("bridges") == stem("bridge") == "bridge"``.

    >>> [stem(w) for w in ("bridges", "bridge", "cities", "boxes", "glass", "is")]
    ['bridge', 'bridge', 'city', 'box', 'glass', 'is']
    """
    w = word.lower().removesuffix("'s").removesuffix("’s")
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith("es") and w[-3] in "sxz" or w.endswith(("ches", "shes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def stems(text: str) -> set[str]:
    """The content words of ``text``, stemmed: what two texts share when they speak of the same things."""
    return {stem(w) for w in terms(text)}


# A sentence that opens with one of these refers back: it needs the sentence before it to say who or what it is about
ANAPHORA = frozenset("he she it they his her its their him them this these those".split())


def opens_with_pronoun(text: str) -> bool:
    """Whether ``text`` begins with a pronoun that refers back.

    >>> opens_with_pronoun("He wrote it."), opens_with_pronoun("“It rained.”"), opens_with_pronoun("Ed wrote.")
    (True, True, False)
    """
    m = WORD.search(text)
    return m is not None and m.group(0).lower() in ANAPHORA
