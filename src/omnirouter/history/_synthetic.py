"""A seeded generator of contact records with known duplicates and household members.

Used by the tests and the benchmarks of the duplicate finder. Every record is a plain
``dict[str, str]`` (as a CSV row would be); ``entity`` tells which person it belongs to,
so the true duplicate pairs are known. Household members share family name, address and
often the landline, but are different people and must never be merged.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator

import attrs

__all__ = ["SyntheticContacts", "synthetic_contacts"]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_GIVEN_DE = _words(
    "Anna Maria Sophie Marie Laura Lea Julia Lena Hannah Emma Mia Lisa Sarah Katharina "
    "Johanna Clara Charlotte Paula Greta Ida Frieda Ursula Renate Monika Petra Sabine Claudia "
    "Andrea Susanne Birgit Heike Gabriele Brigitte Ingrid Helga Karin Christa Erika Gisela "
    "Jutta Bärbel Jürgen Hans Peter Klaus Wolfgang Michael Thomas Andreas Stefan Frank Uwe "
    "Dieter Günter Horst Manfred Werner Gerhard Helmut Heinz Walter Karl Rolf Bernd Ralf "
    "Lukas Jonas Leon Finn Paul Felix Maximilian Elias Noah Ben Luca Tim Jan Niklas Tobias "
    "Sebastian Florian Christian Markus Matthias Alexander Daniel Martin Jörg Björn Sören "
    "Jens Dirk Sven Kai Timo Simon Philipp Moritz Jakob Emil Anton Oskar Theo Fritz Ludwig"
)
_GIVEN_INTL = _words(
    "Mehmet Ayşe Fatma Mustafa Ahmet Emine Hüseyin Zeynep Ali Elif Piotr Agnieszka Krzysztof "
    "Małgorzata Tomasz Katarzyna Łukasz Joanna Giuseppe Francesca Marco Giulia Alessandro "
    "Chiara Ivan Olga Dmitri Natalia Sergei Irina John Mary James Patricia Robert Jennifer "
    "David Linda William Elizabeth José Carmen António Inês François Amélie Søren Åsa "
    "Mohammed Fatima Omar Aisha Yusuf Layla Nikolaos Eleni Dragan Jelena Ana Luis Sofía"
)
_FAMILY_DE = _words(
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch "
    "Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann "
    "Hartmann Lange Schmitt Werner Schmitz Krause Meier Lehmann Schmid Schulze Maier Köhler "
    "Herrmann König Walter Mayer Huber Kaiser Fuchs Peters Lang Scholz Möller Weiß Jung Hahn "
    "Schubert Vogel Friedrich Keller Günther Frank Berger Winkler Roth Beck Lorenz Baumann "
    "Franke Albrecht Schuster Simon Ludwig Böhm Winter Kraus Martin Schumacher Krämer Vogt "
    "Stein Jäger Otto Sommer Groß Seidel Heinrich Brandt Haas Schreiber Graf Schulte Dietrich "
    "Ziegler Kuhn Kühn Pohl Engel Horn Busch Bergmann Thomas Voigt Sauer Arnold Wolff Pfeiffer"
)
_FAMILY_INTL = _words(
    "Yılmaz Kaya Demir Şahin Çelik Yıldız Öztürk Aydın Nowak Kowalski Wiśniewski Wójcik "
    "Kowalczyk Kamiński Lewandowski Rossi Russo Ferrari Esposito Bianchi Romano Colombo "
    "Ivanov Smirnov Kuznetsov Popov Petrov Smith Johnson Williams Brown Jones Garcia Miller "
    "Davis Rodriguez Martinez Silva Santos Ferreira Pereira Dubois Durand Lefebvre Moreau "
    "Jensen Nielsen Hansen Andersen Papadopoulos Nikolaidis Horvat Kovačević Novak Hodžić"
)
# Syllables that make a long tail of plausible rare family names ("Lindenhagen").
_FAMILY_HEADS = _words(
    "Acker Adler Alt Am Bach Bären Baum Berg Birk Blum Boden Brand Brei Brück Buch Burg "
    "Dorn Eck Eich Eis Engel Erl Falk Feld Fels Fink Forst Frei Fried Gold Grün Hag Hain "
    "Hasel Heide Helm Hirsch Hoch Holz Horn Hub Kalk Kamm Kirch Klee Kling Kolb Kreuz Kron "
    "Kuhl Land Lauter Lehn Linden Loh Mark Mittel Moos Mühl Neu Nord Ober Ost Pfeil Quer "
    "Rab Rauch Reh Reich Rein Ried Ring Rose Rot Sand Schön Seel Sieg Silber Sonnen Spring "
    "Stahl Stau Stern Stock Strauch Süd Tann Teich Thal Unter Vogt Wald Wasser Weid Weiss "
    "Wend West Wies Wild Wind Winkel Wolken Zehn Zell"
)
_FAMILY_TAILS = _words(
    "mann er hagen berg feld bach hof meier huber mayer stein bauer hauser thaler brunner "
    "wald baum wies graf ling inger le l rich ert hardt schmidt müller becker kamp dorf "
    "heim mühle weg bruch busch egger acher ner"
)
_STREETS = _words(
    "Haupt Bahnhof Garten Schul Dorf Kirch Berg Wald Ring Linden Birken Mühlen Post Feld "
    "Wiesen Sonnen Rosen Goethe Schiller Friedrich Wilhelm Bismarck Mozart Beethoven Park "
    "Am Markt Tal Eichen Buchen Kastanien Ahorn Blumen Jahn Uhland Lessing Herder Kant"
)
_STREET_TYPES = ("straße", "weg", "allee", "platz", "gasse", "ring")
_CITIES = _words(
    "Berlin Hamburg München Köln Frankfurt Stuttgart Düsseldorf Leipzig Dortmund Essen "
    "Bremen Dresden Hannover Nürnberg Duisburg Bochum Wuppertal Bielefeld Bonn Münster "
    "Mannheim Karlsruhe Augsburg Wiesbaden Mönchengladbach Gelsenkirchen Aachen Braunschweig "
    "Kiel Chemnitz Halle Magdeburg Freiburg Krefeld Mainz Lübeck Erfurt Oberhausen Rostock "
    "Kassel Hagen Potsdam Saarbrücken Hamm Ludwigshafen Oldenburg Osnabrück Leverkusen "
    "Heidelberg Darmstadt Solingen Regensburg Herne Paderborn Neuss Ingolstadt Offenbach "
    "Fürth Würzburg Ulm Heilbronn Pforzheim Wolfsburg Göttingen Bottrop Reutlingen Koblenz"
)
_MAIL_DOMAINS = ("gmail.com", "web.de", "gmx.de", "t-online.de", "outlook.com", "posteo.de")
_UMLAUT_SPELLINGS = {"ä": ("ae", "a"), "ö": ("oe", "o"), "ü": ("ue", "u"), "ß": ("ss",)}
_KEYBOARD = "abcdefghijklmnopqrstuvwxyz"

FIELDS = (
    "given_name",
    "family_name",
    "birth_date",
    "email",
    "phone",
    "street",
    "house_number",
    "postcode",
    "city",
)


@attrs.frozen
class SyntheticContacts:
    """Generated records, the person each belongs to, and how many are household members."""

    records: list[dict[str, str]]
    entity: dict[str, int]
    household_members: int

    def true_pairs(self) -> set[tuple[str, str]]:
        """Every pair of record ids (sorted within the pair) that belong to one person."""
        by_entity: dict[int, list[str]] = {}
        for record_id, entity in self.entity.items():
            by_entity.setdefault(entity, []).append(record_id)
        pairs: set[tuple[str, str]] = set()
        for ids in by_entity.values():
            ids.sort()
            for index, first in enumerate(ids):
                for second in ids[index + 1 :]:
                    pairs.add((first, second))
        return pairs


@attrs.define
class _Person:
    given: str
    family: str
    birth: tuple[int, int, int]
    email: str
    phone: str
    street: str
    house: str
    postcode: str
    city: str


class _Generator:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.given = _GIVEN_DE + _GIVEN_INTL
        self.family_common = _FAMILY_DE + _FAMILY_INTL

    def family_name(self) -> str:
        rng = self.rng
        if rng.random() < 0.3:
            # Mild skew: the first names of the list are the most common ones.
            index = int(len(self.family_common) * rng.random() ** 1.6)
            return self.family_common[index]
        head = rng.choice(_FAMILY_HEADS)
        return head + rng.choice(_FAMILY_TAILS)

    def given_name(self, other_than: str = "") -> str:
        while True:
            name = self.rng.choice(self.given)
            if name != other_than:
                return name

    def birth(self) -> tuple[int, int, int]:
        rng = self.rng
        return rng.randint(1935, 2006), rng.randint(1, 12), rng.randint(1, 28)

    def email(self, given: str, family: str) -> str:
        rng = self.rng
        local = _ascii(given).lower() + rng.choice((".", "_", "")) + _ascii(family).lower()
        if rng.random() < 0.5:
            local += str(rng.randint(1, 999))
        return f"{local}@{rng.choice(_MAIL_DOMAINS)}"

    def phone(self) -> str:
        rng = self.rng
        if rng.random() < 0.5:
            return f"01{rng.choice('567')}{rng.randint(0, 9)} {rng.randint(1000000, 9999999)}"
        return f"0{rng.randint(20, 999)} {rng.randint(100000, 9999999)}"

    def person(self) -> _Person:
        rng = self.rng
        given, family = self.given_name(), self.family_name()
        city_index = rng.randrange(len(_CITIES))
        return _Person(
            given=given,
            family=family,
            birth=self.birth(),
            email=self.email(given, family),
            phone=self.phone(),
            street=rng.choice(_STREETS) + rng.choice(_STREET_TYPES),
            house=str(rng.randint(1, 180)) + (rng.choice("abc") if rng.random() < 0.1 else ""),
            postcode=f"{10000 + city_index * 1200 + rng.randrange(1200):05d}",
            city=_CITIES[city_index],
        )

    def household_member(self, head: _Person) -> _Person:
        rng = self.rng
        given = self.given_name(other_than=head.given)
        birth = head.birth if rng.random() < 0.05 else self.birth()  # twins happen
        return _Person(
            given=given,
            family=head.family,
            birth=birth,
            email=self.email(given, head.family) if rng.random() < 0.7 else head.email,
            phone=head.phone if rng.random() < 0.6 else self.phone(),
            street=head.street,
            house=head.house,
            postcode=head.postcode,
            city=head.city,
        )

    def typo(self, text: str) -> str:
        rng = self.rng
        if len(text) < 3:
            return text
        at = rng.randrange(1, len(text))
        kind = rng.randrange(4)
        if kind == 0:
            return text[:at] + text[at + 1 :]
        if kind == 1:
            return text[:at] + rng.choice(_KEYBOARD) + text[at:]
        if kind == 2:
            return text[:at] + rng.choice(_KEYBOARD) + text[at + 1 :]
        if at < len(text) - 1:
            return text[:at] + text[at + 1] + text[at] + text[at + 2 :]
        return text

    def respell(self, name: str) -> str:
        """Umlauts written out or dropped, a typo, or a phonetic variant."""
        rng = self.rng
        for umlaut, spellings in _UMLAUT_SPELLINGS.items():
            if umlaut in name and rng.random() < 0.6:
                name = name.replace(umlaut, rng.choice(spellings))
        roll = rng.random()
        if roll < 0.35:
            return self.typo(name)
        if roll < 0.45:
            return name.upper()
        if roll < 0.5:
            for old, new in (("ei", "ai"), ("dt", "tt"), ("ph", "f"), ("y", "i"), ("ck", "k")):
                if old in name:
                    return name.replace(old, new, 1)
        return name

    def variant(self, person: _Person) -> dict[str, str]:
        """One more record of ``person``, as another source or a careless agent wrote it."""
        rng = self.rng
        year, month, day = person.birth
        given, family = self.respell(person.given), self.respell(person.family)
        if rng.random() < 0.5:
            given, family = person.given, family
        if rng.random() < 0.02:
            given, family = family, given
        roll = rng.random()
        if roll < 0.05 and day <= 12:
            month, day = day, month
        birth = f"{year:04d}-{month:02d}-{day:02d}"
        if 0.05 <= roll < 0.1:
            birth = self.typo(birth.replace("-", ""))
            birth = f"{birth[:4]}-{birth[4:6]}-{birth[6:]}" if len(birth) == 8 else birth
        elif rng.random() < 0.3:
            birth = f"{day:02d}.{month:02d}.{year:04d}"
        street = person.street
        if street.endswith("straße") and rng.random() < 0.5:
            street = street[: -len("straße")] + rng.choice(("str.", "strasse", " Str."))
        elif rng.random() < 0.1:
            street = self.typo(street)
        phone = person.phone
        if rng.random() < 0.4:
            phone = "+49 " + phone[1:].replace(" ", "")
        elif rng.random() < 0.1:
            phone = phone.replace(" ", "-")
        email = person.email.upper() if rng.random() < 0.1 else person.email
        if rng.random() < 0.05:
            email = self.typo(email)
        record = {
            "given_name": given,
            "family_name": family,
            "birth_date": birth,
            "email": email,
            "phone": phone,
            "street": street,
            "house_number": person.house,
            "postcode": person.postcode,
            "city": person.city,
        }
        # Missing values: every source knows less than everything.
        for field in ("email", "phone", "birth_date", "street", "house_number", "given_name"):
            if rng.random() < (0.04 if field == "given_name" else 0.15):
                record[field] = ""
        return record


def _ascii(text: str) -> str:
    for umlaut, spellings in _UMLAUT_SPELLINGS.items():
        text = text.replace(umlaut, spellings[0]).replace(umlaut.upper(), spellings[0].title())
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode()


def _original(person: _Person) -> dict[str, str]:
    year, month, day = person.birth
    return {
        "given_name": person.given,
        "family_name": person.family,
        "birth_date": f"{year:04d}-{month:02d}-{day:02d}",
        "email": person.email,
        "phone": person.phone,
        "street": person.street,
        "house_number": person.house,
        "postcode": person.postcode,
        "city": person.city,
    }


def _people(
    generator: _Generator, household_rate: float, duplicate_rate: float, max_duplicates: int
) -> Iterator[tuple[dict[str, str], int, bool]]:
    """(record, entity number, is a household member), without end."""
    rng = generator.rng
    entity = 0
    heads: list[_Person] = []
    while True:
        is_member = bool(heads) and rng.random() < household_rate
        if is_member:
            person = generator.household_member(heads.pop(rng.randrange(len(heads))))
        else:
            person = generator.person()
            heads.append(person)
            if len(heads) > 1000:
                heads.pop(0)
        yield _original(person), entity, is_member
        if rng.random() < duplicate_rate:
            for _ in range(rng.randint(1, max_duplicates)):
                yield generator.variant(person), entity, is_member
        entity += 1


def synthetic_contacts(
    size: int,
    rng: random.Random,
    *,
    household_rate: float = 0.1,
    duplicate_rate: float = 0.3,
    max_duplicates: int = 3,
) -> SyntheticContacts:
    """``size`` contact records with known duplicates, drawn from ``rng``.

    About ``household_rate`` of the people are household members of an earlier person
    (same family name and address, often the same phone, a different given name and,
    twins aside, birth date). ``duplicate_rate`` of the people get 1 to
    ``max_duplicates`` further records with typos, spelling variants, swapped fields,
    other formats and missing values. Records are shuffled and have ids ``c0000001`` ….
    """
    generator = _Generator(rng)
    rows: list[tuple[dict[str, str], int, bool]] = []
    for row in _people(generator, household_rate, duplicate_rate, max_duplicates):
        if len(rows) >= size:
            break
        rows.append(row)
    rng.shuffle(rows)
    width = max(7, len(str(size)))
    records: list[dict[str, str]] = []
    entity: dict[str, int] = {}
    members = 0
    for number, (record, person, is_member) in enumerate(rows, start=1):
        record_id = f"c{number:0{width}d}"
        records.append({"id": record_id, **record})
        entity[record_id] = person
        members += is_member
    return SyntheticContacts(records=records, entity=entity, household_members=members)
