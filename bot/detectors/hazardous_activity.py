"""The hazardous-activity detector: chemical, biological, radiation and electrical hazards proposed for
home, and tools or appliances proposed for use, in a message's text."""

from __future__ import annotations

import importlib
import itertools
import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.detectors.hazard_lexicon import ACQUIRING, LEXICON, MIXING, SELF_TOOL_VERBS, VERBS
from bot.detectors.text import _SPACES, _mask, _plain, _urls, _words


@dataclass(frozen=True, slots=True)
class HazardMatch:
    """An activity proposed in a message: forbidden at home ("hazard") or to ask about ("ask")."""

    category: str  # "chemical" | "biological" | "radiation" | "electrical" | "tools"
    level: str  # "hazard" (forbidden at home) | "ask" (tools/appliances: ask the safety contact first)
    phrase: str  # the matched words


#: Verbs that break the link between an earlier action verb and a hazard: "use soap to kill bacteria",
#: "look at the bacteria". Any inflection: "test which soap kills germs" does not culture them.
_NEUTRAL_BASES = _words(
    """kill wash clean disinfect destroy avoid prevent stop fight protect reduce learn study read watch
    discuss explain research draw label identify describe measure detect count observe see review
    understand sterilize sanitize dispose throw_away throw_out report look view examine compare check
    inspect find_out think talk write imagine picture google search name list show store keep recycle
    ventilate rinse wear cover sketch doodle color colour simulate animate get_rid_of rid"""
)
_NEUTRAL_VERBS = frozenset(
    form
    for base in _NEUTRAL_BASES
    for form in (base, base + "s", base + "es", base + "ed", base + "d", base + "ing", base.removesuffix("e") + "ing")
)
#: Each lexicon group's verbs, by the group's verb-set name.
_GROUP_VERBS = {name: _words(verbs) for name, verbs in VERBS.items()}
#: Mixing a household product into water or the wash is cleaning: only mixed with another product
#: (or vinegar, alcohol, "everything") is it a hazard (see `_ordinary_use`).
_MIXING_VERBS = _words(MIXING)
_ACQUIRING_VERBS = _words(ACQUIRING)
#: A household product fetched for an experiment rather than for the chores.
_EXPERIMENT = re.compile(
    r"\b(?:experiments?|reactions?|demos?|explosions?|explode|bombs?|booms?|fire\s+show|science\s+trick|"
    r"smoke\s+(?:clouds?|shows?)|fizz\w*|toxic|fumes|gas\s+clouds?)\b",
    re.I,
)
_SELF_TOOL_VERBS = _words(SELF_TOOL_VERBS)
_SELF_TOOL_VERB = re.compile(rf"\b(?:{'|'.join(sorted(_SELF_TOOL_VERBS))})\b", re.IGNORECASE)
#: Verbs that grow microbes whatever they name ("culture whatever grows on your toothbrush"), read
#: only where the sentence is about growing (`_CULTURE_CONTEXT`): with the tools' verbs, the words
#: that let a sentence without a term through.
_SELF_VERB = re.compile(rf"\b(?:{'|'.join(sorted(_SELF_TOOL_VERBS | {'culture', 'incubate', 'inoculate'}))})\b", re.I)
_ALL_VERBS = frozenset().union(*_GROUP_VERBS.values()) | _SELF_TOOL_VERBS | _NEUTRAL_VERBS
#: How a verb of the lists is written as a pattern: "take_apart" is "take apart"; "set" only where it
#: is "set … on fire" ("set the bleach aside" sets nothing alight).
_VERB_PATTERNS = {
    "set": r"set(?=(?:\s+[\w']+){1,3}\s+on\s+fire\b)",
    # "do the dry ice thing", not "do we need gloves?" or "do you think …".
    "do": r"do(?=\s+(?:the|a|an|this|that|some|our|my|your|it|them)\b)",
}
#: "Cut it open", "crack them open": the verb of taking apart with its object inside, named by group.
_SPLIT_VERBS = "".join(
    rf"(?P<{verb}_open>{verb}(?=\s+(?:it|them|this|that)\s+open\b))|" for verb in ("cut", "crack", "break", "pry")
)
_VERB = re.compile(
    r"\b(?:"
    + _SPLIT_VERBS
    + "|".join(_VERB_PATTERNS.get(v, v.replace("_", r"\s+")) for v in sorted(_ALL_VERBS, key=len, reverse=True))
    + r")\b(?!')",
    re.IGNORECASE,
)
_DETERMINER_BEFORE = re.compile(r"\b(?:a|an|the|some|this|that|my|your|his|her|our|their|one|each|every)\s+$", re.I)
#: "… to burn": a verb of purpose carries the proposal of the verb before it.
_PURPOSE = re.compile(r"\bto\s+$", re.IGNORECASE)
_PURPOSE_REACH = 12  # words from a hazard to a verb of purpose after it ("get gasoline … to burn")

#: (alternatives, category, the verbs that make it an activity, whether it is an ordinary household
#: product), one per lexicon group.
_TERM_LISTS = tuple((group.terms, group.category, _GROUP_VERBS[group.verbs], group.verbs) for group in LEXICON)
#: A term followed by one of these is a picture, a lesson or a word, not the thing: "the acid-base
#: simulation", "the dry ice demo video", "the agar plate simulation", "bleach safety tips".
_NOT_THE_THING = (
    r"(?!-\w)(?!(?:\s+(?!and\b|or\b|with\b|to\b|in\b|on\b)[\w-]+)?\s+(?:simulations?|sims?|videos?|clips?|apps?|games?|posters?|diagrams?|worksheets?|"
    r"quiz(?:zes)?|articles?|documentar(?:y|ies)|pictures?|photos?|memes?|emojis?|songs?|costumes?|slides?|lessons?|"
    r"modules?|units?|chapters?|readings?|questions?|facts?|safety|tips?|rules?|labels?|warnings?|emoji|stickers?|"
    r"scene|episode|challenge\s+videos?|cream)\b)"
)
#: (pattern, category, level, the verbs that make it an activity, the name of those verbs).
_TERMS = tuple(
    (
        re.compile(rf"\b(?:{alternatives})\b{_NOT_THE_THING}", re.IGNORECASE),
        category,
        "ask" if category == "tools" else "hazard",
        verbs,
        kind,
    )
    for alternatives, category, verbs, kind in _TERM_LISTS
)
#: Every term of every list at once, read in case-folded text (`_folded`): a text this does not match
#: has no term. Case-sensitive on folded text rather than IGNORECASE, and "not after a word character"
#: rather than `\b` (every term begins with a letter or digit, so the two agree).
_ANY_TERM = re.compile(r"(?<!\w)(?:" + "|".join(f"(?:{alternatives})" for alternatives, *_ in _TERM_LISTS) + r")\b")
_PREFIX_LENGTH = 5
#: What `\s` matches in a str pattern: the characters str.isspace() accepts (none above U+3000).
_WHITESPACE = frozenset(ch for ch in map(chr, range(0x3001)) if ch.isspace())


def _literal_prefixes(pattern: str) -> frozenset[str] | None:
    """The first `_PREFIX_LENGTH` characters (or fewer, where the pattern stops being literal) that
    every match of `pattern` begins with, lookarounds left out; None where it cannot be told (a
    match may begin with any digit, or Python's parser is not the one this was written for).

    Why: one search of hundreds of alternatives costs about 30 µs on an ordinary message, since
    Python's engine tries each at each position; the same search for a few thousand short literal
    prefixes, written as a trie (`_trie`), costs a few. A text without one of them has no term.
    """
    try:
        # The engine's own parser, private and read once, here only: where it changes, the quick
        # check is off (None) and the full search alone decides, slower but as exact.
        c = importlib.import_module("re._constants")
        sre_parser = importlib.import_module("re._parser")

        done: set[str] = set()

        def chars(items: Iterable[tuple[object, object]]) -> set[str] | None:
            out: set[str] = set()
            for op, av in items:
                if op is c.LITERAL and isinstance(av, int):
                    out.add(chr(av))
                elif op is c.RANGE and isinstance(av, tuple) and av[1] - av[0] <= 40:
                    out.update(map(chr, range(av[0], av[1] + 1)))
                elif op is c.CATEGORY and av is c.CATEGORY_SPACE:
                    out.update(_WHITESPACE)
                else:
                    return None
            return out

        def walk(seq: Iterable[tuple[object, Any]], heads: set[str]) -> set[str]:
            for op, av in seq:
                if not heads:
                    break
                if op in (c.ASSERT, c.ASSERT_NOT, c.AT):
                    continue  # zero-width: the match's characters do not include it
                if op is c.LITERAL:
                    heads = {h + chr(av) for h in heads}
                elif op is c.IN:
                    options = chars(av)
                    if options is None:
                        done.update(heads)
                        return set()
                    heads = {h + ch for h in heads for ch in options}
                elif op is c.BRANCH:
                    heads = set().union(*(walk(alternative, set(heads)) for alternative in av[1]))
                elif op is c.SUBPATTERN:
                    heads = walk(av[3], heads)
                elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
                    low, high, sub = av
                    once = walk(sub, set(heads))
                    if high == 1:
                        heads = once | (heads if low == 0 else set())
                    else:
                        done.update(once)  # a prefix of every longer repetition too
                        heads = heads if low == 0 else set()
                else:
                    done.update(heads)
                    return set()
                full = {h for h in heads if len(h) >= _PREFIX_LENGTH}
                done.update(h[:_PREFIX_LENGTH] for h in full)
                heads -= full
            return heads

        done.update(walk(sre_parser.parse(pattern), {""}))
    except (ImportError, AttributeError, TypeError, ValueError, re.error):
        return None
    return None if "" in done else frozenset(done)


def _trie(words: Iterable[str]) -> str:
    """The words as one regular expression that branches on one literal character at a time, the
    form Python's engine rejects quickly: "acid", "acet" -> "ac(?:id|et)". A word that is a prefix of
    another stands for both (only whether one begins here matters)."""
    tree: dict[str, Any] = {}
    for word in sorted(set(words), key=len):
        node = tree
        for ch in word:
            if node.get("") is True:
                break
            node = node.setdefault(ch, {})
        else:
            node.clear()
            node[""] = True

    def text(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + text(child) for ch, child in sorted(node.items()) if ch]
        if node.get("") is True or not branches:
            return ""
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return text(tree)


def _quick_check() -> re.Pattern[str] | None:
    """The prefixes of every term as one trie, or None where some term's cannot be told."""
    prefixes: set[str] = set()
    for alternatives, *_ in _TERM_LISTS:
        found = _literal_prefixes(alternatives)
        if found is None:
            return None
        prefixes |= found
    return re.compile(r"(?<!\w)(?=" + _trie(prefixes) + ")")


_ANY_PREFIX = _quick_check()


def _folded(text: str) -> str:
    """`text` case-folded for a case-sensitive search of lower-case words: what IGNORECASE would
    match, matches ("ſ", "K" and the dotless "ı" included; casefold leaves only "ı" to map)."""
    return text.casefold().replace("ı", "i")


def _may_hold_term(text: str) -> bool:
    """Whether any hazard, tool or appliance term is in `text`: one quick search for the terms'
    first characters (`_ANY_PREFIX`), then all the word lists tried only where one begins: a search
    of them all at every position costs ten times as much ("camp", "start", "press" begin many
    ordinary words)."""
    folded = _folded(text)
    if _ANY_PREFIX is None:
        return _ANY_TERM.search(folded) is not None
    return any(_ANY_TERM.match(folded, m.start()) for m in _ANY_PREFIX.finditer(folded))


_HOME = (
    r"(?:houses?|apartments?|flats?|kitchens?|garages?|basements?|backyards?|back\s+yards?|yards?|bathrooms?|"
    r"bedrooms?|rooms?|attics?|sheds?|gardens?|driveways?|sinks?|bathtubs?|tubs?|homes?|dorms?|desks?|balcon(?:y|ies)|"
    r"patios?|porch(?:es)?|living\s+rooms?|laundry\s+rooms?)"
)
_HOUSEHOLD = r"(?:stoves?|stovetops?|hobs?|ovens?|microwaves?|fridges?|freezers?|smoke\s+(?:detector|alarm)s?)"
_FAMILY = (
    r"(?:own|family'?s?|parents'?|parent's|dad'?s|mom'?s|mum'?s|mother'?s|father'?s|brother'?s|sister'?s|"
    r"grandma'?s|grandpa'?s)"
)
#: Where or when an activity would happen outside supervision: at home, in your kitchen, on your
#: stove, homemade, DIY, "tonight" (an online program's evening is at home). Participants of an online
#: program are at home anyway (see `_at_home`); a cue says so even where a lab is named elsewhere.
_HOME_CUE = re.compile(
    rf"\bat\s+(?:(?:your|ur|my|our)\s+)?(?:own\s+)?homes?\b|\bfrom\s+homes?\b|"
    rf"\b(?:at|in|inside|from|around|outside)\s+(?:your|ur|the|my|our)\s+(?:own\s+)?{_HOME}\b|"
    rf"\b(?:on|in|with|using)\s+(?:your|the|my|ur)\s+(?:own\s+)?{_HOUSEHOLD}\b|"
    rf"\byour\s+(?:{_FAMILY}\s+)?(?:{_HOME}|{_HOUSEHOLD})\b|"
    r"\bhome[\s-]?made\b|\bhomebrew(?:ed)?\b|\bhome\s+(?:lab|experiments?|science|chemistry)\b|"
    r"\bkitchen\s+(?:chemistry|science|lab)\b|\bdiy\b|\bdo[\s-]it[\s-]yourself\b|\byourselves\b|\byourself\b|"
    r"\byour\s+own\b|\byou\s+(?:make|made|build|built|mix|brew)\b|\b(?:go|get|back|once\s+you'?re|when\s+you'?re)\s+home\b|\btonight\b|\bthis\s+(?:evening|weekend)\b|"
    r"\bover\s+the\s+weekend\b|\bafter\s+(?:class|school|the\s+session)\b",
    re.IGNORECASE,
)
_HOME_CUE_NEGATED = re.compile(
    r"(?:\bnot|\bnever|n't|\binstead\s+of|\brather\s+than|\bexcept)\b[^.!?]{0,20}$", re.IGNORECASE
)
#: A lab word that names the online session or the kitchen, not a supervised place.
_NOT_A_PLACE = r"(?!(?:home|kitchen|virtual|online|zoom|diy|garage|basement|own|bedroom|backyard|next|this)\b)"
#: Supervised settings: the policy is about activities at home, not in a lab, on campus, in a
#: makerspace, in a supervised session or done by an adult ("get an adult to handle the dry ice").
_LAB_CUE = re.compile(
    r"\b(?:in|at|inside|to)\s+(?:the\s+|a\s+|our\s+|your\s+school'?s?\s+|the\s+school\s+)?"
    rf"(?:{_NOT_A_PLACE}[\w.-]+\s+)?(?:chem(?:istry)?\s+|bio(?:logy)?\s+|physics\s+|science\s+|school\s+|teaching\s+)?"
    r"(?:lab|labs|laboratory|laboratories|classroom)\b|"
    r"\b(?:makerspace|maker\s+space|fab\s*lab|hackerspace|machine\s+shop|wet\s+lab|clean\s*room)s?\b|"
    r"\bfume\s+hoods?\b|\bbiosafety\s+cabinet\b|\bunder\s+(?:\w+\s+){0,2}supervision\b|\bsupervised\b|\bsupervising\b|"
    r"(?<!virtual )(?<!online )(?<!zoom )\blab\s+(?:session|bench|period|class|day|visit|tour|coats?)\b|\bin\s+class\b|"
    r"\bon\s+(?:the\s+)?campus\b|\bon\s+site\b|\bat\s+(?:the\s+)?(?:[\w.-]+\s+)?(?:museum|science\s+cent(?:er|re))\b|"
    r"\bwith\s+(?:dr|prof|professor|doctor)\.?\s+\w+|\b(?:dr|prof|professor)\.?\s+\w+\s+(?:will|is\s+going\s+to|'ll)\b|"
    r"\bwith\s+(?:a|an|the|our|your)\s+(?:\w+\s+)?(?:professional|technician|chemist|instructor|staff|lab\s+tech|"
    r"electrician|scientist|researcher|ta|teacher|mentor)s?\b|"
    r"\b(?:staff|instructors?|teachers?|mentors?|counselors?|tas|the\s+ta)\s+(?:will|is\s+going\s+to|are\s+going\s+to|"
    r"'ll|demonstrates?|demos?|shows?)\b|"
    r"\b(?:get|ask|let|have)\s+(?:an?|your)\s+(?:adult|parent|grown-?up|guardian)s?\s+(?:to\s+)?"
    r"(?:handle|do|light|use|pour|open|cut|take\s+care\s+of)\b",
    re.IGNORECASE,
)
#: Talk about the subject, the right way to handle it, or a simulation of it: "the video explains how
#: to make …", "use the virtual lab to mix the acids",
#: "keep pool chemicals away from each other", "take old paint thinner to the hazardous-waste drop-off".
_SAFETY_TALK = re.compile(
    r"\baway\s+from\b|\bout\s+of\s+(?:reach|the\s+reach)\b|\bhazardous[\s-]waste\b|\bdrop[\s-]off\b|"
    r"\bcollection\s+(?:site|day|event)\b|\brecycl\w*|\be-?waste\b|\bpoison\s+control\b|\bsafety\s+data\s+sheets?\b|\bsds\b|"
    r"\b(?:virtual|online|simulated)\s+labs?\b|\bsimulations?\b|\bphet\b|\bminecraft\b|\bvideo\s+games?\b|"
    r"\b(?:learn|learned|learning|study|studied|read|watch|watched|discuss|discussed|explain|explains|explained|"
    r"talk(?:ed|ing)?|describes?|described)\s+(?:\w+\s+){0,4}(?:how|why|what|whether)\s+(?:to\b|you\b|we\b|people\b|it\b)",
    re.IGNORECASE,
)
#: Cleaning and gardening by the label, where a household product is poured or mixed into water.
_ORDINARY_USE = re.compile(
    r"\b(?:clean|cleans|cleaning|wash|washing|laundry|whites|mop|mopping|wipe|wiping|disinfect\w*|saniti[sz]\w*|"
    r"scrub\w*|stains?|dishes|counters?|countertops?|floors?|toilets?|label|directions|lawn|weeds|water(?!\s+bottles?)|away|"
    r"back)\b",
    re.IGNORECASE,
)
#: Ordinary food, cooked as every household does.
_FOOD = re.compile(
    r"\b(?:pizza|leftovers?|popcorn|cookies?|brownies?|cake|cupcakes?|bread|toast|pasta|noodles|ramen|rice|eggs?|"
    r"soup|dinner|lunch|breakfast|snacks?|tea|coffee|cocoa|milk|oatmeal|pancakes?|muffins?|veggies|vegetables|"
    r"chicken|potato(?:es)?|fries|burritos?|sandwich(?:es)?|food|meal|mac|cheese|nuggets|hot\s+dogs?|beans|butter|"
    r"chocolate|water|mugs?|bowls?|plates?|quesadillas?|dumplings|corn|tortillas?|bagels?|waffles?|nachos|frozen|"
    r"lasagna|curry|oats|s'?mores|cereal|hot\s+pockets?|pie|bacon|sausages?)\b",
    re.IGNORECASE,
)
_FLAME = re.compile(r"\b(?:flames?|fire|fireball|lighter|candles?|match(?:es)?|torch|burn|ignite|light\s+it)\b", re.I)
#: Swabbing a surface is sampling microbes where the sentence is about growing them:
#: "swab your keyboard and keep the plate under your bed".
_CULTURE_CONTEXT = re.compile(
    r"\b(?:plates?|petri|agar|grow|grows|growing|culture|cultures|incubate|colon(?:y|ies)|germs|bacteria|microbes)\b",
    re.IGNORECASE,
)
#: A project's materials: heating these in an appliance is the question the safety contact answers.
_PROJECT_MATERIAL = re.compile(
    r"\b(?:wax|crayons?|soap|clay|plastic|resin|glue|metal|foil|grapes?|experiment|project|slime|solder|"
    r"batter(?:y|ies)|chemicals?|polymer|shrinky|styrofoam|cd|dvd)\b",
    re.IGNORECASE,
)
#: What makes mixing a household product dangerous: another product, or one of the known partners.
_REACTIVE_PARTNER = re.compile(
    r"\b(?:vinegar|lemon\s+juice|windex|alcohol|acids?|ammonia|bleach|peroxide|each\s+other|together|"
    r"everything|all\s+(?:of\s+)?(?:them|the|these|those)|other\s+(?:cleaners|chemicals|products)|whatever|"
    r"(?:empty|plastic|soda|pop|2[\s-]?(?:liter|litre|l)|two[\s-]lit(?:er|re))\s+(?:water\s+)?bottles?|"
    r"(?:alumin(?:i?um)\s+)?foil)\b",
    re.IGNORECASE,
)
_NEGATIONS = _words(
    """not no never don't dont doesn't didn't cannot can't cant shouldn't mustn't won't wouldn't couldn't
    isn't aren't avoid stop nobody none neither nor without dangerous unsafe illegal deadly forbidden
    prohibited banned warning"""
)
#: "don't forget to mix…" is an instruction, not a warning.
_NOT_NEGATING = _words("forget hesitate worry")
#: Words that may come before an imperative verb at the start of a clause, the whole group
#: addressed among them ("everyone grab …", "ok campers, mix …").
_DISCOURSE = _words(
    """please pls plz now then first next so ok okay ok so just also and or tonight today tomorrow later
    afterwards after that carefully quickly gently slowly finally simply step hey hi yo guys everyone everybody
    y'all yall folks team campers friends class ppl peeps kids all again lastly second third once quick fun idea
    challenge homework task bonus both each go for on this next session week weekend morning night
    monday tuesday wednesday thursday friday saturday sunday mon tues wed thurs thu fri sat sun tmrw tmr tmrow"""
)
#: Who a proposal may be put to or by, the group included: "you", "we all", "everyone", "each of you".
_SUBJECT = (
    r"(?:you|u|ya|we|i|everyone|everybody|y'?all|you\s+all|you\s+guys|you\s+two|you\s+both|we\s+all|"
    r"(?:each|all|both)\s+of\s+(?:you|us)|every\s+(?:one|camper|student)\s+of\s+you|the\s+(?:group|class|team))"
)
_MODAL = (
    r"(?:'ll|'re\s+going\s+to|'re\s+gonna|'m\s+going\s+to|'m\s+gonna|\s+will|\s+can|\s+could|\s+should|\s+need\s+to|"
    r"\s+needs\s+to|\s+have\s+to|\s+has\s+to|\s+must|\s+may|\s+might|\s+(?:are|is|am)\s+going\s+to|\s+(?:are|is)\s+gonna|"
    r"\s+gonna|\s+want\s+to|\s+wanna|\s+tryna|\s+finna|\s+boutta|\s+(?:a|')?bout\s+to|\s+get\s+to|\s+gets\s+to|\s+gotta|\s+ought\s+to|\s+plan\s+to|\s+are\s+to|\s+is\s+to)"
)
#: A clause ending in these proposes what comes next: "you can mix", "let's all make", "how to build",
#: "everyone should grab", "who wants to try".
_PROPOSAL_TAIL = re.compile(
    rf"(?:\b{_SUBJECT}{_MODAL}(?:\s+(?:all|both|each|also|just|really|totally|definitely|first|then|now|def))?"
    r"|\byou\s+to|\blet'?s(?:\s+(?:all|both|each|just|also|quickly|now|then|finally|go|try\s+to))?"
    r"|\blet\s+us(?:\s+all)?"
    r"|\b(?:can|could|should|may|shall)\s+(?:i|we|you|u|everyone|everybody|y'?all)(?:\s+(?:all|both|just))?"
    r"|\b(?:is|are)\s+to|\bhow\s+to|\bwhy\s+not|\bwhy\s+don'?t\s+(?:we|you|u)|\bhow\s+about\s+we|\bwhat\s+if\s+we"
    r"|\bwho\s+wants\s+to|\bwho\s+(?:can|could)|\b(?:anyone|anybody|any1|ne1)\s+(?:want|wants|wanna)(?:\s+to)?"
    r"|\b(?:who'?s|who\s+is|anyone|anybody|any1|u|you|y'?all)\s+(?:down|up|in)\s+(?:to|for)"
    r"|\b(?:is\s+it|would\s+it\s+be|it'?s)\s+(?:ok(?:ay)?|fine|safe|alright|cool|allowed)\s+(?:if\s+(?:i|we|u|you)|to)|\btry\s+to|\bremember\s+to|\bgo\s+ahead\s+and"
    r"|\bfeel\s+free\s+to|\bbe\s+sure\s+to|\bmake\s+sure\s+(?:to|you|u)|\bdon'?t\s+forget\s+to|\bwant\s+to|\bplan\s+to"
    r"|\bneed\s+to|\btime\s+to|\bhelp\s+(?:you|them|u))\s*$",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[,:;(\[\"“—–]|\s-\s|^\s*(?:\d+[.)]|[-*•])\s+")
#: "… and mix them", "… then heat it": the verb after a conjunction continues the clause before.
_CONJUNCTION = re.compile(r"\b(?:and|then|or|but|&)\b", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z0-9]+)*")
#: Where a sentence may end: after ".", "!" or "?" and spaces, at a line break, at a semicolon.
#: Whether a full stop ends one is `_ends_sentence`'s to say.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+|;")
#: Abbreviations after which a full stop never ends a sentence ("e.g. bleach", "Dr. Lee", "approx. 5 g",
#: "vs. vinegar", "No. 2"), and those after which it does only before a capital ("… etc. Then mix").
_ABBREVIATIONS = _words(
    """e.g eg i.e ie dr mr mrs ms mx prof approx appr vs v no nos st jr sr ft oz lb lbs fl tsp tbsp min max
    fig figs vol ca cf al inc ltd co mt ave dept univ ph.d m.d b.s m.s sgt capt gen lt col rev hon est
    incl esp dept approx. ex resp temp qty pt pts"""
)
_ABBREVIATIONS_BEFORE_LOWER = _words("etc u.s u.k a.m p.m am pm e.t.c misc wk hr hrs mins secs sec")
_WORD_BEFORE = re.compile(r"([\w.]+)\.$")


def _ends_sentence(before: str, after: str) -> bool:
    """Whether the text `before` (ending in ".", "!" or "?") ends a sentence that `after` does not
    continue: not after an abbreviation, an initial ("J. Smith") or a list number ("1."), and not
    after "etc." or "p.m." when the next word begins in lower case or with a digit."""
    if not before.endswith("."):
        return True
    m = _WORD_BEFORE.search(before)
    if m is None:
        return True
    word = m.group(1).lower().lstrip(".")
    if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()) or (word.isdigit() and len(word) <= 2):
        return False
    if word in _ABBREVIATIONS_BEFORE_LOWER or "." in word:
        return after[:1].isupper()
    return True


_PRONOUN_OBJECT = _words("it them these those that this together both")
_VERB_REACH = 8  # words between a verb and the hazard it acts on ("use your smoke detector's americium")
_SENTENCE_LIMIT = 1000  # characters; longer runs are read in pieces, so a pathological text stays linear
_PHRASE_LIMIT = 120


def _sentences(text: str) -> list[str]:
    """Sentences (and lines), a line ending in ":" joined to the next ("At home:\\n1. mix…"), and
    any run longer than `_SENTENCE_LIMIT` cut at spaces: no real sentence is that long. A full stop
    after an abbreviation does not end one (`_ends_sentence`): "Get approx. 5 g of sodium metal"
    is one proposal, not two halves.
    """
    parts: list[str] = []
    last = 0
    for m in _SENTENCE_BREAK.finditer(text):
        if (
            m.group(0)[:1].isspace()
            and not m.group(0).count("\n")
            and not _ends_sentence(text[max(last, m.start() - 40) : m.start()], text[m.end() : m.end() + 1])
        ):
            continue
        parts.append(text[last : m.start()])
        last = m.end()
    parts.append(text[last:])
    merged: list[str] = []
    for part in parts:
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
        asks_why = i and window[i - 1] == "why" and word in ("don't", "dont")  # "why don't we mix …"
        if word in _NEGATIONS and not asks_why and not (i + 1 < len(window) and window[i + 1] in _NOT_NEGATING):
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
    subject = [w for w in words if w not in _DISCOURSE and not w.isdigit() and w]
    if subject in (["we"], ["y'all"], ["yall"]) and _FUTURE.search(sentence):
        return True  # a plan with its day: "tmrw we do the dry ice thing", "plan for saturday: we mix …"
    return bool(_PROPOSAL_TAIL.search(" ".join(pieces[-1].split()[-6:])))


#: Up to three words after a verb, stopping at a preposition: "solder [the wires] at home".
_VERB_OBJECT = re.compile(r"(?:\s+(?!(?:at|in|on|with|and|then|to|for|until)\b)[\w'-]+){1,3}", re.IGNORECASE)
#: start, end, category, level, the verbs that act on it, their name ("misuse": a household product)
_Term = tuple[int, int, str, str, frozenset[str], str]


def _terms(sentence: str) -> list[_Term]:
    """The hazard and tool terms in a sentence, the first of any overlapping pair winning ("sulfuric
    acid" before "acid")."""
    if not _may_hold_term(sentence):
        return []  # most sentences: one search instead of one per word list
    found: list[_Term] = []
    for pattern, category, level, allowed, kind in _TERMS:
        for m in pattern.finditer(sentence):
            if not any(s < m.end() and m.start() < e for s, e, *_ in found):
                found.append((m.start(), m.end(), category, level, allowed, kind))
    # "Grab the bleach" is for the chores; "grab drain cleaner for tonight's reaction", or drain
    # cleaner with foil, or rubbing alcohol with a lighter, is not.
    if _EXPERIMENT.search(sentence) or (
        not _ORDINARY_USE.search(sentence)
        and any(t[5] == "misuse" and not _ordinary_combination(sentence, t, found) for t in found)
    ):
        found = [(*t[:4], t[4] | _ACQUIRING_VERBS, t[5]) if t[5] == "misuse" else t for t in found]
    return sorted(found)


#: A plan put to the group in the present progressive: "tonight we're mixing …", "you're all making …".
_PLAN_VERB = re.compile(
    r"\b(?:we'?re|we\s+are|you'?re|you\s+are|y'?all\s+are|yall\s+are|everyone'?s|everyone\s+is|everybody'?s|"
    r"everybody\s+is)(?:\s+(?:all|both|each|also|just|finally))?\s+(?P<verb>[a-z]+ing)(?:\s+(?P<particle>apart|open|up))?\b",
    re.IGNORECASE,
)
#: When such a plan is for: "we're mixing it" alone may be what they are doing on the call.
_FUTURE = re.compile(
    r"\b(?:tonight|tomorrow|tmrw|tmr|tmrow|later|this\s+(?:weekend|evening|afternoon|week)|next\s+(?:week|session|time|class)|"
    r"(?:on\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day|after\s+(?:class|school|the\s+session|dinner|the\s+call))\b",
    re.IGNORECASE,
)


def _base_of_ing(word: str, particle: str | None) -> str | None:
    """The base form a verb of the lists has for "mixing", "making", "dropping", "taking apart"."""
    stem = word.lower()[:-3]
    tail = f"_{particle.lower()}" if particle else ""
    for base in (stem, stem + "e", stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else ""):
        if base and base + tail in _ALL_VERBS:
            return base + tail
        if base and base in _ALL_VERBS:
            return base
    return None


#: A gerund put to the group as an invitation: "who's in for melting …", "anyone up for mixing …".
_INVITED_VERB = re.compile(
    r"\b(?:(?:in|down|up|keen|game)\s+for|try|tryna)\s+(?P<verb>[a-z]+ing)(?:\s+(?P<particle>apart|open|up))?\b",
    re.IGNORECASE,
)


def _plans(sentence: str) -> list[tuple[int, int, str]]:
    """The plans put to the group in the sentence, as (start, end, base form): only where the
    sentence says when ("tonight we're heating the acid"), or as an invitation ("who's down for
    making thermite?")."""
    invited = list(_INVITED_VERB.finditer(sentence))
    if not invited and not _FUTURE.search(sentence):
        return []
    found = []
    for m in invited if not _FUTURE.search(sentence) else [*_PLAN_VERB.finditer(sentence), *invited]:
        base = _base_of_ing(m.group("verb"), m.group("particle"))
        if base is not None and base not in _NEUTRAL_VERBS:
            found.append((m.start("verb"), m.end(), base))
    return found


def _proposed_verbs(sentence: str, terms: list[_Term], starts: list[int]) -> tuple[list[_Verb], dict[int, bool]]:
    """The sentence's verbs, and for each (by start) whether it is proposed (see `_proposes`). A word
    that is both a verb and a term is a verb only where a proposal's verb stands: "use the microwave"
    has a noun; "Microwave the soap" a verb. A plan in the present progressive with its time
    ("tonight we're mixing …", `_plans`) is proposed too.
    """
    verbs: list[_Verb] = []
    proposed: dict[int, bool] = {}
    plans = _plans(sentence)
    found = [
        (m.start(), m.end(), m.lastgroup or _SPACES.sub("_", m.group(0).lower()), False)
        for m in _VERB.finditer(sentence)
    ]
    found += [
        (start, end, base, True) for start, end, base in plans if not any(f[0] < end and start < f[1] for f in found)
    ]
    for start, end, base, planned in sorted(found):
        v = _Verb(start, end, bisect_left(starts, start), base)
        says = True if planned else _proposes(sentence, v.start)
        if says is False and _PURPOSE.search(sentence[max(0, v.start - 4) : v.start]):
            says = any(proposed[u.start] for u in verbs)  # "steal the gasoline … to burn"
        # A verb after "and"/"then" continues the proposal of any verb before it: "swab the handle
        # and streak it" ("handle" here a noun, read as a verb that proposes nothing).
        proposed[v.start] = says if says is not None else (not verbs or any(proposed[u.start] for u in verbs))
        if not proposed[v.start] and _DETERMINER_BEFORE.search(sentence, max(0, v.start - 8), v.start):
            continue  # a noun: "taste a drop of the oven cleaner", "the light", "a test"
        if proposed[v.start] or not any(s < v.end and v.start < e for s, e, *_ in terms):
            verbs.append(v)
    return verbs, proposed


#: Words between a verb and a hazard that make the hazard the subject of something else, or put it
#: in a condition ("use gloves when handling muriatic acid").
_TOPIC = re.compile(
    r"\b(?:about|regarding|dangers?|risks?|safety|history|facts?|videos?|pictures?|photos?|drawings?|posters?|"
    r"models?|diagrams?|simulations?|reports?|essays?|presentations?|slides?|notes|worksheets?|homework\s+on|"
    r"quiz(?:zes)?|questions?|lessons?|chapters?|readings?|when|whenever|while|if|unless|before)\b",
    re.IGNORECASE,
)


def _acting_verb(
    sentence: str, verbs: list[_Verb], term: _Term, tokens: list[re.Match[str]], proposed: dict[int, bool]
) -> tuple[_Verb, int] | None:
    """The verb acting on a term, and where the phrase ends: the nearest verb before it (within
    `_VERB_REACH` words), else a verb just after it followed by "them"/"it" ("bleach and ammonia: mix
    them"). The verb must be one the term allows; a neutral verb in between ("use soap to kill
    bacteria") acts on nothing.
    """
    start, end, *_, allowed, _ = term
    index = bisect_left(tokens, start, key=lambda t: t.start())
    i = bisect_left(verbs, start + 1, key=lambda v: v.end)
    # "put a grape cut in half in the microwave": a verb that narrates ("cut") passes the term on to a
    # proposing verb before it, within reach.
    for before in range(i - 1, 0, -1):
        v = verbs[before]
        if v.base not in allowed or proposed[v.start] or index - verbs[before - 1].index > _VERB_REACH:
            break
        between = {t.group(0).lower() for t in tokens[verbs[before - 1].index : index]}
        if verbs[before - 1].base in allowed and proposed[verbs[before - 1].start] and not between & _NEGATIONS:
            if not _TOPIC.search(sentence, verbs[before - 1].end, start):
                return verbs[before - 1], end
            break
    if i and index - verbs[i - 1].index <= _VERB_REACH:
        if _TOPIC.search(sentence, verbs[i - 1].end, start):
            return None  # "make a poster about the dangers of mixing chemicals"
        if verbs[i - 1].base in allowed:
            # "things to bring: a lighter, rubbing alcohol; we'll light them": a verb before that
            # proposes nothing gives way to one after that does.
            after = None if proposed[verbs[i - 1].start] else _verb_after(verbs[i : i + 3], term, index, tokens)
            return after if after is not None and proposed[after[0].start] else (verbs[i - 1], end)
        if verbs[i - 1].base in _NEUTRAL_VERBS and proposed[verbs[i - 1].start]:
            return None  # "use soap to kill bacteria"; a narrated one ("Dr. Lee showed us …") does not
    return _verb_after(verbs[i : i + 3], term, index, tokens)


def _verb_after(verbs: list[_Verb], term: _Term, index: int, tokens: list[re.Match[str]]) -> tuple[_Verb, int] | None:
    """A verb after the term (word `index`) acting on it: "mix them", "make your own", "… to burn"."""
    end, allowed = term[1], term[4]
    for v in verbs:
        if v.start < end or v.base not in allowed or v.index - index > _PURPOSE_REACH:
            continue
        following = [t.group(0).lower() for t in tokens[v.index + 1 : v.index + 3]]
        if following and following[0] in _PRONOUN_OBJECT:
            return v, tokens[v.index + 1].end()
        if following in (["your", "own"], ["ur", "own"], ["our", "own"]):
            return v, tokens[v.index + 2].end()
        if v.index and tokens[v.index - 1].group(0).lower() == "to":
            return v, v.end
    return None


def _at_home(sentence: str, supervised_elsewhere: bool) -> bool:
    """Whether a hazard proposed in the sentence would be done at home, unsupervised.

    Participants of an online program are at home: a proposal is at home unless it names a lab, the
    campus, a makerspace, a supervised session or an adult professional doing it ("in the lab
    tomorrow", "with Dr. Lee"), in the sentence or, when the sentence itself names no home, elsewhere
    in the message. A sentence that says "not at home" ("don't try this at home: …") is a warning.
    """
    if _has_home_cue(sentence):
        return True  # "after the lab tour, go home and grow …"
    if _LAB_CUE.search(sentence):
        return False
    if _HOME_CUE.search(sentence):
        return False  # every home it names is negated: "never at home", "don't try this at home"
    return not supervised_elsewhere


#: Verbs that do something ordinary with one household product ("use acetone on the polish", "cap the
#: bleach", "throw the old paint out"): a hazard only with another product, a known partner or a flame
#: ("use the bleach and the ammonia together", "throw the aerosol can in the fire").
_COMBINING_VERBS = _words("use cap seal throw do")


def _ordinary_use(sentence: str, term: _Term, verb: _Verb, terms: list[_Term]) -> bool:
    """True when a household product is only poured or mixed into water or the wash, to clean or
    garden ("add a cup of bleach to the laundry"): mixing it is a hazard only with another product
    or a known partner ("mix bleach and vinegar"), or where nothing says it is cleaning. And when a
    kitchen appliance only cooks food ("heat the leftover pizza in the microwave"): the question is
    for a project's materials ("microwave the soap", "melt the wax on the stove")."""
    start, end, *_, kind = term
    if kind == "appliances":
        return bool(_FOOD.search(sentence)) and not _PROJECT_MATERIAL.search(sentence)
    if kind != "misuse":
        return False
    if verb.base == "spray":
        return not _FLAME.search(sentence)  # hairspray through a candle flame, not the counter
    others = sentence[:start] + " " * (end - start) + sentence[end:]
    chemicals = [t for t in terms if t[2] == "chemical"]
    if verb.base in _COMBINING_VERBS:
        return _ordinary_combination(sentence, term, terms)
    if verb.base not in _MIXING_VERBS:
        return False
    return len(chemicals) < 2 and not _REACTIVE_PARTNER.search(others) and bool(_ORDINARY_USE.search(sentence))


def _sentence_hazards(sentence: str, supervised_elsewhere: bool = False) -> list[tuple[int, HazardMatch]]:
    """Hazards and tool uses one sentence proposes, with where each phrase starts; see
    `find_hazardous_activity`. One match per verb and category: "mix bleach and ammonia"."""
    terms = _terms(sentence)
    if not terms and not _SELF_VERB.search(sentence):
        return []
    if _SAFETY_TALK.search(sentence) or (_LAB_CUE.search(sentence) and not _has_home_cue(sentence)):
        return []
    home = _at_home(sentence, supervised_elsewhere)
    if not home and not any(level == "ask" for *_, level, _, _ in terms) and not _SELF_TOOL_VERB.search(sentence):
        return []
    tokens = list(_TOKEN.finditer(sentence))
    words = [t.group(0) for t in tokens]
    verbs, proposed = _proposed_verbs(sentence, terms, [t.start() for t in tokens])
    spans: dict[tuple[int, str, str], tuple[int, int]] = {}
    for term in terms:
        acting = _acting_verb(sentence, verbs, term, tokens, proposed)
        if acting is None or any(v.start < term[1] and term[0] < v.end for v in verbs):
            continue
        (verb, phrase_end), (start, _, category, level, *_) = acting, term
        if (level == "hazard" and not home) or not proposed[verb.start] or _is_negated(words, verb.index):
            continue
        if _ordinary_use(sentence, term, verb, terms):
            continue
        lo, hi = spans.get((verb.start, category, level), (verb.start, verb.end))
        spans[verb.start, category, level] = (min(lo, start), max(hi, phrase_end))
    # "Culture shock is real": the verb itself is not the context that makes it growing microbes.
    sampled = (
        home and _CULTURE_CONTEXT.search(_SELF_VERB.sub(" ", sentence)) and not any(k[1] == "biological" for k in spans)
    )
    cooking = _FOOD.search(sentence) is not None and _PROJECT_MATERIAL.search(sentence) is None
    for v in verbs:
        if sampled and v.base in _SAMPLING_VERBS and proposed[v.start] and not _is_negated(words, v.index):
            obj = _VERB_OBJECT.match(sentence, v.end)
            spans.setdefault((v.start, "biological", "hazard"), (v.start, obj.end() if obj else v.end))
        if v.base == "microwave" and cooking:
            continue  # "microwave your popcorn": food, cooked as every household does
        if v.base in _SELF_TOOL_VERBS and proposed[v.start] and not _is_negated(words, v.index):
            obj = _VERB_OBJECT.match(sentence, v.end)
            spans.setdefault((v.start, "tools", "ask"), (v.start, obj.end() if obj else v.end))
    if home and not any(level == "hazard" for _, _, level in spans):
        for term in [*_sourced(sentence, terms, words, tokens), *_listed(sentence, terms)]:
            lo, hi = spans.get((-1, term[2], "hazard"), (term[0], term[1]))  # one match per category
            spans[-1, term[2], "hazard"] = (min(lo, term[0]), max(hi, term[1]))
    if not any(level == "ask" for _, _, level in spans):
        for term in _tools_asked(sentence, terms):
            spans.setdefault((term[0], "tools", "ask"), (term[0], term[1]))
    return [
        (lo, HazardMatch(category, level, " ".join(sentence[lo:hi].split())[:_PHRASE_LIMIT]))
        for (_, category, level), (lo, hi) in spans.items()
    ]


#: Verbs that grow what a swab or a plate picked up, where the sentence is about growing microbes.
_SAMPLING_VERBS = _words("swab incubate culture inoculate streak rub press dab")
#: A question: it ends with "?" or opens as one ("is a heat gun ok …", "would a Dremel work …").
_QUESTION = re.compile(
    r"\?\s*$|^\s*(?:(?:hey|so|ok|okay|also|um|quick\s+q(?:uestion)?|question)[\s,:]+)*"
    r"(?:is|are|can|could|would|should|do|does|will|may|am)\b",
    re.IGNORECASE,
)
#: What makes a question about a tool a question of using it: "ok for", "safe to use", "work for cutting".
_USE_ASKED = re.compile(
    r"\b(?:ok(?:ay)?|fine|safe|alright|allowed|good|better|work|works|enough|use|using|borrow|for\s+\w+ing)\b",
    re.IGNORECASE,
)


def _tools_asked(sentence: str, terms: list[_Term]) -> list[_Term]:
    """The tools a question asks about using: "is a Dremel ok for cutting the acrylic?", "would a
    heat gun work?". Why: the safety contact answers tool questions; asked in the channel, a
    question about a tool is a use being planned, whatever verb it has or lacks."""
    tools = [t for t in terms if t[5] == "tools"]  # a candle at the ceremony is the organisers' question
    if not tools or not _QUESTION.search(sentence) or not _USE_ASKED.search(sentence):
        return []
    return [t for t in tools if not _TOPIC.search(sentence, 0, t[0])]


#: The head of a list of what to have for a session: "Materials for next call:", "you'll need:".
_SUPPLY_LIST = re.compile(
    r"\b(?:materials?|supplies|supply\s+list|shopping\s+list|ingredients|what\s+(?:you(?:'ll)?|we)(?:\s+will)?\s+need|"
    r"you(?:'ll|\s+will)?\s+need|things\s+to\s+(?:bring|get|grab)|to\s+bring)\b(?P<rest>[^:.!?]{0,40}):",
    re.IGNORECASE,
)
_PAST_LIST = re.compile(r"\b(?:used|had|needed|were|was|last)\b", re.IGNORECASE)


def _listed(sentence: str, terms: list[_Term]) -> list[_Term]:
    """Hazards on a list of what to have for a session, a list being the proposal: "Materials for the
    next call: a mercury thermometer, aluminium foil". Only what is dangerous in itself, or household
    products beside their partners (drain cleaner with foil); not a list of what was used."""
    head = _SUPPLY_LIST.search(sentence)
    if head is None or _PAST_LIST.search(head.group("rest")):
        return []
    return [
        t
        for t in terms
        if t[0] >= head.end()
        and t[3] == "hazard"
        and (t[5] == "any" or (t[5] == "misuse" and not _ordinary_combination(sentence, t, terms)))
    ]


#: Someone else who has or can get a thing: "my brother can get …", "my dad has … in the garage".
_SOURCING = re.compile(
    r"\b(?:my|our|his|her)\s+(?:\w+\s+)?(?:mom|mum|mother|dad|father|parents?|step-?(?:dad|mom|mum)|brother|sister|bro|sis|"
    r"uncle|aunt|auntie|cousin|grandpa|grandma|grandparents?|friend|neighbou?r|roommate)s?(?:'s)?\b[^.!?]{0,80}?"
    r"\b(?:can|could|will|'ll|has|have|had|keeps?|kept|got|gets|brought|buys|bought|stores?|gave|gives|sold|lent|left)\b",
    re.IGNORECASE,
)
#: A proposal put to the group after it: "let's …", "we could …", "so we can …", "wanna …".
_GROUP_PROPOSAL = re.compile(
    r"\b(?:let'?s|let\s+us|we\s+(?:could|can|should|will|might|gotta|have\s+to)|we'?ll|we'?re\s+(?:gonna|going\s+to)|"
    r"so\s+we\s+can|wanna|who\s+wants\s+to|anyone\s+(?:want|wants|wanna)(?:\s+to)?)\s+(?:all\s+|just\s+|totally\s+|go\s+)?"
    r"(?P<verb>[a-z]+)",
    re.IGNORECASE,
)


def _sourced(sentence: str, terms: list[_Term], words: list[str], tokens: list[re.Match[str]]) -> list[_Term]:
    """Hazards someone else has or can get, followed by a proposal to the group: "my brother can get
    liquid nitrogen from work, let's freeze stuff", "my dad keeps muriatic acid in the garage, we
    could etch something". Why: the proposal has no object of its own ("it", "stuff"); what it would
    be done with is the thing just sourced. A household product counts only with another or a known
    partner (a dad's bleach in the laundry room is the chores)."""
    found = []
    for term in terms:
        start, end, _, level, _, kind = term
        if level != "hazard" or (kind == "misuse" and _ordinary_combination(sentence, term, terms)):
            continue
        source = _SOURCING.search(sentence, 0, start)
        proposal = _GROUP_PROPOSAL.search(sentence, end) if source else None
        verb = proposal.group("verb").lower() if proposal else ""
        if proposal is None or verb in _NEUTRAL_VERBS or verb in _NEGATIONS:  # "we could not stop watching"
            continue
        index = bisect_left(tokens, proposal.start("verb"), key=lambda t: t.start())
        if not _is_negated(words, index):
            found.append(term)
    return found


def _ordinary_combination(sentence: str, term: _Term, terms: list[_Term]) -> bool:
    """Whether a household product stands alone: no other product, known partner or flame beside it."""
    others = sentence[: term[0]] + " " * (term[1] - term[0]) + sentence[term[1] :]
    chemicals = [t for t in terms if t[2] == "chemical"]
    return len(chemicals) < 2 and not _REACTIVE_PARTNER.search(others) and not _FLAME.search(others)


#: A sentence that acts on what the one before named: "… mix them", "let's try it", "we could …".
_CONTINUES = re.compile(
    r"\b(?:them|it|these|those|everything|it\s+all|all\s+of\s+it)\b|^\s*(?:let'?s|we\s+(?:could|can|should))\b",
    re.IGNORECASE,
)


def find_hazardous_activity(text: str) -> list[HazardMatch]:
    """Activities with chemical, biological, radiation or electrical hazards proposed for home (level
    "hazard"), and tools or appliances proposed for use or asked about (level "ask", category "tools").

    How: within one sentence, a hazard needs (1) a hazard term from a word list ("bleach",
    "sulfuric acid", "thermite", "bacteria", "petri dish", "americium", "uranium glass"), (2) an
    action verb in base form acting on it ("mix", "heat", "culture", "use") and allowed for that term
    (bleach is only a hazard mixed, heated or burned; peroxide only concentrated), (3) the verb put as
    a proposal (an imperative, "you can …", "let's …", "how to …"), (4) no negation or warning word
    just before the verb ("don't mix …", "it is dangerous to …"), and (5) no supervised setting: the
    participants of an online program are at home, so a proposal needs no "at home" word, but one
    that names a lab, the campus, a makerspace, a supervised session or an adult professional (in
    the sentence, or elsewhere in a message whose sentence names no home) is left alone (see
    `_at_home`). Sentences that talk about the subject or its safe handling ("the video explains
    how to …", "keep pool chemicals away from each other") are skipped, and so is a household
    product poured or mixed into water to clean (`_ordinary_use`). Tools need (1)-(4) only: asking
    first is cheap. The terms and verbs are the lexicon of `hazard_lexicon`, each group from its
    source (EPA household hazardous waste, GHS hazard classes, NRC consumer products, CDC/NIH
    biosafety).
    Why: the policy forbids hazardous-materials activities at home and sends tool questions to the
    safety contact; talking about a subject ("we studied radiation in class") proposes nothing.
    Example: "Tonight, mix bleach and ammonia in your kitchen" ->
    [HazardMatch("chemical", "hazard", "mix bleach and ammonia")]. Hazards come first, then asks.
    """
    flat = _plain(text)
    if not _may_hold_term(flat) and not _SELF_VERB.search(flat):
        return []  # no hazard, tool or appliance word anywhere: no sentence can propose one
    found: list[tuple[int, int, HazardMatch]] = []
    # A link's words are its author's, not the sender's: ".../how-to-mix-bleach-at-home" proposes nothing.
    prose = _mask(flat, _urls(flat))
    # A lab or a professional named elsewhere in the message takes its proposals there; "in class"
    # elsewhere does not (the class of an online program is a call).
    supervised = any(not m.group(0).lower().startswith("in class") for m in _LAB_CUE.finditer(prose))
    sentences = _sentences(prose)
    before: list[tuple[int, HazardMatch]] = []
    for n, sentence in enumerate(sentences):
        matches = _sentence_hazards(sentence, supervised)
        if (
            not matches
            and not before
            and n
            and _CONTINUES.search(sentence)
            and _terms(sentences[n - 1])
            and not _terms(sentence)
        ):
            # "Supplies: pool shock, brake fluid. We'll mix them on camera": the list and what is
            # done with it are read as one sentence.
            matches = _sentence_hazards(sentences[n - 1].rstrip(" .!?") + "; " + sentence, supervised)
        found.extend((n, pos, match) for pos, match in matches)
        before = matches
    if not found:
        return _proposed_in_message(prose, supervised)
    ordered = sorted(found, key=lambda f: (f[2].level != "hazard", f[0], f[1]))
    result: list[HazardMatch] = []
    for *_, match in ordered:
        if match not in result:
            result.append(match)
    return result


# --- a proposal anywhere in the message ------------------------------------------------------------
#
# The sentence grammar above reads a proposal precisely: a verb acting on the hazard, put as a
# proposal. People also propose in ways it does not parse ("for tomorrow's demo pls bring: ammonia, a
# jar and bleach", "hot glue gun time! everyone plug yours in", "anyone have a blowtorch? let's melt
# cans"). So a message the sentences found nothing in is read once more as a whole: a hazard term, a
# proposal anywhere in it, and none of what makes a message talk *about* a hazard rather than propose
# it (a warning, a negation, a lesson, a story, a lab or an adult doing it, food in an appliance).

#: Verbs a proposal starts with, in the base form an instruction takes.
_INSTRUCTION_VERBS = _words(
    """mix combine pour put add heat boil melt burn light ignite drop throw toss get grab bring buy order
    use try take crack break open scrape crush grind prick spray touch dunk dip grow collect culture
    swab incubate plug make build dissolve cap seal shake hold microwave bake freeze fill stick connect
    short cut drill dremel solder weld sand smash peel soak leave keep set place rub apply inhale sniff
    taste drink swallow test find film stuff squeeze inject dump soak wrap plug tape attach charge
    puncture pierce stab poke lance spark run start do"""
)
_PROPOSING_ANYWHERE = re.compile(
    r"\blet'?s\b|\blets\s+(?:all\s+)?\w|\beveryone\b|\beverybody\b|\beach\s+of\s+(?:you|u|yall|y'all)\b|\ball\s+of\s+(?:you|u)\b|"
    r"\by'?all\b|\byou\s+(?:all\s+)?(?:should|can|could|need\s+to|gotta|have\s+to|will\s+need|guys\s+should)\b|"
    r"\bu\s+(?:should|can|could|need\s+to|gotta)\b|\bwe(?:'ll|\s+will|'re\s+gonna|\s+are\s+gonna|\s+r\s+gonna|\s+can|"
    r"\s+could|\s+should|\s+gonna)\b|\bany(?:one|1|body)\s+(?:have|has|got|wanna|want|down|up|else)\b|\bwho(?:'s|\s+is|"
    r"\s+wants|\s+has|\s+can)\b|\bshould\s+we\b|\bwanna\s+try\b|\bsupply\s+list\b|\bsupplies\b|\bmaterials\b|"
    r"\bbring\b|\bchallenge\b|\bpls\b|\bplease\b|\btry\s+(?:it|this|that|them)\b",
    re.IGNORECASE,
)
#: Doing something to a hazard that is dangerous whatever the lexicon lists for it: what a proposal's
#: instruction does to it in a message (bringing or buying it alone is not among them).
_HANDLING_VERBS = _words(
    """mix combine pour heat boil melt burn light ignite drop throw toss crack break open scrape crush
    grind prick spray touch dunk dip grow culture incubate dissolve cap seal shake microwave bake freeze
    short drill dremel solder weld sand smash peel soak squeeze inject puncture pierce stab poke lance
    spark inhale sniff taste drink swallow rub apply take_apart"""
)
#: A list of what to have ready for a session: "Supply list for Friday: acetone, cups, a lighter".
_READY_LIST = re.compile(
    r"\b(?:supply\s+list|supplies|materials|you(?:'ll|\s+will)\s+need|bring)\b\s*[^.!?]{0,40}:", re.I
)
#: What makes a message about a hazard rather than a proposal of it.
_ABOUT_IT = re.compile(
    r"\b(?:never|don'?t|do\s+not|dont|didn'?t|doesn'?t|shouldn'?t|can'?t|cannot|won'?t|not|no\s+one|nobody|avoid|"
    r"dangerous|danger|unsafe|safe|safely|safety|warning|warn|careful|hazard\w*|poison\s+control|911|"
    r"studied|learn\w*|lesson|lecture|read\s+about|article|news|history|historical|documentary|video|"
    r"movie|episode|show|in\s+class|last\s+(?:week|year|night|time)|yesterday|ago|used\s+to|remember\s+when|"
    r"did\s+you\s+know|fun\s+fact|wikipedia|why|how\s+come|what\s+happens?\s+if|is\s+it|recycl\w*|dispose|"
    r"disposal|throw\s+(?:it\s+|them\s+)?away|get\s+rid|toxic|gloves?|goggles|make\s+sure|pictures?|"
    r"photos?|posters?|present|poem|quiz|notes|reading|explain\w*|should\s+know|need\s+to\s+know|watch\s+from|"
    r"slime|handled|we\s+used|they\s+used|tried\s+to|(?:he|she|they|i|we)\s+(?:\w+ed|did|was|were|had)|"
    r"kill\w*|clean(?:s|ed|ing)?|wash(?:es|ed|ing)?|disinfect\w*|saniti[sz]\w*|broken|"
    r"handling|mentor\s+session|wait\s+for|ask\s+(?:him|her|them|an?\s+adult|your\s+parents?))\b",
    re.IGNORECASE,
)


def _proposed_in_message(prose: str, supervised: bool) -> list[HazardMatch]:
    """A hazard proposed somewhere in a message whose sentences proposed nothing one by one: a hazard
    or tool term, a proposal anywhere (an instruction opening a sentence, "let's", "everyone",
    "you should", "anyone have …", a supply list, "bring"), and nothing that makes it talk about the
    hazard (see `_ABOUT_IT`), a lab or adult doing it without a home cue, or a household product
    without what makes it dangerous (another product, a partner, a flame).
    Example: "for tomorrow's demo pls bring: ammonia, a glass jar, and bleach" -> chemical hazard."""
    terms = _terms(prose)
    if not terms or _ABOUT_IT.search(prose) or _SAFETY_TALK.search(prose):
        return []
    if supervised and not _has_home_cue(prose):
        return []
    if not (_PROPOSING_ANYWHERE.search(prose) or _opens_with_instruction(prose)):
        return []
    found: list[HazardMatch] = []
    said = _said_verbs(prose)
    listed = bool(_READY_LIST.search(prose)) and (len(terms) > 1 or bool(_FLAME.search(prose)))
    for start, end, category, level, allowed, kind in terms:
        if not said & (allowed | _HANDLING_VERBS) and not listed:
            continue  # nothing in the message does to it what makes it a hazard ("bring a disposable camera")
        if kind == "misuse" and not _dangerous_with(prose, start, end, terms):
            continue
        if level == "ask" and _FOOD.search(prose) and not (_PROJECT_MATERIAL.search(prose) or _NOT_FOOD.search(prose)):
            continue  # ordinary food in an appliance
        if level == "hazard" and _ORDINARY_USE.search(prose) and not _dangerous_with(prose, start, end, terms):
            continue  # cleaning by the label: "scrape the gunk off the pan and soak it in hot water"
        if _CASTING.search(prose[start:end]) and _CAST_IN.search(prose):
            continue  # a mould to cast in, not a fungus
        match = HazardMatch(category, level, prose[start:end])
        if match not in found:
            found.append(match)
    return sorted(found, key=lambda m: m.level != "hazard")


#: What is not food in an appliance ("heat a glass bottle in the oven").
_NOT_FOOD = re.compile(r"\b(?:glass|bottles?|jars?|crack|shatter|metal|cans?|rocks?|stones?)\b", re.IGNORECASE)
_CASTING = re.compile(r"^mou?lds?$", re.IGNORECASE)
_CAST_IN = re.compile(r"\b(?:silicone|resin|plaster|soap|candle|wax|chocolate|ice\s+cube|cake|clay|casting)\b", re.I)


def _said_verbs(prose: str) -> frozenset[str]:
    """The base forms the message's words may be, one- and two-word ("take_apart"): "mixing" may be
    "mix" or "mixe", "heated" "heat"; a form that is no verb matches no lexicon verb."""
    words = [w.lower() for w in _TOKEN.findall(prose)]
    bases: set[str] = set()
    for word in words:
        bases.add(word)
        for suffix, replacement in (("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"), ("es", ""), ("s", "")):
            if word.endswith(suffix) and len(word) > len(suffix) + 2:
                bases.add(word[: -len(suffix)] + replacement)
    pairs = {f"{a}_{b}" for a, b in itertools.pairwise(words)}
    return frozenset(bases | pairs)


#: Words that may come before the instruction opening a sentence ("ok so tonight pls mix …"), and
#: words that say someone else does it ("my dad has …", "I ordered …"): no instruction then.
_BEFORE_INSTRUCTION = _words(
    """ok okay so now alright and then also pls plz please next first after before for tonight tomorrow
    tmrw today dinner school class lunch the our next call session demo experiment step challenge time
    this weekend friday monday tuesday wednesday thursday saturday sunday hot glue gun yo hey guys"""
)


_DETERMINERS = _words("the a an our your my their his her this that")


def _opens_with_instruction(prose: str) -> bool:
    """Whether a sentence or clause of the message opens with an instruction ("pour …", "pls get …",
    "after dinner light …", "hot glue gun time! everyone plug yours in")."""
    for piece in re.split(r"[.!?\n;:]+|,\s*(?:then|and\s+then)\s+|\bthen\s+", prose):
        previous = ""
        for word in (w.lower().removesuffix("'s") for w in _TOKEN.findall(piece)[:7]):
            if word in _INSTRUCTION_VERBS:
                if previous in _DETERMINERS:
                    break  # "the microwave in the break room": a thing, not an instruction
                return True
            if word not in _BEFORE_INSTRUCTION and not word.isdigit():
                break
            previous = word
    return False


#: Two of a kind, a bottle to seal it in, or fire by another word: what makes a household product's
#: use dangerous in a proposal ("mix two different toilet bowl cleaners", "a bottle of soda").
_ANOTHER_ONE = re.compile(
    r"\b(?:two|2|both|different|several)\s+(?:\w+\s+){0,3}(?:cleaners|products|kinds|brands|types)\b|"
    r"\bbottles?\s+of\b|\bcap\s+it\b|\bburns?\b|\bburning\b|\blight\b|\blit\b|\bspark\w*",
    re.IGNORECASE,
)


def _dangerous_with(prose: str, start: int, end: int, terms: list[_Term]) -> bool:
    """A household product is a hazard with another product or hazard, a known partner, or a flame."""
    rest = prose[:start] + " " + prose[end:]
    others = [t for t in terms if (t[0], t[1]) != (start, end) and t[3] == "hazard"]
    partner = _REACTIVE_PARTNER.search(rest) or _FLAME.search(rest) or _ANOTHER_ONE.search(prose)
    return bool(others) or partner is not None
