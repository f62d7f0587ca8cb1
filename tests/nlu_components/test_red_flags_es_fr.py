"""Spanish and French patterns: red flags in labelled adverts, and the danger phrases of emergencies.

Each advert lists exactly the flags it should raise. The legitimate ones mention fees, passports,
visas, contracts, photos and ages in harmless ways; they must raise nothing, so no high risk.
Adverts are invented for these tests (names, agencies and numbers are fictional).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, List, Set, Tuple

import pytest
import spacy
import yaml
from spacy.language import Language

from actions.job_offer.scoring import score_offer
from nlu.emergency_priority import load_patterns
from nlu.red_flag_scanner import load_rules, scan

RULES = {lang: load_rules([lang]) for lang in ("es", "fr")}
# The language's own tokenizer, and the blank English one the pipeline uses today.
TOKENIZERS = {lang: [spacy.blank(lang), spacy.blank("en")] for lang in ("es", "fr")}


def flags(lang: str, text: str, nlp: Language) -> Set[str]:
    return {e["value"] for e in scan(nlp(text), RULES[lang])}


ADS_ES = [
    # Legitimate: fees, passports, visas, contracts and photos mentioned harmlessly.
    (
        "Se solicitan recolectores para Canadá (programa de trabajadores agrícolas temporales). "
        "El empleador paga la visa de trabajo y el boleto de avión. "
        "No se cobra ninguna tarifa al trabajador. "
        "Contrato en español firmado antes de viajar.",
        [],
    ),
    (
        "Agencia Puente Laboral S.A.S., licencia No. 0412 del Ministerio de Trabajo. "
        "Requisitos: pasaporte vigente, mayores de 18 años, mínimo 1 año de experiencia. "
        "El pasaporte se queda contigo en todo momento.",
        [],
    ),
    (
        "Vacante: camarera de piso en hotel de Madrid. Sueldo 1.350 euros al mes más propinas. "
        "Trae tu pasaporte y dos fotos tamaño carnet a la entrevista.",
        [],
    ),
    (
        "Cuidadora de adultos mayores en Santiago. Visa de trabajo tramitada por el empleador antes de viajar. "
        "Pago quincenal por depósito a tu propia cuenta. Un día libre a la semana.",
        [],
    ),
    (
        "Operarios de planta en Monterrey. Sueldo $9,500 pesos al mes, prestaciones de ley. "
        "Prohibido el uso de celular durante el turno por seguridad.",
        [],
    ),
    (
        "Programa H-2A en Georgia, EE.UU.: la empresa cubre la visa, el transporte y la vivienda. "
        "Cero cobros por reclutamiento. Si alguien te pide dinero, es una estafa: denúncialo.",
        [],
    ),
    (
        "Contrato de trabajo por escrito con copia para ti antes de la salida. "
        "Los gastos de visa son pagados por el empleador y se reembolsan al llegar.",
        [],
    ),
    # Exploitative.
    (
        "URGENTE chicas para bar en Panamá, sueldo 3000 dólares al mes sin experiencia. "
        "Viaje pagado, lo descontamos de tu sueldo. Solo quedan 3 cupos, salimos este viernes.",
        ["unrealistic_pay", "debt_bondage", "urgency_pressure"],
    ),
    (
        "Trabajo de limpieza en Madrid. Debes pagar 500 dólares de trámite para la visa. "
        "Entras como turista y allá te arreglamos los papeles.",
        ["recruitment_fee", "wrong_visa"],
    ),
    (
        "La agencia se queda con tu pasaporte por seguridad. El contrato lo firmas al llegar.",
        ["document_retention", "no_contract"],
    ),
    (
        "No le digas nada a tu familia hasta que llegues. Si te pregunta migración, di que vas de vacaciones.",
        ["secrecy"],
    ),
    (
        "Hola linda, te vi en Instagram, mándame unas fotos en bikini y de cuerpo completo para el casting.",
        ["online_stranger", "photo_request"],
    ),
    (
        "Buscamos muchachas de 16 a 22 años para atender en restaurante. Menores de edad bienvenidas con permiso.",
        ["minor_targeted"],
    ),
    (
        "Vives en la casa de la señora. No puedes salir sola y el celular te lo guarda la patrona. Sin días libres.",
        ["movement_restriction"],
    ),
    (
        "Es para una empresa muy importante en México, el nombre de la empresa te lo digo al llegar. "
        "Al llegar te decimos en qué vas a trabajar, algunas chicas también atienden clientes en privado.",
        ["vague_employer", "job_switch"],
    ),
    (
        "Cuota de inscripción: 200 dólares a la cuenta del agente. Cuando llegues pagas el pasaje trabajando.",
        ["recruitment_fee", "debt_bondage"],
    ),
    (
        "mi hija tiene 16 y un señor de facebook le ofrece trabajo en cancun, dice q el contrato no hace falta",
        ["minor_targeted", "online_stranger", "no_contract"],
    ),
    # A second batch, scored before the patterns were tuned on it.
    (
        "🔥🔥 CHAMBA EN EEUU 🔥🔥\n"
        "✅ Jardinería y limpieza en Houston\n"
        "✅ Pago 18 dólares la hora\n"
        "✅ No necesitas papeles, nosotros te cruzamos\n"
        "✅ El viaje lo pagas con tu trabajo\n"
        "Info al privado",
        ["debt_bondage", "vague_employer", "wrong_visa"],
    ),
    (
        "Hotel Sol Caribe S.A. (Punta Cana) contrata recepcionistas bilingües. "
        "Requisitos: inglés avanzado, 2 años de experiencia mínima. "
        "Ofrecemos contrato indefinido, seguro médico y uniforme. Enviar CV a rrhh@solcaribe.example.",
        [],
    ),
    (
        "yo: y el contrato?\n"
        "señora Marta: eso no hace falta mija, confía en mí\n"
        "señora Marta: tu pasaporte me lo das a mí pa que no se pierda\n"
        "yo: y puedo llamar a mi mamá?\n"
        "señora Marta: los domingos nomás, el cel lo guardo yo",
        ["document_retention", "movement_restriction", "no_contract"],
    ),
    (
        "Se buscan jóvenes de 15 a 20 años para trabajo en fincas de café. Hospedaje y comida. "
        "Salida mañana en la madrugada, cupos limitados.",
        ["minor_targeted", "urgency_pressure"],
    ),
    (
        "Programa de Movilidad Laboral: trabajo temporal agrícola en Canadá. "
        "El Ministerio de Trabajo coordina la selección. El trabajador no paga nada por el reclutamiento. "
        "El empleador cubre el boleto aéreo. Visa de trabajo gestionada antes del viaje.",
        [],
    ),
    (
        "Hola bella! "
        "vi tu perfil en facebook, tengo un trabajo de modelo webcam en Bogotá, ganas 5000 dólares al mes "
        "fácil. Solo mándame unas fotos tuyas en ropa interior y te explico por privado.",
        ["online_stranger", "photo_request", "unrealistic_pay", "vague_employer"],
    ),
    (
        "Se necesita ayudante de cocina en restaurante de Lima. Sueldo 1."
        "300 soles mensuales, en planilla con beneficios de ley. Presentarse con DNI.",
        [],
    ),
    (
        "Trabajo en Japón en fábrica. Para reservar tu lugar deposita 400 dólares al número de cuenta. "
        "El curso de japonés se paga aparte. Si renuncias antes del año pagas multa.",
        ["debt_bondage", "recruitment_fee"],
    ),
    (
        "Busco muchacha para casa de familia en Madrid, la señora es muy buena. "
        "Primero trabajas con ella unos meses y luego te pasamos a otra casa. "
        "No le digas a nadie de tu familia hasta que estés allá.",
        ["job_switch", "secrecy"],
    ),
    (
        "Guardias de seguridad para Dubái. Edad 21 a 40 años. "
        "Visa de trabajo y pasaje a cargo de la empresa. Tu pasaporte queda en tu poder.",
        [],
    ),
]

ADS_FR = [
    # Legitimate: fees, passports, visas, contracts and photos mentioned harmlessly.
    (
        "Recrutement de saisonniers agricoles pour l'Espagne (programme officiel). "
        "Aucun frais n'est demandé aux candidats. "
        "Le visa de travail est délivré avant le départ et le billet est pris en charge par l'employeur.",
        [],
    ),
    (
        "Agence Teranga Placement SARL, agrément n° 0245 du ministère du Travail. "
        "Pièces à fournir : passeport valide, acte de naissance, deux photos d'identité. "
        "Le passeport reste avec vous pendant tout le contrat.",
        [],
    ),
    (
        "Aide-soignante à Lyon, CDI. Salaire 1 900 euros brut par mois. "
        "Apportez votre passeport et votre CV à l'entretien.",
        [],
    ),
    (
        "Contrat de travail en français signé avant le départ, une copie vous est remise. "
        "Un jour de repos par semaine, vous gardez votre téléphone.",
        [],
    ),
    (
        "Chauffeurs-livreurs à Abidjan. Rémunération 250 000 FCFA par mois, payée par Orange Money. "
        "Cotisations CNPS retenues sur le salaire.",
        [],
    ),
    (
        "Attention aux arnaques : notre agence ne demande jamais d'argent. Vous ne payez rien. "
        "Si quelqu'un vous demande des frais, signalez-le.",
        [],
    ),
    (
        "Serveurs pour hôtel à Dakar, 18 ans minimum, expérience exigée de 2 ans. "
        "Téléphone interdit pendant le service.",
        [],
    ),
    # Exploitative.
    (
        "Cherchons filles pour restaurant à Beyrouth, salaire 4000 dollars par mois, sans expérience. "
        "Le billet, tu le rembourses avec ton salaire. Plus que 3 places, départ ce vendredi.",
        ["unrealistic_pay", "debt_bondage", "urgency_pressure"],
    ),
    (
        "Travail de ménage en France. Tu dois payer 500 000 FCFA pour le dossier. "
        "Tu pars comme touriste et là-bas on régularise les papiers.",
        ["recruitment_fee", "wrong_visa"],
    ),
    (
        "L'agence garde ton passeport pour ta sécurité. Le contrat, tu le signes à l'arrivée.",
        ["document_retention", "no_contract"],
    ),
    (
        "Ne dis rien à tes parents. Si la police te demande, dis que tu vas rendre visite à ta tante.",
        ["secrecy"],
    ),
    (
        "Salut ma belle, je t'ai vue sur Instagram, envoie-moi des photos en maillot et en pied pour le casting.",
        ["online_stranger", "photo_request"],
    ),
    (
        "Recherche jeunes filles de 16 à 22 ans pour hôtesses. Mineures acceptées avec accord des parents.",
        ["minor_targeted"],
    ),
    (
        "Tu vis chez madame. Tu ne peux pas sortir seule, ton téléphone sera gardé par la patronne. "
        "Sans jour de repos.",
        ["movement_restriction"],
    ),
    (
        "C'est pour une famille très riche au Koweït, le nom de la famille je te le donne à l'arrivée. "
        "À l'arrivée on te dira quel travail tu fais, certaines filles travaillent aussi avec les clients la nuit.",
        ["vague_employer", "job_switch"],
    ),
    (
        "Frais d'inscription 150 000 FCFA à envoyer par Orange Money. Le passage, tu le paies en travaillant là-bas.",
        ["recruitment_fee", "debt_bondage"],
    ),
    (
        "ma petite soeur a 15 ans et un gars de facebook lui propose du travail a abidjan, "
        "il dit que le contrat c'est pas la peine",
        ["minor_targeted", "online_stranger", "no_contract"],
    ),
    # A second batch, scored before the patterns were tuned on it.
    (
        "🔥 TRAVAIL EN ITALIE 🔥\n"
        "👉 cueillette de tomates\n"
        "👉 pas besoin de visa, on passe par la Libye\n"
        "👉 le passage tu le rembourses en travaillant\n"
        "Contactez-moi en privé",
        ["debt_bondage", "vague_employer", "wrong_visa"],
    ),
    (
        "Hôtel Ivoire Lagune SA recrute des réceptionnistes. "
        "Profil : anglais courant, 2 ans d'expérience minimum. CDI, assurance maladie, uniforme fourni. "
        "Envoyez votre CV à rh@ivoirelagune.example.",
        [],
    ),
    (
        "moi: et le contrat ?\n"
        "tantie Awa: c'est pas la peine ma fille, tu me fais confiance\n"
        "tantie Awa: ton passeport tu me le donnes pour pas que tu le perdes\n"
        "moi: je pourrai appeler maman ?\n"
        "tantie Awa: le dimanche seulement, c'est moi qui garde le téléphone",
        ["document_retention", "movement_restriction", "no_contract"],
    ),
    (
        "Cherchons jeunes de 15 à 20 ans pour plantations de cacao. Logement et nourriture. "
        "Départ demain matin, places limitées.",
        ["minor_targeted", "urgency_pressure"],
    ),
    (
        "Programme officiel de migration circulaire vers l'Espagne. Le ministère organise la sélection. "
        "Le travailleur ne paie rien pour le recrutement. L'employeur prend en charge le billet. "
        "Visa de travail délivré avant le départ.",
        [],
    ),
    (
        "Coucou ma belle, j'ai vu ton profil sur facebook, j'ai un travail de modèle à Dakar, tu gagnes 5000 "
        "euros par mois facile. Envoie-moi juste des photos en sous-vêtements et je t'explique en privé.",
        ["online_stranger", "photo_request", "unrealistic_pay", "vague_employer"],
    ),
    (
        "Recherche aide-cuisinier pour restaurant à Ouagadougou. "
        "Salaire 90 000 FCFA par mois, déclaré à la CNSS. Se présenter avec sa CNI.",
        [],
    ),
    (
        "Travail au Japon en usine. Pour réserver ta place, envoie 250 000 FCFA par Wave. "
        "Le cours de japonais est à payer en plus. Si tu quittes avant un an tu paies une amende.",
        ["debt_bondage", "recruitment_fee"],
    ),
    (
        "Cherche fille pour travailler dans une famille à Paris, madame est gentille. "
        "D'abord tu travailles chez elle quelques mois puis on t'envoie dans une autre maison. "
        "Dis rien à ta famille avant d'être là-bas.",
        ["job_switch", "secrecy"],
    ),
    (
        "Agents de sécurité pour Dubaï. Âge 21 à 40 ans. "
        "Visa de travail et billet à la charge de l'entreprise. Votre passeport reste en votre possession.",
        [],
    ),
]

ADVERTS = [("es", text, expected) for text, expected in ADS_ES] + [("fr", text, expected) for text, expected in ADS_FR]


@pytest.mark.parametrize("tokenizer", [0, 1], ids=["own-tokenizer", "english-tokenizer"])
@pytest.mark.parametrize("lang, text, expected", ADVERTS, ids=[f"{a[0]}-{i}" for i, a in enumerate(ADVERTS)])
def test_each_advert_raises_exactly_its_flags(lang: str, text: str, expected: List[str], tokenizer: int) -> None:
    assert flags(lang, text, TOKENIZERS[lang][tokenizer]) == set(expected)


@pytest.mark.parametrize("lang, text", [(lang, text) for lang, text, expected in ADVERTS if not expected])
def test_legitimate_adverts_are_not_high_risk(lang: str, text: str) -> None:
    assert score_offer(flags(lang, text, TOKENIZERS[lang][0])).risk == "low"


@pytest.mark.parametrize(
    "lang, text, expected",
    [
        ("es", "Cuota de inscripción de 300 dólares antes de viajar.", "recruitment_fee"),
        ("es", "El empleador guardará tu pasaporte durante el contrato.", "document_retention"),
        ("es", "Viajas con visa de turista y allá ves.", "wrong_visa"),
        ("es", "Gana dinero fácil, no se necesita experiencia.", "unrealistic_pay"),
        ("es", "No hace falta contrato, es de palabra.", "no_contract"),
        ("es", "La empresa es confidencial, escríbeme al privado.", "vague_employer"),
        ("es", "Nadie tiene que saber, no le cuentes a tu mamá.", "secrecy"),
        ("es", "El pasaje te lo descontamos del primer sueldo.", "debt_bondage"),
        ("es", "Quedan 2 cupos, confirma hoy mismo.", "urgency_pressure"),
        ("es", "Un man que conocí por TikTok me ofrece chamba.", "online_stranger"),
        ("es", "Mándame fotos de cuerpo completo.", "photo_request"),
        ("es", "Edad: 16 a 25 años.", "minor_targeted"),
        ("es", "Los celulares se los queda el encargado.", "movement_restriction"),
        ("es", "El puesto se te dirá al llegar.", "job_switch"),
        ("fr", "Frais de dossier : 200 000 FCFA.", "recruitment_fee"),
        ("fr", "Le patron garde les passeports au bureau.", "document_retention"),
        ("fr", "Tu voyages avec un visa de touriste.", "wrong_visa"),
        ("fr", "Argent facile, débutantes acceptées.", "unrealistic_pay"),
        ("fr", "Pas besoin de contrat, on se fait confiance.", "no_contract"),
        ("fr", "Entreprise confidentielle, infos en privé.", "vague_employer"),
        ("fr", "N'en parle à personne, c'est un secret.", "secrecy"),
        ("fr", "Le billet sera retiré de ton premier salaire.", "debt_bondage"),
        ("fr", "Il reste deux places, décide aujourd'hui.", "urgency_pressure"),
        ("fr", "Une dame de TikTok m'a écrit sur WhatsApp pour un travail.", "online_stranger"),
        ("fr", "Envoie des photos en maillot.", "photo_request"),
        ("fr", "Âge : 16 à 24 ans.", "minor_targeted"),
        ("fr", "Les téléphones sont confisqués à l'arrivée.", "movement_restriction"),
        ("fr", "Le poste sera communiqué à l'arrivée.", "job_switch"),
        ("es", "El patrón te guarda los papeles mientras trabajas.", "document_retention"),
        ("es", "Te cobramos 150 mil pesos por el trámite.", "recruitment_fee"),
        ("es", "No hay contrato, se trabaja de confianza.", "no_contract"),
        ("es", "Trabajas de lunes a domingo sin día libre.", "movement_restriction"),
        ("es", "Te presto para el pasaje y me pagas con tu sueldo.", "debt_bondage"),
        ("es", "Las chicas viven en el local y nunca salen solas.", "movement_restriction"),
        ("es", "Tu edad no importa, te hacemos los papeles como mayor de edad.", "minor_targeted"),
        ("es", "Vamos en bus hasta la frontera y cruzamos por el río de noche.", "wrong_visa"),
        ("es", "Manda 300 dólares por Western Union para apartar tu lugar.", "recruitment_fee"),
        ("es", "ganarás 1500 dólares a la semana sin estudios", "unrealistic_pay"),
        ("es", "Conocí a un señor por Facebook que me ofrece trabajo en Chile.", "online_stranger"),
        ("es", "El dueño se queda con tu cédula hasta que pagues la deuda.", "document_retention"),
        ("es", "Eres menor? no hay problema, te cambiamos la edad en el pasaporte.", "minor_targeted"),
        ("es", "Por ahora no le digas a tus papás.", "secrecy"),
        ("es", "La oferta cambió: ya no es en el hotel, es en un bar.", "job_switch"),
        ("fr", "Le patron garde tes papiers pendant le travail.", "document_retention"),
        ("fr", "On te prend 100 000 FCFA pour le dossier.", "recruitment_fee"),
        ("fr", "Pas de contrat, entre nous c'est la confiance.", "no_contract"),
        ("fr", "Je te prête pour le billet et tu me rembourses avec ton salaire.", "debt_bondage"),
        ("fr", "Les filles vivent au bar et ne sortent jamais seules.", "movement_restriction"),
        ("fr", "Ton âge n'est pas un problème, on change ta date de naissance.", "minor_targeted"),
        ("fr", "On traverse le désert jusqu'en Libye puis la mer.", "wrong_visa"),
        ("fr", "Envoie 200 000 par Orange Money pour garder ta place.", "recruitment_fee"),
        ("fr", "Tu vas gagner 1500 euros par semaine sans diplôme.", "unrealistic_pay"),
        ("fr", "J'ai connu un monsieur sur Facebook qui me propose du travail en Tunisie.", "online_stranger"),
        ("fr", "Madame garde ta pièce d'identité jusqu'à ce que tu aies remboursé.", "document_retention"),
        ("fr", "Pour le moment ne dis rien à tes parents.", "secrecy"),
        ("fr", "Le travail a changé : ce n'est plus à l'hôtel mais dans un bar.", "job_switch"),
        ("fr", "Le vol part dans 3 jours, décide ce soir.", "urgency_pressure"),
        ("es", "El viaje cuesta 9000 dolares, 3000 ahora.", "recruitment_fee"),
        ("es", "Se necesita muchacha de 15 o 16 años para cuidar niños.", "minor_targeted"),
        ("fr", "Détection pour un grand club en France.", "vague_employer"),
        ("fr", "Le départ est la semaine prochaine, réponds vite.", "urgency_pressure"),
        ("es", "El boleto te lo prestamos y lo vas pagando con tu trabajo.", "debt_bondage"),
        ("es", "El vuelo se te irá descontando de cada quincena.", "debt_bondage"),
        ("es", "No podrás salir de la casa durante los primeros tres meses.", "movement_restriction"),
        ("es", "Del campamento no se sale hasta fin de mes.", "movement_restriction"),
        ("es", "Solo sales acompañada de la señora.", "movement_restriction"),
        ("es", "Buscamos chicas de 16 a 22 para eventos.", "minor_targeted"),
        ("es", "tengo 16 y me ofrecieron ir a trabajar a Lima", "minor_targeted"),
        ("es", "No le diga nada a su familia todavía.", "secrecy"),
        ("es", "No hay que firmar nada, todo es de confianza.", "no_contract"),
        ("es", "Los gastos de la visa corren por cuenta del postulante.", "recruitment_fee"),
        ("es", "Costo del programa: 800 dólares.", "recruitment_fee"),
        ("es", "Los pasaportes quedan bajo custodia del encargado.", "document_retention"),
        ("es", "Perdón que te escriba así de la nada.", "online_stranger"),
        ("es", "El destino puede ser Madrid o donde haga falta.", "job_switch"),
        ("es", "Trabajarás para varios patrones de la zona.", "vague_employer"),
        ("es", "Plazas super limitadas, se cierra en 48 horas.", "urgency_pressure"),
        ("es", "nos quitaron los celulares al llegar", "movement_restriction"),
        ("es", "no podes salir sola, siempre con la encargada", "movement_restriction"),
        ("es", "la jefa me pidio el pasaporte y no me lo devuelve", "document_retention"),
        ("es", "cuesta 500 dolares el cupo", "recruitment_fee"),
        ("es", "no importa si eres menor", "minor_targeted"),
        ("es", "alla ves de que trabajas", "job_switch"),
        ("es", "la patrona tiene los papeles de todas", "document_retention"),
        ("es", "Cruzas sin papeles por el río y allá te esperan.", "wrong_visa"),
        ("es", "El examen médico lo tienes que pagar tú, son unos 80 dólares.", "recruitment_fee"),
        ("es", "Precio del portafolio: 250 dólares, se paga en la oficina.", "recruitment_fee"),
        ("es", "Inversión: S/ 2,000 por trámite y pasaje.", "recruitment_fee"),
        ("es", "Solo falta pagar 400 dólares del certificado de embarque.", "recruitment_fee"),
        ("es", "Son 1.500 dólares por la colocación.", "recruitment_fee"),
        ("es", "Me dicen que aún debo el pasaje y el cuarto.", "debt_bondage"),
        ("es", "La patrona le pagó el tiquete y ella lo devuelve con las propinas.", "debt_bondage"),
        ("es", "Si te quieres regresar antes, debes pagar el pasaje.", "debt_bondage"),
        ("es", "Con la deuda del viaje se le va casi todo lo que gana.", "debt_bondage"),
        ("es", "Le pidieron la cédula para registrarlo y nunca se la devolvieron.", "document_retention"),
        ("es", "Cuando llegues le dejas tu pasaporte al supervisor.", "document_retention"),
        ("es", "En el momento de llegar, el patrón se queda con tu pasaporte.", "document_retention"),
        ("fr", "Le visa de touriste, c'est pas grave, tout le monde fait comme ça.", "wrong_visa"),
        ("es", "No te preocupes que entras con visa de turista y allá te arreglamos.", "wrong_visa"),
        ("es", "Con la visa de estudiante puedes trabajar hasta 60 horas semanales.", "wrong_visa"),
        ("es", "Las muchachas no pueden ir al pueblo ni los domingos.", "movement_restriction"),
        ("es", "La trabajadora sale siempre con el chofer de la familia.", "movement_restriction"),
        ("es", "En el taller no se sale porque la zona es peligrosa.", "movement_restriction"),
        ("es", "Al final la obra ahora queda en otra provincia.", "job_switch"),
        ("es", "Empiezas en Quito y luego te trasladan donde se necesite.", "job_switch"),
        ("es", "Allá los obligan a hacer estafas por teléfono.", "job_switch"),
        ("es", "Le pidió que no contara nada a sus papás.", "secrecy"),
        ("es", "Que dijera en el puesto de control que iba de visita.", "secrecy"),
        ("es", "Nunca me dijo el nombre de la finca.", "vague_employer"),
        ("es", "El nombre del club te lo decimos cuando llegues.", "vague_employer"),
        ("es", "Nos apareció tu perfil en Instagram y queremos ofrecerte algo.", "online_stranger"),
        ("es", "Vi por tu TikTok que buscas chamba.", "online_stranger"),
        ("es", "Mándame unas fotos en malla para ver tu figura.", "photo_request"),
        ("es", "Necesito tu respuesta hoy, el cupo vuela.", "urgency_pressure"),
        ("es", "Aceptan chicas desde los 14 en la fábrica.", "minor_targeted"),
        ("es", "No importa que seas menor, allá nadie revisa.", "minor_targeted"),
        ("es", "No necesitas autorización de tus padres para viajar.", "minor_targeted"),
        ("es", "tengo 15 años y me ofrecen trabajo en Panamá", "minor_targeted"),
        ("es", "Salario 4.500 USD, no necesitas experiencia, te capacitamos.", "unrealistic_pay"),
        ("es", "El contrato se firma el día de tu llegada a Panamá.", "no_contract"),
        ("fr", "Le voyage, c'est moi qui te l'avance, après tu me rends ça petit à petit sur ta paie.", "debt_bondage"),
        ("fr", "Les deux premières paies restent au bureau pour couvrir ton dossier.", "debt_bondage"),
        ("fr", "Le chef d'équipe conserve les passeports de tous les ouvriers.", "document_retention"),
        ("fr", "Le passeport est confié au patron, qui le garde jusqu'au retour.", "document_retention"),
        ("fr", "Pendant la saison, les descentes au port ne sont pas autorisées.", "movement_restriction"),
        ("fr", "Elle ne quittera pas la résidence seule.", "movement_restriction"),
        ("fr", "Tu ne me connais pas, mais j'ai un bon plan pour toi en Europe.", "online_stranger"),
        ("fr", "Je suis tombé sur ton profil TikTok, tu as le look qu'on cherche.", "online_stranger"),
        ("fr", "Si on te pose des questions à l'aéroport, dis que tu vas voir ta tante.", "secrecy"),
        ("fr", "Surtout ne pas prévenir tes parents avant le départ.", "secrecy"),
        ("fr", "Le lieu de travail exact vous sera précisé une fois sur place.", "job_switch"),
        ("fr", "Si l'usine est complète, on t'envoie au ramassage des oranges.", "job_switch"),
        ("fr", "Tu gagnes 2 500 euros la semaine, même si tu n'as jamais travaillé.", "unrealistic_pay"),
        ("fr", "Pas grave si tu as 15 ou 16 ans.", "minor_targeted"),
        ("fr", "Le nom de l'employeur sera transmis après la sélection.", "vague_employer"),
        ("fr", "Il faut juste payer 150 000 FCFA pour le billet.", "recruitment_fee"),
        ("fr", "Le timbre de 50 € reste à la charge du candidat.", "recruitment_fee"),
        ("fr", "Réponds d'ici demain sinon il prend une autre fille.", "urgency_pressure"),
        ("fr", "Le contrat sera remis par le patron une fois à bord.", "no_contract"),
        ("fr", "Tu viendras avec un visa touristique.", "wrong_visa"),
        ("fr", "Envoie 3 photos récentes en tenue légère.", "photo_request"),
        ("fr", "On enlève le billet sur tes 3 premiers salaires.", "debt_bondage"),
        ("fr", "Tu voyages avec le visa de ton cousin.", "wrong_visa"),
        ("fr", "Un monsieur m'a écrit sur Messenger pour un travail au Liban.", "online_stranger"),
        ("fr", "Mets un faux âge sur le formulaire.", "minor_targeted"),
        ("fr", "Payez 200 000 F à l'avance au bureau.", "recruitment_fee"),
        ("fr", "Tu ne sors pas sans permission.", "movement_restriction"),
        ("fr", "Vous ne sortez jamais seule de la maison.", "movement_restriction"),
        ("fr", "faut rien dire a tes parents", "secrecy"),
        ("fr", "ton tel on le garde", "movement_restriction"),
        ("fr", "on ta vu sur fb", "online_stranger"),
        ("fr", "Une grosse compagnie pétrolière basée au Qatar embauche des soudeurs.", "vague_employer"),
        ("fr", "Tu vas travailler chez des clients très riches à Abidjan.", "vague_employer"),
        ("fr", "Je suis recruteuse pour une agence de mode à Istanbul.", "vague_employer"),
        ("fr", "On recrute pour des hôtels en Turquie et à Chypre.", "vague_employer"),
        ("fr", "L'employeur sera précisé après ton inscription.", "vague_employer"),
        ("fr", "Le nom de la société, on vous le communique à la signature.", "vague_employer"),
        ("fr", "Un chalutier coréen cherche des matelots.", "vague_employer"),
        ("fr", "Clients : hommes d'affaires, noms confidentiels.", "vague_employer"),
        ("fr", "Le soir tu aides au bar ou au salon selon la demande.", "job_switch"),
        ("fr", "Tu feras aussi la cuisine selon la patronne.", "job_switch"),
        ("fr", "Tu sauras le pays une fois là-bas.", "job_switch"),
        ("fr", "Vos passeports, le gérant les conserve dans son bureau.", "document_retention"),
        ("fr", "La carte d'identité est chez la patronne pendant tout le séjour.", "document_retention"),
        ("fr", "Les ouvrières ne sortent qu'accompagnées du contremaître.", "movement_restriction"),
        ("fr", "Vous sortez accompagnées du chauffeur uniquement.", "movement_restriction"),
        ("fr", "Le portable, tu le remets au superviseur en arrivant.", "movement_restriction"),
        ("fr", "Ils ne la laissent jamais appeler sa mère.", "movement_restriction"),
        ("fr", "Elle n'a pas le droit de téléphoner à sa famille.", "movement_restriction"),
        ("fr", "Il dit que je lui dois encore 300 000 FCFA.", "debt_bondage"),
        ("fr", "Le patron garde le tiers de ta paie tant que le voyage n'est pas payé.", "debt_bondage"),
        ("fr", "On coupe 50 000 FCFA par mois jusqu'à rembourser le billet.", "debt_bondage"),
        ("fr", "Il faut rembourser le voyage avant de rentrer au pays.", "debt_bondage"),
        ("fr", "On ne signe rien, tout est oral.", "no_contract"),
        ("fr", "Ma cousine n'a jamais signé aucun papier.", "no_contract"),
        ("fr", "Chez nous ça se fait sur la parole.", "no_contract"),
        ("fr", "Le contrat te sera donné à Doha.", "no_contract"),
        ("fr", "Contrat signé le jour de l'arrivée.", "no_contract"),
        ("fr", "Le candidat doit régler lui-même l'examen médical, 40 000 FCFA.", "recruitment_fee"),
        ("fr", "La légalisation des diplômes reste à charge du postulant.", "recruitment_fee"),
        ("fr", "Frais d'inscription 30 000 FCFA, non remboursables.", "recruitment_fee"),
        ("fr", "Il a dit de ne pas parler du travail aux douaniers.", "secrecy"),
        ("fr", "À la frontière tu vas dire que c'est une visite chez ta tante.", "secrecy"),
        ("fr", "Si on demande, on dira que c'est ma nièce.", "secrecy"),
        ("fr", "Ma cousine Awa, elle a 14 ans, on lui propose d'aller travailler à Lomé.", "minor_targeted"),
        ("fr", "Mets quelques photos de toi de la tête aux pieds.", "photo_request"),
        ("fr", "J'ai regardé tes vidéos TikTok, ton profil Insta m'a plu.", "online_stranger"),
        ("fr", "J'ai vu que tu es membre du groupe des couturières de Thiès.", "online_stranger"),
        ("fr", "Il faut vous décider avant la fin de la semaine.", "urgency_pressure"),
        ("fr", "Cueillette : 4 400 € par mois, nourri logé, sans diplôme.", "unrealistic_pay"),
        ("fr", "Serveuse, 4 200 $ par mois + pourboires.", "unrealistic_pay"),
        ("fr", "Gardien de nuit, 950 000 FCFA par mois.", "unrealistic_pay"),
        ("fr", "Pas de papier à signer, tout se passe en confiance entre nous.", "no_contract"),
        ("fr", "Surtout ne rien dire aux policiers de l'aéroport sur le travail.", "secrecy"),
    ],
)
def test_each_flag_in_its_own_words(lang: str, text: str, expected: str) -> None:
    assert flags(lang, text, TOKENIZERS[lang][0]) == {expected}


@pytest.mark.parametrize(
    "lang, text",
    [
        ("es", "No se cobra ninguna tarifa al trabajador."),
        ("es", "El empleador paga la visa y el pasaje."),
        ("es", "El pasaporte se queda contigo."),
        ("es", "Trae tu pasaporte y tu cédula a la entrevista."),
        ("es", "Visa de trabajo tramitada por la empresa antes de viajar."),
        ("es", "Solo mayores de 18 años."),
        ("es", "Envía tu CV y una foto tamaño carnet con fondo blanco."),
        ("es", "Pasaje pagado por la empresa, no se descuenta del sueldo."),
        ("es", "Mínimo 2 años de experiencia comprobable."),
        ("es", "No compartas tu contraseña con nadie."),
        ("es", "Tienes un día libre a la semana y puedes salir cuando quieras."),
        ("fr", "Aucun frais n'est demandé au travailleur."),
        ("fr", "L'employeur prend en charge le visa et le billet."),
        ("fr", "Le passeport reste avec vous."),
        ("fr", "Apportez votre passeport et votre CNI à l'entretien."),
        ("fr", "Visa de travail obtenu par l'employeur avant le départ."),
        ("fr", "Majeures uniquement, 18 ans minimum."),
        ("fr", "Envoyez votre CV et une photo d'identité sur fond blanc."),
        ("fr", "Billet payé par l'entreprise, rien n'est retiré du salaire."),
        ("fr", "Expérience exigée : au moins 2 ans."),
        ("fr", "Ne donne ton code à personne."),
        ("fr", "Un jour de repos par semaine, vous pouvez sortir librement."),
        ("es", "Se busca personal con experiencia para bodega, inicio inmediato."),
        ("es", "Entrevistas mañana de 9 a 12 en nuestra oficina de Av. Reforma 220."),
        ("es", "Contrato a plazo fijo de 6 meses, renovable."),
        ("es", "Pago semanal los viernes."),
        ("es", "Alojamiento incluido; se descuentan 80 dólares al mes del sueldo por la renta, según contrato."),
        ("es", "Requisito: tener pasaporte vigente y visa de trabajo H-2B aprobada por el consulado."),
        ("es", "La empresa te ayuda a tramitar tu pasaporte si no lo tienes."),
        ("es", "Salario de 2.800 euros brutos al mes para ingenieros con 5 años de experiencia."),
        ("es", "Los trabajadores conservan su pasaporte y su celular."),
        ("es", "Envíanos tu CV por WhatsApp al 555-0134."),
        ("es", "Horario de lunes a viernes, sábados medio día, domingos libres."),
        ("es", "Uniforme y capacitación sin costo."),
        ("es", "Cupo máximo: 20 personas por grupo de capacitación."),
        ("es", "El traslado del aeropuerto al hotel lo paga la empresa."),
        ("es", "Si tienes dudas, pregunta a tu consulado antes de firmar."),
        ("fr", "Recherche personnel expérimenté pour entrepôt, prise de poste immédiate."),
        ("fr", "Entretiens demain de 9h à 12h à notre bureau, rue 12 x Blaise Diagne, Dakar."),
        ("fr", "Contrat à durée déterminée de 6 mois, renouvelable."),
        ("fr", "Paie chaque vendredi."),
        ("fr", "Logement fourni ; 50 000 FCFA retenus par mois sur le salaire pour le loyer, selon le contrat."),
        ("fr", "Condition : passeport valide et visa de travail saisonnier obtenu au consulat."),
        ("fr", "L'entreprise vous aide à faire votre passeport si vous n'en avez pas."),
        ("fr", "Salaire 3 200 euros brut par mois pour ingénieurs avec 5 ans d'expérience."),
        ("fr", "Les travailleurs gardent leur passeport et leur téléphone."),
        ("fr", "Envoyez votre CV par WhatsApp au 77 000 00 00."),
        ("fr", "Horaires du lundi au vendredi, samedi matin, dimanche libre."),
        ("fr", "Uniforme et formation sans frais."),
        ("fr", "Maximum 20 personnes par groupe de formation."),
        ("fr", "Le transfert de l'aéroport à l'hôtel est payé par l'entreprise."),
        ("fr", "En cas de doute, demandez à votre consulat avant de signer."),
        ("fr", "Départ prévu en mars après la signature du contrat."),
        ("fr", "Vous partez avec un visa de travail, jamais avec un visa touriste."),
        ("fr", "Aucuns frais de recrutement ne sont demandés aux travailleurs."),
        ("es", "Familia busca niñera para dos niños de 10 y 12 años."),
        ("es", "Tenemos 15 años de experiencia en el sector."),
        ("es", "Tengo 12 vacantes para cocineros."),
        ("es", "Los pasaportes se entregan al agente para la cita en el consulado."),
        ("es", "Los documentos se entregan en la oficina de recursos humanos."),
        ("es", "La comida corre por cuenta del trabajador."),
        ("es", "Te prestamos un celular de la empresa."),
        ("es", "Los niños solo salen acompañados de la señora."),
        ("es", "Lugar de trabajo: Lima. Horario según necesidades del servicio."),
        ("es", "Profesionales de 10 o 15 años de experiencia."),
        ("es", "La empresa adelanta el pasaje y no se descuenta nada del sueldo."),
        ("es", "Las habitaciones se cierran con llave y tienes tu propia llave."),
        ("es", "El curso tiene un costo de 200 dólares que paga la empresa."),
        ("es", "Los menores de edad no pueden postular."),
        ("es", "Con nosotros nadie sale perdiendo."),
        ("es", "Los documentos los tenemos que revisar antes de la entrevista."),
        ("es", "Puede ser de 16 a 18 horas semanales."),
        ("es", "La agencia tiene los papeles listos para tu visa."),
        ("es", "La empresa tiene todos los papeles en regla."),
        ("es", "Como au pair viajas con visado de estudios para un curso de español de 20 horas."),
        ("es", "Nadie puede cobrarle por esta oferta: denuncie a quien le pida dinero."),
        ("es", "La agencia gestiona la visa de visitante con permiso para actividades remuneradas."),
        ("es", "Mi sobrina tramitó su visado de estudios en el consulado y la familia paga el curso."),
        ("es", "El examen médico lo pagas tú y la empresa te lo reembolsa completo."),
        ("es", "La empresa gestiona el permiso y cubre el costo de la visa de trabajo."),
        ("es", "Si renuncias, no tienes que pagar nada."),
        ("es", "Puedes cambiar de empleador sin permiso del anterior."),
        ("es", "Los niños salen siempre acompañados de la encargada del colegio."),
        ("es", "Cualquier cosa me escribes por WhatsApp."),
        ("es", "Mayores de edad: no hace falta permiso de los padres."),
        ("es", "Te damos respuesta hoy mismo."),
        ("es", "Al llegar entregas una copia del pasaporte a recursos humanos."),
        ("es", "Tengo 12 años de experiencia y 3 hijos."),
        ("es", "Ofrecemos capacitación sin costo y el uniforme, y pagamos 1.200 dólares al mes."),
        ("fr", "Il a conservé son passeport du début à la fin."),
        ("fr", "Le billet est préfinancé par l'entreprise, aucune retenue sur salaire."),
        ("fr", "Si quelqu'un vous demande de l'argent, c'est une arnaque, signalez-le."),
        ("fr", "Rien n'est à la charge du candidat : visa, billet et logement sont payés par l'employeur."),
        ("fr", "Les escales sont autorisées dans chaque port."),
        ("fr", "Le billet aller est avancé par la société et remboursé à 100 % par l'employeur."),
        ("fr", "À l'aéroport, dites que vous venez travailler et montrez votre visa de travail."),
        ("fr", "Ne quittez pas votre poste sans prévenir le chef d'équipe."),
        ("fr", "Les mineurs ne sont pas acceptés."),
        ("fr", "Si vous avez 17 ans, vous ne pouvez pas postuler."),
        ("fr", "Salaire 1 900 € par mois, même pour les débutants, selon la convention collective."),
        ("fr", "Si le chantier est fini avant la date, le contrat prend fin et le retour est payé."),
        ("fr", "Les enfants ne sortent jamais seuls de l'école : vous allez les chercher à 16 h."),
        ("fr", "Les résidents ne quittent pas la maison de retraite sans accompagnant."),
        ("fr", "Recrutement de cuisiniers pour hôtels à Marrakech, contrat signé à l'agence."),
        ("fr", "Nous sommes une grande entreprise de Lubumbashi (RCCM n° CD/LSH/000-555)."),
        ("fr", "Le nom de l'employeur figure sur le contrat remis avant le départ."),
        ("fr", "L'hôtel Ibis de Lomé recrute des réceptionnistes."),
        ("fr", "Heures supplémentaires selon les besoins du service."),
        ("fr", "Vous aiderez aussi au jardin selon la saison."),
        ("fr", "Le contrat, signé avant le départ, sera aussi remis en copie à Riyad."),
        ("fr", "Le passeport est chez vous, jamais chez l'employeur."),
        ("fr", "Billet remboursé avec le premier salaire, rien n'est retenu."),
        ("fr", "Ce n'est pas un salaire de rêve, mais il est déclaré."),
        ("fr", "Ressortissants de l'UEMOA : libre circulation, pas de visa nécessaire."),
        ("fr", "Artistes invités : dispense de permis de travail pour un séjour de moins de 90 jours."),
        ("fr", "Il a signé son contrat avant le départ."),
        ("fr", "Vous gardez votre téléphone et pouvez appeler votre famille quand vous voulez."),
        ("fr", "La visite médicale est payée par l'employeur, le candidat ne règle rien."),
        ("fr", "La caution de 100 € est remboursable à la fin du séjour."),
        ("fr", "Salaire 2 100 € brut par mois, logement fourni, convention collective agricole."),
        ("fr", "Salaire 300 000 FCFA par mois, logé nourri."),
        (
            "es",
            "El primer día entregas tu pasaporte en la oficina de personal para sacar una copia y te lo devuelven"
            " en el momento.",
        ),
        ("es", "Viajas con visa de trabajo temporal; no se aceptan candidatos con visa de turista."),
        ("es", "Importante: no viaje con visa de turista, es ilegal trabajar con ella."),
        ("es", "Con tu visa de estudiante puedes trabajar hasta 20 horas semanales según la normativa."),
        ("fr", "Commis de cuisine, saison d'hiver en Savoie : 2 100 € net par mois, logé nourri."),
        ("fr", "Ouvrier agricole au Québec (PTET) : environ 2 600 $ par mois, logement fourni par la ferme."),
        ("fr", "Ne voyagez jamais avec un visa touristique pour travailler : c'est illégal."),
        ("fr", "Les candidats avec un visa de touriste ne sont pas acceptés."),
        ("fr", "Ma fille Aïcha a 24 ans, elle est infirmière diplômée."),
        ("fr", "Photo d'identité récente sur fond blanc, format passeport."),
        ("fr", "Date limite de candidature : vendredi 15 mars."),
        ("fr", "Accueil des clients VIP et des familles de luxe à la réception."),
        ("fr", "Une entreprise de nettoyage à Paris recrute des agents."),
        ("fr", "Exploitation familiale, on travaille en famille depuis trois générations."),
        ("fr", "Vous ne signez rien avant d'avoir lu et compris le contrat."),
        ("fr", "L'employeur paie lui-même le billet d'avion."),
        ("fr", "L'hôtel prend en charge vos documents de voyage et le visa."),
    ],
)
def test_harmless_mentions_are_not_flags(lang: str, text: str) -> None:
    assert flags(lang, text, TOKENIZERS[lang][0]) == set()
    # nor with every language's patterns, as the pipeline loads them (code-mixed adverts)
    assert {e["value"] for e in scan(TOKENIZERS[lang][0](text), ALL_RULES)} == set()


ALL_RULES = load_rules(["en", "es", "fr"])


@pytest.mark.parametrize("lang, text, expected", ADVERTS, ids=[f"{a[0]}-{i}" for i, a in enumerate(ADVERTS)])
def test_all_languages_loaded_together_give_the_same_flags(lang: str, text: str, expected: List[str]) -> None:
    # The components may load every language's file for every message (`languages: [en, es, fr]`).
    assert {e["value"] for e in scan(spacy.blank("en")(text), ALL_RULES)} == set(expected)


# dev33 round (Spanish): each harmful phrasing beside a harmless look-alike, scanned with every language's patterns.
DEV33_PHRASINGS = [
    # A tourist visa refused is not offered; travelling as a tourist to work still is.
    ("Mi sobrina iría como turista y luego se queda a trabajar en el restaurante.", "wrong_visa", True),
    ("La visa de turista no te permite trabajar en ningún país de la Unión Europea.", "wrong_visa", False),
    ("Con visado de turismo no se trabaja: tramitamos el permiso de temporada.", "wrong_visa", False),
    ("Entrar como turista no sirve para este empleo.", "wrong_visa", False),
    ("No podemos contratar a quien llegue como turista.", "wrong_visa", False),
    # Paid up front and refunded is not a debt; paid back from the wage is.
    ("El pasaje lo pagas tú y te lo descontamos del sueldo.", "debt_bondage", True),
    ("El examen médico lo pagas tú y te lo reembolsamos con la primera nómina.", "debt_bondage", False),
    # Kept inside, told not to go out alone, or only with the boss; children and remote work are not.
    ("No necesitas salir para nada, todo lo tienes en el galpón.", "movement_restriction", True),
    ("No necesitas salir de casa para nada: el trabajo es en línea.", "movement_restriction", False),
    ("La chica no va a salir sola los primeros meses.", "movement_restriction", True),
    ("Las niñas no pueden salir solas del colegio; la au pair las recoge.", "movement_restriction", False),
    ("Para salir tienes que ir acompañada del encargado.", "movement_restriction", True),
    ("Para salir de viaje tienes que avisar con una semana de anticipación.", "movement_restriction", False),
    # A contract signed at sea, once at work, seen on arrival or only in a foreign language.
    ("El contrato lo firmas arriba del barco.", "no_contract", True),
    ("El contrato lo firmas en la agencia antes de subir al barco.", "no_contract", False),
    ("El contrato se firma cuando ya estén trabajando.", "no_contract", True),
    ("El contrato se firma en el consulado antes de que empiecen a trabajar.", "no_contract", False),
    ("El contrato solo existe en italiano.", "no_contract", True),
    ("El contrato está en italiano con traducción al español.", "no_contract", False),
    ("El contrato ella lo va a conocer cuando llegue.", "no_contract", True),
    ("El contrato se firma cuando llegue la aprobación del permiso, antes de viajar.", "no_contract", False),
    # The place of work told only on arrival.
    ("La ciudad y la obra se asignan cuando llegas.", "job_switch", True),
    ("La ciudad y la obra se indican en el contrato que firmas en tu país.", "job_switch", False),
    ("Allá le dicen en qué finca va a trabajar.", "job_switch", True),
    ("En la entrevista le dicen en qué finca va a trabajar.", "job_switch", False),
    # The employer's name held back until later.
    ("El nombre del hotel y de la cadena se comparte tras la entrevista final.", "vague_employer", True),
    ("El nombre del hotel y la dirección están en la oferta adjunta.", "vague_employer", False),
    # Pressure to answer now or lose the place.
    ("Necesitamos respuesta hoy mismo.", "urgency_pressure", True),
    ("Puedes darnos respuesta cuando lo hayas pensado.", "urgency_pressure", False),
    ("Solo tengo 2 cupos, avísame.", "urgency_pressure", True),
    ("Tenemos 2 cupos de capacitación gratuitos cada mes.", "urgency_pressure", False),
    # A price the worker pays; the same price paid by the employer or a refundable housing deposit is not.
    ("El curso de inducción cuesta 300 dólares.", "recruitment_fee", True),
    ("El curso de inducción cuesta 300 dólares y lo paga la empresa.", "recruitment_fee", False),
    ("Único gasto tuyo: el examen médico, 60 CAD.", "recruitment_fee", True),
    ("Ningún gasto tuyo: el examen médico de 60 CAD lo paga el empleador.", "recruitment_fee", False),
    ("Nuestra tarifa para el candidato es de 200 USD.", "recruitment_fee", True),
    ("No hay ninguna tarifa para el candidato; el empleador nos paga 200 USD.", "recruitment_fee", False),
    ("Depósito de 500 USD para reservar tu lugar, se devuelve si no te seleccionan.", "recruitment_fee", True),
    ("La habitación lleva un depósito de 150 euros que se devuelve al salir.", "recruitment_fee", False),
    # Someone takes everyone's passports, or they go to HR on arrival; shown for a copy they are not kept.
    ("Él recoge los pasaportes al llegar al campamento.", "document_retention", True),
    ("Él recoge los pasaportes en el consulado y te los da el mismo día.", "document_retention", False),
    ("Al llegar entregas tu pasaporte a RR.HH. de la planta.", "document_retention", True),
    ("Al llegar presentas tu pasaporte a RR.HH. para la copia.", "document_retention", False),
    # First contact from someone who saw your photos online.
    ("Vi tus fotos en Instagram y quiero ofrecerte trabajo.", "online_stranger", True),
    ("Vi tus documentos del formulario y están completos.", "online_stranger", False),
    # Photos of the body, not of work clothes.
    ("Para el casting necesito fotos tuyas en ropa interior.", "photo_request", True),
    ("Sube fotos tuyas en ropa de trabajo al formulario oficial.", "photo_request", False),
]


@pytest.mark.parametrize("text, flag, raised", DEV33_PHRASINGS)
def test_dev33_phrasings(text: str, flag: str, raised: bool) -> None:
    assert (flag in flags("es", text, TOKENIZERS["es"][0])) is raised
    assert (flag in {e["value"] for e in scan(TOKENIZERS["es"][0](text), ALL_RULES)}) is raised


# Emergency: the danger phrases of emergency_es.yml and emergency_fr.yml.
DANGER = {lang: load_patterns([lang]) for lang in ("es", "fr")}
DATA = Path(__file__).resolve().parents[2] / "data" / "nlu"


def is_danger(lang: str, text: str) -> bool:
    return any(p.search(text) for p in DANGER[lang])


@pytest.mark.parametrize(
    "lang, text",
    [
        ("es", "ayuda"),
        ("es", "auxilio!!"),
        ("es", "me están pegando"),
        ("es", "me tienen encerrada en un cuarto"),
        ("es", "nos encerraron y no hay agua"),
        ("es", "el señor tiene un cuchillo"),
        ("es", "dice que me va a matar"),
        ("es", "llama a la policía por mí"),
        ("es", "estoy en peligro"),
        ("es", "SOS"),
        ("fr", "au secours"),
        ("fr", "on me frappe"),
        ("fr", "je suis enfermée"),
        ("fr", "ils nous ont enfermés dans la maison"),
        ("fr", "il a un couteau"),
        ("fr", "ils vont me vendre ce soir"),
        ("fr", "appelez la police pour moi"),
        ("fr", "je suis en danger"),
        ("fr", "aidez moi vite"),
        ("es", "nos amenazaron con matarnos si hablamos"),
        ("es", "toy encerrada en el cuarto"),
        ("es", "me voy a quitar la vida"),
        ("es", "los estan metiendo a la fuerza en un camion ahora mismo"),
        ("fr", "chui enfermée dans la cave"),
        ("fr", "ils nous ont vendus, venez vite"),
        ("fr", "je vais me suicider"),
        ("fr", "ils sont en train d'emmener ma soeur"),
    ],
)
def test_danger_phrases_are_emergencies(lang: str, text: str) -> None:
    assert is_danger(lang, text)


@pytest.mark.parametrize(
    "lang, text",
    [
        ("es", "necesito ayuda con una oferta de trabajo"),
        ("es", "sos un bot vos?"),
        ("es", "la patrona no me deja salir en mi día libre, ¿puede?"),
        ("es", "mi prima estuvo encerrada el año pasado, ¿cómo denuncio?"),
        ("fr", "j'ai besoin d'aide pour une offre d'emploi"),
        ("fr", "madame me laisse pas sortir le jour de repos, elle a le droit?"),
        ("fr", "il frappe à la porte"),
        ("fr", "quelqu'un me suit sur tiktok"),
        # Advice about someone else's danger, or a past one, is a question, not an alarm.
        ("es", "que hago si alguien esta en peligro"),
        ("es", "cuando un niño esta en peligro a quien aviso?"),
        ("es", "me vendieron cuando era niña, que derechos tengo?"),
        ("es", "mi tia me quiere llevar a trabajar a la capital, es seguro?"),
        ("fr", "que faire si quelqu'un est en danger"),
        ("fr", "quand un enfant est en danger, qui appeler ?"),
        ("fr", "on m'a vendue quand j'étais petite, j'ai droit à quoi ?"),
    ],
)
def test_ordinary_messages_are_not_emergencies(lang: str, text: str) -> None:
    assert not is_danger(lang, text)


def training_examples(lang: str) -> Iterator[Tuple[str, str]]:
    for path in sorted((DATA / lang).glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            for line in item["examples"].splitlines():
                if line.strip().startswith("- "):
                    yield item["intent"], line.strip()[2:]


@pytest.mark.parametrize("lang", ["es", "fr"])
def test_no_other_training_example_reads_as_danger(lang: str) -> None:
    wrong = [
        (intent, text) for intent, text in training_examples(lang) if intent != "emergency" and is_danger(lang, text)
    ]
    assert wrong == []
