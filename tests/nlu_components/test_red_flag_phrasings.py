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
    ],
)
def test_phrasings_decide_whether_a_claim_is_a_flag(text: str, flag: str, expected: bool) -> None:
    assert raises(text, flag) is expected
