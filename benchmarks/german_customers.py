"""A seeded generator of a German customer base with known duplicates, households and neighbours.

Built to look like the customer file of a German bank, insurer or utility, and not
tuned to the duplicate finder: the people, their mistakes and their lives are drawn
first, the records are then written as different sources and agents would write them.

What it models:

* **people** — given names with their sex and a realistic skew (many Michaels, few
  Xavers), family names with the German frequency curve (Müller about 0.9 % of
  people, Schmidt 0.6 %, a long tail of rare names, 12 % international names), birth
  dates, a personal e-mail address (80 %) and mobile number (70 %);
* **households** (about 10 % of people are a further member of someone's household):
  a spouse of the other sex (usually the same family name, sometimes not), a child or
  a parent; they share the address and the landline, now and then the family e-mail;
  twins happen;
* **shared buildings** — in the big cities several households live at one street and
  house number (apartment blocks); they have different family names and sometimes an
  apartment line (``Whg. 12``, ``2. OG links``);
* **duplicates** (about 22 % of people have 1–3 further records): movers (at least
  15 % of the further records carry a new address, half of them in another town, with
  a new landline; e-mail and mobile usually stay), marriages (a woman's new family name
  or a double name, often with a move), typos, transposed letters, umlauts written out
  or dropped (``Müller``, ``Mueller``, ``Muller``), capitals, street abbreviations,
  house numbers with or without space, five phone formats, four birth-date formats
  (including two-digit years), day and month swapped, and missing fields.

``generate(size, seed)`` returns the records (plain ``dict[str, str]``, as CSV rows) and
the truth: the person, household and building of every record.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate, combinations

Pair = tuple[str, str]


def _words(text: str) -> list[str]:
    return text.split()


# Given names with a rough weight (relative frequency across all living generations).
_FEMALE = _words(
    "Maria:30 Ursula:22 Monika:20 Petra:18 Elisabeth:16 Sabine:18 Renate:15 Helga:14 "
    "Karin:15 Brigitte:14 Ingrid:12 Erika:11 Andrea:16 Gisela:10 Claudia:14 Susanne:15 "
    "Gabriele:12 Christa:10 Christine:13 Birgit:11 Heike:12 Stefanie:12 Nicole:13 Anna:18 "
    "Julia:14 Katharina:12 Sandra:12 Martina:11 Laura:10 Lisa:11 Sarah:10 Anja:10 Silke:8 "
    "Jutta:8 Angelika:9 Barbara:10 Marion:8 Kerstin:8 Tanja:9 Melanie:9 Katrin:9 Daniela:9 "
    "Nadine:8 Jessica:7 Lena:9 Leonie:7 Hannah:8 Emma:8 Mia:7 Sophie:8 Lea:7 Johanna:7 "
    "Clara:5 Marie:8 Charlotte:5 Paula:4 Greta:3 Ida:3 Frieda:3 Ute:8 Doris:6 Bärbel:5 "
    "Hildegard:6 Waltraud:4 Gertrud:5 Irmgard:4 Margarete:5 Anneliese:4 Elke:8 Iris:5 "
    "Michaela:8 Simone:8 Kathrin:6 Jana:6 Vanessa:5 Jennifer:6 Franziska:6 Jasmin:5 "
    "Ayşe:4 Fatma:4 Elif:3 Zeynep:3 Agnieszka:3 Katarzyna:3 Olga:3 Natalia:3 Irina:3 "
    "Giulia:2 Chiara:2 Ana:3 Sofía:2 Jelena:2 Małgorzata:2 Lucia:2 Eleni:2"
)
_MALE = _words(
    "Peter:25 Michael:28 Thomas:25 Andreas:22 Wolfgang:18 Klaus:18 Jürgen:18 Stefan:20 "
    "Hans:20 Frank:16 Uwe:14 Christian:18 Werner:14 Manfred:13 Dieter:13 Horst:12 "
    "Bernd:12 Ralf:12 Helmut:12 Gerhard:12 Markus:14 Matthias:14 Martin:15 Alexander:14 "
    "Daniel:14 Sebastian:12 Tobias:11 Florian:10 Jan:12 Tim:9 Lukas:10 Jonas:9 Leon:8 "
    "Finn:6 Paul:9 Felix:8 Maximilian:8 Elias:5 Noah:5 Ben:6 Luca:5 Niklas:7 Dirk:9 Sven:9 "
    "Jens:9 Kai:7 Timo:6 Heinz:10 Karl:10 Walter:9 Rolf:8 Günter:10 Udo:8 Jörg:10 "
    "Holger:8 Carsten:7 Oliver:9 Marco:7 Patrick:8 Dennis:7 Philipp:7 Moritz:6 Jakob:5 "
    "Emil:4 Anton:4 Oskar:3 Theo:3 Fritz:4 Ludwig:4 Hans-Peter:6 Karl-Heinz:7 Bernhard:7 "
    "Joachim:9 Norbert:7 Rainer:9 Reinhard:7 Volker:8 Harald:7 Mehmet:5 Mustafa:4 Ahmet:4 "
    "Ali:4 Hüseyin:3 Piotr:3 Krzysztof:3 Tomasz:3 Łukasz:2 Giuseppe:2 Marco:2 Ivan:3 "
    "Dmitri:2 Sergei:2 Nikolaos:2 Dragan:2 José:2 Luis:2"
)
# The most common German family names with their share of people in per mille
# (after the usual published counts); the rest is drawn from a long tail.
_FAMILY_TOP = _words(
    "Müller:9.0 Schmidt:6.5 Schneider:3.6 Fischer:3.3 Weber:2.9 Meyer:2.6 Wagner:2.5 "
    "Becker:2.4 Schulz:2.3 Hoffmann:2.2 Schäfer:1.9 Koch:1.8 Bauer:1.8 Richter:1.8 "
    "Klein:1.7 Wolf:1.6 Schröder:1.5 Neumann:1.5 Schwarz:1.4 Zimmermann:1.4 Braun:1.3 "
    "Krüger:1.3 Hofmann:1.3 Hartmann:1.3 Lange:1.2 Schmitt:1.2 Werner:1.2 Schmitz:1.2 "
    "Krause:1.2 Meier:1.1 Lehmann:1.1 Schmid:1.1 Schulze:1.0 Maier:1.0 Köhler:1.0 "
    "Herrmann:1.0 König:1.0 Walter:0.9 Mayer:0.9 Huber:0.9 Kaiser:0.9 Fuchs:0.9 "
    "Peters:0.9 Lang:0.8 Scholz:0.8 Möller:0.8 Weiß:0.8 Jung:0.8 Hahn:0.8 Schubert:0.8 "
    "Vogel:0.7 Friedrich:0.7 Keller:0.7 Günther:0.7 Frank:0.7 Berger:0.7 Winkler:0.7 "
    "Roth:0.7 Beck:0.7 Lorenz:0.7 Baumann:0.6 Franke:0.6 Albrecht:0.6 Schuster:0.6 "
    "Simon:0.6 Ludwig:0.6 Böhm:0.6 Winter:0.6 Kraus:0.6 Martin:0.6 Schumacher:0.6 "
    "Krämer:0.6 Vogt:0.6 Stein:0.5 Jäger:0.5 Otto:0.5 Sommer:0.5 Groß:0.5 Seidel:0.5 "
    "Heinrich:0.5 Brandt:0.5 Haas:0.5 Schreiber:0.5 Graf:0.5 Schulte:0.5 Dietrich:0.5 "
    "Ziegler:0.5 Kuhn:0.5 Kühn:0.5 Pohl:0.5 Engel:0.5 Horn:0.5 Busch:0.5 Bergmann:0.5 "
    "Thomas:0.4 Voigt:0.4 Sauer:0.4 Arnold:0.4 Wolff:0.4 Pfeiffer:0.4"
)
_FAMILY_INTL = _words(
    "Yılmaz Kaya Demir Şahin Çelik Yıldız Öztürk Aydın Arslan Doğan Nowak Kowalski "
    "Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Rossi Russo Ferrari "
    "Esposito Bianchi Romano Ivanov Smirnov Popov Petrov Papadopoulos Nikolaidis Horvat "
    "Kovačević Novak Hodžić Silva Santos Ferreira Pereira Nguyen Tran"
)
# Syllables for the long tail of rarer names ("Lindenhagen", "Kirchhofer").
_HEADS = _words(
    "Acker Adler Alt Bach Baum Berg Birk Blum Boden Brand Brück Buch Burg Dorn Eck Eich "
    "Eisen Erl Falk Feld Fels Fink Forst Frei Fried Gold Grün Hag Hain Hasel Heide Helm "
    "Hirsch Hoch Holz Hub Kalk Kamm Kirch Klee Kling Kolb Kreuz Kron Land Lauter Linden "
    "Loh Mark Moos Mühl Neu Nord Ober Ost Pfeil Rab Rauch Reh Reich Rein Ried Ring Rosen "
    "Rot Sand Schön Seel Sieg Silber Sonnen Spring Stahl Stern Stock Tann Teich Thal Unter "
    "Wald Wasser Weid Wend West Wies Wild Wind Winkel Wunder Zell Hassel Lieb Kreutz"
)
_TAILS = _words(
    "mann er hagen berg feld bach hof meier huber stein bauer hauser thaler brunner wald "
    "baum graf ling inger lich ert hardt kamp dorf heim mühle brock busch egger ner rath"
)
_STREET_NAMES = _words(
    "Haupt Bahnhof Garten Schul Dorf Kirch Berg Wald Ring Linden Birken Mühlen Post Feld "
    "Wiesen Sonnen Rosen Goethe Schiller Friedrich Wilhelm Bismarck Mozart Beethoven Park "
    "Tal Eichen Buchen Kastanien Ahorn Blumen Jahn Uhland Lessing Herder Kant Bach Heine "
    "Luisen Marien Karl Frieden Industrie Bergmann Fichten Tannen Amsel Drossel Finken "
    "Lerchen Falken Schwalben Kirschen Apfel Hoch Brunnen Quell Rathaus Markt Kloster "
    "Burg Schloss Mittel Neu Alt Ost West Nord Süd Grenz Feldberg Rhein Elbe Weser Main"
)
_STREET_TYPES = ("straße",) * 6 + ("weg", "weg", "allee", "platz", "gasse", "ring")
# (city, first postcode, postcodes in use, weight, share living in apartment blocks)
_CITIES = [
    ("Berlin", 10115, 900, 36, 0.85),
    ("Hamburg", 20095, 600, 18, 0.75),
    ("München", 80331, 600, 15, 0.8),
    ("Köln", 50667, 300, 11, 0.7),
    ("Frankfurt am Main", 60306, 300, 8, 0.75),
    ("Stuttgart", 70173, 200, 6, 0.65),
    ("Düsseldorf", 40210, 200, 6, 0.7),
    ("Leipzig", 4103, 150, 6, 0.8),
    ("Dortmund", 44135, 150, 6, 0.6),
    ("Essen", 45127, 150, 6, 0.6),
    ("Bremen", 28195, 150, 6, 0.55),
    ("Dresden", 1067, 150, 6, 0.75),
    ("Hannover", 30159, 150, 5, 0.6),
    ("Nürnberg", 90402, 150, 5, 0.6),
    ("Duisburg", 47051, 100, 5, 0.55),
    ("Bochum", 44787, 100, 4, 0.55),
    ("Wuppertal", 42103, 100, 4, 0.55),
    ("Bielefeld", 33602, 100, 3, 0.45),
    ("Bonn", 53111, 100, 3, 0.5),
    ("Münster", 48143, 100, 3, 0.45),
]
_TOWNS = _words(
    "Aachen Augsburg Braunschweig Kiel Chemnitz Halle Magdeburg Freiburg Krefeld Mainz "
    "Lübeck Erfurt Oberhausen Rostock Kassel Hagen Potsdam Saarbrücken Hamm Oldenburg "
    "Osnabrück Leverkusen Heidelberg Darmstadt Solingen Regensburg Paderborn Neuss "
    "Ingolstadt Offenbach Fürth Würzburg Ulm Heilbronn Pforzheim Wolfsburg Göttingen "
    "Reutlingen Koblenz Bamberg Bayreuth Passau Landshut Rosenheim Kempten Lindau Konstanz "
    "Tübingen Marburg Gießen Fulda Siegen Detmold Minden Celle Lüneburg Stade Husum "
    "Flensburg Schwerin Wismar Stralsund Greifswald Cottbus Görlitz Zwickau Plauen Gera "
    "Jena Weimar Gotha Eisenach Suhl Coburg Hof Weiden Straubing Deggendorf Erding Freising "
    "Dachau Starnberg Weilheim Garmisch Füssen Memmingen Biberach Ravensburg Friedrichshafen"
)
_MAIL_DOMAINS = _words(
    "gmx.de:25 web.de:25 gmail.com:20 t-online.de:12 outlook.de:5 yahoo.de:4 freenet.de:3 "
    "posteo.de:2 icloud.com:2 arcor.de:2"
)
_UMLAUTS = {"ä": ("ae", "a"), "ö": ("oe", "o"), "ü": ("ue", "u"), "ß": ("ss", "s")}
_ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe"})
_KEYS = "abcdefghijklmnopqrstuvwxyz"
_NEIGHBOURS = {  # keys next to each other on a German keyboard, for realistic typos
    "a": "qsy",
    "e": "wrd",
    "i": "uok",
    "o": "ipl",
    "u": "zij",
    "n": "bm",
    "m": "n",
    "r": "et",
    "t": "rz",
    "s": "ad",
    "l": "k",
    "h": "gj",
    "c": "xv",
    "k": "jl",
}


def _weighted(entries: list[str]) -> tuple[list[str], list[float]]:
    names, weights = [], []
    for entry in entries:
        name, _, weight = entry.rpartition(":")
        names.append(name)
        weights.append(float(weight))
    return names, list(accumulate(weights))


FIELDS = (
    "given_name",
    "family_name",
    "birth_date",
    "email",
    "phone",
    "street",
    "house_number",
    "address_extra",
    "postcode",
    "city",
)


@dataclass
class _Address:
    street: str
    house: str
    postcode: str
    city: str
    building: int
    extra: str = ""


@dataclass
class _Person:
    given: str
    female: bool
    family: str
    birth: tuple[int, int, int]
    email: str
    mobile: str
    landline: str
    address: _Address
    household: int


@dataclass
class GermanCustomers:
    """The records and the truth: person, household and building of every record id."""

    records: list[dict[str, str]]
    person: dict[str, int]
    household: dict[str, int]
    building: dict[str, int]
    counts: dict[str, int] = field(default_factory=dict)

    def _pairs(self, same: dict[str, int], distinct: dict[str, int] | None) -> set[Pair]:
        groups: dict[int, list[str]] = {}
        for record_id, key in same.items():
            groups.setdefault(key, []).append(record_id)
        pairs: set[Pair] = set()
        for ids in groups.values():
            if len(ids) > 200:  # a huge block is never one building; skip, just in case
                continue
            for a, b in combinations(sorted(ids), 2):
                if distinct is None or distinct[a] != distinct[b]:
                    pairs.add((a, b))
        return pairs

    def true_pairs(self) -> set[Pair]:
        """Every pair of records (ids sorted within the pair) that are one person."""
        return self._pairs(self.person, None)

    def household_pairs(self) -> set[Pair]:
        """Pairs of records of two different people of one household."""
        return self._pairs(self.household, self.person)

    def neighbour_pairs(self) -> set[Pair]:
        """Pairs of records of two different households at one street and house number."""
        return self._pairs(self.building, self.household)


class _Generator:
    def __init__(self, rng: random.Random, size: int) -> None:
        self.rng = rng
        self.size = size
        self.female, self.female_weights = _weighted(_FEMALE)
        self.male, self.male_weights = _weighted(_MALE)
        self.top, self.top_weights = _weighted(_FAMILY_TOP)
        self.domains, self.domain_weights = _weighted(_MAIL_DOMAINS)
        city_weights = [city[3] for city in _CITIES] + [0.4] * len(_TOWNS)
        self.city_weights = list(accumulate(city_weights))
        self.share = [weight / sum(city_weights) for weight in city_weights]
        self.places = [(c[0], c[1], c[2], c[4]) for c in _CITIES] + [
            (town, 20000 + 850 * n % 79000, 12, 0.3) for n, town in enumerate(_TOWNS)
        ]
        self.streets: dict[int, list[str]] = {}
        self.buildings: dict[tuple[int, str, str, str], int] = {}
        self.blocks: dict[int, list[_Address]] = {}
        self.next_household = 0
        self.emails: set[str] = set()

    # --- people -----------------------------------------------------------------
    def given(self, female: bool) -> str:
        names, weights = (
            (self.female, self.female_weights) if female else (self.male, self.male_weights)
        )
        return self.rng.choices(names, cum_weights=weights)[0]

    def family(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.17:  # the top hundred names hold about 17 % of people
            return rng.choices(self.top, cum_weights=self.top_weights)[0]
        if roll < 0.29:
            return rng.choice(_FAMILY_INTL)
        return rng.choice(_HEADS) + rng.choice(_TAILS)

    def birth(self, low: int = 1932, high: int = 2006) -> tuple[int, int, int]:
        rng = self.rng
        return rng.randint(low, high), rng.randint(1, 12), rng.randint(1, 28)

    def email(self, given: str, family: str, year: int) -> str:
        rng = self.rng
        first = given.translate(_ASCII).lower().replace(" ", "")
        last = family.translate(_ASCII).lower().replace(" ", "")
        style = rng.randrange(5)
        if style == 0:
            local = f"{first}.{last}"
        elif style == 1:
            local = f"{first[0]}.{last}"
        elif style == 2:
            local = f"{first}{last}{year % 100:02d}"
        elif style == 3:
            local = f"{first}_{last}{rng.randint(1, 99)}"
        else:
            local = f"{last}.{first}{rng.randint(1, 999)}"
        domain = rng.choices(self.domains, cum_weights=self.domain_weights)[0]
        address = f"{local}@{domain}"
        while address in self.emails:  # an address belongs to one person
            address = f"{local}{rng.randint(1, 9999)}@{domain}"
        self.emails.add(address)
        return address

    def mobile(self) -> str:
        rng = self.rng
        return f"01{rng.choice('567')}{rng.randint(0, 9)}{rng.randint(1000000, 9999999)}"

    def landline(self, city_index: int) -> str:
        rng = self.rng
        area = 30 + (city_index * 37) % 9000
        return f"0{area}{rng.randint(100000, 9999999)}"

    # --- places -----------------------------------------------------------------
    def street(self, city_index: int) -> tuple[str, str]:
        """A street of the town and its postcode; about 30 customers live in a street."""
        rng = self.rng
        streets = self.streets.get(city_index)
        if streets is None:
            _, first_code, codes, _ = self.places[city_index]
            count = max(12, round(self.size * self.share[city_index] / 30))
            streets = self.streets[city_index] = [
                (
                    rng.choice(_STREET_NAMES) + rng.choice(_STREET_TYPES),
                    f"{first_code + rng.randrange(codes) * 3:05d}",
                )
                for _ in range(count)
            ]
        return rng.choice(streets)

    def address(self, city_index: int | None = None) -> _Address:
        rng = self.rng
        if city_index is None:
            city_index = rng.choices(range(len(self.places)), cum_weights=self.city_weights)[0]
        city, _, _, block_share = self.places[city_index]
        blocks = self.blocks.setdefault(city_index, [])
        if blocks and rng.random() < block_share * 0.6:
            # Another flat in an apartment block of the town (2 to 12 flats a block).
            at = rng.randrange(len(blocks))
            shared = blocks[at]
            if rng.random() < 0.15:
                blocks[at] = blocks[-1]
                blocks.pop()
            extra = f"Whg. {rng.randint(1, 40)}" if rng.random() < 0.25 else ""
            return _Address(
                shared.street, shared.house, shared.postcode, shared.city, shared.building, extra
            )
        street, postcode = self.street(city_index)
        house = str(rng.randint(1, 140)) + (rng.choice("abc") if rng.random() < 0.08 else "")
        key = (city_index, street, postcode, house)
        building = self.buildings.setdefault(key, len(self.buildings))
        made = _Address(street, house, postcode, city, building)
        if rng.random() < block_share:
            blocks.append(made)
            if len(blocks) > 400:
                blocks.pop(rng.randrange(len(blocks)))
        return made

    def city_of(self, address: _Address) -> int:
        for index, place in enumerate(self.places):
            if place[0] == address.city:
                return index
        return 0

    # --- households -------------------------------------------------------------
    def person(self) -> _Person:
        rng = self.rng
        female = rng.random() < 0.52
        given, family, birth = self.given(female), self.family(), self.birth()
        address = self.address()
        self.next_household += 1
        return _Person(
            given=given,
            female=female,
            family=family,
            birth=birth,
            email=self.email(given, family, birth[0]) if rng.random() < 0.8 else "",
            mobile=self.mobile() if rng.random() < 0.7 else "",
            landline=self.landline(self.city_of(address)) if rng.random() < 0.45 else "",
            address=address,
            household=self.next_household,
        )

    def member(self, head: _Person) -> _Person:
        """A spouse, child or parent living with ``head``."""
        rng = self.rng
        year = head.birth[0]
        kind = rng.random()
        if kind < 0.45:  # spouse or partner
            female = not head.female
            family = head.family if rng.random() < 0.8 else self.family()
            birth = self.birth(max(1925, year - 8), min(2006, year + 8))
        elif kind < 0.85:  # child
            female = rng.random() < 0.5
            family = head.family
            birth = self.birth(min(year + 18, 2006), min(year + 42, 2008))
        else:  # a parent moved in
            female = rng.random() < 0.6
            family = head.family
            birth = self.birth(max(1920, year - 40), max(1921, year - 18))
        given = self.given(female)
        while given == head.given:
            given = self.given(female)
        if rng.random() < 0.015:  # twins of the head
            birth = head.birth
        shared_email = rng.random() < 0.1 and head.email
        return _Person(
            given=given,
            female=female,
            family=family,
            birth=birth,
            email=head.email
            if shared_email
            else (self.email(given, family, birth[0]) if rng.random() < 0.7 else ""),
            mobile=self.mobile() if rng.random() < 0.6 else "",
            landline=head.landline,
            address=head.address,
            household=head.household,
        )

    # --- how records differ -----------------------------------------------------
    def typo(self, text: str) -> str:
        rng = self.rng
        if len(text) < 3:
            return text
        at = rng.randrange(1, len(text) - 1)
        kind = rng.randrange(5)
        letter = text[at].lower()
        if kind == 0:
            return text[:at] + text[at + 1 :]
        if kind == 1:
            return text[:at] + text[at] + text[at:]
        if kind == 2:
            near = _NEIGHBOURS.get(letter, _KEYS)
            return text[:at] + rng.choice(near) + text[at + 1 :]
        # transposed neighbours, the commonest slip of fast typists
        return text[:at] + text[at + 1] + text[at] + text[at + 2 :]

    def respell(self, name: str) -> str:
        rng = self.rng
        for umlaut, spellings in _UMLAUTS.items():
            if umlaut in name and rng.random() < 0.5:
                name = name.replace(umlaut, spellings[0] if rng.random() < 0.7 else spellings[1])
        roll = rng.random()
        if roll < 0.12:
            return self.typo(name)
        if roll < 0.2:
            return name.upper()
        if roll < 0.23:
            return name.lower()
        return name

    def birth_text(self, birth: tuple[int, int, int]) -> str:
        rng = self.rng
        year, month, day = birth
        roll = rng.random()
        if roll < 0.01 and day <= 12:
            month, day = day, month
        elif roll < 0.025:
            year = year + rng.choice((-1, 1, -10, 10)) if rng.random() < 0.5 else year
            day = day + rng.choice((-1, 1, 10)) if day < 18 else day
        style = rng.random()
        if style < 0.45:
            return f"{day:02d}.{month:02d}.{year}"
        if style < 0.75:
            return f"{year}-{month:02d}-{day:02d}"
        if style < 0.9:
            return f"{day}.{month}.{year}"
        return f"{day:02d}.{month:02d}.{year % 100:02d}"

    def phone_text(self, digits: str) -> str:
        rng = self.rng
        if not digits:
            return ""
        split = 4 if digits.startswith("01") else 3 + (len(digits) > 10)
        area, rest = digits[:split], digits[split:]
        style = rng.randrange(6)
        if style == 0:
            return f"{area} {rest}"
        if style == 1:
            return f"{area}/{rest}"
        if style == 2:
            return f"+49 {area[1:]} {rest}"
        if style == 3:
            return f"0049{area[1:]}{rest}"
        if style == 4:
            return f"({area}) {rest[:3]} {rest[3:]}"
        return f"+49 (0){area[1:]}-{rest}"

    def street_text(self, street: str) -> str:
        rng = self.rng
        if street.endswith("straße"):
            roll = rng.random()
            if roll < 0.35:
                return street[: -len("straße")] + "str."
            if roll < 0.45:
                return street[: -len("straße")] + "strasse"
            if roll < 0.5:
                return street[: -len("straße")] + " Str."
        if rng.random() < 0.05:
            return self.typo(street)
        return street

    def record(self, person: _Person, *, original: bool) -> dict[str, str]:
        rng = self.rng
        given, family = person.given, person.family
        address = person.address
        if not original:
            given, family = self.respell(given), self.respell(family)
            if "-" in given and rng.random() < 0.3:
                given = given.split("-")[0]
        phone = person.mobile or person.landline
        if person.mobile and person.landline and rng.random() < 0.4:
            phone = person.landline
        house = address.house
        if not original and house[-1].isalpha() and rng.random() < 0.5:
            house = f"{house[:-1]} {house[-1]}"
        record = {
            "given_name": given,
            "family_name": family,
            "birth_date": self.birth_text(person.birth) if not original else "",
            "email": person.email,
            "phone": self.phone_text(phone),
            "street": self.street_text(address.street) if not original else address.street,
            "house_number": house,
            "address_extra": address.extra,
            "postcode": address.postcode,
            "city": address.city,
        }
        if original:
            year, month, day = person.birth
            record["birth_date"] = f"{day:02d}.{month:02d}.{year}"
        else:
            if record["email"] and rng.random() < 0.1:
                record["email"] = record["email"].capitalize()
            if record["email"] and rng.random() < 0.02:
                record["email"] = self.typo(record["email"])
            if rng.random() < 0.02 and address.city.startswith(("Frankfurt", "München")):
                record["city"] = address.city.split()[0].replace("ü", "ue")
        # Every source knows less than everything.
        for name, rate in (
            ("email", 0.15),
            ("phone", 0.15),
            ("birth_date", 0.08),
            ("given_name", 0.01),
            ("house_number", 0.02),
            ("address_extra", 0.5),
            ("postcode", 0.03),
            ("city", 0.02),
        ):
            if rng.random() < rate:
                record[name] = ""
        return record

    def moved(self, person: _Person) -> _Person:
        """The same person at a new address: half in the same town, half elsewhere."""
        rng = self.rng
        city = self.city_of(person.address) if rng.random() < 0.5 else None
        address = self.address(city)
        return _Person(
            given=person.given,
            female=person.female,
            family=person.family,
            birth=person.birth,
            email=person.email if rng.random() < 0.85 else "",
            mobile=person.mobile if rng.random() < 0.9 else self.mobile(),
            landline=self.landline(self.city_of(address)) if rng.random() < 0.4 else "",
            address=address,
            household=person.household,
        )

    def married(self, person: _Person) -> _Person:
        """A woman after marriage: her husband's name or a double name, often a move."""
        rng = self.rng
        new_family = self.family()
        family = new_family if rng.random() < 0.8 else f"{person.family}-{new_family}"
        changed = self.moved(person) if rng.random() < 0.6 else person
        return _Person(
            given=person.given,
            female=True,
            family=family,
            birth=person.birth,
            email=changed.email if rng.random() < 0.7 else self.email(person.given, family, 0),
            mobile=changed.mobile,
            landline=changed.landline,
            address=changed.address,
            household=person.household,
        )


def _people(
    generator: _Generator, counts: dict[str, int]
) -> Iterator[tuple[dict[str, str], int, int, int]]:
    """(record, person, household, building) without end."""
    rng = generator.rng
    heads: list[_Person] = []
    number = 0
    while True:
        if heads and rng.random() < 0.1:
            person = generator.member(heads.pop(rng.randrange(len(heads))))
            counts["household members"] += 1
        else:
            person = generator.person()
            if rng.random() < 0.5:
                heads.append(person)
                if len(heads) > 2000:
                    heads.pop(0)
        counts["people"] += 1
        number += 1
        address = person.address
        yield generator.record(person, original=True), number, person.household, address.building
        if rng.random() >= 0.22:
            continue
        for _ in range(rng.choice((1, 1, 1, 1, 2, 2, 3))):
            variant = person
            roll = rng.random()
            if roll < 0.15:
                variant = generator.moved(person)
                counts["movers"] += 1
            elif roll < 0.22 and person.female and person.birth[0] < 1998:
                variant = generator.married(person)
                counts["marriages"] += 1
            counts["further records"] += 1
            record = generator.record(variant, original=False)
            # A mover's record belongs to the household and building of the old address
            # only for the truth of who is who; households are judged by person.
            yield record, number, person.household, variant.address.building


def generate(size: int, seed: int = 20_261_202) -> GermanCustomers:
    """``size`` shuffled records with ids ``k0000001`` … and the truth about them."""
    rng = random.Random(seed)
    generator = _Generator(rng, size)
    counts = dict.fromkeys(
        ("people", "household members", "further records", "movers", "marriages"), 0
    )
    rows = []
    for row in _people(generator, counts):
        if len(rows) >= size:
            break
        rows.append(row)
    rng.shuffle(rows)
    width = max(7, len(str(size)))
    records, person, household, building = [], {}, {}, {}
    for number, (record, who, home, house) in enumerate(rows, start=1):
        record_id = f"k{number:0{width}d}"
        records.append({"id": record_id, **record})
        person[record_id] = who
        household[record_id] = home
        building[record_id] = house
    return GermanCustomers(records, person, household, building, counts)


if __name__ == "__main__":
    data = generate(100_000)
    truth = data.true_pairs()
    print(data.counts)
    print("true pairs", len(truth), "household pairs", len(data.household_pairs()))
    print("neighbour pairs", len(data.neighbour_pairs()))
    for record in data.records[:12]:
        print(record)
