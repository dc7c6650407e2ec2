"""The hazardous-activity detector: chemical, biological and radiation hazards proposed for home, and
tools or appliances proposed for use, in a message's text."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from bot.detectors.text import _SPACES, _mask, _plain, _urls, _words


@dataclass(frozen=True, slots=True)
class HazardMatch:
    """An activity proposed in a message: forbidden at home ("hazard") or to ask about ("ask")."""

    category: str  # "chemical" | "biological" | "radiation" | "tools"
    level: str  # "hazard" (forbidden at home) | "ask" (tools/appliances: ask the safety contact first)
    phrase: str  # the matched words


#: Action verbs, base form only: "mixed", "uses" and "mixing" describe or narrate; they do not propose.
_CHEMICAL_VERBS = _words(
    """mix combine add pour heat boil burn ignite light make build create try extract concentrate distill
    distil dissolve melt use handle inhale sniff taste drink inject set_off detonate launch spray purify
    synthesize synthesise react cook test store experiment_with play_with grab buy throw shoot blow_up
    smash crush grind put open"""
)
#: Household chemicals are dangerous when mixed, heated or burned, not when used for cleaning.
_HOUSEHOLD_VERBS = _words(
    """mix combine add pour heat boil burn ignite light make cook react create try experiment_with
    play_with blow_up detonate inhale sniff drink taste concentrate distill distil synthesize purify"""
)
_PEROXIDE_VERBS = _words("concentrate boil heat distill distil purify make")
_BIOLOGICAL_VERBS = _words(
    """grow culture cultivate incubate swab collect plate streak breed make try use open handle
    experiment_with play_with inject eat drink spread mix keep sniff feed harvest sample inoculate dissect"""
)
_MOLD_VERBS = _words("grow culture cultivate breed incubate collect harvest sniff inhale open")
_RADIATION_VERBS = _words(
    """use take remove extract collect build make handle open hold try expose irradiate test put buy crush
    grind heat smash break experiment_with play_with take_apart eat lick concentrate purify dismantle
    disassemble crack_open pry_open"""
)
_DETECTOR_VERBS = _words("take_apart open remove break smash crush dismantle disassemble crack_open pry_open extract")
_TOOL_VERBS = _words(
    """use operate borrow grab get plug_in turn_on switch_on heat cut drill solder saw melt put bake blend
    preheat glue sand grind light run try fire_up start"""
)
#: Verbs that are a tool in themselves: "solder the wires", "microwave the soap".
_SELF_TOOL_VERBS = _words("solder weld microwave")
_SELF_TOOL_VERB = re.compile(rf"\b(?:{'|'.join(sorted(_SELF_TOOL_VERBS))})\b", re.IGNORECASE)
#: Verbs that break the link between an earlier action verb and a hazard: "use soap to kill bacteria".
_NEUTRAL_VERBS = _words(
    """kill wash clean disinfect destroy avoid prevent stop fight protect reduce learn study read watch
    discuss explain research draw label identify describe measure detect count observe see review
    understand sterilize sanitize dispose throw_away throw_out report"""
)
_ALL_VERBS = _CHEMICAL_VERBS | _BIOLOGICAL_VERBS | _RADIATION_VERBS | _TOOL_VERBS | _SELF_TOOL_VERBS | _NEUTRAL_VERBS
_VERB = re.compile(
    r"\b(?:" + "|".join(v.replace("_", r"\s+") for v in sorted(_ALL_VERBS, key=len, reverse=True)) + r")\b(?!')",
    re.IGNORECASE,
)

#: Hazard and tool terms, as regex alternatives. Specific terms come before general ones.
_STRONG_ACIDS = r"(?:sulfuric|sulphuric|hydrochloric|muriatic|nitric|hydrofluoric|perchloric|picric|chromic)\s+acids?"
#: Any other acid, except those of the kitchen and the body ("citric acid" for bath bombs, "amino acids").
_OTHER_ACIDS = (
    "".join(
        rf"(?<!{w} )"
        for w in sorted(_words("citric acetic ascorbic lactic amino folic fatty malic tartaric stearic nucleic"))
    )
    + r"acids?"
)
_BASES = r"lye|sodium\s+hydroxide|potassium\s+hydroxide|caustic\s+soda"
_EXPLOSIVES = (
    r"thermite|gunpowder|black\s+powder|flash\s+powder|fireworks?|firecrackers?|explosives|"
    r"explosive\s+(?:devices?|mixtures?|powders?)|nitroglycerine?|napalm|tatp|rocket\s+(?:fuel|propellant)|"
    r"(?:pipe|smoke|stink)\s+bombs?|(?<!bath )(?<!seed )(?<!photo )(?<!f-)bombs?"
)
_TOXIC_GASES = (
    r"(?:chlorine|mustard|toxic|poison(?:ous)?|hydrogen|chloramine)\s+(?:gas|gases|fumes|smoke)|"
    r"chloramines?|phosgene|hydrogen\s+sulfide|cyanide"
)
_REACTIVE_CHEMICALS = (
    r"potassium\s+(?:nitrate|chlorate|perchlorate|permanganate)|saltpet(?:er|re)|ammonium\s+nitrate|"
    r"sodium\s+metal|(?:white\s+)?phosphorus|(?:liquid|elemental)\s+mercury|chloroform|calcium\s+hypochlorite|"
    r"pool\s+(?:chemicals|shock|chlorine)|(?:concentrated|high[- ]strength|food[- ]grade|\d{2}\s?%)\s+"
    r"(?:hydrogen\s+)?peroxide"
)
#: Pharmacy-strength peroxide is first aid; it is a hazard once concentrated.
_PEROXIDE = r"(?:hydrogen\s+)?peroxide"
_HOUSEHOLD_CHEMICALS = (
    r"bleach|ammonia|drain\s+cleaners?|acetone|gasoline|petrol|kerosene|lighter\s+fluid|"
    r"(?:toxic\s+|hazardous\s+|dangerous\s+|household\s+|cleaning\s+)?chemicals"
)
_MICROBES = (
    r"bacteria|bacterium|bacterial\s+(?:cultures?|colonies|samples?)|microbes|micro-?organisms|pathogens|"
    r"e\.?\s?coli|salmonella|staph(?:ylococcus)?|streptococcus|petri\s+dish(?:es)?|agar(?:\s+plates?)?|"
    r"(?:cell|tissue|fungal|viral)\s+cultures?|blood\s+samples?|bodily\s+fluids?"
)
#: "Mold" is also the shape resin is poured into: only growing it is a hazard.
_MOLD = r"mou?lds?(?:\s+(?:cultures?|spores?|colon(?:y|ies)|samples?))?"
_CARCASSES = r"(?:dead|wild)\s+(?:animals?|birds?|mice|rats?|bats?)|roadkill"
_RADIOACTIVE = (
    r"radioactive(?:\s+(?:materials?|sources?|samples?|rocks?|ores?|isotopes?|substances?|elements?|minerals?|"
    r"glass|waste))?|americium(?:-241)?(?:\s+sources?)?|uranium(?:\s+(?:ore|glass|oxide))?|"
    r"thorium(?:\s+(?:lantern\s+)?mantles?)?|thoriated\s+\w+|radium(?:\s+(?:paint|dials?))?|polonium|plutonium|"
    r"c(?:a)?esium(?:-137)?|cobalt-60|strontium(?:-90)?|tritium|radiation\s+sources?|ionizing\s+radiation|"
    r"x-ray\s+(?:tubes?|machines?|sources?)|fiestaware|vaseline\s+glass"
)
#: Smoke detectors hold americium: opening one is the hazard; testing one is good practice.
_SMOKE_DETECTORS = r"smoke\s+(?:detector|alarm)s?"
#: A bare "drill" is as often a fire drill or a maths drill: only a power drill, or someone's drill.
_DRILLS = r"(?:power|electric|cordless|hand)\s+drills?|drill\s+press(?:es)?|(?<='s )drills?|(?<=your )drills?"
_TOOLS = (
    r"soldering\s+(?:irons?|stations?|guns?)|box\s+cutters?|utility\s+kni(?:fe|ves)|craft\s+kni(?:fe|ves)|"
    r"x-?acto(?:\s+kni(?:fe|ves))?|razor\s+blades?|scalpels?|"
    r"(?:hack|jig|circular|table|band|chain|miter|mitre|power|hand)\s?saws?(?!\s+puzzles?)|dremel|"
    r"rotary\s+tools?|(?:angle|bench)\s+grinders?|heat\s+guns?|hot[\s-]glue(?:\s+guns?)?|glue\s+guns?|"
    r"blow\s?torch(?:es)?|(?:butane|propane|kitchen)\s+torch(?:es)?|welders?|welding\s+\w+|nail\s+guns?|"
    r"staple\s+guns?|power\s+tools?|(?:belt|orbital|power)\s+sanders?|lathes?|laser\s+cutters?"
)
#: "Blender" is also the 3D software STEM programs teach: a kitchen blender is "the/a/your blender".
_APPLIANCES = (
    r"ovens?|stoves?|stovetops?|microwaves?(?:\s+ovens?)?|toaster(?:\s+ovens?)?|food\s+processors?|"
    r"(?:(?<=the )|(?<=a )|(?<=your )|(?<=my )|(?<='s ))blenders?(?!\s+(?:app|software|files?|models?|projects?))|"
    r"hot\s*plates?|pressure\s+cookers?|deep\s+fryers?|air\s+fryers?|(?:clothes|curling|flat)\s+irons?"
)


#: (alternatives, category, the verbs that make it an activity), one per word list.
_TERM_LISTS = (
    (_STRONG_ACIDS, "chemical", _CHEMICAL_VERBS),
    (_OTHER_ACIDS, "chemical", _CHEMICAL_VERBS),
    (_BASES, "chemical", _CHEMICAL_VERBS),
    (_EXPLOSIVES, "chemical", _CHEMICAL_VERBS),
    (_TOXIC_GASES, "chemical", _CHEMICAL_VERBS),
    (_REACTIVE_CHEMICALS, "chemical", _CHEMICAL_VERBS),
    (_PEROXIDE, "chemical", _PEROXIDE_VERBS),
    (_HOUSEHOLD_CHEMICALS, "chemical", _HOUSEHOLD_VERBS),
    (_MICROBES, "biological", _BIOLOGICAL_VERBS),
    (_MOLD, "biological", _MOLD_VERBS),
    (_CARCASSES, "biological", _words("dissect handle collect pick_up touch open")),
    (_RADIOACTIVE, "radiation", _RADIATION_VERBS),
    (_SMOKE_DETECTORS, "radiation", _DETECTOR_VERBS),
    (_DRILLS, "tools", _TOOL_VERBS),
    (_TOOLS, "tools", _TOOL_VERBS),
    (_APPLIANCES, "tools", _TOOL_VERBS),
)
#: (pattern, category, level, the verbs that make it an activity).
_TERMS = tuple(
    (re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE), category, "ask" if category == "tools" else "hazard", verbs)
    for alternatives, category, verbs in _TERM_LISTS
)
#: Every term of every list at once, read in case-folded text (`_folded`): a text this does not match
#: has no term. Case-sensitive on folded text rather than IGNORECASE, and "not after a word character"
#: rather than `\b` (every term begins with a letter or digit, so the two agree): Python's engine tries
#: each alternative at each position, and this is five times cheaper on an ordinary message.
_ANY_TERM = re.compile(r"(?<!\w)(?:" + "|".join(f"(?:{alternatives})" for alternatives, *_ in _TERM_LISTS) + r")\b")


def _folded(text: str) -> str:
    """`text` case-folded for a case-sensitive search of lower-case words: what IGNORECASE would
    match, matches ("ſ", "K" and the dotless "ı" included; casefold leaves only "ı" to map)."""
    return text.casefold().replace("ı", "i")


def _may_hold_term(text: str) -> bool:
    """Whether any hazard, tool or appliance term is in `text` (one search for all the word lists)."""
    return _ANY_TERM.search(_folded(text)) is not None


_HOME = (
    r"(?:house|apartment|flat|kitchen|garage|basement|backyard|back\s+yard|yard|bathroom|bedroom|attic|shed|"
    r"garden|driveway|sink|bathtub|tub|home)"
)
_HOUSEHOLD = r"(?:stove|stovetop|hob|oven|microwave|fridge|freezer|smoke\s+(?:detector|alarm)s?)"
_FAMILY = (
    r"(?:own|family'?s?|parents'?|parent's|dad'?s|mom'?s|mum'?s|mother'?s|father'?s|brother'?s|sister'?s|"
    r"grandma'?s|grandpa'?s)"
)
#: Where or when an activity would happen outside supervision: at home, in your kitchen, on your
#: stove, homemade, DIY, "tonight" (an online program's evening is at home).
_HOME_CUE = re.compile(
    rf"\bat\s+(?:(?:your|ur|my|our)\s+)?(?:own\s+)?home\b|\bfrom\s+home\b|"
    rf"\b(?:at|in|inside|from|around|outside)\s+(?:your|ur|the|my|our)\s+(?:own\s+)?{_HOME}\b|"
    rf"\b(?:on|in|with|using)\s+(?:your|the|my|ur)\s+(?:own\s+)?{_HOUSEHOLD}\b|"
    rf"\byour\s+(?:{_FAMILY}\s+)?(?:{_HOME}|{_HOUSEHOLD})\b|"
    r"\bhome[\s-]?made\b|\bhomebrew(?:ed)?\b|\bhome\s+(?:lab|experiments?|science|chemistry)\b|"
    r"\bkitchen\s+(?:chemistry|science|lab)\b|\bdiy\b|\bdo[\s-]it[\s-]yourself\b|\byourself\b|\byour\s+own\b|"
    r"\byou\s+(?:make|made|build|built|mix|brew)\b|\btonight\b|\bthis\s+(?:evening|weekend)\b|"
    r"\bover\s+the\s+weekend\b|\bafter\s+(?:class|school|the\s+session)\b",
    re.IGNORECASE,
)
_HOME_CUE_NEGATED = re.compile(
    r"(?:\bnot|\bnever|n't|\binstead\s+of|\brather\s+than|\bexcept)\b[^.!?]{0,20}$", re.IGNORECASE
)
#: Supervised settings: the policy is about activities at home, not in a lab or class.
_LAB_CUE = re.compile(
    r"\b(?:in|at|inside)\s+(?:the\s+|a\s+|our\s+|your\s+school'?s?\s+|the\s+school\s+)?"
    r"(?:chem(?:istry)?\s+|bio(?:logy)?\s+|physics\s+|science\s+|school\s+)?(?:lab|labs|laboratory|classroom)\b|"
    r"\bfume\s+hood\b|\bunder\s+(?:\w+\s+)?supervision\b|\bsupervised\b|\blab\s+(?:session|bench|period|class)\b|"
    r"\bin\s+class\b",
    re.IGNORECASE,
)
_NEGATIONS = _words(
    """not no never don't dont doesn't didn't cannot can't cant shouldn't mustn't won't wouldn't couldn't
    isn't aren't avoid stop nobody none neither nor without dangerous unsafe illegal deadly forbidden
    prohibited banned warning"""
)
#: "don't forget to mix…" is an instruction, not a warning.
_NOT_NEGATING = _words("forget hesitate worry")
#: Words that may come before an imperative verb at the start of a clause.
_DISCOURSE = _words(
    """please pls plz now then first next so ok okay just also and or tonight today tomorrow later
    afterwards after that carefully quickly gently slowly finally simply step hey hi guys everyone kids
    all again lastly second third once quick fun idea challenge homework task bonus"""
)
#: A clause ending in these proposes what comes next: "you can mix", "let's make", "how to build".
_PROPOSAL_TAIL = re.compile(
    r"(?:\byou(?:'ll|'re\s+going\s+to|'re\s+gonna|\s+will|\s+can|\s+could|\s+should|\s+need\s+to|\s+have\s+to|"
    r"\s+must|\s+may|\s+might|\s+are\s+going\s+to|\s+are\s+gonna|\s+gonna|\s+want\s+to|\s+wanna|\s+get\s+to|"
    r"\s+ought\s+to|\s+to|\s+(?:guys|all|two)\s+(?:can|should|will|could))"
    r"|\blet'?s|\blet\s+us"
    r"|\bwe(?:'ll|\s+will|\s+can|\s+could|\s+should|\s+are\s+going\s+to|'re\s+going\s+to|\s+gonna|'re\s+gonna|"
    r"\s+need\s+to|\s+have\s+to)"
    r"|\bi(?:'ll|\s+will|\s+can|\s+could|\s+should|\s+am\s+going\s+to|'m\s+going\s+to|\s+gonna|'m\s+gonna|"
    r"\s+want\s+to|\s+wanna|\s+need\s+to|\s+plan\s+to|\s+might)"
    r"|\b(?:can|could|should|may|shall)\s+(?:i|we|you)"
    r"|\b(?:is|are)\s+to|\bhow\s+to|\bwhy\s+not|\btry\s+to|\bremember\s+to|\bgo\s+ahead\s+and|\bfeel\s+free\s+to|"
    r"\bbe\s+sure\s+to|\bmake\s+sure\s+(?:to|you)|\bdon'?t\s+forget\s+to|\bwant\s+to|\bplan\s+to|\bneed\s+to|"
    r"\bhelp\s+(?:you|them))\s*$",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[,:;(\[\"“—–]|\s-\s|^\s*(?:\d+[.)]|[-*•])\s+")
#: "… and mix them", "… then heat it": the verb after a conjunction continues the clause before.
_CONJUNCTION = re.compile(r"\b(?:and|then|or|but|&)\b", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z0-9]+)*")
#: Sentence ends, lines and semicolons, but not the "1." of a numbered step.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])(?<!\b\d\.)(?<!\b\d\d\.)\s+|\n+|;")
_PRONOUN_OBJECT = _words("it them these those that this together both")
_VERB_REACH = 8  # words between a verb and the hazard it acts on ("use your smoke detector's americium")
_SENTENCE_LIMIT = 1000  # characters; longer runs are read in pieces, so a pathological text stays linear
_PHRASE_LIMIT = 120


def _sentences(text: str) -> list[str]:
    """Sentences (and lines), a line ending in ":" joined to the next ("At home:\\n1. mix…"), and
    any run longer than `_SENTENCE_LIMIT` cut at spaces: no real sentence is that long.
    """
    merged: list[str] = []
    for part in _SENTENCE_BREAK.split(text):
        if merged and merged[-1].rstrip().endswith(":") and len(merged[-1]) < _SENTENCE_LIMIT:
            merged[-1] += " " + part
        elif part.strip():
            merged.append(part)
    pieces = []
    for sentence in merged:
        while len(sentence) > _SENTENCE_LIMIT:
            cut = sentence.rfind(" ", _SENTENCE_LIMIT // 2, _SENTENCE_LIMIT)
            cut = cut if cut > 0 else _SENTENCE_LIMIT
            pieces.append(sentence[:cut])
            sentence = sentence[cut:]
        pieces.append(sentence)
    return pieces


def _has_home_cue(sentence: str) -> bool:
    """True when the sentence places the activity at home or unsupervised, and that place is not
    itself negated ("not at home", "don't try this at home").
    Example: "make chlorine gas in your kitchen" yes; "homework is due" and "the home page" no.
    """
    for m in _HOME_CUE.finditer(sentence):
        if not _HOME_CUE_NEGATED.search(sentence[max(0, m.start() - 25) : m.start()]):
            return True
    return False


def _is_negated(tokens: list[str], index: int) -> bool:
    """True when a negation or a warning word is among the four words before the verb.

    Why: "don't mix bleach and ammonia", "never heat acid at home" and "it is dangerous to make
    chlorine gas" are warnings, the very advice the policy wants given; they must stay silent.
    "Don't forget to mix …" is not a warning.
    """
    window = [t.lower() for t in tokens[max(0, index - 4) : index]]
    for i, word in enumerate(window):
        if word in _NEGATIONS and not (i + 1 < len(window) and window[i + 1] in _NOT_NEGATING):
            return True
    return False


@dataclass(frozen=True, slots=True)
class _Verb:
    start: int
    end: int
    index: int  # word index in the sentence
    base: str  # "mix", "set_off"


def _proposes(sentence: str, verb_start: int) -> bool | None:
    """True when the verb starting at `verb_start` is put to the reader: an imperative at the start
    of a clause ("Tonight, mix …", "1. heat …") or after "you can", "let's", "how to", "can I" and
    the like; None when it only continues an earlier verb after "and"/"then" ("get bleach and mix
    it"), so it proposes whatever that verb does.

    Why: "the professor demoed the reaction", "my brother tried to mix …" narrate; "mix …" and
    "you can make …" propose. Only a proposal is an activity the program must stop or ask about.
    """
    clause = _CLAUSE_BREAK.split(sentence[max(0, verb_start - 200) : verb_start])[-1]
    pieces = _CONJUNCTION.split(_HOME_CUE.sub(" ", clause))
    words = [w.strip("!?.'\"").lower() for w in pieces[-1].split()]
    if all(w in _DISCOURSE or w.isdigit() or not w for w in words):
        return None if len(pieces) > 1 else True
    return bool(_PROPOSAL_TAIL.search(" ".join(pieces[-1].split()[-6:])))


#: Up to three words after a verb, stopping at a preposition: "solder [the wires] at home".
_VERB_OBJECT = re.compile(r"(?:\s+(?!(?:at|in|on|with|and|then|to|for|until)\b)[\w'-]+){1,3}", re.IGNORECASE)
_Term = tuple[int, int, str, str, frozenset[str]]  # start, end, category, level, verbs that act on it


def _terms(sentence: str) -> list[_Term]:
    """The hazard and tool terms in a sentence, the first of any overlapping pair winning ("sulfuric
    acid" before "acid")."""
    if not _may_hold_term(sentence):
        return []  # most sentences: one search instead of one per word list
    found: list[_Term] = []
    for pattern, category, level, allowed in _TERMS:
        for m in pattern.finditer(sentence):
            if not any(s < m.end() and m.start() < e for s, e, *_ in found):
                found.append((m.start(), m.end(), category, level, allowed))
    return sorted(found)


def _proposed_verbs(sentence: str, terms: list[_Term], starts: list[int]) -> tuple[list[_Verb], dict[int, bool]]:
    """The sentence's verbs, and for each (by start) whether it is proposed (see `_proposes`). A word
    that is both a verb and a term is a verb only where a proposal's verb stands: "use the microwave"
    has a noun; "Microwave the soap" a verb.
    """
    verbs: list[_Verb] = []
    proposed: dict[int, bool] = {}
    for m in _VERB.finditer(sentence):
        v = _Verb(m.start(), m.end(), bisect_left(starts, m.start()), _SPACES.sub("_", m.group(0).lower()))
        says = _proposes(sentence, v.start)
        proposed[v.start] = says if says is not None else (not verbs or proposed[verbs[-1].start])
        if proposed[v.start] or not any(s < v.end and v.start < e for s, e, *_ in terms):
            verbs.append(v)
    return verbs, proposed


def _acting_verb(verbs: list[_Verb], term: _Term, tokens: list[re.Match[str]]) -> tuple[_Verb, int] | None:
    """The verb acting on a term, and where the phrase ends: the nearest verb before it (within
    `_VERB_REACH` words), else a verb just after it followed by "them"/"it" ("bleach and ammonia: mix
    them"). The verb must be one the term allows; a neutral verb in between ("use soap to kill
    bacteria") acts on nothing.
    """
    start, end, *_, allowed = term
    index = bisect_left(tokens, start, key=lambda t: t.start())
    i = bisect_left(verbs, start + 1, key=lambda v: v.end)
    if i and index - verbs[i - 1].index <= _VERB_REACH:
        if verbs[i - 1].base in allowed:
            return verbs[i - 1], end
        if verbs[i - 1].base in _NEUTRAL_VERBS:
            return None
    for v in verbs[i : i + 3]:
        close = v.start >= end and v.index - index <= 5 and v.index + 1 < len(tokens)
        if close and v.base in allowed and tokens[v.index + 1].group(0).lower() in _PRONOUN_OBJECT:
            return v, tokens[v.index + 1].end()
    return None


def _sentence_hazards(sentence: str) -> list[tuple[int, HazardMatch]]:
    """Hazards and tool uses one sentence proposes, with where each phrase starts; see
    `find_hazardous_activity`. One match per verb and category: "mix bleach and ammonia"."""
    terms = _terms(sentence)
    home = _has_home_cue(sentence)
    asks = any(level == "ask" for *_, level, _ in terms) or _SELF_TOOL_VERB.search(sentence)
    if not (asks or (terms and home)) or _LAB_CUE.search(sentence):
        return []
    tokens = list(_TOKEN.finditer(sentence))
    words = [t.group(0) for t in tokens]
    verbs, proposed = _proposed_verbs(sentence, terms, [t.start() for t in tokens])
    spans: dict[tuple[int, str, str], tuple[int, int]] = {}
    for term in terms:
        acting = _acting_verb(verbs, term, tokens)
        if acting is None or any(v.start < term[1] and term[0] < v.end for v in verbs):
            continue
        (verb, phrase_end), (start, _, category, level, _) = acting, term
        if (level == "hazard" and not home) or not proposed[verb.start] or _is_negated(words, verb.index):
            continue
        lo, hi = spans.get((verb.start, category, level), (verb.start, verb.end))
        spans[verb.start, category, level] = (min(lo, start), max(hi, phrase_end))
    for v in verbs:
        if v.base in _SELF_TOOL_VERBS and proposed[v.start] and not _is_negated(words, v.index):
            obj = _VERB_OBJECT.match(sentence, v.end)
            spans.setdefault((v.start, "tools", "ask"), (v.start, obj.end() if obj else v.end))
    return [
        (lo, HazardMatch(category, level, " ".join(sentence[lo:hi].split())[:_PHRASE_LIMIT]))
        for (_, category, level), (lo, hi) in spans.items()
    ]


def find_hazardous_activity(text: str) -> list[HazardMatch]:
    """Activities with chemical, biological or radiation hazards proposed for home (level
    "hazard"), and tools or appliances proposed for use (level "ask", category "tools").

    How: within one sentence, a hazard needs (1) a hazard term from a word list ("bleach",
    "sulfuric acid", "thermite", "bacteria", "petri dish", "americium", "uranium glass"), (2) an
    action verb in base form acting on it ("mix", "heat", "culture", "use") and allowed for that term
    (bleach is only a hazard mixed, heated or burned; peroxide only concentrated), (3) the verb put as
    a proposal (an imperative, "you can …", "let's …", "how to …"), (4) no negation or warning word
    just before the verb ("don't mix …", "it is dangerous to …"), and (5) an at-home or do-it-yourself
    cue ("at home", "in your kitchen", "on your stove", "homemade", "tonight"). A sentence about a lab,
    class or supervision is skipped. Tools need (1)-(4) but no home cue: in an online program the
    reader is at home, and asking first is cheap.
    Why: the policy forbids hazardous-materials activities at home and sends tool questions to the
    safety contact; talking about a subject ("we studied radiation in class") proposes nothing.
    Example: "Tonight, mix bleach and ammonia in your kitchen" ->
    [HazardMatch("chemical", "hazard", "mix bleach and ammonia")]. Hazards come first, then asks.
    """
    flat = _plain(text)
    if not _may_hold_term(flat) and not _SELF_TOOL_VERB.search(flat):
        return []  # no hazard, tool or appliance word anywhere: no sentence can propose one
    found: list[tuple[int, int, HazardMatch]] = []
    # A link's words are its author's, not the sender's: ".../how-to-mix-bleach-at-home" proposes nothing.
    for n, sentence in enumerate(_sentences(_mask(flat, _urls(flat)))):
        found.extend((n, pos, match) for pos, match in _sentence_hazards(sentence))
    ordered = sorted(found, key=lambda f: (f[2].level != "hazard", f[0], f[1]))
    result: list[HazardMatch] = []
    for *_, match in ordered:
        if match not in result:
            result.append(match)
    return result
