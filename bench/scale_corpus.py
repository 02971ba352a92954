"""The deterministic corpus of ``python -m bench scale`` and ``python -m bench keyword``: generated, no network.

Documents are drawn from sentence templates, place names, people and a few hundred other terms, with
log-normal lengths (median ~150 sentences). The vocabulary is much smaller than natural text, so a question's
keywords match more sentences than in real documents: pessimistic for the keyword index.
"""

from __future__ import annotations

import random
from typing import Any

_PRE = (
    "Ash Bram Cal Dun El Fen Gar Har Ket Lan Mar Nor Ock Pen Quen Ros Sel Tarn Ul Wick Yar Brec Cor Drum "
    "Glen Hol Kil Lith Mor Strath Thorn Ald Bex Carr Dray Esk Frog Hask Ivel Kirk Lud Mells Nant Oak Pid "
    "Rush Sand Tew Wend"
).split()
_SUF = ("by ford ham holt moor wick ton mouth field stead dale bridge port well combe ley worth thorpe haven mere").split()
_FIRST = (
    "Alice Amir Beth Bilal Carys Chen Dafydd Dorota Eamon Elena Farah Finn Grace Hamid Imogen Ivan Jana "
    "Joseph Kofi Lena Mairi Mateo Nadia Niall Olga Owen Priya Rhys Rosa Sami Sian Tomas Una Viktor Wen "
    "Yusuf Zara Gwen Hugo Ines"
).split()
_V = {
    "body": "council|parish council|harbour board|planning committee|school governors|water authority".split("|"),
    "project": (
        "new footbridge|flood defences|library extension|harbour wall repairs|cycle path|community "
        "orchard|bus shelter upgrade|market hall roof|sports pavilion|street lighting scheme"
    ).split("|"),
    "role": (
        "chair|treasurer|head librarian|chief engineer|director|secretary|harbour master|head teacher|"
        "curator|site manager|volunteer coordinator|finance officer"
    ).split("|"),
    "org": (
        "Estuary Ferry Company|Friends of the Library|Apple Cooperative|Beekeepers Association|Rowing Club|"
        "Heritage Trust|Allotment Society|Rotary Club|Wildlife Trust|Choral Society|Chamber of Commerce|"
        "Lifeboat Station|Astronomy Society|Cricket Club|Housing Association"
    ).split("|"),
    "structure": "bridge|lighthouse|chapel|town hall|windmill|water tower|pier|viaduct|granary|signal box".split("|"),
    "venue": (
        "village hall|public library|market square|community centre|museum|leisure centre|parish church|"
        "old school|observatory|harbour office"
    ).split("|"),
    "event": (
        "open day|book fair|cider festival|harvest supper|summer fete|public meeting|star party|regatta|"
        "craft market|charity concert|plant sale|history talk"
    ).split("|"),
    "item": "books|audiobooks|jigsaws|seed packets|board games|tools|maps|telescopes|films|sheet music".split("|"),
    "vehicle": "ferry|bus|mobile library|shuttle train|water taxi|community minibus".split("|"),
    "month": ("January February March April May June July August September October November December").split(),
    "weekday": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split(),
    "crop": "apple|pear|plum|barley|potato|strawberry|cherry|hop|wheat|blackcurrant".split("|"),
    "species": (
        "otters|curlews|grey seals|water voles|barn owls|dragonflies|oystercatchers|brown trout|bats|natterjack toads"
    ).split("|"),
    "river": "Marrow|Tarn|Esk|Wend|Ivel|Calder|Lud|Frome|Ock|Brede".split("|"),
    "cause": (
        "heavy rain|a shortage of steel|high tides|a legal dispute|nesting birds|a design change|"
        "supplier delays|ground conditions|a staff shortage|an electrical fault"
    ).split("|"),
    "service": ("blood tests|vaccinations|hearing checks|physiotherapy|eye tests|a baby clinic|diabetes reviews").split("|"),
    "company": (
        "Brightwater Construction|Harrow Mills|Fenlight Energy|Oldquay Boatyard|Greyfield Dairies|"
        "Kestrel Engineering|Northgate Printing|Saltmarsh Foods|Ironbank Logistics|Meadowsweet Farms"
    ).split("|"),
    "facility": "warehouse|depot|workshop|bakery|solar farm|packing plant|showroom|training centre".split("|"),
    "material": "steel|timber|diesel|electricity|fertiliser|paper|grain|copper".split("|"),
    "concern": (
        "parking|speeding traffic|litter|flooding|noise from the quarry|the closure of the bank|"
        "bus timetables|dog fouling|new housing|the loss of trees"
    ).split("|"),
    "policy": (
        "travel expenses policy|remote work policy|lending policy|safeguarding policy|data protection "
        "policy|volunteer handbook|complaints procedure"
    ).split("|"),
    "defect": "corrosion|cracks|loose bolts|rotten timber|damp|subsidence|worn bearings".split("|"),
    "artefact": ("coins|maps|photographs|fishing nets|ship models|letters|clay pipes|toys|uniforms|farm tools").split("|"),
    "people": "residents|visitors|pupils|volunteers|members|families|stallholders|cyclists".split("|"),
    "honey": "heather|clover|wildflower|borage|lime blossom|orchard".split("|"),
}
_TEMPLATES = [
    "The {town} {body} approved a budget of £{money} for the {project} in {month} {year}.",
    "{person}, the {role} of the {org}, said the {structure} would reopen in {month}.",
    "About {num} {people} attended the {event} at the {venue} in {town}.",
    "The {structure} in {town} was built in {year} and restored in {year2}.",
    "Repairs to the {structure} are expected to cost £{money} and take {n} weeks.",
    "The {org} employs {num} staff across {n} sites around {town}.",
    "Visitors can borrow up to {n} {item} at a time from the {venue} in {town}.",
    "In {year}, {num} {item} were added to the collection at the {town} {venue}.",
    "The {vehicle} runs every {n} minutes between {town} and {town2}.",
    "A single ticket on the {vehicle} costs £{price} for adults and £{price2} for children.",
    "Rainfall in {town} reached {num} millimetres in {month}, the highest since {year}.",
    "{person} led a survey of {species} along the {river} estuary in {month}.",
    "The {crop} harvest at the {town} cooperative rose by {n} per cent compared with {year}.",
    "Members of the {org} meet on the first {weekday} of each month at the {venue}.",
    "The {policy} requires staff to submit claims within {n} days of the journey.",
    "Observers at {town} Observatory recorded {num} meteors during the night of {day} {month}.",
    "The clinic in {town} offers {service} on {weekday} mornings.",
    "Pupils at {town} Primary School planted {num} trees along the {river} path.",
    "{company} opened a new {facility} near {town} in {month} {year}.",
    "Profits at {company} fell to £{money} after the cost of {material} rose.",
    "According to the annual report, {n} per cent of residents in {town} support the {project}.",
    "Work on the {project} in {town} was delayed by {n} weeks because of {cause}.",
    "Volunteers from the {org} repaired {num} {item} during the winter.",
    "Tickets for the {event} in {town} go on sale on {weekday} {day} {month}.",
    "The {event} in {town} celebrated its {n}th year with {num} visitors.",
    "Bees from the {n} hives at {town} produced {num} jars of {honey} honey.",
    "The museum in {town} holds {num} {artefact} from the nineteenth century.",
    "A new {vehicle} for the {town} route is due to enter service in {year}.",
    "The {org} will review its {policy} again in {month} {year}.",
    "Residents of {town} raised concerns about {concern} at a meeting in {month}.",
    "Engineers found {defect} in {n} of the supports of the {structure} at {town}.",
    "The water level in the {river} at {town} rose by {n} centimetres after heavy rain.",
    "Each member pays an annual fee of £{price} to the {org} in {town}.",
    "The {vehicle} carried {num} passengers in {year}, up from {num2} the year before.",
    "{person} has served as {role} of the {org} since {year}.",
    "Grants of up to £{money} are available to groups in {town} for the {project}.",
    "The {venue} in {town} is open from {hour} in the morning until {hour2} in the evening.",
    "{company} signed a contract worth £{money} to supply {material} to {town}.",
    "The {body} in {town} rejected plans for {num} new homes near the {river}.",
    "{person} donated {num} {artefact} to the {town} museum in {year}.",
]
_QUESTIONS = [
    "How much did the {town} {body} approve for the {project}?",
    "Who is the {role} of the {org}?",
    "When was the {structure} in {town} built?",
    "How often does the {vehicle} run between {town} and {town2}?",
    "How much rain fell in {town} in {month}?",
    "Why was work on the {project} delayed?",
    "What does the clinic in {town} offer on {weekday} mornings?",
    "How many {item} can visitors borrow from the {venue}?",
    "What did engineers find in the supports of the {structure}?",
    "When does the {org} meet?",
    "How many jars of {honey} honey did the hives at {town} produce?",
    "What did {company} open near {town}?",
    "Which {species} were surveyed along the {river} estuary?",
    "What are residents of {town} concerned about?",
    "How long do staff have to submit claims under the {policy}?",
]


class Corpus:
    """Documents and questions drawn deterministically from the templates; document ``i`` never changes."""

    def __init__(self, seed: int = 7) -> None:
        self.seed = seed
        self.towns = [p + s for p in _PRE for s in _SUF]
        self.people = [f"{f} {random.Random(i).choice(_PRE)}{random.Random(-i).choice(_SUF)}" for i, f in enumerate(_FIRST * 25)]

    def _fill(self, template: str, rng: random.Random, town: str, org: str) -> str:
        v: dict[str, Any] = {k: rng.choice(words) for k, words in _V.items()}
        v.update(
            town=town if rng.random() < 0.6 else rng.choice(self.towns),
            town2=rng.choice(self.towns),
            person=rng.choice(self.people),
            money=f"{rng.randrange(2, 900) * 1000:,}",
            num=rng.randrange(12, 4000),
            num2=rng.randrange(12, 4000),
            n=rng.randrange(2, 40),
            year=rng.randrange(1850, 2025),
            year2=rng.randrange(1960, 2025),
            price=rng.randrange(2, 90),
            price2=rng.randrange(1, 30),
            day=rng.randrange(1, 29),
            hour=rng.randrange(7, 11),
            hour2=rng.randrange(4, 10),
        )
        v["org"] = org if rng.random() < 0.5 else v["org"]
        return template.format(**v)

    def document(self, i: int) -> tuple[str, list[str]]:
        """``(file name, sentences)``; lengths are log-normal (median ~150, 10 to 2000 sentences)."""
        rng = random.Random(f"{self.seed}:{i}")
        town, org = rng.choice(self.towns), rng.choice(_V["org"])
        n = min(2000, max(10, int(rng.lognormvariate(5.0, 0.8))))
        sentences = [self._fill(rng.choice(_TEMPLATES), rng, town, org) for _ in range(n)]
        return f"{i:06d}_{town.lower()}.txt", sentences

    def questions(self, n: int) -> list[str]:
        rng = random.Random(f"{self.seed}:questions")
        return [self._fill(rng.choice(_QUESTIONS), rng, rng.choice(self.towns), rng.choice(_V["org"])) for _ in range(n)]


def layout(sentences: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """The document text (paragraphs of five sentences) and each sentence's ``(start, end)``."""
    parts, spans, pos = [], [], 0
    for k, s in enumerate(sentences):
        sep = "" if k == 0 else ("\n\n" if k % 5 == 0 else " ")
        parts.append(sep + s)
        spans.append((pos + len(sep), pos + len(sep) + len(s)))
        pos += len(sep) + len(s)
    return "".join(parts), spans
