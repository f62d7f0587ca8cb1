"""Phrasings of the flags that generalised worst to the held-out sets (issue 6, dev20 round).

Each case names one flag and whether an English claim raises it, with all languages' patterns
loaded as the pipeline loads them. Harmless claims are the ways legitimate adverts say who pays,
where the contract is, how many places there are, or where staff may be moved; each sits beside
a claim with the same words where the worker is the one harmed. Sentences are invented for these
tests; none is copied from a labelled set.
"""

from __future__ import annotations

import pytest
import spacy

from nlu.red_flag_scanner import load_rules, scan

RULES = load_rules(["en", "es", "fr"])
NLP = spacy.blank("en")


def raises(text: str, flag: str) -> bool:
    return flag in {e["value"] for e in scan(NLP(text), RULES)}


@pytest.mark.parametrize(
    "text, flag, expected",
    [
        # Who pays, said after the fee: "fees: employer", "on us", "the employer's responsibility",
        # "waived", "pay nothing". A fee the worker pays, or one waived only on a condition, still counts.
        ("Visa and medical fees: employer.", "recruitment_fee", False),
        ("Visa and medical fees: 45,000 pesos.", "recruitment_fee", True),
        ("Visa, flight and medical fees are on the company.", "recruitment_fee", False),
        ("Visa, flight and medical fees are on you, about 900 dollars.", "recruitment_fee", True),
        ("The visa fee is the employer's responsibility.", "recruitment_fee", False),
        ("The visa fee is the worker's responsibility.", "recruitment_fee", True),
        ("Registration fee waived.", "recruitment_fee", False),
        ("Placement fee: not applicable.", "recruitment_fee", False),
        ("Registration fee 200 dollars, waived only if you bring two friends.", "recruitment_fee", True),
        ("Workers pay nothing for the visa or ticket.", "recruitment_fee", False),
        ("Workers pay 300 dollars for the visa and ticket.", "recruitment_fee", True),
        # An identity card or travel document kept by a boss is retention even when the ad never says
        # "passport"; an ID sent with an application, an email ID, a contract's ID number, a document
        # the employer pays for, or the worker told to take care of their own passport is not.
        ("Your ID stays with the boss.", "document_retention", True),
        ("Your ID stays with you.", "document_retention", False),
        ("The agent will hold your ID until the fees are paid.", "document_retention", True),
        ("Submit your CV to our email ID hr@example.com.", "document_retention", False),
        ("Your travel document stays in the office safe until the end of the contract.", "document_retention", True),
        ("Submit your ID and diploma with the application.", "document_retention", False),
        ("Foreign domestic helper, Standard Employment Contract ID 407.", "document_retention", False),
        ("Emirates ID, visa and medical paid by the employer.", "document_retention", False),
        ("Visa paid by the sponsor, and the sponsor keeps your ID during the contract.", "document_retention", True),
        ("Please take care of your passport while travelling.", "document_retention", False),
        ("We look after your passport while you work.", "document_retention", True),
        ("The madam holds everyone's ID for safekeeping.", "document_retention", True),
        # An agreement said to be verbal, "by word" or a handshake, a boss who does not "do" contracts,
        # papers signed at the destination: no written contract. A contract that becomes permanent after
        # probation is a contract, and hiring "by word of mouth" is how people hear of a job.
        ("The agreement is verbal.", "no_contract", True),
        ("The agreement is in writing.", "no_contract", False),
        ("Everything is by word, no paperwork.", "no_contract", True),
        ("We hire by word of mouth and referrals.", "no_contract", False),
        ("Everything is agreed by word of mouth.", "no_contract", True),
        ("We don't do contracts, it's a family business.", "no_contract", True),
        ("We don't do unpaid trial shifts.", "no_contract", False),
        ("You sign the papers at the destination.", "no_contract", True),
        ("Sign the contract at our Manila office before departure.", "no_contract", False),
        ("Permanent contract after the trial period.", "no_contract", False),
        ("Fixed-term contract for 6 months, then permanent after probation.", "no_contract", False),
        ("Contract only after the trial month, no papers before.", "no_contract", True),
        # "Our client" hides the employer unless the client is named; a registered company form
        # (B.V., W.L.L., AG) names it. Praise with no article at the head of a claim ("Good family in
        # Jeddah") and a job at "my cousin's restaurant" leave the employer unknown, but "big company
        # benefits" describe a named employer's perks.
        ("Our client in Dubai needs drivers.", "vague_employer", True),
        ("Our client, FreshWay Distribution, is hiring order pickers in Venlo.", "vague_employer", False),
        ("Our client, Dubai's largest hotel group, needs waiters.", "vague_employer", True),
        ("A leading logistics company in the Netherlands needs drivers.", "vague_employer", True),
        ("We are a leading logistics company in the Netherlands: Vandermeer Distributie B.V.", "vague_employer", False),
        ("Engineers for a leading construction company in Qatar, Al Noor W.L.L.", "vague_employer", False),
        ("Good family in Jeddah needs a housemaid.", "vague_employer", True),
        ("Wealthy family needs a nanny, good salary.", "vague_employer", True),
        ("Big company benefits: health insurance and pension.", "vague_employer", False),
        ("My cousin's restaurant in London needs a cook.", "vague_employer", True),
        ("My friend's company, Norland Foods Ltd, needs drivers.", "vague_employer", False),
        # A number of positions or an invitation to apply now is not pressure; seats, money owed today,
        # an answer demanded within the hour are. A recruiter promising to reply quickly is service.
        ("Only 4 positions; apply before 30 April.", "urgency_pressure", False),
        ("Only 3 seats.", "urgency_pressure", True),
        ("Send your CV now to jobs@example.org.", "urgency_pressure", False),
        ("Apply now, interviews in March.", "urgency_pressure", False),
        ("Apply now, only 3 slots left.", "urgency_pressure", True),
        ("You must pay today to keep your place.", "urgency_pressure", True),
        ("Salary is paid on the 25th of each month.", "urgency_pressure", False),
        ("Don't think too long, the boss wants an answer in one hour.", "urgency_pressure", True),
        ("Interviews take about one hour.", "urgency_pressure", False),
        ("We reply within 2 hours on weekdays.", "urgency_pressure", False),
        ("Reply within 2 hours or the seat goes to another girl.", "urgency_pressure", True),
        # A job that turns into "other work" later, a stage job that turns into keeping customers
        # company, a job or destination that "may be different": a switch. A transfer in the same role,
        # a promotion, or a trainee who later takes their own patients is not.
        ("You'll start as a waitress, later other work.", "job_switch", True),
        ("You start as a commis chef, later promoted to chef de partie.", "job_switch", False),
        ("At first you sing and dance, then you accompany customers.", "job_switch", True),
        ("At first you shadow a senior nurse, then you take your own patients.", "job_switch", False),
        ("The job may be different when you arrive.", "job_switch", True),
        ("Work hours may be different each week.", "job_switch", False),
        ("You go to Dubai first, then maybe Oman or Iraq.", "job_switch", True),
        ("The work is cleaning, but sometimes other duties the boss says.", "job_switch", True),
        ("Other duties as assigned by your manager.", "job_switch", False),
        ("You may be assigned to another project site in the same role and pay.", "job_switch", False),
        ("You may be assigned to another project site in another role.", "job_switch", True),
        # Confinement said without "cannot leave": not free to leave, going out not allowed, workers
        # kept inside, no leaving the compound, staying in after work. Free to leave, rules for the
        # shift and keeping a house clean are not.
        ("You are not free to leave until the contract ends.", "movement_restriction", True),
        ("You are free to leave the house on your day off.", "movement_restriction", False),
        ("Going out of the house is not allowed.", "movement_restriction", True),
        ("Leaving the site during the shift is not allowed.", "movement_restriction", False),
        ("We keep the girls inside the house after work.", "movement_restriction", True),
        ("We keep the house clean and quiet.", "movement_restriction", False),
        ("No leaving the compound.", "movement_restriction", True),
        ("Staff must stay in the house after work.", "movement_restriction", True),
        ("Staff must stay in the house during working hours.", "movement_restriction", False),
        # A stranger asking to be written to on a messaging app, or who messaged the worker there, is a
        # stranger online; a recruiter of a named firm on LinkedIn, or a company's WhatsApp line, is not.
        ("DM me on Telegram for the job.", "online_stranger", True),
        ("DM me on LinkedIn about the role.", "online_stranger", False),
        ("I messaged you on Instagram about a job abroad.", "online_stranger", True),
        ("I'm a recruiter at Talentbridge and found your profile on LinkedIn.", "online_stranger", False),
        ("I'm a recruiter and found your profile on Instagram.", "online_stranger", True),
        # A description followed by the employer's name in brackets or after a dash names it; a place
        # in brackets, or a colon before the pay, does not.
        ("A 5-star hotel in Dubai (Marlowe Hotels) is hiring waiters.", "vague_employer", False),
        ("A big company in Riyadh (Saudi Arabia) needs cleaners.", "vague_employer", True),
        ("A leading hospital in Riyadh - King Faisal Specialist Care - needs ICU nurses.", "vague_employer", False),
        ("Our client, a leading hotel group (Marlowe Hotels), is hiring.", "vague_employer", False),
        ("Our client, a leading hotel group, is hiring.", "vague_employer", True),
        ("A big company in Dubai: Salary 2000 dollars.", "vague_employer", True),
        # Offshore and fly-in fly-out rosters pay high by design; the same pay for no experience is a lure.
        (
            "Pay US$7,800 per month plus offshore allowance for roustabouts on a 28/28 rotation.",
            "unrealistic_pay",
            False,
        ),
        ("Offshore rig jobs, $7,800 per month, no experience needed.", "unrealistic_pay", True),
    ],
)
def test_phrasings_decide_whether_a_claim_is_a_flag(text: str, flag: str, expected: bool) -> None:
    assert raises(text, flag) is expected

# Probes of the dev20 round (the first ones written before its author read the patterns, the rest
# after): harmless clauses of legitimate adverts and harmful phrasings of the weakest flags. Most
# already held; they stay as a guard for later changes. Two known misses are left open (see docs/benchmarks.md).
PROBES = [
    ("A big company in Dubai needs cleaners.", "vague_employer", True),
    ("A rich family in Kuwait is looking for a nanny.", "vague_employer", True),
    ("Our client, a hotel in Beirut, needs waitresses.", "vague_employer", True),
    ("I work for a very big boss in Malaysia who needs workers.", "vague_employer", True),
    ("The employer is a private person, I can't say the name now.", "vague_employer", True),
    ("A famous restaurant in Istanbul, name given when you arrive.", "vague_employer", True),
    ("A factory in Poland needs 20 men, details later.", "vague_employer", True),
    ("My friend's company in Europe needs drivers.", "vague_employer", True),
    ("An international company, you will know the name at the airport.", "vague_employer", True),
    ("Posted by Halvard Offshore on JobStreet, verified employer.", "vague_employer", False),
    ("Kestrel, the payments app, is hiring backend engineers.", "vague_employer", False),
    ("Our client, FreshWay Distribution B.V., is hiring order pickers in Venlo.", "vague_employer", False),
    ("Marlowe Hotels & Resorts is hiring for its Dubai Marina property.", "vague_employer", False),
    ("Listing ref. 11820 on Jobsplus, employer verified.", "vague_employer", False),
    ("The host family's name and address are shared before you sign the agreement.", "vague_employer", False),
    (
        "We are a leading logistics company with 40 years in the Netherlands: Vandermeer Distributie B.V.",
        "vague_employer",
        False,
    ),
    ("Care home operator Sakura no Sato, Kumamoto, is recruiting.", "vague_employer", False),
    ("The contract will be signed there.", "no_contract", True),
    ("You will get the contract after you arrive.", "no_contract", True),
    ("Contract? Not necessary, the boss is a good man.", "no_contract", True),
    ("No written agreement, just a handshake.", "no_contract", True),
    ("Contract provided before departure.", "no_contract", False),
    ("Your employment agreement will be sent by email.", "no_contract", False),
    ("Full terms in your offer letter.", "no_contract", False),
    ("The contract follows once the permit is approved.", "no_contract", False),
    ("Season contract sent by post and email in October.", "no_contract", False),
    ("Written contract signed before you travel.", "no_contract", False),
    ("Contract in English and Hindi before the visa is filed.", "no_contract", False),
    ("You will receive a copy of the signed contract to keep.", "no_contract", False),
    ("The contract is signed at the agency office before departure.", "no_contract", False),
    ("Only 3 seats left, reply today.", "urgency_pressure", True),
    ("The flight is Friday, confirm now.", "urgency_pressure", True),
    ("Reply today or lose the spot.", "urgency_pressure", True),
    ("Decide tonight, tomorrow it is too late.", "urgency_pressure", True),
    ("Last chance, the visa is ready and we leave next week.", "urgency_pressure", True),
    ("Hurry, many girls want this job.", "urgency_pressure", True),
    ("Applications close on 20 March.", "urgency_pressure", False),
    ("Start date: 14 April.", "urgency_pressure", False),
    ("Limited intake: 40 places in this round.", "urgency_pressure", False),
    ("Only 20 positions this term; deadline for documents 15 May.", "urgency_pressure", False),
    ("Immediate start available for the right candidate.", "urgency_pressure", False),
    ("Interviews this week, offers made quickly, so please apply soon.", "urgency_pressure", False),
    ("Closing date: 31 January.", "urgency_pressure", False),
    ("Destination may change.", "job_switch", True),
    ("If the restaurant is full, you work in another place of the boss.", "job_switch", True),
    (
        "Transfer clause: you may be assigned to any of the company's project sites in the same role.",
        "job_switch",
        False,
    ),
    ("You may be transferred to a sister vessel of the same fleet on the same terms.", "job_switch", False),
    ("You will rotate between departments according to production needs.", "job_switch", False),
    ("Your placement school may change if enrolment changes; you are told before you sign.", "job_switch", False),
    ("Relocation to our Munich office is possible after one year if you wish.", "job_switch", False),
    ("Career progression from commis chef to chef de partie.", "job_switch", False),
    ("Workers live inside the compound and go out only with the supervisor.", "movement_restriction", True),
    ("You will not come to shore until the season is over.", "movement_restriction", True),
    ("You can't leave the farm without permission.", "movement_restriction", True),
    ("You stay in the house, no day off in the first year.", "movement_restriction", True),
    ("The door is locked at night from outside.", "movement_restriction", True),
    ("No going out on your own, it is for your safety.", "movement_restriction", True),
    ("You cannot go anywhere alone.", "movement_restriction", True),
    ("House rules: quiet hours after 11 pm and no overnight guests.", "movement_restriction", False),
    ("Crew must be back on board one hour before sailing.", "movement_restriction", False),
    ("You are free to come and go outside working hours.", "movement_restriction", False),
    ("Sunday is your rest day and you are free to go out.", "movement_restriction", False),
    ("The children never go out alone; you walk them to school and back.", "movement_restriction", False),
    ("You must stay with the children at all times and never go out.", "movement_restriction", True),
    ("You travel on an ESTA and start work the day you land.", "wrong_visa", True),
    ("Staff house with board; quiet hours from 22:00.", "movement_restriction", False),
    ("We keep your documents safe while you work.", "document_retention", True),
    ("The sponsor will keep your travel papers during the contract.", "document_retention", True),
    ("The company holds your phone and identity card at the start.", "document_retention", True),
    ("Give us your documents at the airport, we handle everything.", "document_retention", True),
    ("Hand over your papers to the manager on arrival.", "document_retention", True),
    ("Your passport stays with you at all times.", "document_retention", False),
    ("You keep your own passport and contract.", "document_retention", False),
    ("Send scanned copies of your ID; the originals stay with you.", "document_retention", False),
    ("We keep a photocopy of your passport for the visa application.", "document_retention", False),
    ("The original is returned to you the same day.", "document_retention", False),
    ("Bring your ID and certificates to the interview.", "document_retention", False),
    ("Pay 900 dollars for processing.", "recruitment_fee", True),
    ("Agency fee 1,500 euro, paid before departure.", "recruitment_fee", True),
    ("You pay £350 for the work permit booking.", "recruitment_fee", True),
    ("Registration fee of 200 dollars is required.", "recruitment_fee", True),
    ("Send 50,000 naira for the medical and visa.", "recruitment_fee", True),
    ("Candidates cover their own visa and ticket, about 1,200 dollars.", "recruitment_fee", True),
    ("Zero placement fee.", "recruitment_fee", False),
    ("The process is cost-free to applicants.", "recruitment_fee", False),
    ("We never charge candidates anything.", "recruitment_fee", False),
    ("All costs borne by the employer.", "recruitment_fee", False),
    ("Recruitment fees are the employer's responsibility under the Employer Pays Principle.", "recruitment_fee", False),
    ("Fees are the employer's responsibility.", "recruitment_fee", False),
    ("Placement is free: the company covers all recruitment costs.", "recruitment_fee", False),
    ("Charges borne by the employer, including visa, medical and ticket.", "recruitment_fee", False),
    ("No fees for workers: the agency is paid by the client.", "recruitment_fee", False),
    ("Visa handled by the employer at no cost to you.", "recruitment_fee", False),
    ("Recruitment and travel are cost-free to candidates.", "recruitment_fee", False),
    ("Hello dear, I saw your photos on Facebook and I have a job for you.", "online_stranger", True),
    ("Hi sis, I found you in the group chat.", "online_stranger", True),
    (
        "I'm a recruiter at Talentbridge and found your profile on LinkedIn; apply through our careers page.",
        "online_stranger",
        False,
    ),
    ("Apply through our careers page at talentbridge.example/jobs.", "online_stranger", False),
    ("AUD 185,000 a year for senior mining engineers.", "unrealistic_pay", False),
    ("The employer bears all recruitment costs.", "recruitment_fee", False),
    ("Costs: none for the candidate.", "recruitment_fee", False),
    ("No charges apply to candidates.", "recruitment_fee", False),
    ("Candidates will not be charged at any stage.", "recruitment_fee", False),
    ("You will not be asked to pay anything.", "recruitment_fee", False),
    ("There is no cost to you.", "recruitment_fee", False),
    ("Recruitment is free of charge.", "recruitment_fee", False),
    ("Visa fee: paid by employer.", "recruitment_fee", False),
    ("Processing fee: covered by the hospital.", "recruitment_fee", False),
    ("Application fee: none.", "recruitment_fee", False),
    ("Deployment costs shouldered by the principal.", "recruitment_fee", False),
    ("Your flight, visa and medical are on us.", "recruitment_fee", False),
    ("The company takes care of all recruitment fees.", "recruitment_fee", False),
    ("Candidates are never asked to pay.", "recruitment_fee", False),
    ("Medical fee of 5,000 pesos is reimbursed by the employer on arrival.", "recruitment_fee", False),
    ("The hospital covers the NCLEX fee and the visa costs.", "recruitment_fee", False),
    ("Ethical recruitment: the employer pays all fees, in line with the ILO principles.", "recruitment_fee", False),
    ("Medical fee 5,000 pesos, you pay at the clinic.", "recruitment_fee", True),
    ("Applicants shoulder the medical and visa costs.", "recruitment_fee", True),
    ("Visa cost 600 dollars, paid by you before departure.", "recruitment_fee", True),
    ("Permanent contract after a 3-month probation.", "no_contract", False),
    ("You receive the contract after you arrive, nothing in writing before.", "no_contract", True),
    ("Send the money now or the seat goes to another girl.", "urgency_pressure", True),
    ("Bring a valid photo ID to the interview.", "document_retention", False),
    ("The employer's name and ID number are in the contract.", "document_retention", False),
    ("Contact us on WhatsApp at +971 50 000 0000 for the application form.", "online_stranger", False),
    ("Message me on LinkedIn if you have questions about the role.", "online_stranger", False),
    ("Our driver takes you to work and back every day.", "movement_restriction", False),
    pytest.param(
        "Girls stay in the apartment, the driver takes them to work and back.",
        "movement_restriction",
        True,
        marks=pytest.mark.xfail(strict=True, reason="confinement implied by escorting only, not yet read"),
    ),
    pytest.param(
        "Write me only on WhatsApp, not to the company.",
        "online_stranger",
        True,
        marks=pytest.mark.xfail(strict=True, reason="'only on WhatsApp, not the company' not yet read"),
    ),
]


@pytest.mark.parametrize("text, flag, expected", PROBES)
def test_probe_phrasings(text: str, flag: str, expected: bool) -> None:
    assert raises(text, flag) is expected


# dev34 round: harmless look-alikes of legitimate adverts (a fee said to be "NO" or "not collected", costs
# that "are ours", a performer's fee, a passport that stays with the dancers or that a named worker keeps,
# a visa fee refunded, visitor visas refused, "free visa, free ticket", a passport that already lets one work,
# a contract that turns indefinite after probation, "no hostessing") each beside a harmful phrasing with
# the same words. Sentences are invented; none is copied from dev34.
DEV34_CASES = [
    # Who pays, and a negation said after the fee.
    ("Agency processing fee NO!", "recruitment_fee", False),
    ("Agency processing fee 40,000 rupees, no refund.", "recruitment_fee", True),
    ("Security deposit: not collected for this batch.", "recruitment_fee", False),
    ("Security deposit: 500 dollars, collected at the office.", "recruitment_fee", True),
    ("Last year workers paid a big processing fee, this time zero.", "recruitment_fee", False),
    ("Flight and medical costs are ours.", "recruitment_fee", False),
    ("Flight and medical costs are yours, around 700 dollars.", "recruitment_fee", True),
    ("The agency takes 15% commission of your booking fees, only from client payments.", "recruitment_fee", False),
    ("Fee USD 1,800 per performer for the four-week tour.", "recruitment_fee", False),
    ("Fee USD 1,800 per applicant for the four-week tour.", "recruitment_fee", True),
    ("No stress, total cost 4 lakh only, half now.", "recruitment_fee", True),
    ("We paid him 2,000 dollars for the visa and arranging.", "recruitment_fee", True),
    ("We pay the visa and arranging, you pay nothing.", "recruitment_fee", False),
    ("My brother paid a broker 90,000 taka to get the job.", "recruitment_fee", True),
    ("Cost is 3 lakh for everything, ticket included.", "recruitment_fee", True),
    ("Reserve your seat with 50,000 token money.", "recruitment_fee", True),
    ("Full package 9 lakh (admission + visa + placement), pay in two parts.", "recruitment_fee", True),
    ("Salary package 2,000 dollars + overtime + housing.", "recruitment_fee", False),
    # Passports: with the workers themselves, a named worker keeping her own, a cost list.
    ("Passports stay with the nurses.", "document_retention", False),
    ("Passports stay with the supervisors during the season.", "document_retention", True),
    ("Amina will keep her own passport and her phone.", "document_retention", False),
    ("The madam will keep her passport and her phone.", "document_retention", True),
    ("Karim keeps her passport in his office safe.", "document_retention", True),
    # A first name and "her passport" cannot tell the worker from a boss called by name: still a flag.
    ("Karim will keep her passport and her phone.", "document_retention", True),
    ("She is not 18,000 pesos short of the fare.", "minor_targeted", False),
    ("You will always hold your own passport.", "document_retention", False),
    ("Visa, ticket, residence card and medical in Qatar by company.", "document_retention", False),
    ("Residence card and passport kept by the company in Qatar.", "document_retention", True),
    ("The hotel manager keeps your passport, it is needed for the permit.", "document_retention", True),
    # Visas: refused, refunded, listed as a cost, already unneeded; or made after entry.
    ("Visitor visa holders need not apply.", "wrong_visa", False),
    ("Visitor visa holders can also apply, we fix the rest later.", "wrong_visa", True),
    ("Visa fee refunded after arrival.", "wrong_visa", False),
    ("Work visa stamped after arrival.", "wrong_visa", True),
    ("FREE VISA, FREE TICKET, the employer bears both.", "wrong_visa", False),
    ("Free visa, you can work for anyone you like.", "wrong_visa", True),
    ("She has a Portuguese passport, so she can work in Lisbon without a permit.", "wrong_visa", False),
    ("You can work in Lisbon without a permit, nobody checks.", "wrong_visa", True),
    ("Come first on a Schengen visa, then work permit will be done inside the country.", "wrong_visa", True),
    ("First visa, then work permit, all arranged there.", "wrong_visa", True),
    # Contracts.
    ("Employment contract for one year, indefinite after probation.", "no_contract", False),
    ("The employment contract is signed during the first week in the warehouse.", "no_contract", True),
    # Job switch.
    ("Singers only: no hostessing or sitting with guests.", "job_switch", False),
    ("Singers also do hostessing and sitting with guests after the show.", "job_switch", True),
    ("At first you may not be at the restaurant, you will clean in the owner's house.", "job_switch", True),
    # Vague employer.
    ("We supply staff to leading hotel groups across the Gulf.", "vague_employer", True),
    ("Cleaners for various homes and offices in Doha.", "vague_employer", True),
    ("Employer: German meat processing plant near the border.", "vague_employer", True),
    ("Employer: Brandt Fleisch GmbH, processing plant near Hamburg.", "vague_employer", False),
    ("They don't give the name, only say it is a big company.", "vague_employer", True),
    ("The company name he will tell you at Doha airport.", "vague_employer", True),
    ("Employer will be allocated from our partner list after payment.", "vague_employer", True),
    ("Employer will be allocated by the government scheme before departure.", "vague_employer", False),
    # Secrecy.
    ("At the airport you must tell them you are going to visit your aunt.", "secrecy", True),
    ("At the airport you must tell them you are going to work, and show your contract.", "secrecy", False),
    ("Pack light and not tell anyone at home.", "secrecy", True),
    # Urgency.
    ("Only 3 seat remaining for this flight!", "urgency_pressure", True),
    ("Quota nearly full, send money this week.", "urgency_pressure", True),
    # Online stranger.
    ("I see you comment in the jobs abroad group, I can help you.", "online_stranger", True),
    ("I saw your pictures on TikTok, you could be a model.", "online_stranger", True),
    ("A friend of her friend on Facebook offered the job.", "online_stranger", True),
    ("The madam is chatting with her on WhatsApp video every week.", "online_stranger", False),
    # Unrealistic pay: "only chatting"; an English test not required is not "no English".
    ("1,500 dollars a month, only chatting with customers.", "unrealistic_pay", True),
    ("No IELTS needed, no English test required, basic English is enough.", "unrealistic_pay", False),
    ("No English needed, we teach you everything.", "unrealistic_pay", True),
    # Debt: nothing recovered is not a debt; a cost that "will come out of his pay" is.
    ("Flights paid by the farm, nothing is recovered from your wages later.", "debt_bondage", False),
    ("The boss bought his boots and said it will come out of his pay.", "debt_bondage", True),
    # Minors.
    ("She is not 18 yet but the agent says it is fine.", "minor_targeted", True),
    ("Applicants who are not 18 yet cannot apply.", "minor_targeted", False),
    ("The agent will make her a passport with an older birth year.", "minor_targeted", True),
]


@pytest.mark.parametrize("text, flag, expected", DEV34_CASES)
def test_dev34_phrasings(text: str, flag: str, expected: bool) -> None:
    assert raises(text, flag) is expected


@pytest.mark.parametrize(
    "text, language, expected",
    [
        # The US visitor visa (B1/B2) offered for work is a wrong visa, in any language of the advert.
        ("Come on a B1/B2 visa, we fix the work papers later.", "en", True),
        ("Entras con la visa B1/B2 y allá te arreglan los papeles.", "es", True),
        # Refused, or said not to allow work: harmless.
        ("No se aceptan candidatas con visa de turista (B1/B2).", "es", False),
        ("B1/B2 visa holders are not accepted.", "en", False),
        ("The B1/B2 visa does not allow you to work.", "en", False),
        # The language levels B1/B2 are not a visa.
        ("Requisito: alemán nivel B1/B2.", "es", False),
        ("German B1/B2 certificate required; the clinic pays the course.", "en", False),
    ],
)
def test_b1_b2_is_a_visitor_visa_only_when_offered_for_work(text: str, language: str, expected: bool) -> None:
    flags = {e["value"] for e in scan(spacy.blank(language)(text), RULES)}
    assert ("wrong_visa" in flags) is expected
