"""What the hazardous-activity detector looks for: hazardous substances, products and samples, and
tools and appliances, in groups taken from the public classifications that define them, with the
verbs that make each one an activity. Data, not code: `hazardous_activity` compiles it.

Sources, one per group (`HazardGroup.source`):
- EPA, "Household Hazardous Waste (HHW)": the household products that are corrosive, toxic,
  ignitable or reactive (drain, oven and toilet-bowl cleaners, bleach and ammonia, pool chemicals,
  pesticides, paint thinners and solvents, fuels and lighter fluid, batteries, fireworks).
- UN GHS (Globally Harmonized System of Classification and Labelling of Chemicals), the hazard
  classes: explosives, flammable liquids and solids, oxidisers, corrosives (acids and bases), acute
  toxicity (toxic gases, metals and their salts); cryogens are GHS refrigerated liquefied gases.
- U.S. NRC, "Radioactive materials in consumer products": smoke detectors (americium-241), gas
  lantern mantles and thoriated lenses (thorium), uranium glass and glazes (Fiestaware), radium dials.
- CDC/NIH, "Biosafety in Microbiological and Biomedical Laboratories" (BMBL): growing cultures of
  microorganisms, environmental swabs plated on agar, mould cultures, blood and other potentially
  infectious materials: laboratory work at biosafety level 1-2, never a kitchen's.
- U.S. CPSC and OSHA on stored electrical energy: the capacitors and transformers of microwave ovens,
  camera flashes and CRT sets hold a lethal charge unplugged (category "electrical").
- The program's safety policy: tools and appliances are not forbidden; their use is a question for
  the safety contact.

Each group's `terms` are regular-expression alternatives read case-insensitively between word
boundaries; a term that is also an ordinary word ("lead", "mercury", "saw", "sodium") is written so
that only its hazardous sense matches ("lead fishing weights", "liquid mercury", "a saw", "sodium
metal"). The verbs are base forms only (a proposal's imperative: "mix", "take apart"); "_" stands
for a space.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HazardGroup:
    """One class of hazards or tools, with where it comes from and what doing something with it is."""

    name: str
    source: str
    category: str  # "chemical" | "biological" | "radiation" | "electrical" | "tools"
    verbs: str  # a key of VERBS
    terms: str  # regular-expression alternatives


#: Acids of the kitchen and the body, which "acid" alone does not mean here.
KITCHEN_AND_BODY_ACIDS = "citric acetic ascorbic lactic amino folic fatty malic tartaric stearic nucleic boric"

#: The verbs of proposal, by what they do. Combined per group in `VERBS`.
ACQUIRING = "buy order get grab borrow purchase pick_up collect gather steal bring need have"
MIXING = "mix combine add pour stir drop dissolve react blend shake dump soak fill put stuff toss"
HEATING = "heat boil melt microwave burn ignite light torch set_fire_to set set_off cook"
TAKING_APART = (
    "take_apart open open_up disassemble dismantle crack_open break_open cut_open pry_open pull_apart break "
    "smash crush grind puncture pierce remove extract take_out pull_out pull rip rip_out"
)
GROWING = "grow culture cultivate incubate swab plate streak breed inoculate harvest sample"
INGESTING = "inhale sniff taste drink eat swallow lick inject"
MAKING = (
    "make build create try use handle experiment_with play_with synthesize synthesise purify concentrate distill "
    "distil extract"
)

VERBS: dict[str, str] = {
    # Dangerous in themselves: getting them, or doing anything with them, is the activity.
    "any": f"{ACQUIRING} {MIXING} {HEATING} {MAKING} {INGESTING} grow scrape spray throw shoot blow_up detonate launch "
    "smash crush grind put open touch hold seal cap cut test rub do pull rip rip_out freeze etch",
    # Ordinary household products: dangerous mixed, heated, burned or ingested, not used for cleaning.
    # Fetching one counts only for an experiment (see `hazardous_activity._terms`).
    "misuse": f"{MIXING} {HEATING} {INGESTING} spray make create try react experiment_with play_with concentrate "
    "distill distil synthesize purify blow_up detonate use cap seal throw do",
    # Pharmacy-strength peroxide is first aid; concentrating it is the hazard.
    "concentrate": "concentrate boil heat distill distil purify make",
    # Batteries: taken apart, punctured, heated or swallowed, not used in a circuit.
    "batteries": "take_apart open open_up disassemble dismantle crack_open break_open cut_open pry_open pull_apart "
    "break smash crush puncture pierce heat burn melt microwave ignite swallow eat lick short short_circuit throw toss "
    "pull rip rip_out",
    "cultures": f"{GROWING} {ACQUIRING} {MAKING} open spread mix sniff feed dissect leave leave_out rub scrape "
    "press dab",
    # Water, gunk and cells from a surface or a body: only growing or sealing them up is the hazard.
    "samples": "grow culture cultivate incubate breed plate streak inoculate seal leave leave_out",
    # Taken apart, charged or touched, a high-voltage part stores a lethal charge.
    "high voltage": f"{TAKING_APART} charge discharge zap short short_circuit touch build hook_up power",
    # Harmless in slime; heated or boiled, a hazard.
    "heated": f"{HEATING} eat swallow drink",
    "mould": "grow culture cultivate breed incubate collect harvest sniff inhale open",
    "carcasses": "dissect handle collect pick_up touch open cut_open",
    "radioactive": f"{ACQUIRING} {TAKING_APART} {MAKING} test expose irradiate put heat eat lick hold",
    "smoke detectors": "take_apart open open_up disassemble dismantle crack_open break_open cut_open pry_open "
    "pull_apart break smash crush",
    # Flammable solids: dangerous set alight, not used to scrub a pan.
    "ignite": "heat burn ignite light torch set_fire_to set microwave",
    # Open flames: lit, not bought or carried.
    "flames": "light ignite burn use hold melt start",
    "appliances": "use operate borrow grab get need plug_in turn_on switch_on heat cut melt put bake blend preheat try "
    "run start",
    "tools": "use operate borrow grab get bring need plug_in turn_on switch_on heat cut drill solder saw melt put bake "
    "blend preheat glue sand grind light run try fire_up start",
}

LEXICON: tuple[HazardGroup, ...] = (
    # Specific terms come before general ones: the first group to match a span wins it.
    HazardGroup(
        "strong acids",
        "GHS corrosives; EPA HHW (muriatic acid: pool and masonry products)",
        "chemical",
        "any",
        r"(?:sulfuric|sulphuric|hydrochloric|muriatic|nitric|hydrofluoric|perchloric|picric|chromic|battery)\s+acids?",
    ),
    HazardGroup(
        "other acids (not those of the kitchen and the body: citric acid for bath bombs, amino acids)",
        "GHS corrosives",
        "chemical",
        "any",
        "".join(rf"(?<!{w} )" for w in sorted(KITCHEN_AND_BODY_ACIDS.split()))
        + r"acids?(?!\s+(?:test|tests|rain|reflux|jazz|wash(?:ed)?|house|trip|trips|base|bases)\b)",
    ),
    HazardGroup(
        "bases",
        "GHS corrosives",
        "chemical",
        "any",
        r"lye|sodium\s+hydroxide|potassium\s+hydroxide|caustic\s+soda",
    ),
    HazardGroup(
        "explosives and fireworks",
        "GHS explosives; EPA HHW (fireworks)",
        "chemical",
        "any",
        r"thermite|gunpowder|black\s+powder|flash\s+powder|fireworks?|firecrackers?|sparklers?|bottle\s+rockets?|"
        r"m-?80s?|cherry\s+bombs?|flame\s?throwers?|explosives|explosive\s+(?:devices?|mixtures?|powders?)|nitroglycerine?|napalm|"
        r"match\s*heads?|bottle\s+bombs?|tatp|rocket\s+(?:fuel|propellant)|(?:pipe|smoke|stink)\s+bombs?|dry\s+ice\s+bombs?|"
        r"(?<!bath )(?<!seed )(?<!photo )(?<!f-)bombs?",
    ),
    HazardGroup(
        "toxic gases",
        "GHS acute toxicity (gases)",
        "chemical",
        "any",
        r"(?:chlorine|mustard|toxic|poison(?:ous)?|hydrogen|chloramine)\s+(?:gas|gases|fumes|smoke)|"
        r"chloramines?|phosgene|hydrogen\s+sulfide|cyanide|carbon\s+monoxide",
    ),
    HazardGroup(
        "oxidisers and reactive chemicals",
        "GHS oxidising solids and liquids; EPA HHW (pool chemicals)",
        "chemical",
        "any",
        r"potassium\s+(?:nitrate|chlorate|perchlorate|permanganate)|sodium\s+(?:chlorate|perchlorate)|"
        r"saltpet(?:er|re)|ammonium\s+nitrate|calcium\s+hypochlorite|(?:white\s+)?phosphorus|chloroform|"
        r"magnesium\s+(?:ribbon|powder|shavings|strips?)|aluminium\s+powder|aluminum\s+powder|"
        r"(?:concentrated|high[- ]strength|food[- ]grade)\s+(?:hydrogen\s+)?peroxide|"
        r"(?:(?<=\d\d%\s)|(?<=\d\d\s%\s))(?:hydrogen\s+)?peroxide",
    ),
    HazardGroup(
        "batteries (button cells, lithium)",
        "EPA HHW (batteries); CPSC button-battery warnings",
        "chemical",
        "batteries",
        r"(?:button|coin)(?:\s+cell)?\s+batter(?:y|ies)|coin\s+cells?|lithium(?:[\s-]ion)?\s+(?:batter(?:y|ies)|cells?)|"
        r"li-?po\s+batter(?:y|ies)|lipos?|(?:laptop|phone|vape|e-?bike|car)\s+batter(?:y|ies)|"
        r"batter(?:y|ies)(?!\s+(?:compartments?|covers?|doors?|packs?|holders?|cases?|life|levels?|percentage|box(?:es)?|"
        r"savers?|chargers?|powered|operated|clips?|terminals?|icons?))",
    ),
    HazardGroup(
        "reactive metals and toxic metals and their salts",
        "GHS substances which in contact with water emit flammable gases; GHS acute toxicity",
        "chemical",
        "any",
        r"(?:sodium|potassium|lithium|rubidium|c(?:a)?esium|calcium)\s+metal|"
        r"(?:pure|elemental|metallic)\s+(?:sodium|potassium|lithium|mercury|magnesium)|"
        r"(?:chunks?|pieces?|lumps?|blocks?|bits?|pellets?|sticks?)\s+of\s+(?:sodium|potassium|lithium|magnesium)|"
        r"(?:sodium|potassium|lithium)(?=\s+(?:in|into)\s+(?:the\s+|a\s+)?(?:water|lake|pool|tub|sink|toilet|bathtub|pond|bucket|bowl))|"
        r"(?:liquid|elemental)\s+mercury|mercury\s+(?:from|out\s+of|thermometers?|switch(?:es)?|beads?|amalgams?)|amalgams?|"
        r"mercury(?=\s+(?:on|onto|into|in|with|over)\s+(?:\w+\s+){0,2}(?:alumin(?:i?um|um)|foil|gold|coins?|pennies|penny|"
        r"copper|rings?|skin|hands?|jewelry))|(?<=the )mercury(?=\s+(?:out|from|ball|blob))|"
        r"(?:magnesium|lithium|sodium|potassium)\s+(?:ribbons?|strips?|foil|shavings|chunks?|pellets?|wire)|"
        r"lithium(?=\s+(?:out\s+of|from)\s+(?:\w+\s+){0,3}batter(?:y|ies))|"
        r"(?:beads?|drops?|blobs?)\s+of\s+mercury|(?<=buy )mercury|(?<=order )mercury|(?<=some )mercury|"
        r"(?:(?<=buy )|(?<=order )|(?<=buy\ some )|(?<=order\ some ))(?:sodium|potassium|lithium|cesium|caesium)\b|"
        r"(?:silver|liquid|stuff|beads?|balls?|blobs?)\s+(?:from|out\s+of|in|inside)\s+(?:\w+\s+){0,2}thermometers?|"
        r"broken\s+(?:mercury\s+)?thermometers?|"
        r"copper\s*(?:\(ii\)\s*)?sul(?:f|ph)ates?|copper\s+(?:chloride|nitrate)|blue\s+vitriol|"
        r"lead\s+(?:shot|weights?|fishing\s+weights|sinkers?|solder|paint|pipes?|acetate|nitrate|oxide|ingots?|bars?)|"
        r"(?<=melt )lead|(?<=melt some )lead|(?<=melt the )lead|arsenic|thallium|cadmium|barium\s+\w+",
    ),
    HazardGroup(
        "flammable solids",
        "GHS flammable solids",
        "chemical",
        "ignite",
        r"steel\s+wool|flash\s+paper|nitrocellulose|gun\s*cotton|magnesium(?:\s+(?:fire\s+starters?|blocks?))?",
    ),
    HazardGroup(
        "salts harmless cold but not heated (borax: GHS reproductive toxicity)",
        "GHS reproductive toxicity (sodium borate)",
        "chemical",
        "heated",
        r"borax(?:\s+(?:solution|crystals?|powder|and\s+water))?|sodium\s+(?:borate|tetraborate)",
    ),
    HazardGroup(
        "cryogens",
        "GHS gases under pressure (refrigerated liquefied gas); CGA cryogen handling",
        "chemical",
        "any",
        r"dry\s+ice|liquid\s+(?:nitrogen|oxygen|helium|co2)|ln2\b",
    ),
    HazardGroup(
        "peroxide (a hazard once concentrated)",
        "GHS oxidising liquids",
        "chemical",
        "concentrate",
        r"(?:hydrogen\s+)?peroxide",
    ),
    HazardGroup(
        "corrosive and toxic household products",
        "EPA HHW (cleaners)",
        "chemical",
        "misuse",
        r"bleach|ammonia|(?:drain|oven|toilet(?:\s+bowl)?|grill|rust)\s+cleaners?|rust\s+removers?|drano|"
        r"liquid[\s-]plumr|lysol|cleaning\s+(?:products|supplies)|(?:toxic\s+|hazardous\s+|dangerous\s+|household\s+|cleaning\s+|pool\s+)?chemicals",
    ),
    HazardGroup(
        "pool chemicals",
        "EPA HHW (pool chemicals); CDC pool-chemical safety",
        "chemical",
        "misuse",
        r"pool\s+(?:shock|chlorine|acid|tablets?|pucks?|chemicals?)|chlorine(?:\s+(?:tablets?|tabs|pucks?|granules?|powder|bleach))?|"
        r"trichlor\w*|dichlor\w*|cyanuric\s+acid|sodium\s+bisulfate|ph\s+(?:down|up|minus|plus|decreaser|increaser|reducer)|"
        r"(?:(?<=the )|(?<=some )|(?<=of ))shock(?!\s+(?:of|and|when|that|absorb\w*|collar|wave))|"
        r"shock\s+(?:treatment|granules|powder)|"
        r"cal[\s-]?hypo|(?:spa|hot\s+tub)\s+(?:chlorine|bromine|chemicals?)|bromine\s+tablets?",
    ),
    HazardGroup(
        "solvents and fuels",
        "EPA HHW (paint thinners, solvents, automotive fluids); GHS flammable liquids",
        "chemical",
        "misuse",
        r"acetone|turpentine|mineral\s+spirits|white\s+spirit|(?:paint|lacquer)\s+thinners?|paint\s+strippers?|"
        r"nail\s+polish\s+remover|gasoline|petrol|kerosene|diesel|lighter\s+fluid|butane|propane|"
        r"(?:starting|starter|charcoal)\s+fluid|camp\s+fuel|(?:rubbing|isopropyl|denatured|methyl)\s+alcohol|"
        r"acetylene|mapp\s+gas|isopropanol|methanol|toluene|xylene|naphtha|(?:diethyl\s+)?ether|hand\s+sanitizer|antifreeze|"
        r"brake\s+fluid|aerosol\s+cans?|spray\s+paint|(?:hair|deodorant)\s+spray|hairspray",
    ),
    HazardGroup(
        "pesticides and poisons",
        "EPA HHW (pesticides, herbicides, rodenticides)",
        "chemical",
        "misuse",
        r"pesticides?|insecticides?|herbicides?|weed\s*killers?|rat\s+poison|rodenticides?|bug\s+sprays?|"
        r"roundup|fungicides?|(?:mouse|ant)\s+poison|poisons?(?!\s+(?:ivy|oak|control|cent(?:er|re)|darts?|frogs?))",
    ),
    HazardGroup(
        "microorganisms and cultures",
        "CDC/NIH BMBL (biosafety levels 1-2: cultures, environmental samples, potentially infectious materials)",
        "biological",
        "cultures",
        r"bacteria|bacterium|bacterial\s+(?:cultures?|colonies|samples?)|microbes|micro-?organisms|pathogens|germs|"
        r"e\.?\s?coli|salmonella|staph(?:ylococcus)?|streptococcus|listeria|petri\s+dish(?:es)?|"
        r"agar(?:\s+plates?)?|(?:cell|tissue|fungal|viral|bacteria|microbial)\s+cultures?|"
        r"(?<!fake )blood(?:\s+samples?)?(?!\s+(?:pressure|types?|drives?|donations?|cells?|sugar|moon|orange))|"
        r"bodily\s+fluids?|saliva\s+samples?|(?:human\s+)?(?:spit|urine|stool|feces)\s+samples?|"
        r"raw\s+(?:meat|chicken|beef|pork|fish)\s+(?:cultures?|samples?|juices?)|swabs?\s+from\s+\w+|"
        r"(?:bacterial\s+|microbial\s+|mould\s+|mold\s+)?(?<!ant )(?<!bee )(?<!thirteen )(?<!13 )(?<!american )"
        r"(?<!british )(?<!original )(?<!penguin )(?<!bird )(?<!space )(?<!mars )colon(?:y|ies)",
    ),
    HazardGroup(
        "environmental and body samples (harmless until grown or sealed up warm)",
        "CDC/NIH BMBL (environmental samples, potentially infectious materials)",
        "biological",
        "samples",
        r"pond\s+water|(?:puddle|creek|river|lake|ditch|toilet|sink|drain)\s+(?:water|gunk|slime|sludge|scum)|"
        r"(?:drain|sink|shower)\s+(?:gunk|slime|hair)|gunk|sludge|(?:cheek|skin|mouth|nose|ear)\s+(?:cells?|swabs?|samples?)|"
        r"(?:cheek|skin)\s+(?:scrapings?)|(?<=your )(?:cheek|spit|saliva)",
    ),
    HazardGroup(
        "mould (also the shape resin is poured into: only growing it is a hazard)",
        "CDC/NIH BMBL (fungal cultures)",
        "biological",
        "mould",
        r"mou?lds?(?:\s+(?:cultures?|spores?|colon(?:y|ies)|samples?))?|fungus|fungi|spores",
    ),
    HazardGroup(
        "animal carcasses",
        "CDC (zoonoses: handling dead animals)",
        "biological",
        "carcasses",
        r"(?:dead|wild)\s+(?:animals?|birds?|mice|rats?|bats?|squirrels?|raccoons?)|roadkill",
    ),
    HazardGroup(
        "radioactive materials and consumer products",
        "U.S. NRC, radioactive materials in consumer products",
        "radiation",
        "radioactive",
        r"radioactive(?:\s+(?:materials?|sources?|samples?|rocks?|ores?|isotopes?|substances?|elements?|minerals?|"
        r"glass|waste|marbles?|beads?|stuff|things?|items?))?|americium(?:-241)?(?:\s+sources?)?|"
        r"uranium(?:\s+(?:ore|glass|oxide|marbles?|beads?))?|uraninite|pitchblende|autunite|torbernite|carnotite|"
        r"thorium(?:\s+(?:lantern\s+)?mantles?)?|(?:gas\s+)?lantern\s+mantles?|thoriated\s+\w+|"
        r"radium(?:\s+(?:paint|dials?|watch(?:es)?|clocks?))?|polonium|plutonium|c(?:a)?esium-137|cobalt-60|"
        r"strontium-90|tritium(?:\s+(?:vials?|keychains?))?|radiation\s+sources?|ionizing\s+radiation|"
        r"x-ray\s+(?:tubes?|machines?|sources?)|fiesta\s?ware|vaseline\s+glass|red\s+fiesta\s+(?:plates?|dishes)",
    ),
    HazardGroup(
        "smoke detectors (they hold americium: opening one is the hazard; testing one is good practice)",
        "U.S. NRC, radioactive materials in consumer products (ionization smoke detectors)",
        "radiation",
        "smoke detectors",
        r"smoke\s+(?:detector|alarm)s?",
    ),
    HazardGroup(
        "high-voltage electronics (microwave-oven, flash and CRT capacitors and transformers)",
        "U.S. CPSC and OSHA (stored electrical energy: capacitors, CRTs, microwave-oven transformers)",
        "electrical",
        "high voltage",
        r"(?:microwave(?:\s+oven)?|camera|flash|crt|tv|television|monitor|strobe)(?:'s)?\s+(?:capacitors?|caps|transformers?|"
        r"flybacks?|magnetrons?)|(?:capacitors?|transformers?|magnetrons?)\s+(?:from|out\s+of|in|inside)\s+(?:\w+\s+){0,3}"
        r"(?:microwaves?|cameras?|tvs?|televisions?|monitors?)|crt(?:\s+(?:tvs?|televisions?|monitors?|screens?|tubes?))?|"
        r"(?:old|tube|crt)\s+(?:tvs?|televisions?)|flyback(?:\s+transformers?)?|neon[\s-]sign\s+transformers?|"
        r"disposable\s+cameras?|tasers?|stun\s+guns?|bug\s+zappers?|tesla\s+coils?|"
        r"high[\s-]voltage\s+(?:capacitors?|transformers?|supply|power\s+supply|circuits?)",
    ),
    HazardGroup(
        "drills (a bare drill is as often a fire drill or a maths drill: only a power drill, or someone's drill)",
        "the program's safety policy (tools)",
        "tools",
        "tools",
        r"(?:power|electric|cordless|hand)\s+drills?|drill\s+press(?:es)?|(?<='s )drills?|(?<=your )drills?|"
        r"(?<=a )drill(?!\s+(?:down|sergeant|bits?|team|practice|session))|(?<=the )drill(?=\s+(?:to|and|bit))",
    ),
    HazardGroup(
        "tools",
        "the program's safety policy (tools)",
        "tools",
        "tools",
        r"soldering\s+(?:irons?|stations?|guns?)|box\s+cutters?|utility\s+kni(?:fe|ves)|craft\s+kni(?:fe|ves)|"
        r"(?:hobby|pocket|sharp|kitchen|chef'?s?)\s+kni(?:fe|ves)|e?x-?acto(?:\s+kni(?:fe|ves))?|razor\s+blades?|scalpels?|"
        r"(?:hack|jig|circular|table|band|chain|miter|mitre|power|hand|coping)\s?saws?(?!\s+puzzles?)|"
        r"(?<=a )saw\b(?!\s+(?:that|this|it|the|a))|(?<=the )saw(?=\s+(?:to|and|carefully)\b|\s*[.!?,;]|\s*$)|dremel|"
        r"rotary\s+tools?|(?:angle|bench)\s+grinders?|heat\s+guns?|hot[\s-]glue(?:\s+guns?)?|glue\s+guns?|"
        r"blow\s?torch(?:es)?|(?:butane|propane|kitchen|cooking)\s+torch(?:es)?|welders?|welding\s+\w+|nail\s+guns?|"
        r"staple\s+guns?|power\s+tools?|(?:belt|orbital|power)\s+sanders?|lathes?|laser\s+cutters?|"
        r"bunsen\s+burners?|(?:alcohol|spirit)\s+burners?|camp\s+stoves?|soldering|welding",
    ),
    HazardGroup(
        "open flames",
        "the program's safety policy (tools)",
        "tools",
        "flames",
        r"candles?|campfires?|bonfires?|fire\s+pits?|matches|"
        r"(?<=a )lighter(?!\s+(?:colou?r|shade|weight|version|one))|(?<=the )lighter|(?<=your )lighter",
    ),
    HazardGroup(
        "appliances (a kitchen blender is 'the/a/your blender'; Blender is also 3D software)",
        "the program's safety policy (appliances)",
        "tools",
        "appliances",
        r"ovens?|stoves?|stovetops?|microwaves?(?:\s+ovens?)?|toaster(?:\s+ovens?)?|food\s+processors?|"
        r"(?:(?<=the )|(?<=a )|(?<=your )|(?<=my )|(?<='s ))blenders?(?!\s+(?:app|software|files?|models?|projects?))|"
        r"hot\s*plates?|pressure\s+cookers?|deep\s+fryers?|air\s+fryers?|(?:clothes|curling|flat)\s+irons?|"
        r"(?:space|electric)\s+heaters?|induction\s+(?:cooktops?|burners?)",
    ),
)

#: Verbs that are a tool in themselves: "solder the wires", "microwave the soap".
SELF_TOOL_VERBS = "solder weld microwave"
