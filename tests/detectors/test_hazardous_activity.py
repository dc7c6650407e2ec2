"""find_hazardous_activity: at-home activities with chemical, biological or radiation hazards
("hazard"), and tools or appliances to ask about ("ask"), against a corpus that must fire and one
that must stay silent (talking about a subject, warnings, labs, cooking)."""

import pytest

from bot.detectors import HazardMatch, find_hazardous_activity, hazardous_activity


def kinds(text):
    return [(m.category, m.level) for m in find_hazardous_activity(text)]


CHEMICAL, BIOLOGICAL, RADIATION = ("chemical", "hazard"), ("biological", "hazard"), ("radiation", "hazard")
TOOLS = ("tools", "ask")

FIRES = [
    # Chemical.
    pytest.param("mix bleach and ammonia at home", [CHEMICAL], id="bleach-and-ammonia"),
    pytest.param(
        "Tonight, mix bleach and ammonia in your kitchen and see what happens", [CHEMICAL], id="tonight-kitchen"
    ),
    pytest.param("try making thermite in your garage", [CHEMICAL], id="thermite-garage"),
    pytest.param("heat the sulfuric acid on your stove", [CHEMICAL, TOOLS], id="acid-on-stove"),
    pytest.param("make chlorine gas in your kitchen", [CHEMICAL], id="chlorine-gas"),
    pytest.param("set off fireworks you make", [CHEMICAL], id="fireworks-you-make"),
    pytest.param("set off the gunpowder you make", [CHEMICAL], id="gunpowder-you-make"),
    pytest.param("concentrate hydrogen peroxide at home", [CHEMICAL], id="concentrate-peroxide"),
    pytest.param("You can make thermite in your backyard", [CHEMICAL], id="you-can"),
    pytest.param("Let's make gunpowder at home this weekend", [CHEMICAL], id="lets"),
    pytest.param("Get some bleach and ammonia and mix them at home", [CHEMICAL], id="mix-them-after"),
    pytest.param("Bleach and ammonia: mix them at home tonight", [CHEMICAL], id="hazard-before-verb"),
    pytest.param("Here's how to make a smoke bomb at home", [CHEMICAL], id="how-to"),
    pytest.param("At home: 1. pour the drain cleaner into a bottle", [CHEMICAL], id="numbered-step"),
    pytest.param("Can I heat the acid on my stove?", [CHEMICAL, TOOLS], id="question-can-i"),
    pytest.param("Burn some gasoline in the backyard", [CHEMICAL], id="burn-gasoline"),
    pytest.param("Use homemade black powder for the rocket", [CHEMICAL], id="homemade"),
    pytest.param("DIY: make nitroglycerin", [CHEMICAL], id="diy"),
    pytest.param("Go ahead and mix the pool chemicals in your garage", [CHEMICAL], id="go-ahead-and"),
    pytest.param("make a bomb at home", [CHEMICAL], id="bomb"),
    pytest.param("Don't forget to mix the acids at home tonight", [CHEMICAL], id="dont-forget-is-not-a-warning"),
    pytest.param("Have your parents help you make thermite at home", [CHEMICAL], id="help-you"),
    pytest.param("Tonight, mix bleach &amp; ammonia", [CHEMICAL], id="slack-escaped-ampersand"),
    # Biological.
    pytest.param("culture bacteria from your mouth at home on petri dishes", [BIOLOGICAL], id="culture-bacteria"),
    pytest.param("grow mold cultures at home and then open the dish", [BIOLOGICAL], id="mold-cultures"),
    pytest.param("For homework, swab your phone and grow the bacteria at home", [BIOLOGICAL], id="swab-and-grow"),
    pytest.param("Remember to open the petri dishes in your bedroom", [BIOLOGICAL], id="open-petri-dishes"),
    pytest.param("Collect bacteria from the kitchen sink at home", [BIOLOGICAL], id="collect-bacteria"),
    pytest.param("we can dissect a dead bird at home tomorrow", [BIOLOGICAL], id="dissect-dead-bird"),
    # Radiation.
    pytest.param("use your smoke detector's americium source for the experiment at home", [RADIATION], id="americium"),
    pytest.param("build a Geiger source with uranium glass at home", [RADIATION], id="uranium-glass"),
    pytest.param("I'll take apart a smoke detector tonight", [RADIATION], id="take-apart-smoke-detector"),
    pytest.param("you should crush the thorium lantern mantles at home", [RADIATION], id="thorium-mantles"),
    pytest.param("Tonight, handle the radioactive rocks you ordered", [RADIATION], id="radioactive-rocks"),
    # Tools and appliances: ask first.
    pytest.param("use your dad's power drill", [TOOLS], id="dads-power-drill"),
    pytest.param("use your dad's power drill at home for the chassis", [TOOLS], id="power-drill-at-home"),
    pytest.param("use the soldering iron at home", [TOOLS], id="soldering-iron"),
    pytest.param("cut it with a box cutter at home", [TOOLS], id="box-cutter"),
    pytest.param("use the oven", [TOOLS], id="oven"),
    pytest.param("use the microwave to melt the wax", [TOOLS], id="microwave"),
    pytest.param("use a blender", [TOOLS], id="blender"),
    pytest.param("use a heat gun to shrink the tubing", [TOOLS], id="heat-gun"),
    pytest.param("grab a hot glue gun and attach the legs", [TOOLS], id="hot-glue-gun"),
    pytest.param("solder the wires at home", [TOOLS], id="solder-verb"),
    pytest.param("Microwave the soap and watch it grow", [TOOLS], id="microwave-verb"),
    pytest.param("Preheat the oven to 350", [TOOLS], id="preheat-oven"),
    pytest.param("you can borrow your mom's drill", [TOOLS], id="moms-drill"),
    pytest.param("Use an X-Acto knife to cut the cardboard", [TOOLS], id="craft-knife"),
    # Online participants are at home: no home word needed.
    pytest.param("Mix bleach and vinegar in a jar and watch what happens", [CHEMICAL], id="no-home-word"),
    pytest.param("Put a chunk of dry ice in a bottle and cap it", [CHEMICAL], id="cryogen"),
    pytest.param("Grow copper sulfate crystals in a jar this week", [CHEMICAL], id="metal-salt"),
    pytest.param("Swab the toilet handle and streak it onto the agar plates", [BIOLOGICAL], id="swab-and-streak"),
    pytest.param("Buy uranium glass marbles online", [RADIATION], id="acquiring-radioactive"),
    pytest.param("Crack open a button battery", [CHEMICAL], id="taking-apart-battery"),
    # The whole group addressed.
    pytest.param("Everyone grab drain cleaner and foil for tonight's reaction", [CHEMICAL], id="everyone-grab"),
    pytest.param("let's all try making dry ice bombs", [CHEMICAL], id="lets-all"),
    pytest.param("y'all should pour liquid nitrogen on a balloon", [CHEMICAL], id="yall-should"),
    # Abbreviations do not cut a proposal in two.
    pytest.param("Get approx. 20 g of potassium nitrate and mix it with sugar", [CHEMICAL], id="approx"),
    pytest.param("Use a strong acid, e.g. muriatic acid, to dissolve pennies", [CHEMICAL], id="e-g"),
    pytest.param("Light a candle and hold the spoon over it", [TOOLS], id="open-flame"),
    # A plan put to the group, with its time.
    pytest.param("Tonight we're all making thermite in the backyard!", [CHEMICAL], id="plan-tonight"),
    pytest.param("we're taking apart a smoke detector tomorrow", [RADIATION], id="plan-taking-apart"),
    pytest.param("Mix bleach and ammonia. We learned about it in class.", [CHEMICAL], id="in-class-elsewhere"),
    # Forms of proposal beyond the imperative: an invitation, a plan with its day, a supply list and
    # what is done with it, someone else's supply followed by a proposal.
    pytest.param("who's down for taking apart a smoke detector?", [RADIATION], id="invitation-gerund"),
    pytest.param("saturday we do the dry ice in a bottle thing", [CHEMICAL], id="plan-with-its-day"),
    pytest.param("Supplies: drain cleaner, brake fluid. We'll mix them on camera.", [CHEMICAL], id="supply-list"),
    pytest.param("my cousin can get sodium metal from work, let's drop it in the creek", [CHEMICAL], id="sourced"),
    pytest.param("use the bleach and the vinegar together", [CHEMICAL], id="use-with-a-partner"),
    # Stored electrical energy, and a question about a tool.
    pytest.param("pull the capacitor out of the old microwave", [("electrical", "hazard")], id="microwave-capacitor"),
    pytest.param("is a heat gun ok for bending the acrylic?", [TOOLS], id="tool-question"),
    pytest.param("Dr. Li showed us dry ice in the lab, now try it in your tub", [CHEMICAL], id="home-over-lab"),
]

SILENT = [
    # Learning or talking about the subject.
    pytest.param("we studied radiation in class", id="studied-radiation"),
    pytest.param("the lecture on chemical bonds was great", id="chemical-bonds"),
    pytest.param("biology homework is due Friday", id="biology-homework"),
    pytest.param("radiation therapy saved my aunt", id="radiation-therapy"),
    pytest.param("read the chapter on acids", id="read-about-acids"),
    pytest.param("Learn about bacteria at home with this app", id="learn-about-bacteria"),
    pytest.param("Watch the video about chlorine gas in WWI at home", id="watch-a-video"),
    pytest.param("Take the quiz on hazardous chemicals at home", id="quiz-on-chemicals"),
    # Labs and supervision.
    pytest.param("the professor demoed the reaction in the lab", id="lab-demo"),
    pytest.param("safety goggles are required in the lab", id="goggles"),
    pytest.param("In the lab, we will mix the acids under supervision", id="supervised-lab"),
    pytest.param("The professor will use the oven in the lab", id="professor-uses-oven-in-lab"),
    pytest.param("Marie Curie handled radium in her lab", id="history"),
    # Warnings.
    pytest.param("don't mix bleach and ammonia", id="dont-mix"),
    pytest.param("Never mix bleach and ammonia at home", id="never-mix"),
    pytest.param("Make sure you never mix bleach and ammonia at home", id="make-sure-never"),
    pytest.param("It is dangerous to make chlorine gas at home", id="dangerous-to"),
    pytest.param("Do not try this at home: mixing bleach and ammonia makes toxic gas", id="do-not-try"),
    pytest.param("Don't try this at home: mix bleach and ammonia and you get chloramine", id="dont-try-then-how"),
    pytest.param("Mixing bleach and ammonia at home is dangerous", id="gerund-warning"),
    pytest.param("Don't use the oven without an adult", id="dont-use-oven"),
    pytest.param("You should never use a soldering iron unsupervised", id="never-solder"),
    # Past, narrative or hypothetical.
    pytest.param("What would happen if someone mixed bleach and ammonia?", id="hypothetical"),
    pytest.param("My brother tried to mix bleach and ammonia at home and then heat it", id="narrative"),
    pytest.param("My mom uses bleach at home to clean", id="household-cleaning"),
    pytest.param("Last year we used a power drill", id="past-tool"),
    pytest.param("The fireworks at home last night were loud", id="fireworks-seen"),
    # "Home" in other senses, and harmless activities at home.
    pytest.param("Check out our home page for the chemistry syllabus", id="home-page"),
    pytest.param("Open App Home to see the radiation module", id="app-home"),
    pytest.param("bake cookies at home", id="bake-cookies"),
    pytest.param("Try the baking soda and vinegar volcano at home", id="vinegar-volcano"),
    pytest.param("Grow crystals with salt and sugar at home", id="salt-crystals"),
    pytest.param("grow basil at home", id="basil"),
    pytest.param("Make citric acid crystals at home", id="citric-acid"),
    pytest.param("make a bath bomb at home", id="bath-bomb"),
    pytest.param("pour the resin into a mold at home", id="resin-mold"),
    pytest.param("test your smoke detector at home", id="test-smoke-detector"),
    pytest.param("Use soap to kill bacteria at home", id="kill-bacteria"),
    pytest.param("Wash your hands to remove bacteria at home", id="remove-bacteria"),
    pytest.param("I left my drill bits at home", id="drill-bits"),
    pytest.param("Use this drill to practice multiplication at home", id="math-drill"),
    pytest.param("the microwave in the break room is broken", id="microwave-mentioned"),
    pytest.param("Use the Blender app to model a cup at home", id="blender-the-3d-software"),
    pytest.param("Use a ruler and scissors to cut out the template", id="scissors"),
    pytest.param("Snap a photo of your circuit and post it here", id="snap-a-photo"),
    pytest.param("see https://example.org/why-you-should-not-mix-bleach-and-ammonia-at-home", id="words-in-a-link"),
    # Supervised, or not the thing itself.
    pytest.param("At the MIT lab with Dr. Lee we will culture E. coli on agar plates", id="lab-with-dr"),
    pytest.param(
        "Dr. Patel will show the liquid nitrogen demo on campus at 3 p.m. Mix in questions!", id="dr-on-campus"
    ),
    pytest.param("We'll be in the lab tomorrow with the TA. Grow the bacteria on the agar plates.", id="lab-elsewhere"),
    pytest.param("Open the agar plate simulation link and count the colonies", id="simulation"),
    pytest.param("Let's make a poster about the dangers of mixing household chemicals", id="poster-about"),
    # Cleaning, cooking and safe handling.
    pytest.param("Add half a cup of bleach to the laundry", id="bleach-laundry"),
    pytest.param("Mix a little bleach with water to wipe down the counters", id="bleach-counters"),
    pytest.param("Heat the leftover pizza in the microwave", id="leftovers-in-the-microwave"),
    pytest.param("Store pool chemicals away from each other", id="store-away-from"),
    pytest.param("Take leftover turpentine to the hazardous waste drop-off", id="hazardous-waste"),
    pytest.param("Salt is sodium chloride, so add a pinch to the pasta water", id="sodium-chloride"),
    pytest.param("Mercury is the closest planet to the sun", id="planet-mercury"),
    pytest.param("Get your blood pressure checked", id="blood-pressure"),
    pytest.param("Make fake blood with corn syrup", id="fake-blood"),
    pytest.param("Replace the coin cell in the LED badge", id="coin-cell-replaced"),
    pytest.param("We're not mixing bleach and ammonia tonight, that's dangerous", id="plan-negated"),
    pytest.param("we're mixing bleach and ammonia in the video lol", id="plan-without-a-time"),
    pytest.param("Try the acid test: does your essay answer the question?", id="acid-test-idiom"),
    pytest.param("microwave your popcorn before movie night", id="food-in-the-microwave"),
    pytest.param("Use nail polish remover to take the old polish off", id="one-product-used"),
    pytest.param("toss old batteries in the recycling bin", id="batteries-recycled"),
    pytest.param("my dad keeps bleach in the laundry room, we could clean the table with it", id="sourced-chores"),
    pytest.param("Does anyone know what year the Dremel was invented?", id="tool-history-question"),
    pytest.param("The thirteen colonies declared independence in 1776", id="history-colonies"),
]


@pytest.mark.parametrize(("text", "expected"), FIRES)
def test_hazardous_activity_fires(text, expected):
    assert kinds(text) == expected


@pytest.mark.parametrize("text", SILENT)
def test_hazardous_activity_stays_silent(text):
    assert find_hazardous_activity(text) == []


def test_corpora_are_large_enough():
    hazards = [p for p in FIRES if any(level == "hazard" for _, level in p.values[1])]
    asks = [p for p in FIRES if p.values[1] == [TOOLS]]
    assert len(FIRES) >= 30 and len(SILENT) >= 30
    assert len(hazards) >= 20 and len(asks) >= 10


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Tonight, mix bleach and ammonia in your kitchen",
            [HazardMatch("chemical", "hazard", "mix bleach and ammonia")],
            id="verb-to-last-hazard",
        ),
        pytest.param(
            "use your smoke detector's americium source at home",
            [HazardMatch("radiation", "hazard", "use your smoke detector's americium source")],
            id="possessive-between",
        ),
        pytest.param(
            "Bleach and ammonia: mix them at home",
            [HazardMatch("chemical", "hazard", "Bleach and ammonia: mix them")],
            id="hazard-then-verb",
        ),
        pytest.param(
            "use your dad's power drill", [HazardMatch("tools", "ask", "use your dad's power drill")], id="tool"
        ),
    ],
)
def test_the_phrase_is_the_matched_words(text, expected):
    assert find_hazardous_activity(text) == expected


def test_hazards_come_before_asks():
    text = "First, use the hot glue gun. Then, at home, heat the sulfuric acid on your stove."
    assert kinds(text) == [CHEMICAL, TOOLS, TOOLS]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Dr. Lee says: mix bleach and ammonia", id="dr"),
        pytest.param("Heat it to approx. 90 degrees, i.e. nearly boiling, then add the lye", id="approx-i-e"),
        pytest.param("Compare acetone vs. turpentine: light them both", id="vs"),
        pytest.param("Rule No. 1 is fun: mix the acids", id="no"),
    ],
)
def test_an_abbreviation_does_not_end_the_sentence(text):
    assert [s.strip() for s in hazardous_activity._sentences(text)] == [text]


def test_a_sentence_still_ends_after_etc_before_a_capital():
    parts = hazardous_activity._sentences("Bring bleach, ammonia, etc. Then we talk about safety.")
    assert len(parts) == 2


def test_each_sentence_is_judged_on_its_own():
    text = "We studied acids in class today. Read chapter 3 at home."
    assert find_hazardous_activity(text) == []


def test_a_heading_line_ending_in_a_colon_carries_into_the_next_line():
    assert kinds("Homework, to do at home:\n1. mix bleach and ammonia\n2. write it up") == [CHEMICAL]


def test_the_same_proposal_twice_is_reported_once():
    assert kinds("mix bleach and ammonia at home! mix bleach and ammonia at home!") == [CHEMICAL]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param(None, id="none"),
        pytest.param("   \n\n;;;...!!!", id="punctuation"),
        pytest.param("😀🧪☢️ 日本語 ñ", id="unicode-and-emoji"),
        pytest.param("<@U024BE7LH> <#C1|x> <!here>", id="slack-markup"),
    ],
)
def test_odd_input_never_raises(text):
    assert find_hazardous_activity(text) == []


def test_unicode_and_curly_apostrophes_around_a_proposal():
    assert kinds("🧪 Tonight, mix bleach and ammonia — it’s fun!") == [CHEMICAL]
    assert find_hazardous_activity("Don’t mix bleach and ammonia at home 🙅") == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a" * 100_000, id="letters"),
        pytest.param("mix bleach " * 9_000, id="verbs-and-hazards-without-home"),
        pytest.param("mix bleach at home and " * 4_300, id="verbs-and-hazards-at-home"),
        pytest.param("use the oven " * 7_700, id="tools"),
        pytest.param("and " * 25_000, id="conjunctions"),
        pytest.param("at home " * 12_500, id="home-cues"),
        pytest.param("." * 100_000, id="full-stops"),
        pytest.param("\n" * 100_000, id="newlines"),
        pytest.param(":\n" * 50_000, id="heading-lines"),
    ],
)
def test_adversarial_100k_text_completes(text):
    assert isinstance(find_hazardous_activity(text), list)


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        pytest.param(
            "for friday's session pls bring: drain cleaner, foil and an empty bottle", True, id="a-list-to-bring"
        ),
        pytest.param(
            "ok so after lunch pour vinegar into the bleach and tell me what it smells like", True, id="opened"
        ),
        pytest.param(
            "Session supplies:\n- rubbing alcohol\n- cotton balls\n- a lighter", True, id="supply-list-and-flame"
        ),
        pytest.param("hot glue gun time! everybody plug yours in and we'll build the bridges", True, id="tool-time"),
        pytest.param("the microwave in the staff room is broken again", False, id="a-thing-not-an-instruction"),
        pytest.param("My cousin tried to mix two cleaners once and had to leave the house", False, id="a-story"),
        pytest.param("Use dish soap to wash the bacteria off your hands", False, id="washing"),
        pytest.param("Bring a disposable camera for the group photo", False, id="nothing-done-to-it"),
        pytest.param("Everyone should know that bleach and ammonia make a toxic gas", False, id="a-warning"),
    ],
)
def test_a_proposal_anywhere_in_the_message(text, fires):
    """Proposals the sentence grammar does not parse are read from the message as a whole, and what
    makes a message talk about a hazard keeps it silent."""
    assert bool(find_hazardous_activity(text)) is fires
