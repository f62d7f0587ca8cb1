"""Negations, conditions and who-is-concerned cases from the dev18–dev19 round (issue 6).

Each case names one flag and whether the claim raises it, with all languages' patterns loaded as
the pipeline loads them. Harmless claims come from legitimate adverts (an application deadline,
clothed photos for a model agency, papers said to be not needed); the others say the same things
where the worker is the one harmed. Sentences are invented for these tests.
"""

from __future__ import annotations

import pytest
import spacy

from nlu.red_flag_scanner import load_rules, scan

RULES = load_rules(["en", "es", "fr"])
TOKENIZERS = {lang: spacy.blank(lang) for lang in ("en", "es", "fr")}


def raises(lang: str, text: str, flag: str) -> bool:
    return flag in {e["value"] for e in scan(TOKENIZERS[lang](text), RULES)}


@pytest.mark.parametrize(
    "lang, text, flag, expected",
    [
        # An age with "years" between the number and "and up" is still an age floor under 18.
        ("en", "Garment factory needs girls, 15 years and up are accepted.", "minor_targeted", True),
        ("en", "Packers wanted, 16 years old and above.", "minor_targeted", True),
        ("en", "Packers wanted, 18 years and up.", "minor_targeted", False),
        # Papers said to be not needed are not being kept by anyone...
        ("en", "No ID card needed, we travel together with the agent.", "document_retention", False),
        ("en", "The agent keeps your ID card until the debt is paid.", "document_retention", True),
        # A promise never to ask for the passport is not retention, however many words it takes;
        # a worker not allowed to keep it, or a passport given back only after payment, is.
        ("en", "We will never ask you to hand over your passport or phone.", "document_retention", False),
        ("en", "UAE law does not allow employers to keep workers' passports.", "document_retention", False),
        ("en", "They will not let you keep your passport.", "document_retention", True),
        ("en", "The company does not allow workers to keep their passports.", "document_retention", True),
        ("en", "The agency will never give back your passport until you pay.", "document_retention", True),
        ("en", "We let you keep your passport.", "document_retention", False),
        # Discretion towards a current employer or other candidates is not secrecy from family.
        ("en", "Don't tell your current employer until you have our written offer.", "secrecy", False),
        ("en", "We ask you not to discuss salary with other candidates.", "secrecy", False),
        ("en", "Don't tell your family until you are there.", "secrecy", True),
        # Rules for the workstation, the shift and sterile rooms are workplace rules, not confinement.
        ("en", "Workers are not allowed to leave their workstation during the shift.", "movement_restriction", False),
        ("en", "Phones are not allowed in the clean room.", "movement_restriction", False),
        ("en", "Workers cannot go outside during the shift or on days off.", "movement_restriction", True),
        # A transfer only with the worker's agreement is not a job switch.
        ("en", "The employer may move you to another branch only with your written agreement.", "job_switch", False),
        ("en", "The employer may transfer you to another branch at any time.", "job_switch", True),
        # A full-length photo in work clothes is not a body photo; with a bikini, or "for the uniform", it is.
        ("en", "Send a full-length photo in work clothes.", "photo_request", False),
        ("en", "Send a full-length photo in work clothes and one in a bikini.", "photo_request", True),
        ("en", "Send a selfie and a full body pic for the uniform.", "photo_request", True),
        # High pay named for senior or qualified trades is not a lure; with "no experience" it is.
        ("en", "Starting salary $4,000/month for senior nurses with ICU experience.", "unrealistic_pay", False),
        ("en", "Experienced welders earn $4,500 per month on offshore rigs.", "unrealistic_pay", False),
        ("en", "Senior welders earn $4,500 per month, no experience needed.", "unrealistic_pay", True),
        ("en", "Earn $5,000 a month with no experience needed.", "unrealistic_pay", True),
        # A recruiter writing through the company's own HR team is not a stranger from social media.
        ("en", "I saw your profile on LinkedIn and our HR team will email you.", "online_stranger", False),
        ("en", "I saw your profile on LinkedIn, message me on WhatsApp.", "online_stranger", True),
        # The same conditions in Spanish and French.
        ("es", "No le digas a tu jefe actual hasta que tengas la oferta por escrito.", "secrecy", False),
        ("es", "No le digas a tu familia hasta que llegues.", "secrecy", True),
        ("fr", "N'en parlez pas a votre employeur actuel avant d'avoir l'offre ecrite.", "secrecy", False),
        ("fr", "N'en parle pas a ta famille.", "secrecy", True),
        ("es", "Salario de 4.000 dólares al mes para enfermeras con experiencia en UCI.", "unrealistic_pay", False),
        ("es", "4.000 dólares al mes para enfermeras, sin experiencia.", "unrealistic_pay", True),
        ("fr", "Salaire de 4 500 euros par mois pour des infirmieres experimentees.", "unrealistic_pay", False),
        ("fr", "4 500 euros par mois, sans experience.", "unrealistic_pay", True),
        ("es", "Envía dos fotos de cuerpo entero con ropa de trabajo.", "photo_request", False),
        ("fr", "Envoyez une photo en pied en tenue de travail.", "photo_request", False),
        ("fr", "Telephones interdits dans la salle blanche.", "movement_restriction", False),
        ("fr", "Telephones interdits, on les garde au bureau.", "movement_restriction", True),
        ("es", "Damos clases a jóvenes de 15 a 17 años.", "minor_targeted", False),
        ("es", "Damos trabajo a jóvenes de 15 a 17 años.", "minor_targeted", True),
        ("fr", "Garde de deux adolescents de 14 et 16 ans.", "minor_targeted", False),
        ("fr", "Cherchons une fille de 15 ans pour garder les enfants.", "minor_targeted", True),
        ("fr", "Garder une fille de 12 ans le mercredi.", "minor_targeted", False),
        ("es", "Cuidar a una niña de 12 años por las tardes.", "minor_targeted", False),
        ("es", "Se busca una niña de 14 años para cuidar a sus hijos.", "minor_targeted", True),
        # ...and "no papers needed" does not cancel a contract denied in the same claim.
        ("en", "Boat work, no papers needed, no contract.", "no_contract", True),
        ("en", "Fishing crew wanted, no papers needed for EU citizens.", "no_contract", False),
        # The worker crossing a border is a journey (a visa question), not a job that changes.
        ("en", "We cross the river at night with the broker.", "job_switch", False),
        ("en", "We cross the river at night with the broker.", "wrong_visa", True),
        ("en", "The real job is across the border, not here.", "job_switch", True),
        # Limited places next to an ordinary application deadline are not pressure.
        ("es", "Plazas limitadas: postula antes del 15 de marzo.", "urgency_pressure", False),
        ("es", "Plazas limitadas, paga la reserva antes del viernes.", "urgency_pressure", True),
        ("es", "Quedan 3 plazas, inscríbete antes del viernes.", "urgency_pressure", True),
        ("fr", "Date limite de candidature: 15 mars, places limitées.", "urgency_pressure", False),
        ("fr", "Places limitées, il reste deux places, envoyez le dossier avant le 10 mai.", "urgency_pressure", True),
        # Clothed, natural photos are how model agencies ask; a bikini in the same claim is still a flag.
        ("fr", "Envoyez deux photos naturelles, visage et en pied, en jean et t-shirt.", "photo_request", False),
        ("fr", "Envoie une photo en pied et une en lingerie.", "photo_request", True),
        ("es", "Manda dos fotos de cuerpo entero, naturales, en jeans.", "photo_request", False),
        ("es", "Fotos de cuerpo entero sin maquillaje y en bikini.", "photo_request", True),
        # A girl's age asked for is a minor targeted; the age of the children she cares for is not.
        ("es", "Se busca nena de 14 años para limpieza.", "minor_targeted", True),
        ("es", "Familia busca niñera para cuidar a dos niños de 12 años.", "minor_targeted", False),
        ("es", "Familia busca niña de 14 años para cuidar a sus hijos.", "minor_targeted", True),
        # Contract denied in a list; confinement said as "cannot go out" and "nobody goes ashore".
        ("es", "No necesita papeles ni contrato.", "no_contract", True),
        ("es", "La patrona manda y no puede salir sola.", "movement_restriction", True),
        ("es", "Nadie baja a tierra en seis meses.", "movement_restriction", True),
        ("fr", "Pas de sortie pendant la semaine.", "movement_restriction", True),
        ("fr", "Personne ne descend à terre pendant la saison.", "movement_restriction", True),
        # High pay for only knowing how to type; a fee said as "the trip comes to".
        ("es", "Solo saber escribir en la computadora.", "unrealistic_pay", True),
        ("fr", "Il suffit de savoir taper sur un clavier.", "unrealistic_pay", True),
        ("es", "El viaje sale en 60 mil quetzales.", "recruitment_fee", True),
        # An employer named only on arrival, for any kind of workplace.
        ("es", "El nombre del establecimiento te lo digo al llegar.", "vague_employer", True),
        ("fr", "Le nom de l'établissement sera donné à l'arrivée.", "vague_employer", True),
    ],
)
def test_conditions_decide_whether_a_claim_is_a_flag(lang: str, text: str, flag: str, expected: bool) -> None:
    assert raises(lang, text, flag) is expected
