"""The red-flag scanner: flags in adverts, and the same words that are not flags."""

from __future__ import annotations

from typing import List

import pytest
import spacy

from nlu.red_flag_scanner import load_rules, reads_as_job_check, scan, split_sentences

NLP = spacy.blank("en")
RULES = load_rules(["en"])


def flags(text: str) -> List[str]:
    return sorted({e["value"] for e in scan(NLP(text), RULES)})


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Processing fee of $350 before departure.", ["recruitment_fee"]),
        ("We will hold your passport for safekeeping.", ["document_retention"]),
        ("Come on a visit visa, we convert it to a work visa there.", ["wrong_visa"]),
        ("Salary 2500 USD, no experience needed!", ["unrealistic_pay"]),
        ("Contract will be given on arrival.", ["no_contract"]),
        ("Don't tell your parents until you arrive.", ["secrecy"]),
        ("The agency pays your ticket, you repay it from your first 6 months salary.", ["debt_bondage"]),
        ("Only 3 seats left, we fly this Friday!", ["urgency_pressure"]),
        ("Send full body photos to this number.", ["photo_request"]),
        ("Girls 16+ welcome", ["minor_targeted"]),
        ("Phones are kept by the supervisor during the contract.", ["movement_restriction"]),
        ("Job details will be explained when you arrive.", ["job_switch"]),
        ("a guy i met on facebook says he has work for me in dubai", ["online_stranger"]),
    ],
)
def test_each_flag_in_its_own_words(text: str, expected: List[str]) -> None:
    assert flags(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The employer pays all visa fees and your flight.",
        "No placement fee is charged to workers.",
        "You keep your passport at all times.",
        "Bring your passport to the interview.",
        "Work visa and permit arranged by the employer before departure.",
        "Contract in your language, signed before you travel.",
        "Applicants must be 21 or older.",
        "Send your CV and a passport-size photo.",
        "Flight paid by the employer, not deducted from salary.",
        "Minimum 2 years experience required.",
    ],
)
def test_harmless_mentions_are_not_flags(text: str) -> None:
    assert flags(text) == []


def test_lines_and_bullets_are_separate_claims() -> None:
    doc = NLP("Free food\n• Processing fee $200\nThe employer pays the ticket")
    claims = [doc.text[s:e] for s, e in split_sentences(doc)]
    assert claims == ["Free food", "Processing fee $200", "The employer pays the ticket"]
    assert flags(doc.text) == ["recruitment_fee"]


def test_entities_point_at_the_words_that_raised_them() -> None:
    text = "Great job in Dubai. We will hold your passport for safety."
    [entity] = scan(NLP(text), RULES)
    assert entity["entity"] == "red_flag" and entity["value"] == "document_retention"
    assert "passport" in text[entity["start"] : entity["end"]]


def test_a_sentence_wrapped_onto_the_next_line_stays_one_claim() -> None:
    text = (
        "Dear applicant, for your safety during the contract the agency will keep\n"
        "your passport in our office until you finish."
    )
    assert flags(text) == ["document_retention"]


def test_a_question_with_one_flag_is_not_an_advert() -> None:
    question = "is it normal to pay a placement fee?"
    found = scan(NLP(question), RULES)
    assert [e["value"] for e in found] == ["recruitment_fee"]
    assert not reads_as_job_check("faq", found, question)  # the faq answer stays


def test_adverts_the_classifier_misread_become_job_checks() -> None:
    advert = "Processing fee $300. We keep your passport for safety."
    found = scan(NLP(advert), RULES)
    assert reads_as_job_check("faq", found, advert)  # two flags: an advert, not a question
    assert reads_as_job_check("nlu_fallback", found[:1], advert)
    assert not reads_as_job_check("emergency", found, advert)
    assert not reads_as_job_check("nlu_fallback", [], "hello")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Your passport the sponsor will keep.", ["document_retention"]),
        ("Experience is not required, salary $4,500 a month.", ["unrealistic_pay"]),
        ("If you quit before two years you must compensate the company.", ["debt_bondage"]),
        ("He charges 5,000 dollars for the trip.", ["recruitment_fee"]),
        ("When you land, the manager decides where you work.", ["job_switch"]),
        ("The farm's name is shared once you arrive.", ["vague_employer"]),
        ("I came across your videos on TikTok.", ["online_stranger"]),
        ("Nobody goes ashore until the season ends.", ["movement_restriction"]),
        ("You can use the phone on Fridays.", ["movement_restriction"]),
        ("Go on a B1/B2 visa and start working.", ["wrong_visa"]),
        ("They do not let the workers leave the camp.", ["movement_restriction"]),
        ("Masons may be placed in another trade when they land.", ["job_switch"]),
        ("A stranger on Instagram offered me a job.", ["online_stranger"]),
        ("At the border you must say you are going for a wedding.", ["secrecy"]),
    ],
)
def test_general_phrasings_seen_in_unseen_adverts(text: str, expected: List[str]) -> None:
    assert flags(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Salary HK$4,990 per month, weekly rest day.",  # HK$ is not US dollars; "weekly" is the rest day
        "Please don't come on a tourist visa.",
        "You study on a student visa and attend classes full time.",
        "Basic 11,000 baht + service charge.",
        "No experience needed, training provided on the first day.",
        "Company pays the levy, nothing cut from your salary.",
        "The visa fee and flight are paid by the Trust.",
        "Rent of 150 euro is taken from salary.",
        "Green Leaf Cafe, a small restaurant in Lisbon, needs a cook.",
        "Passports are kept by the workers themselves.",
        "Visa costs are reimbursed with your first salary.",
        "She has her own phone and her passport is in her bag.",
        "Lockers are provided so you can lock up your valuables.",
        "No restrictions on using your phone.",
        "Free phone calls home once a week.",
        "Never give your passport to a stranger.",
        "Staff can go to the market any time without asking.",
    ],
)
def test_more_harmless_mentions_are_not_flags(text: str) -> None:
    assert flags(text) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        # an amount in either order, and who asks for it
        ("They need 8 lakhs rupees for the file.", ["recruitment_fee"]),
        ("The scout wants 2 million CFA for the trial.", ["recruitment_fee"]),
        ("Processing 3.5m UGX once selected.", ["recruitment_fee"]),
        ("Pay 4,500 cedis to my MoMo.", ["recruitment_fee"]),
        # the denial comes after the noun, or the apostrophe is missing
        ("Contract? no need, the sponsor is a good man.", ["no_contract"]),
        ("contract isnt needed we are like family", ["no_contract"]),
        ("My aunt has not seen any contract.", ["no_contract"]),
        # who holds the documents or the worker
        ("All passports go in his bag for the registration.", ["document_retention"]),
        ("The madame took her passport at the airport.", ["document_retention"]),
        ("Leaving the camp requires written authorisation from site management.", ["movement_restriction"]),
        ("Workers may not leave the accommodation without notifying the supervisor.", ["movement_restriction"]),
        # a debt taken from pay in other words
        ("Ticket he buys, then minus from first 2 month.", ["debt_bondage"]),
        ("Relocation costs will be recovered through payroll.", ["debt_bondage"]),
        # names withheld, a right to move the worker, a retold stranger
        ("He won't say the company name.", ["vague_employer"]),
        ("The agency reserves the right to assign workers to any partner plant.", ["job_switch"]),
        ("My brother met a guy on Telegram who has a job for him.", ["online_stranger"]),
        ("Candidates should not discuss these arrangements with the embassy.", ["secrecy"]),
        ("My son is 15 and the club wants him.", ["minor_targeted"]),
    ],
)
def test_negation_who_pays_and_who_keeps_in_other_voices(text: str, expected: List[str]) -> None:
    assert flags(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # the worker keeps the documents, told in the third or first person
        "She keeps her passport.",
        "The contract says she has a day off and keeps her passport and her phone.",
        "My passport stays with me.",
        "Passport held only by the worker.",
        "Send CV with photo (passport style is enough) to hr@example.com",
        "The company only keeps a copy.",
        # someone else pays, or the fee is zero, capped, deducted by law or paid to a consulate
        "They are paying the visa fee and half of the flight.",
        "Placement fee charged to the helper is zero.",
        "The broker service fee is capped by Taiwan law.",
        "You pay the visa fee to the US consulate yourself.",
        "Deposits and penalty contracts are prohibited under Japanese law.",
        # a promise not to move the worker; "first" is not rupees ("rs")
        "He can't be sent to another farm without his agreement.",
        "You send your CV and first reference by email.",
    ],
)
def test_harmless_mentions_in_other_voices_are_not_flags(text: str) -> None:
    assert flags(text) == []


def test_a_one_word_question_heads_its_answer_but_a_long_one_ends_a_claim() -> None:
    doc = NLP("Contract? no need. Is the salary paid every month? Yes.")
    claims = [doc.text[s:e] for s, e in split_sentences(doc)]
    assert claims[0].startswith("Contract? no need")
    assert "Yes" not in claims[1]


def test_each_turn_of_a_pasted_chat_is_its_own_claim() -> None:
    text = (
        "him: my auntie has a nail shop in England and she needs one more girl for the season\n"
        "me: which shop? what city?\n"
        "him: small town, u dont need to know now"
    )
    doc = NLP(text)
    claims = [doc.text[s:e] for s, e in split_sentences(doc)]
    assert claims[0].endswith("for the season")
    assert flags(text) == ["vague_employer"]


@pytest.mark.parametrize(
    "text, expected",
    [
        # the job or place changes when the first one is full, slow or closed
        ("If reception is full they put you in housekeeping for now.", ["job_switch"]),
        ("if car wash is slow you go to the farm of my cousin", ["job_switch"]),
        ("At the border the broker said the factory is full and he will go on a boat.", ["job_switch"]),
        ("He said I might end up helping at his cousin's house first.", ["job_switch"]),
        ("Today he says the restaurant changed, now it is a lounge.", ["job_switch"]),
        ("Maybe you dig, maybe you cook, we see there.", ["job_switch"]),
        # names the recruiter will not give
        ("When I asked for the address he said the boss does not like visitors.", ["vague_employer"]),
        ("Owner is a big transport man, name not needed.", ["vague_employer"]),
        ("The man did not want to say the name of the bakery.", ["vague_employer"]),
        # strangers from dating apps and regional networks
        ("He matched with me on Bumble and says he can bring me to London.", ["online_stranger"]),
        ("My son has been chatting on Free Fire with a coach.", ["online_stranger"]),
        # confinement in other words
        ("He cannot open the windows or go out.", ["movement_restriction"]),
        ("His phone is with the captain.", ["movement_restriction"]),
        ("The patron closes the door from outside at night.", ["movement_restriction"]),
        ("Free time you spend together with the group leader.", ["movement_restriction"]),
        ("First weeks you dont walk in the street because police.", ["movement_restriction"]),
        # papers between friends, a ticket that is a loan, family told afterwards
        ("No need for papers between us, we are like family.", ["no_contract"]),
        ("Nobody gave him any paper to sign.", ["no_contract"]),
        ("The ticket is a loan.", ["debt_bondage"]),
        ("The coach told him to tell us only when he has the ticket.", ["secrecy"]),
        ("My little brother (16) was offered work.", ["minor_targeted"]),
        # money asked for papers is a fee, not the papers being kept
        ("I take €3,000 for the papers.", ["recruitment_fee"]),
    ],
)
def test_indirect_phrasings_from_chats_and_posts(text: str, expected: List[str]) -> None:
    assert flags(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # moves between the employer's own sites, named in the contract, are not job changes
        "You may be moved between the group's three hotels in Abu Dhabi, with the same pay.",
        "We have three salons, and you may be moved between them depending on bookings.",
        "You can be moved between our three clients in Lyon, all named in the contract.",
        "After training you may be moved to packaging, at the same wage or higher.",
        "You may be placed at one or two schools in the same district.",
        "The contract will be sent before the visa appointment.",
        # citizens who need no visa; a short-stay visa for a trial only
        "You are an EU citizen, no visa required.",
        "You hold settled status, so no visa is needed for you.",
        "The short-stay visa is for the trial only.",
        # a company's own page writing to an applicant; the worker keeps the phone
        "DM from @ashgrove_stables (verified page of Ashgrove Racing Ltd): saw you applied on our careers page.",
        "She keeps her phone.",
        "HR takes your phone number for the WhatsApp group.",
        "Some staff work nights and weekends.",
    ],
)
def test_harmless_moves_citizens_and_company_pages_are_not_flags(text: str) -> None:
    assert flags(text) == []


@pytest.mark.parametrize(
    "text",
    [
        # documents handed to an embassy, or kept in the worker's own room
        "Please submit your passport to the embassy for visa stamping.",
        "There is a safe deposit box in your room for your passport and valuables.",
        # amenities and ordinary workplace rules are not confinement
        "Staff accommodation with 24-hour security.",
        "Accommodation in a gated compound with pool and gym.",
        "Annual leave: 30 days, subject to approval.",
        "Leave requests require approval from your manager.",
        "You must not leave the site during working hours without informing your supervisor.",
        "No visitors in the staff rooms after 10 pm.",
        "The company bus drives you to work and back.",
        "Keep your phone with you at all times.",
        "Days off: two per week, agreed with your supervisor.",
        # deductions the law requires are not debts
        "Income tax and social security are deducted from your salary.",
        "SOCSO and EPF contributions are deducted from your salary as the law requires.",
        # who pays: the employer, at its own cost
        "Medical fee: at our cost.",
        "We support your EU Blue Card application and pay visa fees, flight and 1 month temporary apartment.",
        # visas that allow work
        "Working Holiday visa holders (18-30) are welcome.",
        "Employees on a student visa are limited to 20 hours a week during term.",
        # confidentiality about clients, and warnings against fraud
        "Confidentiality: you must not disclose client information.",
        "Do not post photos of patients on social media.",
        "If anyone asks you for payment, contact the embassy.",
        # children the worker cares for or teaches are not the ones recruited
        "Au pair for two children aged 12 and 15.",
        "You will care for two teenagers after school.",
        "Teach English to high school students in Busan.",
        # the employer's own departments, deadlines, pay ranges for experienced staff
        "You may be asked to work in other departments when needed.",
        "Apply before Friday.",
        "Salary range $4,500-$6,000 per month depending on experience, 5 years required.",
        "I work at a Hanwha parts factory in Korea thru EPS now.",
        "The hotel is the Grand Harbour Hotel, you will see the address in the contract.",
        "Which hotel? The Seaview Suites in Cebu, apply at their HR office.",
        "Your passport is returned to you within 3 days.",
        "The employer pays the rest of your relocation costs too.",
        "Waiters serve guests at their tables and clean the dining room.",
        "We do not share applicant details with anyone.",
        "Minimum age 21; applicants under 18 are not accepted.",
        "Business visa is not valid for work; we apply for your work permit.",
        "Tourist visas cannot be used for this job.",
    ],
)
def test_ordinary_clauses_of_legitimate_adverts_are_not_flags(text: str) -> None:
    assert flags(text) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        # the same words when the worker is the one concerned
        ("We hire girls aged 15 to look after children.", ["minor_targeted"]),
        ("Girls 16 welcome to apply for babysitting jobs.", ["minor_targeted"]),
        ("Your phone stays in the office, you get it on Sunday.", ["movement_restriction"]),
        ("Leaving the house needs madam's permission.", ["movement_restriction"]),
        ("The compound has armed guards and you cannot go out.", ["movement_restriction"]),
        ("Salary deducted for the ticket and visa until it is paid.", ["debt_bondage"]),
        ("Submit your passport to the agent, he keeps it until you repay.", ["document_retention"]),
        # a negation that closes with "need" does not reach the fee on the next line
        ("security guard RM 3500 no xperiance need\ncontact fee 1.5 lakh only", ["recruitment_fee", "unrealistic_pay"]),
        # fees named in other ways, and in currencies added this round
        ("Fee for the trial and visa: 2,500,000 CFA.", ["recruitment_fee"]),
        ("pay CAD 3000 LMIA fee to our agent acc", ["recruitment_fee"]),
        ("u only pay 800 cedis for d invitation letter", ["recruitment_fee"]),
        # debts, documents and confinement at sea
        ("The first 7 months salary is for the agency.", ["debt_bondage"]),
        ("Seaman book the captain keeps.", ["document_retention"]),
        ("The boat stays out at sea 2 years, no port.", ["movement_restriction"]),
        ("dnt bring phone, madam dont like phone", ["movement_restriction"]),
        ("You sign the contract at the port in Mauritius.", ["no_contract"]),
        # documents given back only when the job ends; "so police don't take them" is the excuse
        ("Passports are collected by the coordinator and returned when you leave the job.", ["document_retention"]),
        ("Everybody stays in the huts, boss keep the ID card so police don't take.", ["document_retention"]),
        # employers named only later, in other words
        ("Which club? You will know when you land.", ["vague_employer"]),
        ("Clubs names are given only after selection.", ["vague_employer"]),
        ("Lounge name not public yet.", ["vague_employer"]),
        # the employer pays only "the rest"; a payment already made
        ("only registration of 150,000 naira, then the family handles the rest", ["recruitment_fee"]),
        ("She already gave him 20,000 birr.", ["recruitment_fee"]),
        # other duties and other places than the job offered
        ("You sit and talk with customers and sell ladies drinks.", ["job_switch"]),
        ("We go through Libya first and work there some months.", ["job_switch"]),
        ("Maybe no space in the factory, then you go work on a fishing boat.", ["job_switch"]),
        ("You may work in a massage place instead of the restaurant.", ["job_switch"]),
        # isolation from family, and nowhere to go alone
        ("You are not allowed to go anywhere without the madam.", ["movement_restriction"]),
        ("No contact with family for the first 6 months.", ["movement_restriction"]),
        ("You can call your family once a month.", ["movement_restriction"]),
    ],
)
def test_who_is_concerned_decides_whether_words_are_flags(text: str, expected: List[str]) -> None:
    assert flags(text) == expected
