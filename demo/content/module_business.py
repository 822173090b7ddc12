"""Leading Together's module "Business planning and business cases"."""

from .blocks import (
    case_study,
    key_points,
    knowledge_check,
    outcomes,
    paired_activity,
    question,
    reflect,
    text,
)

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
