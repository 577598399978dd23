"""Generated texts in several languages and mixtures, for checking language identification.

Sentences written for this project (news-like, about invented events), combined by a
seeded generator into texts of every length and mixture that matters to the
"sample of the text" decision: pure foreign texts from a few words to many
paragraphs, English bodies with a foreign quote at the start, middle or end, foreign
bodies with English quotes, an English lead over a foreign body, half-and-half texts.
"""

from __future__ import annotations

import random

SEED = 20261202

SENTENCES: dict[str, tuple[str, ...]] = {
    "en": (
        "The council approved the new budget on Tuesday after a long debate.",
        "Officials said the talks would resume next week in the capital.",
        "Prices rose by 3.5% in the year to March, the statistics office said.",
        "The minister told reporters that the plan would cost more than expected.",
        "Police closed the road for several hours while the crash was investigated.",
        "The company said it would cut 200 jobs as part of a restructuring.",
        "Critics argued that the decision had been taken without consultation.",
        "Heavy rain caused flooding in several towns along the river overnight.",
    ),
    "fr": (
        "Le conseil municipal a adopté mardi le nouveau budget après un long débat.",
        "Les responsables ont indiqué que les négociations reprendraient la semaine prochaine.",
        "Les prix ont augmenté de 3,5 % sur un an en mars, selon l'institut de la statistique.",
        "Le ministre a déclaré aux journalistes que le projet coûterait plus cher que prévu.",
        "La police a fermé la route pendant plusieurs heures après l'accident.",
        "L'entreprise a annoncé la suppression de deux cents emplois dans le cadre d'une restructuration.",
        "Les critiques estiment que la décision a été prise sans aucune concertation.",
        "De fortes pluies ont provoqué des inondations dans plusieurs villes au bord du fleuve.",
    ),
    "de": (
        "Der Stadtrat hat am Dienstag nach einer langen Debatte den neuen Haushalt beschlossen.",
        "Die Verhandlungen sollen nach Angaben der Behörden in der kommenden Woche fortgesetzt werden.",
        "Die Preise stiegen im Jahresvergleich bis März um 3,5 Prozent, teilte das Statistikamt mit.",
        "Der Minister sagte vor Journalisten, das Vorhaben werde teurer als erwartet.",
        "Die Polizei sperrte die Straße nach dem Unfall für mehrere Stunden.",
        "Das Unternehmen kündigte an, im Zuge einer Umstrukturierung zweihundert Stellen zu streichen.",
        "Kritiker bemängeln, dass die Entscheidung ohne jede Beteiligung getroffen wurde.",
        "Starker Regen hat in der Nacht in mehreren Orten entlang des Flusses Überschwemmungen verursacht.",
    ),
    "es": (
        "El ayuntamiento aprobó el martes el nuevo presupuesto tras un largo debate.",
        "Las autoridades señalaron que las negociaciones se reanudarán la próxima semana.",
        "Los precios subieron un 3,5 % interanual en marzo, según la oficina de estadística.",
        "El ministro dijo a los periodistas que el plan costaría más de lo previsto.",
        "La policía cerró la carretera durante varias horas después del accidente.",
        "La empresa anunció que recortará doscientos empleos como parte de una reestructuración.",
        "Los críticos sostienen que la decisión se tomó sin ninguna consulta previa.",
        "Las fuertes lluvias provocaron inundaciones en varios pueblos junto al río durante la noche.",
    ),
    "it": (
        "Il consiglio comunale ha approvato martedì il nuovo bilancio dopo un lungo dibattito.",
        "I funzionari hanno detto che i negoziati riprenderanno la settimana prossima.",
        "I prezzi sono aumentati del 3,5 per cento su base annua a marzo, secondo l'istituto di statistica.",
        "Il ministro ha detto ai giornalisti che il progetto costerà più del previsto.",
        "La polizia ha chiuso la strada per diverse ore dopo l'incidente.",
        "L'azienda ha annunciato il taglio di duecento posti di lavoro nell'ambito di una ristrutturazione.",
        "I critici sostengono che la decisione è stata presa senza alcuna consultazione.",
        "Le forti piogge hanno causato allagamenti in diversi paesi lungo il fiume durante la notte.",
    ),
    "pt": (
        "A câmara municipal aprovou na terça-feira o novo orçamento depois de um longo debate.",
        "As autoridades disseram que as negociações serão retomadas na próxima semana.",
        "Os preços subiram 3,5% em termos homólogos em março, segundo o instituto de estatística.",
        "O ministro disse aos jornalistas que o plano vai custar mais do que o previsto.",
        "A polícia fechou a estrada durante várias horas depois do acidente.",
        "A empresa anunciou o corte de duzentos postos de trabalho no âmbito de uma reestruturação.",
        "Os críticos afirmam que a decisão foi tomada sem qualquer consulta.",
        "A chuva forte provocou inundações em várias localidades junto ao rio durante a noite.",
    ),
    "nl": (
        "De gemeenteraad heeft dinsdag na een lang debat de nieuwe begroting goedgekeurd.",
        "Volgens de autoriteiten worden de onderhandelingen volgende week hervat.",
        "De prijzen stegen in maart met 3,5 procent op jaarbasis, meldde het statistiekbureau.",
        "De minister zei tegen journalisten dat het plan duurder zal uitvallen dan verwacht.",
        "De politie sloot de weg na het ongeluk urenlang af.",
        "Het bedrijf kondigde aan in het kader van een reorganisatie tweehonderd banen te schrappen.",
        "Critici vinden dat het besluit zonder enig overleg is genomen.",
        "Zware regenval zorgde 's nachts voor overstromingen in verschillende plaatsen langs de rivier.",
    ),
}

FOREIGN = tuple(language for language in SENTENCES if language != "en")


def _paragraphs(rng: random.Random, language: str, sentences: int) -> list[str]:
    pool = SENTENCES[language]
    chosen = [rng.choice(pool) for _ in range(sentences)]
    return [" ".join(chosen[k : k + 3]) for k in range(0, len(chosen), 3)]


def _quote(rng: random.Random, language: str) -> str:
    return f"\u201c{' '.join(rng.sample(SENTENCES[language], 2))}\u201d, said a spokesperson."


def generated_texts(count: int = 400, seed: int = SEED) -> list[tuple[str, str]]:
    """(kind, text) pairs: every kind of mixture, every length, ``count`` in all."""
    rng = random.Random(seed)
    texts: list[tuple[str, str]] = []
    kinds = ("pure", "en+quote-start", "en+quote-middle", "en+quote-end", "foreign+en-quote", "en-lead", "half")
    for k in range(count):
        kind = kinds[k % len(kinds)]
        foreign = FOREIGN[(k // len(kinds)) % len(FOREIGN)]
        length = rng.choice((1, 2, 4, 8, 16, 32, 64))
        if kind == "pure":
            paragraphs = _paragraphs(rng, foreign, length)
        elif kind.startswith("en+quote"):
            paragraphs = _paragraphs(rng, "en", max(length, 8))
            at = {"en+quote-start": 0, "en+quote-middle": len(paragraphs) // 2, "en+quote-end": len(paragraphs)}[kind]
            paragraphs.insert(at, _quote(rng, foreign))
        elif kind == "foreign+en-quote":
            paragraphs = _paragraphs(rng, foreign, max(length, 8))
            paragraphs.insert(len(paragraphs) // 2, _quote(rng, "en"))
        elif kind == "en-lead":
            paragraphs = _paragraphs(rng, "en", 3) + _paragraphs(rng, foreign, max(length, 8))
        else:
            paragraphs = _paragraphs(rng, "en", length) + _paragraphs(rng, foreign, length)
        texts.append((f"{kind}/{foreign}/{length}", "\n\n".join(paragraphs)))
    return texts
