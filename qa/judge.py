"""The semantic judge: the generator's own probability of "Yes" to a short yes/no question about a claim.

There is no NLI model or reranker with weights on PyPI, so the generator is the only judge of meaning on these
machines. Each question is one short prompt; the answer is never generated, only the next-token distribution
after the prompt is read, and ``P(Yes) / (P(Yes) + P(No))`` is returned. ``bench verifier`` calibrates the
thresholds this number is compared with (``VerifierConfig`` in ``qa/cite.py``).

    support:       Does the source state the claim?            (is the citation right)
    answers:       Does this answer the question?              (the answer gate)
    polar:         Given these facts, is the answer yes?        (the "Yes." or "No." before a yes/no answer)

What it cannot do. Of the 19 unanswerable labelled questions, 5 were answered: three with a claim that a retrieved
sentence holds in another relation ("The architect … is Brightwater Civil Works" on "The bridge is being built by
Brightwater Civil Works", judge 0.68; "212,000 books" on "212,000 loans", 0.67), one child-ticket question with the
adult price, one question about a third round of talks with a quote about the latest (second) round; the answer
gate passed the last two. Three more questions about the cited sentences were probed on the 88 answered questions
of the stored runs (71 right, these 5, 12 wrong): "Does the source answer the question?", "Can the question be
answered from the source alone?", and "Is the reply's answer to the question stated in the source?". None separates
them: the five scored 0.36-0.66, 0.55-0.77 and 0.71-0.85, the right answers 0.34-0.99, 0.52-0.98 and 0.68-0.95;
keeping all five out would drop 19, 28 and 15 of the 71 right answers. Nor does a word rule (question words the
evidence lacks: most right answers have some). A stricter threshold for a re-cited claim only (the three re-cited
ones scored 0.63-0.68) would decline right answers scored 0.55-0.64 (labelled q013, HotpotQA 0, 34, 46). The
answer gate asked of a re-cited claim's sentence instead of the claim (a probe on the 49 answered questions of
HotpotQA and the labelled set with a re-cited claim) kept the architect out (0.36) but not the employees or the
books (0.65, 0.75), and scored three right answers under 0.6 (HotpotQA 41, 46, labelled q053: 0.46-0.48), the
evidence of one hop not answering a two-hop question alone. The books are now refused by a screen instead
(``qa.cite.recount``: the number is in the source, but it counts loans): 4 of the 19 are answered.
"""

from __future__ import annotations

import math
import re
from typing import Any, Protocol

Messages = list[dict[str, str]]

_SYSTEM = "You check facts. Reply with one word: Yes or No."


CLOCK_12 = re.compile(r"(?<![\d.,:])\b(\d{1,2})(?:[:.](\d{2}))?\s*([ap])(\.?)m\b(\.?)", re.IGNORECASE)  # "8 pm", "9.30a.m."


def _to_24_hours(m: re.Match[str]) -> str:
    """A ``CLOCK_12`` time as "HH:MM" on the 24-hour clock (its space or stop after it kept); not a time (an hour
    over 12) stays as written."""
    hour = int(m[1])
    if not 1 <= hour <= 12:
        return m[0]
    hour = hour % 12 + (12 if m[3].lower() == "p" else 0)
    # the stop after "pm" ends a sentence; after "p.m." it is the abbreviation's, unless the text ends there
    ends = not m.string[m.end() :].strip()
    return f"{hour:02d}:{m[2] or '00'}" + ("." if m[5] and (not m[4] or ends) else "")


def clock_24(text: str) -> str:
    """``text`` with its 12-hour times of day on the 24-hour clock, as the judge reads a claim and its source: it
    gave "Core collaboration hours run from 10 am to 3 pm local office time." 0.43 against the samples' "… from 10:00
    to 15:00 …", which the same statement written "10:00 to 15:00" passes (``support_messages``).

    >>> clock_24("From 10 am to 3 p.m. and 9.30pm."), clock_24("Doors open at 8 pm. Bring 5 pmol.")
    ('From 10:00 to 15:00 and 21:30.', 'Doors open at 20:00. Bring 5 pmol.')
    >>> clock_24("9 a.m., then 9 a.m.-5 p.m. Monday, at 3.5 pm and 12 am.")
    '09:00, then 09:00-17:00 Monday, at 3.5 pm and 00:00.'
    """
    return CLOCK_12.sub(_to_24_hours, text)


def support_messages(claim: str, evidence: str) -> Messages:
    """Claim first, so that judging one claim against several sources reuses the cached prompt prefix.

    Tried on ``bench verifier``'s paraphrase and premise pairs and 20 verbatim ones (101 past the screens), at
    the threshold where 0.92 of paraphrases pass: this prompt refuses 0.62 of premise pairs. Source first: 0.59,
    with only 0.87 of paraphrases passing. Three made-up worked examples in the system prompt (one of the premise
    kind): 0.69 claim first, worse source first. The mean of three such prompts: 0.72, at three times the cost.
    None is near 0.95: for this judge the premise kind is not a matter of wording.

    Nor of a second bar. Asking 0.75 of a claim with a content word that neither the evidence nor the question
    has ("died" on "It was founded in 1962 by … Orla Breckenridge") refuses 0.90 of premise pairs with 0.91 of
    paraphrases passing (``bench verifier``'s stored scores), but on the stored labelled and HotpotQA replays it
    takes the claims of four right answers (labelled q013, q019, q021, HotpotQA 0, judged 0.57-0.72: "plants"
    where the source says "plant", "Ukraine" where it says "Ukrainian") and of one wrong one (q063): not adopted.

    Nor of a contrast with the claim negated (``qa.factcheck.negate``: "Orla Breckenridge did not die …"). Of
    ``bench verifier``'s pairs judged 0.5-0.9, P(Yes) minus P(Yes) for the negated claim has a median of 0.12 for
    the 19 premise pairs and 0.12-0.15 for the 155 true ones (verbatim, paraphrase, terse); refusing under 0.1
    would refuse 7 premise pairs for 47 true ones: not adopted.

    Nor of the claim's own likelihood. The model's log-probability of each token of the claim after the source
    (and the question), against the same without the source (``logits_all``, a probe on the 206 pairs past the
    screens): the lowest per-token difference refused 0.68 of premise pairs with 0.96 of paraphrases, 1.00 of
    verbatim and 0.87 of bare answers passing, together with this judge at its bar; this judge alone at 0.6
    refuses 0.66 with 0.91 of paraphrases passing. The least likely token is mostly where the claim chooses its
    subject ("The next meeting of the association …" after a question naming the association in full), not
    where it changes the relation ("died" for "founded"): not worth a second pass over every claim.

    Nor of the number with the number hidden. The claim with its shared number blanked ("Orla Breckenridge died in
    ___.") and "Does the source say what fills the blank?" (a probe on the 107 verbatim, paraphrase and premise
    pairs with a number the evidence has): at the bar where 0.97 of paraphrases pass it refuses 0.41 of premise
    pairs, against 0.63 for this prompt at 0.95; with this prompt at its bar and the blank at 0.65, 0.70 refused
    with 0.89 of paraphrases passing, as this prompt alone at 0.65 does (0.85 with 0.87). Without the number to
    match, the judge does not read the relation either.

    Nor of a contrast with the evidence's word. The claim's content word least near the evidence replaced by its
    nearest evidence word ("Brightwater Civil Works designed the bridge." -> "… built the bridge."), and P(Yes) of
    that against the claim's (a probe on the 39 paraphrase and premise pairs past the screens at 0.55, and three
    false answers): the rise was -0.10-0.16 for premise pairs and -0.06-0.10 for paraphrases; "designed" ->
    "built" rose 0.03. The judge takes the two words for the same relation: not adopted."""
    return [
        {"role": "system", "content": _SYSTEM},
        {
            "role": "user",
            "content": f"Claim: {_one_line(clock_24(claim))}\nSource: {unfocused(clock_24(evidence), clock_24(claim))}\n"
            "Does the source state the claim? Answer Yes or No.",
        },
    ]


# "only" as a focus word, with the next character: not part of a word ("members-only"), nor before a word that
# makes it a condition or a turn ("only if it is dry" is not "if it is dry"; "only to find it shut"; "only too glad")
_ONLY = re.compile(
    r"(?<![\w-])(only|Only)\s+(?!(?:if|when|whenever|unless|once|where|while|after|before|until|to|too|provided|as"
    r"|in\s+case|on\s+condition)\b)(\S)"
)
# what earlier in its sentence makes dropping "only" no weakening: a negation ("does not pay only the toll", "isn't
# the only bridge"), a condition, a clause that picks out ("residents who pay only the toll get a discount"), a
# quantity or a comparison
_KEEP_ONLY = re.compile(
    r"(?i)\b(?:not|never|no|none|nobody|nothing|neither|nor|cannot|without|longer|if|unless|whether|who|whom|whose"
    r"|that|which|every|each|all|few|fewer|less|than|rather|instead)\b|n['’]t\b"
)
_SENTENCE_START = re.compile(r"(?:^|[.!?][\"'’”)]*\s+)[\"'‘“(]*$")


def unfocused(evidence: str, claim: str) -> str:
    """The source as the judge reads it, on one line and without the focus word "only" when the claim does not use it.

    The judge refuses a claim whose source says the same thing "only": "The Kestrel Bridge will carry two traffic
    lanes." scored 0.18 against "The bridge will carry only two traffic lanes." and 0.91 against it without "only";
    six more such pairs of made-up sentences ("The ferry runs on weekdays." on "The ferry runs only on weekdays.",
    "Members can borrow five books." on "… only five books.") scored 0.24-0.55 with it, and the four of them also
    judged without it 0.88-0.97. Other such words did not make it refuse: "also", "even", "still", "already",
    "exactly" and "too" scored 0.65-0.84. A source read without "only" says less, never more ("only two lanes"
    holds "two lanes"), so no claim the source does not state passes for it. It stays where dropping it would not
    be a weakening: after a negation, a condition or a clause that picks out earlier in its sentence, before a
    condition. A claim that says "only" itself is judged on the source as it is. The screens read the source as it
    is too.

    >>> unfocused("According to those figures, the bridge will carry only two traffic lanes.", "It has two lanes.")
    'According to those figures, the bridge will carry two traffic lanes.'
    >>> unfocused("It opens in 2027. Only two lanes will open.", "Two lanes."), unfocused("Only cars.", "Only cars.")
    ('It opens in 2027. Two lanes will open.', 'Only cars.')
    >>> unfocused('"Only members may enter," he said.', "Members may."), unfocused("He watched Only Fools.", "He watched.")
    ('"Members may enter," he said.', 'He watched Only Fools.')
    >>> [unfocused(f"Residents pay {w} only the toll.", "Residents pay the toll.") for w in ("not", "never", "rather than")]
    ['Residents pay not only the toll.', 'Residents pay never only the toll.', 'Residents pay rather than only the toll.']
    >>> unfocused("It isn't\\n only a road.", "It is a road."), unfocused("No longer only a port.", "A port.")
    ("It isn't only a road.", 'No longer only a port.')
    >>> unfocused("Gates open only if it is dry.", "Gates open."), unfocused("A members-only lounge.", "A lounge.")
    ('Gates open only if it is dry.', 'A members-only lounge.')
    >>> unfocused("It runs only on weekdays.", "It runs."), unfocused("Pay only on condition that it opens.", "Pay.")
    ('It runs on weekdays.', 'Pay only on condition that it opens.')
    >>> unfocused("Drivers do not pay only the toll.", "They pay the toll."), unfocused("It isn't the only bridge.", "A bridge.")
    ('Drivers do not pay only the toll.', "It isn't the only bridge.")
    >>> unfocused("Residents who pay only the toll get a discount.", "Residents pay the toll.")
    'Residents who pay only the toll get a discount.'
    >>> unfocused("It opened in 2020. It costs only £5.", "It costs £5."), unfocused("We are only too glad.", "We are glad.")
    ('It opened in 2020. It costs £5.', 'We are only too glad.')
    """
    text = _one_line(evidence)
    if re.search(r"(?i)\bonly\b", claim):
        return text

    def drop(m: re.Match[str]) -> str:
        before = text[: m.start()]
        starts = bool(_SENTENCE_START.search(before))
        sentence = re.split(r"[.!?;:]\s", before)[-1]
        if _KEEP_ONLY.search(sentence) or (m[1] == "Only" and not starts):  # a capital mid-sentence: a name
            return m[0]
        return m[2].upper() if starts else m[2]

    return _ONLY.sub(drop, text)


TERSE_WORDS = 5  # a reply of fewer words is a bare answer ("40 seconds."), shown to the judge as "Answer: …"


def answer_messages(question: str, answer: str) -> Messages:
    """The answer gate's question. A bare answer is prefixed "Answer:": without the prefix the gate took the
    labelled set's gold answers alone ("Marisol Quenby.") on 58 of 65 at 0.6 (a probe); with it, ``bench
    verifier`` ``terse``: 60 of 60. Whole sentences are shown as they are. The prefix costs refusals of another
    question's bare answer (``other_answer``): 0.77 refused with it, 0.80 without it in the probe; whether a bare
    answer is true is the support judge's part. Asking every reply "Is the reply an answer to the question, even
    a short one?" instead took all bare answers too but refused only 0.60 of ``not_answer`` at 0.6 (0.86 here).

    Two more wordings, on all 304 gate pairs of ``bench verifier`` (a probe; compared at the bar where 0.92 of
    whole-sentence answers pass, refusals of ``not_answer`` / ``other_answer``): this one 0.92 / 0.83; "Does the
    reply say what the question asks for?" 0.92 / 0.80; one naming the kind of answer ("a date to when, a number
    to how many, a name to who") 0.92 / 0.78; the mean of this one and the first, at twice the cost, 0.94 / 0.83.
    None reaches 0.95: for this judge the gate, like the premise kind, is not a matter of wording.

    Nor is the kind of thing a "what city" or "which position" question asks for. Asked of the 33 answered dev
    questions with such a phrase (the stored full run on ecc4d2b) "Does the reply name a city?" (the question's
    noun), the judge passed the first-hop answers it should refuse at 0.86-0.98 ("Columbia University" to "… located
    in what city?": 0.94; "… the position of then 17-year-old Shirley Temple" to "What government position …?":
    0.86) and the right answers at 0.54-0.97; "The question asks for a city. Is the reply's answer a city?" the
    same (0.82-0.96 against 0.80-0.96). Not adopted."""
    reply = _one_line(answer)
    if len(reply.split()) < TERSE_WORDS:
        reply = f"Answer: {reply}"
    return [
        {"role": "system", "content": _SYSTEM},
        {
            "role": "user",
            "content": f"Question: {_one_line(question)}\nReply: {reply}\n"
            "Does the reply give the answer to the question? Answer Yes or No.",
        },
    ]


def polar_messages(question: str, facts: str, answer: str = "yes") -> Messages:
    """The verdict on a yes/no question from the checked facts of the answer: the model's own "Yes," is
    unreliable (it wrote "Yes, the original lens was cleaned but not replaced" to "Was the lens replaced?").

    The facts are the supported claims, not their cited sentences. A probe on the 12 answered yes/no questions of
    the stored dev runs gave the cited sentences instead: the four wrong "yes" (HotpotQA 3, 13, 33; labelled q063)
    still scored 0.60-0.86 (0.94-0.99 on the claims), and a right "yes" fell from 0.98 to 0.53 (q053): no
    outcome gained, one lost at the thresholds of ``VerifierConfig``.

    ``answer="no"`` asks "… is the answer to the question no?", which ``Verifier.verify`` asks before it says "No."
    (at P(yes) under ``VerifierConfig.no``) and says it only when this P(Yes) is the higher. A low P(yes) alone is
    not a no: the samples' "Do Lumenfold employees get money for home office equipment?" on "Each employee
    receives a one-off home office allowance of 450 euros." got 0.39, and the answer began "No."; asked for no,
    0.36. Of 13 yes/no questions' checked facts in the stored dev runs (HotpotQA 0-49, labelled) the "yes" ones
    scored 0.11-0.23 higher asked for yes than for no, the right "no" ones 0.05 (q037, the only one this path
    decides) and 0.19 lower (q063); "Can … work remotely every day?" on "… up to three days per week." 0.09 lower.
    The added prompt is asked only of a would-be "no"."""
    return [
        {"role": "system", "content": _SYSTEM},
        {
            "role": "user",
            "content": f"Facts: {_one_line(facts)}\nQuestion: {_one_line(question)}\n"
            f"Given these facts, is the answer to the question {answer}? Answer Yes or No.",
        },
    ]


def _one_line(text: str) -> str:
    return " ".join(text.split())


class Judge(Protocol):
    name: str

    def p_yes(self, messages: Messages) -> float:
        """P(Yes) / (P(Yes) + P(No)) for the reply to ``messages``, in [0, 1]."""
        ...


def _two_way(yes: float, no: float) -> float:
    """Normalise two log-probabilities (or logits) to P(Yes)."""
    top = max(yes, no)
    a, b = math.exp(yes - top), math.exp(no - top)
    return a / (a + b)


def _logsumexp(values: list[float]) -> float:
    if not values:
        return -math.inf
    top = max(values)
    return top + math.log(sum(math.exp(v - top) for v in values))


class LlamaCppJudge:
    """Reads the last position's logits of the local model (no ``logits_all``), sharing the generator's lock.

    Only the tokens after the prefix shared with the previous prompt are evaluated (``qa.generate.LlamaSession``).
    """

    def __init__(self, session: Any, name: str = "llama.cpp") -> None:
        self._session = session
        self._llm = session.llm
        self.lock = session.lock
        self.name = name
        self._yes = self._variants(["Yes", " Yes", "yes", " yes", "YES"])
        self._no = self._variants(["No", " No", "no", " no", "NO"])

    def _variants(self, words: list[str]) -> list[int]:
        ids = {self._llm.tokenize(w.encode(), add_bos=False, special=False)[0] for w in words}
        return sorted(ids)

    def p_yes(self, messages: Messages) -> float:
        import numpy as np

        llm = self._llm
        tokens = self._session.tokens(messages)
        with self.lock:
            self._session.prefill(tokens)
            # without logits_all, llama.cpp keeps the logits of the last evaluated position only: exactly these
            logits = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),)).astype(np.float64)
        top = float(logits.max())
        logp = logits - (top + math.log(float(np.exp(logits - top).sum())))
        return _two_way(_logsumexp([float(logp[i]) for i in self._yes]), _logsumexp([float(logp[i]) for i in self._no]))


class OpenAIJudge:
    """A one-token completion from an OpenAI-compatible server; ``top_logprobs`` when it gives them, else the word."""

    def __init__(self, url: str, model: str, headers: dict[str, str], client: Any) -> None:
        """``url`` is the server's ``…/chat/completions``; ``OpenAIGenerator.judge()`` passes its own, and its client."""
        self.url = url
        self.name = model
        self.headers = headers
        self.client = client
        self.logprobs = True

    def p_yes(self, messages: Messages) -> float:
        import httpx

        from qa.errors import ModelError

        body: dict[str, Any] = {"model": self.name, "messages": messages, "max_tokens": 1, "temperature": 0}
        if self.logprobs:
            body |= {"logprobs": True, "top_logprobs": 10}
        try:
            resp = self.client.post(self.url, json=body, headers=self.headers)
            if resp.status_code in (400, 422, 500) and self.logprobs:  # a server without logprobs: the word alone
                self.logprobs = False
                return self.p_yes(messages)
        except httpx.HTTPError as exc:
            raise ModelError(f"Cannot reach the model server at {self.url} ({exc}). Check QA_LLM_URL.") from None
        if resp.status_code != 200:
            raise ModelError(f"The model server at {self.url} answered {resp.status_code}: {resp.text[:200]}")
        return p_yes_from_choice((resp.json().get("choices") or [{}])[0])


def p_yes_from_choice(choice: dict[str, Any]) -> float:
    """P(Yes) from one OpenAI chat-completion choice: its first token's ``top_logprobs``, else its text."""
    content = ((choice.get("logprobs") or {}).get("content") or [{}])[0]
    yes, no = [], []
    for alt in content.get("top_logprobs") or []:
        word = str(alt.get("token", "")).strip().lower()
        if word == "yes":
            yes.append(float(alt["logprob"]))
        elif word == "no":
            no.append(float(alt["logprob"]))
    if yes or no:
        return _two_way(_logsumexp(yes), _logsumexp(no))
    text = str((choice.get("message") or {}).get("content") or "").strip().lower()
    return 1.0 if text.startswith("yes") else 0.0
