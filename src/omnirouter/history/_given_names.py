"""The sex of common given names in Germany, for telling a husband from his wife.

Only names that are clearly one sex are listed (``Kim``, ``Toni`` or ``Maria`` as a
male middle name are left out). Names are in :func:`~omnirouter.history.normalize_name`
form: folded to ASCII, lower case. A name that is not listed has no known sex, and two
such names are compared by their spelling alone.
"""

from __future__ import annotations

__all__ = ["name_sex"]

_FEMALE_NAMES = """
    ada adele adelheid agathe agnes agnieszka aleksandra alexandra alice alina alma amelie
    ana anastasia andrea angela angelika anita anja anke anna annalena anne annegret annelie
    anneliese annemarie annette antje antonia ariane astrid aylin ayse baerbel barbara beate
    beatrix bettina bianca birgit brigitte britta carina carla carmen carolin caroline
    charlotte chiara christa christel christiane christina christine clara claudia cornelia
    dagmar daniela diana doris dorothea edith elena eleni elfi elfriede elif elisabeth elke
    ella ellen elli elsa else emilia emily emine emma erika erna esther eva evelyn fatima
    fatma franziska frieda friederike gabi gabriele gerda gertrud gisela giulia greta gudrun
    hanna hannah hannelore hedwig heidi heike helene helga herta hertha hilde hildegard ida
    ilona ilse inge ingeborg ingrid irene irina iris irmgard isabel isabell isabella
    jacqueline jana janina jasmin jelena jennifer jessica johanna josefine judith julia
    juliane jutta karin karla katarzyna katharina kathrin katja katrin kerstin klara
    kristina lara laura lea lena leni leonie liane lina linda lisa lotte louisa lucia luisa
    luise lydia magdalena maja malgorzata manuela mareike margarete margit margot marianne
    marie marina marion marlene martha martina mathilda melanie melissa mia michaela milena
    miriam monika nadine nadja natalia natalie nicole nina nora olga paula paulina petra pia
    ramona regina renate rita romy rosa rosemarie ruth sabine sabrina sandra sara sarah
    silke silvia simone sofia sophia sophie stefanie stephanie susanne svenja swantje tamara
    tanja tatjana theresa therese tina ulrike ursula ute valentina vanessa vera veronika
    viktoria waltraud wilhelmine yvonne zeynep
"""
_MALE_NAMES = """
    achim adam adrian ahmet albert alexander alfred ali andre andreas anton armin arne
    arnold arthur august axel ben benedikt benjamin bernd bernhard bjoern burkhard carl
    carsten christian christoph christopher claus constantin daniel david dennis detlef
    dieter dietmar dirk dmitri dominik dragan eberhard edgar eduard egon elias emil erich
    erik ernst erwin eugen fabian felix ferdinand finn florian frank franz friedrich fritz
    georg gerd gerhard giuseppe gottfried guenter guenther gustav hans harald hartmut heiko
    heinrich heinz helmut henning henrik herbert hermann holger horst hubert hueseyin hugo
    ingo ivan jakob jan jannik jens joachim jochen joerg johann johannes jonas jonathan jose
    josef juergen julian julius justus kai karl karsten klaus konrad konstantin krzysztof
    kurt lars leon leonard leopold lothar luca lucas ludwig luis lukas lukasz malte manfred
    manuel marcel marco marcus mario markus martin mathias matthias max maximilian mehmet
    michael moritz mustafa niklas nikolaos nikolas nils noah norbert olaf oliver oskar otto
    pascal patrick paul peter philipp piotr rainer ralf ralph reiner reinhard reinhold
    richard robert roland rolf rudolf ruediger sebastian sergei siegfried simon stefan
    steffen stephan sven theo thomas thorsten tim timo tobias tomasz torsten udo ulrich uwe
    valentin viktor volker walter werner wilhelm willi wolfgang
"""
_FEMALE = frozenset(_FEMALE_NAMES.split())
_MALE = frozenset(_MALE_NAMES.split())


def name_sex(name: str) -> str | None:
    """``"f"`` or ``"m"`` for a listed given name (its first part), else ``None``."""
    first = name.split(" ", 1)[0]
    if first in _FEMALE:
        return "f"
    if first in _MALE:
        return "m"
    return None
