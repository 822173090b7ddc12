"""Demo content for `manage.py seed_demo`: the "Leading Together" programme, its six modules
and a small resource library, written to be read.

The step (seed_content, listed in core.demo.STEPS) keeps core.demo's rules: pages are found by
slug under their parent and created only when missing, so a rerun adds nothing and never
overwrites what an editor has since changed; each page is created with add_child and published
through a revision, as an editor's would be.

The content follows how the NHS in England works (budget statements, establishments, CIPs,
job plans, the five-case model, PDSA) and the findings of the Institute of Healthcare
Management's paper on clinicians and managers (PRODUCT.md §1). People and organisations in the
case studies are fictional.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.core.files.base import ContentFile
from wagtail.models import Page, PageViewRestriction, Site

from cms.models import (
    HomePage,
    LeadershipDimension,
    ModulePage,
    ModuleRelatedLink,
    ProgrammeIndexPage,
    ProgrammePage,
    ResourceIndexPage,
    ResourcePage,
    Topic,
)

# --------------------------------------------------------------------------------------------
# Block builders: the raw StreamField form (what the admin saves), kept readable.


def text(html: str) -> dict:
    return {"type": "rich_text", "value": html}


def key_points(*points: str, heading: str = "Key points") -> dict:
    return {"type": "key_points", "value": {"heading": heading, "points": list(points)}}


def case_study(
    title: str,
    situation: str,
    clinician: tuple[str, str],
    manager: tuple[str, str],
    outcome: str,
) -> dict:
    return {
        "type": "case_study",
        "value": {
            "title": title,
            "situation": situation,
            "clinician": {"role": clinician[0], "account": clinician[1]},
            "manager": {"role": manager[0], "account": manager[1]},
            "outcome": outcome,
        },
    }


def reflect(text_: str, *prompts: str) -> dict:
    return {"type": "reflective_question", "value": {"question": text_, "prompts": list(prompts)}}


def paired_activity(
    title: str,
    purpose: str,
    time_needed: str,
    setting: str,
    clinician_part: str,
    manager_part: str,
    steps: list[str],
    debrief: list[str],
) -> dict:
    return {
        "type": "paired_activity",
        "value": {
            "title": title,
            "purpose": purpose,
            "time_needed": time_needed,
            "setting": setting,
            "clinician_part": clinician_part,
            "manager_part": manager_part,
            "steps": steps,
            "debrief": debrief,
        },
    }


def question(text_: str, *options: tuple[str, bool, str]) -> dict:
    return {
        "question": text_,
        "options": [
            {"answer": answer, "correct": correct, "feedback": feedback}
            for answer, correct, feedback in options
        ],
    }


def knowledge_check(*questions: dict, title: str = "Check your understanding") -> dict:
    return {"type": "knowledge_check", "value": {"title": title, "questions": list(questions)}}


def outcomes(*items: str) -> list[dict]:
    return [{"type": "outcome", "value": item} for item in items]


# --------------------------------------------------------------------------------------------
# The programme

PROGRAMME_INDEX = {
    "slug": "programmes",
    "title": "Programmes",
    "intro": "<p>Every Tandem programme is taken by clinicians and managers together, in the "
    "same cohort, so that the people who run a service learn its business side by side.</p>",
}

PROGRAMME = {
    "slug": "leading-together",
    "title": "Leading Together",
    "summary": "A six-month programme in which clinicians and managers learn the business of "
    "running NHS services side by side: money, people, business cases, change and "
    "improvement.",
    "for_clinicians": "Doctors, nurses, midwives, allied health professionals, healthcare "
    "scientists and pharmacists who hold, or are moving towards, a leadership role: clinical "
    "leads, ward and department managers, matrons, team leads and specialty registrars.\n"
    "You will learn how budgets, workforce plans and business cases really work, from the "
    "people who run them, and how to get a good idea for your patients approved.",
    "for_managers": "Operational, general, service and business managers, and finance and "
    "workforce business partners who work with clinical teams.\n"
    "You will see how clinical decisions are made and what drives them, and practise "
    "bringing clinicians into decisions early rather than asking them to sign them off late.",
    "learning_outcomes": outcomes(
        "Read a budget statement with a colleague from the other profession and agree what is "
        "driving the variance.",
        "Plan a workforce change that accounts for establishment, vacancies, rotas and job plans.",
        "Write a business case that both a finance team and a clinical team would sign off.",
        "Lead a change with the people it affects, using a recognised model.",
        "Test an improvement in small cycles and show with data whether it worked.",
        "Explain the pressures of your own role to the other profession, and theirs to yours.",
    ),
    "format": "Six half-day joint workshops, six online modules, and a paired activity "
    "between each workshop",
    "duration": "Six months",
    "cpd_hours": Decimal("24"),
    "body": [
        text(
            "<h2>Why clinicians and managers learn together</h2>"
            "<p>When the Institute of Healthcare Management surveyed managers, 74% described "
            "their relationship with clinicians as <i>a partnership with areas of tension</i> "
            "or <i>a relationship of tolerance with frequent tensions</i>, and a further 14% "
            "reported <i>persistent and unresolved tensions</i>. Almost as many (73%) expected "
            "the relationship to stay the same or get worse over the next five years.</p>"
            "<p>The same paper sets out why it matters. Clinical leadership improves quality "
            "and outcomes for patients; trusts with more doctors on their boards are more "
            "likely to achieve high quality ratings, lower morbidity and higher patient "
            "satisfaction; and engagement between clinicians and managers tracks how well an "
            "organisation performs. Its first call to action is paired learning and "
            "shadowing, backed by <b>joint management training</b> in managing staff and "
            "budgets, business planning and organisational change. Leading Together is that "
            "training.</p>"
            "<h2>How it works</h2>"
            "<ul>"
            "<li>Each cohort is half clinicians and half managers, and places are held for "
            "both until enrolment closes, so it stays joint.</li>"
            "<li>You are paired with someone from the other profession for the six months. "
            "Between workshops the pair does the paired activity in each module, on real work: "
            "your budget statement, your rota, your business case.</li>"
            "<li>Each module takes about an hour online. Mark it complete when you have worked "
            "through it, and keep private reflections as you go.</li>"
            "<li>The programme ends with a joint improvement project that each pair presents "
            "to their trust's executive team.</li>"
            "</ul>"
        ),
        key_points(
            "Clinicians and managers take every part of the programme together.",
            "Six modules: budgets, staff, business cases, change, improvement and each "
            "other's roles.",
            "Each module has a paired activity to do at work with your partner.",
            "24 CPD hours for those who complete it.",
            heading="At a glance",
        ),
    ],
}


# --------------------------------------------------------------------------------------------
# The modules

MODULE_BUDGETS = {
    "slug": "nhs-budgets-and-financial-management",
    "title": "NHS budgets and financial management for clinicians",
    "summary": "Where a trust's money comes from, how it reaches your ward or department, and "
    "how to read a monthly budget statement with the manager who holds it.",
    "topics": ["budgets-and-finance"],
    "dimensions": ["evaluating-information", "holding-to-account", "connecting-our-service"],
    "minutes": 60,
    "learning_outcomes": outcomes(
        "Describe how money flows from NHS England through the integrated care board to a "
        "trust and down to a cost centre.",
        "Read a budget statement: budget, actual, variance and forecast for each line.",
        "Explain how establishment, vacancies and temporary staffing drive the pay budget.",
        "Describe what a cost improvement programme is and how its effect on quality is checked.",
    ),
    "body": [
        text(
            "<h2>Where the money comes from</h2>"
            "<p>Almost all of an NHS trust's income comes from commissioners, chiefly its "
            "integrated care board (ICB), which receives an allocation from NHS England for the "
            "population it serves. The NHS Payment Scheme sets the rules for how trusts are "
            "paid: much of the income is a fixed amount agreed each year, and some activity, "
            "such as planned operations and outpatient appointments, is paid for according to "
            "how much is done.</p>"
            "<p>Inside the trust, the income is turned into budgets. The board agrees an annual "
            "plan; each division or directorate receives a budget, and that is split again "
            "into <b>cost centres</b>: a ward, a theatre suite, a community team, a "
            "department. Each cost centre has a <b>budget holder</b>, often a ward manager, "
            "service manager or clinical lead, and a finance business partner who supports "
            "them.</p>"
            "<h2>Reading a budget statement</h2>"
            "<p>Every month the budget holder receives a statement for the cost centre. The "
            "layout differs between trusts, but the columns are nearly always the same:</p>"
            "<ul>"
            "<li><b>Annual budget</b>: what the line is expected to cost over the year.</li>"
            "<li><b>Budget to date</b>: the share of that budget for the months so far.</li>"
            "<li><b>Actual to date</b>: what has really been spent.</li>"
            "<li><b>Variance</b>: the difference between the two, marked favourable "
            "(underspent) or adverse (overspent). Trusts show the sign differently, so check "
            "the key on your statement.</li>"
            "<li><b>Forecast outturn</b>: where the line is expected to end the year.</li>"
            "</ul>"
            "<p>The rows are grouped into <b>pay</b> (substantive staff, bank, agency, by staff "
            "group) and <b>non-pay</b> (drugs, clinical supplies, equipment and so on). On most "
            "clinical cost centres pay is by far the largest part, commonly well over half of "
            "the total.</p>"
            "<h2>Establishment, vacancies and temporary staff</h2>"
            "<p>The pay budget is built from the <b>establishment</b>: the number of funded "
            "posts, in whole-time equivalents (WTE), at each band or grade. When a post is "
            "vacant, the money for it is unspent, but the work still needs doing. Shifts are "
            "then filled by <b>bank</b> staff (the trust's own flexible pool) or by "
            "<b>agency</b> staff, who cost considerably more. That is why a ward can be "
            "underspent on substantive pay and overspent on pay overall at the same time.</p>"
            "<p>Look at three numbers together: funded WTE, contracted WTE (people in post) "
            "and worked WTE (including bank and agency). The gaps between them usually explain "
            "the pay variance better than the variance does on its own.</p>"
            "<h2>Cost improvement programmes</h2>"
            "<p>Each year, trusts plan savings through a <b>cost improvement programme</b> "
            "(CIP): schemes that deliver the same or better care for less money, such as "
            "reducing agency use, switching to equally effective medicines, or cutting "
            "length of stay. Savings are <b>recurrent</b> when they continue year after year "
            "and <b>non-recurrent</b> when they are one-off. Before a scheme goes ahead, a "
            "<b>quality impact assessment</b> checks its effect on safety and patient "
            "experience, and is usually signed off by the medical director and the chief "
            "nurse.</p>"
            "<h2>What clinicians influence</h2>"
            "<p>Clinicians rarely hold the budget, but their decisions spend most of it: who "
            "is admitted and for how long, what is prescribed, which consumables are used, how "
            "rotas are built and when extra staff are booked. That is why a budget is best "
            "read by the clinician and the manager together.</p>"
        ),
        key_points(
            "Money flows from NHS England to the integrated care board, to the trust, to "
            "divisions and then to cost centres.",
            "A budget statement compares budget and actual to date; the difference is the "
            "variance, favourable or adverse.",
            "Vacancies filled by agency staff usually cost more than the posts would have.",
            "Cost improvement schemes must pass a quality impact assessment before they start.",
            "Clinical decisions spend most of the budget, so read it together.",
        ),
        case_study(
            "The overspent ward",
            "<p>At month eight, Ward 7, a care of older people ward, is £180,000 overspent on "
            "pay. The division has asked for a recovery plan by the end of the month.</p>",
            (
                "Ward sister, care of older people",
                "<p>We have carried six registered nurse vacancies since the spring, and most "
                "nights two patients need one-to-one enhanced care because they are at high "
                "risk of falling. Every shift I booked was booked for safety. I have never "
                "been shown how the budget was set, and our acuity scores say we are "
                "understaffed, not overstaffed.</p>",
            ),
            (
                "Divisional general manager, medicine",
                "<p>Finance sees an adverse variance of £180,000, most of it agency at "
                "premium rates, and a bank fill rate well below the rest of the division. "
                "Our cost improvement plan assumed some of those vacancies would be held. The "
                "board asks me every month what we are doing about agency spend, and I "
                "cannot answer without the ward.</p>",
            ),
            "<p>They went through the statement together. Half of the enhanced care shifts "
            "had no recorded assessment, so they introduced a short assessment reviewed every "
            "morning by the nurse in charge and the ward's consultant. The division offered "
            "bank staff an incentive for hard-to-fill night shifts, which moved most of the "
            "agency shifts to bank. The ward's acuity data went into a business case for two "
            "more registered nurse posts. By year end the overspend had halved, and nobody "
            "had been asked to work unsafely.</p>",
        ),
        reflect(
            "Think of the last time you were told there was no budget for something. What "
            "would you have needed to know to test that statement?",
            "Who held the budget, and did you ever speak to them?",
            "Was the problem the money, or where it had been allocated?",
        ),
        paired_activity(
            "Read one budget statement together",
            "See the same numbers through each other's eyes, and agree one question worth "
            "taking to finance.",
            "About 45 minutes",
            "Somewhere quiet near the clinical area, with this month's budget statement",
            "Bring what you know of the activity behind the numbers: the busy weeks, the "
            "patients who needed extra staff, the rota gaps, the changes in practice.",
            "Bring the latest budget statement for a cost centre the clinician works in, and "
            "the establishment (funded WTE by band) if you can get it.",
            [
                "Read the column headings together until you both agree what each one means.",
                "Find the three largest lines by annual budget, and the line with the "
                "largest year-to-date variance.",
                "The clinician explains what happened clinically behind that variance; the "
                "manager explains how the budget for that line was set.",
                "Compare funded, contracted and worked WTE for the main staff group.",
                "Agree one question to take to your finance business partner, and who will ask it.",
            ],
            [
                "What surprised each of you?",
                "Which number would you each now look at first every month?",
                "What would change if you read this statement together every month?",
            ],
        ),
        knowledge_check(
            question(
                "What is the variance on a budget statement?",
                (
                    "The difference between the budget to date and the actual spending to date",
                    True,
                    "Right. It is marked favourable when spending is below budget and "
                    "adverse when it is above.",
                ),
                (
                    "The amount expected to be spent by the end of the year",
                    False,
                    "That is the forecast outturn, a different column.",
                ),
                (
                    "The savings target set by the cost improvement programme",
                    False,
                    "CIP targets are built into budgets, but the variance is the gap between "
                    "budget and actual.",
                ),
            ),
            question(
                "A ward has three vacant nursing posts, covered most shifts by agency nurses. "
                "What is the most likely effect on its pay budget?",
                (
                    "An overspend, because agency staff cost more than the posts they cover",
                    True,
                    "Right. The vacancies free up money, but agency rates usually exceed it.",
                ),
                (
                    "An underspend, because the posts are vacant",
                    False,
                    "The substantive pay line may be underspent, but the agency line more "
                    "than cancels it out.",
                ),
                (
                    "No effect, because agency costs are paid centrally",
                    False,
                    "Agency costs are charged to the cost centre that books the shifts.",
                ),
            ),
            question(
                "What is a cost improvement programme?",
                (
                    "A trust's plan to deliver the same or better care for less money each "
                    "year, with each scheme's effect on quality assessed",
                    True,
                    "Right. Quality impact assessments are there so savings do not harm patients.",
                ),
                (
                    "A capital fund for buying new equipment",
                    False,
                    "Capital funding is separate; CIPs are about running costs.",
                ),
                (
                    "A national payment made to trusts that hit their targets",
                    False,
                    "CIPs are planned by the trust itself, not paid to it.",
                ),
            ),
        ),
    ],
}

MODULE_STAFF = {
    "slug": "managing-and-developing-staff",
    "title": "Managing and developing staff",
    "summary": "Establishments, rotas, job plans and appraisal: how teams are staffed and "
    "developed, and how clinicians and managers can do it fairly together.",
    "topics": ["staff-management"],
    "dimensions": [
        "engaging-the-team",
        "developing-capability",
        "holding-to-account",
        "leading-with-care",
    ],
    "minutes": 55,
    "learning_outcomes": outcomes(
        "Explain how a team's establishment, rota and leave rules fit together.",
        "Describe a job plan, and the difference between direct clinical care and supporting "
        "professional activities.",
        "Describe appraisal and revalidation for doctors, nurses and Agenda for Change staff.",
        "Hold a supportive conversation about attendance or performance.",
    ),
    "body": [
        text(
            "<h2>Staffing a service</h2>"
            "<p>A team's <b>establishment</b> is its funded posts. The <b>rota</b> (most trusts "
            "now use e-rostering) turns those posts into shifts, after allowing for annual "
            "leave, study leave, sickness and parental leave, usually through a planned "
            "percentage called headroom. Nursing establishments are reviewed at least once a "
            "year against tools such as the Safer Nursing Care Tool and professional "
            "judgement, and the results go to the trust board.</p>"
            "<p>Doctors in training work rotas governed by their national contract, which "
            "limits hours and rest and lets them report, through exception reports, when "
            "their work differs from their schedule. Rota gaps are common, and filling them "
            "is one of the most frequent points of friction between clinicians and "
            "managers.</p>"
            "<h2>Job plans</h2>"
            "<p>Consultants and specialty and specialist (SAS) doctors have a <b>job plan</b>, "
            "agreed at least once a year with their clinical manager. It is measured in "
            "<b>programmed activities</b> (PAs) of four hours: most are <b>direct clinical "
            "care</b> (clinics, theatre lists, ward rounds, on-call) and some are "
            "<b>supporting professional activities</b> (SPAs): teaching and training, audit "
            "and quality improvement, continuing professional development and the work that "
            "supports appraisal and revalidation. Job planning works best when it is done for "
            "a whole team, so that the service's capacity can be matched to its demand and "
            "everyone can see the whole picture.</p>"
            "<h2>Appraisal and revalidation</h2>"
            "<ul>"
            "<li><b>Doctors</b> have an annual medical appraisal, which supports "
            "<b>revalidation</b> with the General Medical Council every five years.</li>"
            "<li><b>Nurses and midwives</b> revalidate with the Nursing and Midwifery Council "
            "every three years.</li>"
            "<li><b>Agenda for Change</b> staff have an annual appraisal, which is also linked "
            "to their pay progression.</li>"
            "</ul>"
            "<p>A good appraisal is a conversation about development, not a form. Ask what "
            "went well, what got in the way and what the person wants to learn next, and "
            "agree objectives you will both check on.</p>"
            "<h2>Attendance and performance</h2>"
            "<p>Every trust has policies for sickness absence and for capability. Start with a "
            "supportive conversation to understand what is happening, refer to occupational "
            "health where health is involved, and keep notes. Most problems are resolved "
            "informally when they are raised early, kindly and clearly.</p>"
        ),
        key_points(
            "Establishment is funded posts; the rota turns them into shifts after leave.",
            "A job plan divides a doctor's week into direct clinical care and supporting "
            "professional activities.",
            "Doctors revalidate every five years, nurses and midwives every three.",
            "Job plan as a team, so capacity can be matched to demand fairly.",
        ),
        case_study(
            "The job plan review",
            "<p>A respiratory medicine team has a twelve-week wait for new outpatient "
            "appointments. The service manager proposes cutting every consultant's "
            "supporting professional activities to fund extra clinics.</p>",
            (
                "Consultant respiratory physician",
                "<p>My SPA time is when I teach the registrars, run our audit of oxygen "
                "prescribing and prepare for appraisal. Cutting it tells me the trust does not "
                "value any of that. Nobody asked what we actually do in those sessions.</p>",
            ),
            (
                "Service manager, medicine",
                "<p>Patients are waiting three months to be seen. Every job plan shows the "
                "same amount of SPA time, but I cannot see what it delivers, and I have to be "
                "fair across a team of eight. I need clinic capacity, and I need the "
                "consultants to help me find it.</p>",
            ),
            "<p>They moved to team job planning. Each consultant listed what their SPA time "
            "produced, and the team agreed outcomes for it: a teaching timetable, two "
            "quality improvement projects and appraisal preparation. Two consultants chose to "
            "swap one SPA for an extra clinic for six months, with a review at the end. The "
            "wait fell to seven weeks, and the teaching continued.</p>",
        ),
        reflect(
            "When did someone last have a conversation with you about your development that "
            "made a difference? What did they do that helped?",
            "How often do the people you manage, or work with, get that conversation?",
        ),
        paired_activity(
            "Walk through a rota and a job plan",
            "Understand how staffing decisions look from the other side, and find one change "
            "that helps both the service and the staff.",
            "About an hour",
            "At a computer with the e-roster, or with printed rotas and job plans",
            "Bring your own job plan (or, for nurses and allied health professionals, your "
            "team's rota), and explain which sessions are fixed and why.",
            "Bring the next six weeks of the team's rota and the establishment, and explain "
            "how leave and gaps are currently filled.",
            [
                "Find the gaps in the next six weeks and how each is expected to be filled.",
                "Compare the rota with the establishment: are the funded posts all on it?",
                "Look at how leave rules create gaps, and whether they could be spread.",
                "Agree one change to try, and who needs to agree to it.",
            ],
            [
                "What did each of you not know about how the other's part works?",
                "Who else should be in this conversation next time?",
            ],
        ),
        knowledge_check(
            question(
                "In a consultant's job plan, what are supporting professional activities for?",
                (
                    "Work that underpins clinical care, such as teaching, audit, quality "
                    "improvement and continuing professional development",
                    True,
                    "Right. Agreeing what they deliver makes them easier to protect.",
                ),
                (
                    "Extra clinics when waiting lists grow",
                    False,
                    "Clinics are direct clinical care, although sessions can be swapped by "
                    "agreement.",
                ),
                (
                    "On-call duties",
                    False,
                    "On-call work counts as direct clinical care.",
                ),
            ),
            question(
                "How often do doctors revalidate with the General Medical Council?",
                ("Every five years", True, "Right, supported by annual appraisal."),
                (
                    "Every three years",
                    False,
                    "That is how often nurses and midwives revalidate with the NMC.",
                ),
                (
                    "Every year",
                    False,
                    "Appraisal is every year; revalidation is every five years.",
                ),
            ),
            question(
                "A member of your team has reached the sickness absence trigger in your "
                "trust's policy. What should you do first?",
                (
                    "Have a supportive conversation to understand what is happening, and "
                    "refer to occupational health if their health is involved",
                    True,
                    "Right. Most absence problems are resolved by understanding the cause early.",
                ),
                (
                    "Start the formal stage of the policy straight away",
                    False,
                    "Policies usually begin with an informal, supportive conversation.",
                ),
                (
                    "Wait to see whether it happens again",
                    False,
                    "Waiting lets a problem grow; talk early and kindly.",
                ),
            ),
        ),
    ],
}

MODULE_BUSINESS = {
    "slug": "business-planning-and-business-cases",
    "title": "Business planning and business cases",
    "summary": "How the NHS plans each year, and how to write a business case with the "
    "five-case model that both clinical and finance colleagues will support.",
    "topics": ["business-planning", "budgets-and-finance"],
    "dimensions": [
        "sharing-the-vision",
        "evaluating-information",
        "influencing-for-results",
        "connecting-our-service",
    ],
    "minutes": 60,
    "learning_outcomes": outcomes(
        "Describe the annual planning cycle of a trust and its integrated care board.",
        "Use the five-case model to structure a business case.",
        "Build an options appraisal that includes doing nothing.",
        "Tell revenue costs from capital costs, and recurrent from non-recurrent.",
    ),
    "body": [
        text(
            "<h2>The planning year</h2>"
            "<p>Each winter NHS England publishes planning guidance for the year that starts "
            "in April. Integrated care boards and their trusts then agree operational plans "
            "covering activity, workforce and money, and divisions write business plans that "
            "set out what they will deliver and what it will cost. New developments that need "
            "extra money usually have to be in a business plan, and then need an approved "
            "business case.</p>"
            "<h2>The five-case model</h2>"
            "<p>NHS business cases follow the five-case model from HM Treasury's Green Book. "
            "Large capital schemes go through three stages (a strategic outline case, an "
            "outline business case and a full business case); most service developments use "
            "a shorter trust template, but it asks the same five questions:</p>"
            "<ul>"
            "<li><b>Strategic case</b>: why is the change needed, and how does it fit the "
            "trust's and the system's plans?</li>"
            "<li><b>Economic case</b>: which option gives the best value for money, once "
            "costs, benefits and risks are counted?</li>"
            "<li><b>Commercial case</b>: can what is needed be bought or contracted for, "
            "and how?</li>"
            "<li><b>Financial case</b>: is it affordable, and where does the money come "
            "from?</li>"
            "<li><b>Management case</b>: can it be delivered: who leads it, what are the "
            "risks and how will the benefits be measured?</li>"
            "</ul>"
            "<h2>Options, costs and benefits</h2>"
            "<p>An <b>options appraisal</b> compares realistic ways of meeting the need, "
            "always including <b>do nothing</b> (or business as usual), which is the baseline "
            "the others are measured against. Cost each option honestly: <b>revenue</b> costs "
            "recur every year (staff, consumables, maintenance), while <b>capital</b> pays "
            "for assets such as buildings and major equipment. Say which costs and savings "
            "are <b>recurrent</b>. Name the benefits in ways that can be measured, and say "
            "who will measure them after go-live.</p>"
            "<h2>Writing it together</h2>"
            "<p>Clinicians bring the evidence of need, the clinical model and credibility with "
            "colleagues; managers bring activity data, workforce and estates planning and the "
            "financial case. Cases written by one side alone tend to fail on the other side's "
            "questions.</p>"
        ),
        key_points(
            "Strategic, economic, commercial, financial and management: five questions every "
            "case must answer.",
            "Always include a do-nothing option as the baseline.",
            "Separate revenue from capital, and recurrent from one-off costs.",
            "Say how benefits will be measured, and by whom.",
        ),
        case_study(
            "The one-stop clinic",
            "<p>A gastroenterology consultant proposes a one-stop clinic in which patients "
            "with suspected bowel problems are assessed and scoped in a single visit. The "
            "case has been turned down twice.</p>",
            (
                "Consultant gastroenterologist",
                "<p>The evidence is clear: patients get an answer in one visit instead of "
                "three, and we catch cancers earlier. I wrote the case in my own time and it "
                "was rejected twice, with no explanation I could act on. It feels as if the "
                "answer was always going to be no.</p>",
            ),
            (
                "Business manager, medicine",
                "<p>The case said it would improve patient experience, but it had no activity "
                "figures, no staffing model and nothing about which existing clinics would "
                "stop. It asked for two new nurse posts with no link to income or savings. "
                "The finance committee could not see how it would be paid for.</p>",
            ),
            "<p>They rewrote it together. Twelve months of referral data showed how many "
            "patients would be eligible; the clinic would replace two existing appointments "
            "for most of them, freeing outpatient slots and reducing follow-ups. The "
            "financial case showed the nurse posts paid for in part by the released capacity. "
            "It was approved as a twelve-month pilot, with waiting times and diagnosis times "
            "as the measures of success.</p>",
        ),
        reflect(
            "Think of an idea for your service that never got off the ground. Which of the "
            "five cases was missing or weak?",
            "Who could have written that part with you?",
        ),
        paired_activity(
            "Strengthen a business case together",
            "Practise building a case that answers both clinical and financial questions.",
            "About 90 minutes, in two sittings if you prefer",
            "Anywhere with the case and the service's activity data to hand",
            "Write or review the strategic case in plain words: the need, the evidence and "
            "what will be better for patients.",
            "Write or review the financial case: the costs of each option, revenue and "
            "capital, recurrent and one-off, and where the money comes from.",
            [
                "Choose a real case: one in progress, or one that was turned down.",
                "List the options, including doing nothing.",
                "Each drafts your own part, then swap and challenge each other's.",
                "Agree the three benefits you would measure, and how.",
                "Decide who else must see it before it goes to committee.",
            ],
            [
                "Which question from the other side did you not expect?",
                "What would make the case easier to say yes to?",
            ],
        ),
        knowledge_check(
            question(
                "In the five-case model, which case asks whether the organisation can afford "
                "the proposal?",
                ("The financial case", True, "Right: affordability and funding sources."),
                (
                    "The economic case",
                    False,
                    "The economic case asks which option is the best value for money, which "
                    "is not the same as affordable.",
                ),
                (
                    "The strategic case",
                    False,
                    "The strategic case sets out why the change is needed.",
                ),
            ),
            question(
                "Why should an options appraisal include doing nothing?",
                (
                    "It is the baseline against which the costs and benefits of the other "
                    "options are measured",
                    True,
                    "Right. Without it, nobody can tell what the change adds.",
                ),
                (
                    "Because it is always the cheapest option",
                    False,
                    "Doing nothing often has costs of its own, such as growing waits or "
                    "agency spend.",
                ),
                (
                    "Only because the template asks for it",
                    False,
                    "It matters: it is what the other options are compared with.",
                ),
            ),
            question(
                "Which of these is a capital cost?",
                (
                    "Buying and installing a new CT scanner",
                    True,
                    "Right. Capital pays for assets; running the scanner is a revenue cost.",
                ),
                (
                    "The salaries of the radiographers who run it",
                    False,
                    "Salaries recur every year: a revenue cost.",
                ),
                (
                    "The scanner's annual maintenance contract",
                    False,
                    "Maintenance recurs every year: a revenue cost.",
                ),
            ),
        ),
    ],
}

MODULE_CHANGE = {
    "slug": "leading-organisational-change",
    "title": "Leading organisational change",
    "summary": "Why change in the NHS so often strains the relationship between clinicians and "
    "managers, and how to lead change with the people it affects.",
    "topics": ["organisational-change"],
    "dimensions": [
        "sharing-the-vision",
        "engaging-the-team",
        "inspiring-shared-purpose",
        "influencing-for-results",
    ],
    "minutes": 50,
    "learning_outcomes": outcomes(
        "Explain why structural change tends to strain relationships, and what reduces the strain.",
        "Use Kotter's eight steps and Bridges' transition model to plan a change.",
        "Map who a change affects and how to involve them.",
        "Describe when formal consultation with staff is needed.",
    ),
    "body": [
        text(
            "<h2>Why change strains relationships</h2>"
            "<p>The NHS has been reorganised many times, and the IHM paper notes that constant "
            "reform has put strain on the relationship between clinicians and managers. "
            "Managers can find themselves trying to implement change without clinicians' "
            "engagement, while clinicians can experience change as something done to them by "
            "people who will not live with its consequences. Both are common; both are "
            "avoidable when the people affected shape the change from the start.</p>"
            "<h2>Two models worth knowing</h2>"
            "<p><b>Kotter's eight steps</b> describe leading a change: create a sense of "
            "urgency; build a guiding coalition; form a strategic vision; enlist volunteers; "
            "remove barriers; generate short-term wins; sustain acceleration; and institute "
            "the change in the culture. In a clinical service, the guiding coalition nearly "
            "always needs respected clinicians in it.</p>"
            "<p><b>Bridges' transition model</b> separates the change (the new rota, the move "
            "to a new unit) from the transition people go through: an <b>ending</b>, when "
            "they let go of the old way; a <b>neutral zone</b> of uncertainty; and a <b>new "
            "beginning</b>. Leaders tend to announce the new beginning and forget that people "
            "must first be helped with the ending.</p>"
            "<p>The <b>NHS Change Model</b> adds the elements that make change stick in the "
            "health service, starting from a shared purpose and leadership by all, and "
            "including rigorous delivery and transparent measurement.</p>"
            "<h2>Involving people properly</h2>"
            "<p>Start by mapping who is affected and who has influence. Involve the people "
            "who will do the work in designing it, before the design is finished. When a "
            "change affects people's contracts, working patterns or posts, your trust's "
            "organisational change policy sets out when formal consultation with staff and "
            "their trade union representatives is needed, and for how long. Human resources "
            "colleagues can advise early, which is far easier than correcting a process "
            "later.</p>"
        ),
        key_points(
            "Change done to people damages trust; change done with them builds it.",
            "Kotter: build a guiding coalition that clinicians respect.",
            "Bridges: help people with the ending before selling the new beginning.",
            "Check the organisational change policy before changing rotas or posts.",
        ),
        case_study(
            "Moving the day surgery unit",
            "<p>The trust decided to move day surgery to a refurbished unit on another floor, "
            "with a new booking system and earlier start times.</p>",
            (
                "Lead nurse, day surgery",
                "<p>We heard about it at a team brief, with the plans already drawn. Nobody "
                "had asked where the recovery bays should go or how earlier starts would work "
                "for staff with school runs. Two experienced nurses have already applied for "
                "jobs elsewhere.</p>",
            ),
            (
                "Operations manager, surgery",
                "<p>The refurbishment money had a deadline, so the design had to be fixed "
                "quickly. I thought the team would be pleased with a better unit. I did not "
                "expect the reaction, and now the move date is at risk.</p>",
            ),
            "<p>They paused the final fit-out for a fortnight and held two design sessions "
            "with the day surgery team, who moved the recovery bays and the nurses' station. "
            "Start times were phased in after a formal consultation, with a later start for "
            "staff who needed it. The move went ahead a month late, and both nurses "
            "stayed.</p>",
        ),
        reflect(
            "Think about a change you have lived through at work. What did the people leading "
            "it do that helped, and what made it harder?",
            "What did you have to let go of?",
            "When did you first hear about it, and from whom?",
        ),
        paired_activity(
            "Map a change from both sides",
            "See who a change really affects, and who is missing from the conversation.",
            "About an hour",
            "Somewhere with a large sheet of paper or a whiteboard",
            "Map the clinical people and groups the change affects: staff groups, specialties, "
            "patients and carers, and the informal leaders people listen to.",
            "Map the organisational ones: corporate teams, committees, commissioners, staff "
            "side representatives, and the deadlines and rules that apply.",
            [
                "Choose a change that is coming to a service you share.",
                "Each draws your map, then combine them on one sheet.",
                "Place everyone on a grid of influence against how much the change affects them.",
                "Mark who has been involved so far, and who has not.",
                "Agree the next three conversations, and who will have each.",
            ],
            [
                "Who did the other person put on the map that you had missed?",
                "Where is the change most likely to meet resistance, and is it reasonable?",
            ],
        ),
        knowledge_check(
            question(
                "In Bridges' transition model, what do people need help with first?",
                (
                    "The ending: letting go of the old way of working",
                    True,
                    "Right. Transition starts with an ending, even when the change is welcome.",
                ),
                (
                    "The new beginning: learning the new way of working",
                    False,
                    "That comes last; leaders often start here and skip the ending.",
                ),
                (
                    "The neutral zone: tolerating uncertainty",
                    False,
                    "The neutral zone comes between the ending and the new beginning.",
                ),
            ),
            question(
                "Why does a guiding coalition for a clinical change usually need respected "
                "clinicians in it?",
                (
                    "Because colleagues judge a change partly by who is leading it",
                    True,
                    "Right. Credibility with the people affected is what a coalition is for.",
                ),
                (
                    "Because clinicians must approve every change",
                    False,
                    "Not every change needs clinical approval, but most need clinical credibility.",
                ),
                (
                    "Because managers cannot lead change",
                    False,
                    "Managers lead change all the time; the point is to lead it together.",
                ),
            ),
            question(
                "Which of these is a sign that a change is being done to staff rather than "
                "with them?",
                (
                    "The design is finished before the people affected are asked about it",
                    True,
                    "Right. Involve people while there is still something to shape.",
                ),
                (
                    "Staff side representatives are consulted",
                    False,
                    "Consultation is part of doing change properly.",
                ),
                (
                    "The change has a clear deadline",
                    False,
                    "Deadlines are normal; the question is whether people shape the change.",
                ),
            ),
        ),
    ],
}

MODULE_QI = {
    "slug": "quality-improvement",
    "title": "Quality improvement together",
    "summary": "The Model for Improvement, PDSA cycles and run charts: how clinicians and "
    "managers can test changes together and know whether they worked.",
    "topics": ["quality-improvement"],
    "dimensions": [
        "evaluating-information",
        "developing-capability",
        "inspiring-shared-purpose",
        "engaging-the-team",
    ],
    "minutes": 55,
    "learning_outcomes": outcomes(
        "Use the Model for Improvement's three questions to frame a project.",
        "Plan and run a PDSA cycle as a small test of change.",
        "Choose outcome, process and balancing measures.",
        "Read a run chart and recognise a shift or a trend.",
    ),
    "body": [
        text(
            "<h2>Improvement, audit and research</h2>"
            "<p><b>Research</b> creates new knowledge; <b>audit</b> checks practice against "
            "a standard; <b>quality improvement</b> tests changes to a real system and learns "
            "as it goes. Clinicians often lead improvement work, but it rarely succeeds "
            "without managers, who can free up time, find data and remove obstacles. The IHM "
            "paper notes that engaging clinicians in improvement has been a long-standing "
            "problem, and that managers struggle to make change happen without them: "
            "improvement is where the two need each other most.</p>"
            "<h2>The Model for Improvement</h2>"
            "<p>Widely used in the NHS, the Model for Improvement starts with three "
            "questions:</p>"
            "<ol>"
            "<li>What are we trying to accomplish?</li>"
            "<li>How will we know that a change is an improvement?</li>"
            "<li>What changes can we make that will result in improvement?</li>"
            "</ol>"
            "<p>Changes are then tested in <b>Plan, Do, Study, Act</b> (PDSA) cycles: plan a "
            "small test and predict what will happen; do it; study the results against the "
            "prediction; act by adopting, adapting or abandoning the change. Start small (one "
            "patient, one clinic, one shift) and grow the test as confidence grows.</p>"
            "<h2>Measuring for improvement</h2>"
            "<p>Use a small family of measures: an <b>outcome</b> measure (what matters to "
            "patients), a <b>process</b> measure (whether the change is happening) and a "
            "<b>balancing</b> measure (whether you have caused a problem elsewhere). Plot them "
            "over time on a <b>run chart</b> with the median marked. Common rules for "
            "spotting a real change rather than noise: a <b>shift</b> is six or more "
            "consecutive points all above or all below the median; a <b>trend</b> is five or "
            "more points all going up or all going down.</p>"
        ),
        key_points(
            "Three questions: aim, measures, changes.",
            "Test small with PDSA cycles, and predict before you test.",
            "Always include a balancing measure.",
            "Plot data over time; one good week is not an improvement.",
        ),
        case_study(
            "Earlier in the day",
            "<p>The emergency department is crowded every afternoon while patients wait for "
            "beds, and most discharges from the medical wards happen after four o'clock.</p>",
            (
                "Consultant physician",
                "<p>It feels like another target. My job is to make sure patients are safe to "
                "go home, not to hit a time. Half of the delays are outside my control anyway: "
                "medicines to take home, transport, waiting for a scan report.</p>",
            ),
            (
                "Patient flow manager",
                "<p>By the time beds free up at five, the emergency department has had "
                "patients on trolleys for hours, and ambulances are queuing. I am not asking "
                "anyone to send patients home unsafely; I am asking for the ones who are "
                "ready to leave earlier in the day.</p>",
            ),
            "<p>They agreed an aim both could support: patients who are medically ready "
            "leave the ward before two o'clock. The first PDSA cycle, on one ward, had "
            "medicines to take home prescribed the afternoon before discharge; the second "
            "added criteria-led discharge, so that nurses could discharge patients who met "
            "criteria agreed on the consultant's round. Readmissions within 30 days were the "
            "balancing measure. After ten weeks the run chart showed a shift, and "
            "readmissions had not risen.</p>",
        ),
        reflect(
            "What is one thing in your service that frustrates both clinicians and managers? "
            "How would you know if it got better?",
            "What could you measure each week without extra work?",
        ),
        paired_activity(
            "Run one PDSA cycle together",
            "Experience a small test of change from both sides, with data you both trust.",
            "Two or three short meetings over two weeks",
            "In the service where the problem happens",
            "Describe the problem as staff and patients experience it, and lead the test on "
            "the ground.",
            "Find the data: what is already recorded, where, and how often. Clear any "
            "obstacles to running the test.",
            [
                "Choose a small problem you both see, and write an aim with a number and a date.",
                "Choose one outcome, one process and one balancing measure.",
                "Plan a test on the smallest useful scale, and write down your prediction.",
                "Run the test, then study the results against the prediction.",
                "Decide together: adopt, adapt or abandon, and plan the next cycle.",
            ],
            [
                "Was the prediction right? What does that tell you?",
                "Who else noticed the test, and what did they say?",
            ],
        ),
        knowledge_check(
            question(
                "What does PDSA stand for?",
                ("Plan, Do, Study, Act", True, "Right: the cycle of a small test of change."),
                (
                    "Prepare, Deliver, Sustain, Audit",
                    False,
                    "Not quite; the cycle is Plan, Do, Study, Act.",
                ),
                (
                    "Plan, Decide, Start, Assess",
                    False,
                    "Not quite; the cycle is Plan, Do, Study, Act.",
                ),
            ),
            question(
                "What is a balancing measure?",
                (
                    "A measure that checks an improvement in one place is not causing a "
                    "problem somewhere else",
                    True,
                    "Right, such as readmissions when discharges move earlier.",
                ),
                (
                    "A measure of the project's budget",
                    False,
                    "Costs can be a balancing measure, but the idea is wider.",
                ),
                (
                    "The average of the outcome measure",
                    False,
                    "That is a summary of the outcome measure, not a separate check.",
                ),
            ),
            question(
                "On a run chart, which of these usually signals a real shift rather than chance?",
                (
                    "Six or more consecutive points all above, or all below, the median",
                    True,
                    "Right. One point on its own is rarely a signal.",
                ),
                (
                    "A single very high point",
                    False,
                    "One unusual point may be chance; look for a run.",
                ),
                (
                    "Any point above the target line",
                    False,
                    "Targets are not the median; shifts are judged against the median.",
                ),
            ),
        ),
    ],
}

MODULE_ROLES = {
    "slug": "understanding-each-others-roles",
    "title": "Understanding each other's roles",
    "summary": "What the evidence says about clinicians and managers, why their perspectives "
    "differ, and how shadowing and informal contact build trust.",
    "topics": ["working-across-professions"],
    "dimensions": [
        "connecting-our-service",
        "leading-with-care",
        "influencing-for-results",
        "inspiring-shared-purpose",
    ],
    "minutes": 45,
    "learning_outcomes": outcomes(
        "Summarise the IHM survey's findings on the clinician and manager relationship.",
        "Explain how clinicians' and managers' perspectives differ, and why both are reasonable.",
        "Plan reciprocal shadowing with a colleague from the other profession.",
        "Name the conditions that help the relationship work.",
    ),
    "body": [
        text(
            "<h2>What the survey found</h2>"
            "<p>In the Institute of Healthcare Management's survey, 74% of managers described "
            "their relationship with clinicians as <i>a partnership with areas of tension</i> "
            "or <i>a relationship of tolerance with frequent tensions</i>, and 14% as having "
            "<i>persistent and unresolved tensions</i>. Asked about the next five years, 73% "
            "thought it would stay the same or get worse. Almost half thought the main "
            "responsibility for improving it lay with individual clinicians and managers "
            "themselves.</p>"
            "<h2>Two reasonable perspectives</h2>"
            "<p>Clinicians focus on the patient in front of them and want to give that person "
            "the best care they can, yet often feel powerless: they may have no budget, "
            "little say in hiring, and little influence over the organisation's goals, while "
            "their decisions shape the quality, productivity and reputation of the trust. "
            "Managers focus on whole populations and on allocating resources within a budget "
            "to do the most good; they are not on the front line, but they answer to boards, "
            "regulators, the media and politicians. Both share the same mission. The "
            "tension comes from seeing it from different places.</p>"
            "<h2>Why it matters</h2>"
            "<p>Since the Griffiths report of 1983 brought general management into the NHS, "
            "the balance between managers and clinicians has shifted more than once, and Lord "
            "Darzi's <i>High Quality Care for All</i> (2008) put clinical leadership at the "
            "heart of improving the NHS. The evidence supports it: trusts with more doctors on "
            "their boards were more likely to achieve high quality ratings, lower morbidity "
            "and higher patient satisfaction, and the level of engagement between clinicians "
            "and managers, measured by the Medical Engagement Scale, is linked to how well an "
            "organisation performs.</p>"
            "<h2>What helps</h2>"
            "<p>Clinicians and managers name the same things: trust, mutual respect, support, "
            "being accessible and visible, good communication, working close by, depending on "
            "each other, and friendship. The IHM calls for three things: paired learning and "
            "shadowing; more clinicians in management roles; and working environments that "
            "encourage informal contact, such as a shared office, a shared kitchen or simply "
            "being down the corridor. Paired learning, as piloted at Imperial College "
            "Healthcare NHS Trust in 2010 and 2011, pairs a doctor in training with a manager "
            "for several months of meetings, shadowing and a joint project.</p>"
        ),
        key_points(
            "Three-quarters of managers describe the relationship as tense.",
            "Clinicians often feel powerless; managers answer for whole populations and budgets.",
            "Clinical leadership and engagement are linked to better care and performance.",
            "Shadowing and informal contact build the trust that formal meetings do not.",
        ),
        case_study(
            "The bed meeting",
            "<p>At the eight o'clock bed meeting the emergency department has twelve patients "
            "waiting for admission and three ambulances waiting to hand over.</p>",
            (
                "Consultant in acute medicine",
                "<p>I am asked to find discharges before I have seen my patients. Some of them "
                "I am not sure about yet, and if one comes back sicker tomorrow, it is my "
                "name on the notes. The meeting feels like pressure to take risks.</p>",
            ),
            (
                "Site manager",
                "<p>I can see every patient waiting in the department and every ambulance "
                "outside, and I have to report the position to the regional team by nine. I "
                "am not asking for unsafe discharges; I need to know early who might go, so I "
                "can plan the day.</p>",
            ),
            "<p>They shadowed each other for a morning. The consultant joined the bed meeting "
            "and the call with the regional team; the site manager joined the post-take ward "
            "round. Afterwards they changed the question asked at the meeting from 'who can "
            "go home?' to 'who could go home today once they have had a senior review?', "
            "with senior reviews prioritised before eleven. The tone of the meeting changed "
            "within a week.</p>",
        ),
        reflect(
            "Finish this sentence about the other profession: 'They don't understand that…'. "
            "Now finish it as they might about you.",
            "Where did your view of them come from?",
            "When did you last spend unhurried time with someone from the other side?",
        ),
        paired_activity(
            "Reciprocal shadowing",
            "Spend time in each other's working day, so that each of you sees the pressures "
            "the other faces at first hand.",
            "Two to three hours each way, and a 30-minute debrief",
            "The clinician's ward, clinic or theatre; the manager's meetings",
            "Host the manager on a ward round, clinic or theatre list, and shadow the manager "
            "at a meeting such as a bed meeting, budget review or recruitment panel.",
            "Host the clinician at one of your meetings, and shadow the clinician in their "
            "clinical setting.",
            [
                "Agree dates and get the permissions needed, including your line manager's "
                "or supervising consultant's.",
                "Brief each other: what to expect, confidentiality and, in clinical areas, "
                "patient consent and infection control.",
                "Observe, and write down three things that surprised you.",
                "Debrief within a week, while it is fresh.",
                "Log the shadowing visit in Tandem, with your reflections.",
            ],
            [
                "What pressure did you see that you had not appreciated?",
                "What will you do differently the next time you work together?",
            ],
        ),
        knowledge_check(
            question(
                "In the IHM survey, roughly what share of managers described the relationship "
                "as a partnership with areas of tension, or tolerance with frequent tensions?",
                ("About three-quarters", True, "Right: 74%."),
                ("About a quarter", False, "It was much higher: 74%."),
                (
                    "Almost all",
                    False,
                    "Not quite: 74%, with a further 14% reporting "
                    "persistent and unresolved tensions.",
                ),
            ),
            question(
                "What did research find about NHS trusts with more doctors on their boards?",
                (
                    "They were more likely to achieve high quality ratings, lower morbidity "
                    "and higher patient satisfaction",
                    True,
                    "Right. It is one reason the IHM calls for more clinicians in "
                    "management roles.",
                ),
                ("They spent more on management", False, "That was not the finding."),
                ("It made no difference", False, "The study found a clear difference."),
            ),
            question(
                "Which of these is one of the IHM's three calls to action?",
                (
                    "Promote paired learning and shadowing between clinicians and managers",
                    True,
                    "Right. The others are more clinicians in management roles, and "
                    "environments that encourage informal contact.",
                ),
                (
                    "Reduce the number of managers",
                    False,
                    "The paper calls for better relationships, not fewer managers.",
                ),
                (
                    "Keep clinical and managerial training separate",
                    False,
                    "The paper calls for joint management training.",
                ),
            ),
        ),
    ],
}

MODULES = [MODULE_BUDGETS, MODULE_STAFF, MODULE_BUSINESS, MODULE_CHANGE, MODULE_QI, MODULE_ROLES]

RELATED = {  # module slug -> related module slugs
    MODULE_BUDGETS["slug"]: [MODULE_BUSINESS["slug"], MODULE_STAFF["slug"]],
    MODULE_STAFF["slug"]: [MODULE_BUDGETS["slug"], MODULE_CHANGE["slug"]],
    MODULE_BUSINESS["slug"]: [MODULE_BUDGETS["slug"], MODULE_QI["slug"]],
    MODULE_CHANGE["slug"]: [MODULE_ROLES["slug"], MODULE_QI["slug"]],
    MODULE_QI["slug"]: [MODULE_CHANGE["slug"], MODULE_BUSINESS["slug"]],
    MODULE_ROLES["slug"]: [MODULE_CHANGE["slug"], MODULE_STAFF["slug"]],
}


# --------------------------------------------------------------------------------------------
# The resource library

RESOURCE_INDEX = {
    "slug": "resources",
    "title": "Resource library",
    "intro": "<p>Guides, templates and tools to use with a colleague from the other "
    "profession. Filter them by topic.</p>",
}

BUDGET_TEMPLATE_DOCUMENT = "Ward budget review template"


def budget_template_csv() -> bytes:
    """A worked example of the review template: a fictional ward at month 8 of 12, with the
    columns a clinician and a manager fill in together."""
    month, months = 8, 12
    lines = [  # (line, annual budget, actual to date)
        ("Registered nurses: substantive", 1_450_000, 842_000),
        ("Registered nurses: bank", 60_000, 98_500),
        ("Registered nurses: agency", 0, 176_300),
        ("Healthcare assistants: substantive", 520_000, 351_200),
        ("Healthcare assistants: bank", 25_000, 61_900),
        ("Ward clerk and housekeeper", 62_000, 41_300),
        ("Drugs", 210_000, 149_800),
        ("Clinical supplies", 95_000, 60_400),
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "Cost centre",
            "Line",
            "Annual budget (£)",
            f"Budget to month {month} (£)",
            f"Actual to month {month} (£)",
            "Variance (£, negative is adverse)",
            "What is driving it: clinician's view",
            "What is driving it: manager's view",
            "Agreed action",
            "Owner",
            "Review date",
        ]
    )
    for line, annual, actual in lines:
        to_date = round(annual * month / months)
        variance = to_date - actual
        cost_centre = "Ward 7, care of older people"
        writer.writerow([cost_centre, line, annual, to_date, actual, variance, *[""] * 5])
    return out.getvalue().encode("utf-8")


RESOURCES = [
    {
        "slug": "reading-a-budget-statement",
        "title": "Reading a budget statement: a one-page guide",
        "summary": "The columns, the words and the three questions to ask of any NHS budget "
        "statement.",
        "resource_type": "guide",
        "topics": ["budgets-and-finance"],
        "body": [
            text(
                "<h2>The words</h2>"
                "<ul>"
                "<li><b>Cost centre</b>: the ward, team or department the budget belongs "
                "to.</li>"
                "<li><b>Establishment</b>: the funded posts, in whole-time equivalents "
                "(WTE).</li>"
                "<li><b>Budget to date</b>: the share of the annual budget for the months so "
                "far.</li>"
                "<li><b>Variance</b>: budget minus actual. Favourable means underspent, "
                "adverse means overspent. Check which sign your trust uses.</li>"
                "<li><b>Forecast outturn</b>: where the line is expected to finish the "
                "year.</li>"
                "<li><b>Recurrent</b>: continues every year. <b>Non-recurrent</b>: "
                "one-off.</li>"
                "<li><b>Bank and agency</b>: temporary staff from the trust's own pool, and "
                "from agencies at higher rates.</li>"
                "</ul>"
                "<h2>Three questions to ask</h2>"
                "<ol>"
                "<li>Which line has the largest variance to date, and is it growing?</li>"
                "<li>Do funded, contracted and worked WTE explain the pay variance?</li>"
                "<li>What will the forecast be if nothing changes, and who needs to know?</li>"
                "</ol>"
            )
        ],
    },
    {
        "slug": "ward-budget-review-template",
        "title": "Ward budget review template",
        "summary": "A spreadsheet for reviewing a monthly budget statement as a pair, with a "
        "worked example of a ward at month eight.",
        "resource_type": "template",
        "topics": ["budgets-and-finance"],
        "document": BUDGET_TEMPLATE_DOCUMENT,
        "body": [
            text(
                "<p>Open the file in any spreadsheet program. Replace the example lines with "
                "your cost centre's statement, then fill in the two 'what is driving it' "
                "columns separately before you compare them. The differences between the "
                "clinician's view and the manager's view are where the conversation "
                "starts.</p>"
            )
        ],
    },
    {
        "slug": "five-case-model-checklist",
        "title": "Business case checklist: the five cases in plain English",
        "summary": "The questions a business case must answer, case by case, to get through "
        "a finance committee and win clinical support.",
        "resource_type": "tool",
        "topics": ["business-planning"],
        "body": [
            text(
                "<h2>Strategic case</h2><ul><li>What is the problem, in numbers and in "
                "patients' words?</li><li>How does the proposal fit the trust's and the "
                "integrated care board's plans?</li></ul>"
                "<h2>Economic case</h2><ul><li>Which options did you consider, including "
                "doing nothing?</li><li>Which gives the best value once costs, benefits and "
                "risks are counted?</li></ul>"
                "<h2>Commercial case</h2><ul><li>What needs to be bought, and how will it be "
                "procured?</li></ul>"
                "<h2>Financial case</h2><ul><li>What are the revenue and capital costs, "
                "recurrent and one-off?</li><li>Where does the money come from, and what "
                "stops or is saved?</li></ul>"
                "<h2>Management case</h2><ul><li>Who leads delivery, and what are the main "
                "risks?</li><li>Which benefits will you measure, how, and when?</li></ul>"
            )
        ],
    },
    {
        "slug": "job-planning-conversations",
        "title": "Job planning conversations: a guide for clinical leads and service managers",
        "summary": "How to prepare for and hold a team job planning conversation that matches "
        "capacity to demand and is fair to everyone.",
        "resource_type": "guide",
        "topics": ["staff-management"],
        "body": [
            text(
                "<h2>Before the conversation</h2><ul><li>Share the service's demand and "
                "capacity figures with the whole team.</li><li>Ask each clinician to list "
                "what their supporting professional activities deliver.</li></ul>"
                "<h2>During it</h2><ul><li>Start from what patients need, then what each "
                "person brings.</li><li>Agree outcomes for supporting time, not just "
                "hours.</li><li>Record changes, with a date to review them.</li></ul>"
                "<h2>Afterwards</h2><ul><li>Publish the team's job plans to the team.</li>"
                "<li>Check at the review date whether the changes worked.</li></ul>"
            )
        ],
    },
    {
        "slug": "pdsa-and-run-chart-worksheet",
        "title": "PDSA cycle and run chart worksheet",
        "summary": "A step-by-step worksheet for planning a small test of change and plotting "
        "its results.",
        "resource_type": "tool",
        "topics": ["quality-improvement"],
        "body": [
            text(
                "<h2>Plan</h2><p>What will you test, on what scale, and who will do it? Write "
                "down what you predict will happen.</p>"
                "<h2>Do</h2><p>Run the test. Note anything unexpected.</p>"
                "<h2>Study</h2><p>Compare the results with your prediction. Plot your "
                "measure on a run chart and mark the median.</p>"
                "<h2>Act</h2><p>Adopt, adapt or abandon the change, and plan the next "
                "cycle.</p>"
            ),
            key_points(
                "Six or more points in a row above or below the median suggest a shift.",
                "Five or more points going the same way suggest a trend.",
                "Aim for at least ten data points before drawing conclusions.",
                heading="Reading your run chart",
            ),
        ],
    },
    {
        "slug": "clinicians-and-managers-further-reading",
        "title": "Further reading: clinicians and managers working together",
        "summary": "The reports and studies behind the Leading Together programme.",
        "resource_type": "reading",
        "topics": ["working-across-professions"],
        "body": [
            text(
                "<ul>"
                "<li>Institute of Healthcare Management: <i>Creating stronger relationships "
                "between managers and clinicians</i>, the policy paper this programme answers."
                "</li>"
                "<li>The King's Fund (2012): <i>Leadership and engagement for improvement in "
                "the NHS</i>.</li>"
                "<li>Department of Health (2008): <i>High quality care for all: NHS next stage "
                "review final report</i> (the Darzi review).</li>"
                "<li>Griffiths, R. (1983): <i>NHS management inquiry</i> (the Griffiths "
                "report).</li>"
                "<li>Veronesi, G., Kirkpatrick, I. and Vallascas, F. (2012): <i>Clinicians in "
                "management: does it make a difference?</i></li>"
                "<li>NHS Institute for Innovation and Improvement (2010): <i>Medical "
                "Engagement Scale</i>.</li>"
                "<li>Imperial College Healthcare NHS Trust: <i>Paired Learning</i> "
                "programme, piloted in 2010 and 2011.</li>"
                "</ul>"
            )
        ],
    },
    {
        "slug": "cohort-workbook",
        "title": "Cohort workbook: planning your paired work",
        "summary": "For enrolled participants: a plan for your six months as a pair, from "
        "the first meeting to the joint improvement project.",
        "resource_type": "tool",
        "topics": ["working-across-professions"],
        "participants_only": True,
        "body": [
            text(
                "<h2>Month one</h2><ul><li>Meet your partner, agree how often you will meet "
                "(monthly at least) and how you will keep in touch between meetings.</li>"
                "<li>Agree two or three goals for the six months, and write them down.</li>"
                "<li>Each complete the leadership self-assessment.</li></ul>"
                "<h2>Months two to four</h2><ul><li>Do the paired activity in each module "
                "between workshops.</li><li>Arrange reciprocal shadowing and log each "
                "visit.</li><li>Choose a joint improvement project that matters to both of "
                "your services.</li></ul>"
                "<h2>Months five and six</h2><ul><li>Run at least two PDSA cycles on your "
                "project.</li><li>Prepare a ten-minute presentation for your executive "
                "team: the problem, what you tested, what you learned together.</li>"
                "<li>Repeat the self-assessment and compare.</li></ul>"
            )
        ],
    },
]


# --------------------------------------------------------------------------------------------
# Seeding


def _publish(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _child(parent: Page, model, slug: str):
    return model.objects.child_of(parent).filter(slug=slug).first()


def _ensure_document(run):
    from wagtail.documents import get_document_model

    Document = get_document_model()
    document = Document.objects.filter(title=BUDGET_TEMPLATE_DOCUMENT).first()
    if document is None:
        document = Document(title=BUDGET_TEMPLATE_DOCUMENT)
        document.file.save(
            "ward-budget-review-template.csv", ContentFile(budget_template_csv()), save=False
        )
        document.save()
        run.created["documents"] += 1
    return document


def seed_content(run) -> None:
    """Create the programme index, Leading Together and its modules, and the resource
    library, under the default site's home page. Pages that exist (by slug) are left alone."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None or not isinstance(site.root_page.specific, HomePage):
        from core.demo import SeedError

        raise SeedError("The default site has no Tandem home page: run `manage.py migrate`.")
    home = site.root_page.specific
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    dimensions = {d.slug: d for d in LeadershipDimension.objects.all()}
    missing = {slug for m in MODULES for slug in m["topics"]} - set(topics)
    if missing or not dimensions:
        from core.demo import SeedError

        raise SeedError("Topics or leadership dimensions are missing: run `manage.py migrate`.")

    def created(page):
        run.created["pages"] += 1
        return page

    index = _child(home, ProgrammeIndexPage, PROGRAMME_INDEX["slug"]) or created(
        _publish(
            home,
            ProgrammeIndexPage(
                title=PROGRAMME_INDEX["title"],
                slug=PROGRAMME_INDEX["slug"],
                intro=PROGRAMME_INDEX["intro"],
                show_in_menus=True,
            ),
        )
    )
    spec = PROGRAMME
    programme = _child(index, ProgrammePage, spec["slug"]) or created(
        _publish(
            index,
            ProgrammePage(
                title=spec["title"],
                slug=spec["slug"],
                summary=spec["summary"],
                for_clinicians=spec["for_clinicians"],
                for_managers=spec["for_managers"],
                learning_outcomes=spec["learning_outcomes"],
                format=spec["format"],
                duration=spec["duration"],
                cpd_hours=spec["cpd_hours"],
                body=spec["body"],
            ),
        )
    )

    modules = {}
    new_modules = []
    for spec in MODULES:
        module = _child(programme, ModulePage, spec["slug"])
        if module is None:
            module = ModulePage(
                title=spec["title"],
                slug=spec["slug"],
                summary=spec["summary"],
                estimated_minutes=spec["minutes"],
                learning_outcomes=spec["learning_outcomes"],
                body=spec["body"],
            )
            module.topics = [topics[slug] for slug in spec["topics"]]
            module.leadership_dimensions = [dimensions[slug] for slug in spec["dimensions"]]
            programme.add_child(instance=module)
            new_modules.append(module)
        modules[spec["slug"]] = module
    # Related modules point at each other, so new modules are published once all exist, with
    # their links in the published revision (as an editor's InlinePanel would save them).
    for module in new_modules:
        module.related_module_links = [
            ModuleRelatedLink(related_module=modules[slug], sort_order=order)
            for order, slug in enumerate(RELATED.get(module.slug, []))
        ]
        module.save_revision().publish()
        created(module)

    library = _child(home, ResourceIndexPage, RESOURCE_INDEX["slug"]) or created(
        _publish(
            home,
            ResourceIndexPage(
                title=RESOURCE_INDEX["title"],
                slug=RESOURCE_INDEX["slug"],
                intro=RESOURCE_INDEX["intro"],
                show_in_menus=True,
            ),
        )
    )
    for spec in RESOURCES:
        if _child(library, ResourcePage, spec["slug"]) is not None:
            continue
        resource = ResourcePage(
            title=spec["title"],
            slug=spec["slug"],
            summary=spec["summary"],
            resource_type=spec["resource_type"],
            body=spec["body"],
            document=_ensure_document(run) if spec.get("document") else None,
        )
        resource.topics = [topics[slug] for slug in spec["topics"]]
        created(_publish(library, resource))
        if spec.get("participants_only"):
            PageViewRestriction.objects.create(
                page=resource, restriction_type=PageViewRestriction.LOGIN
            )
