"""Leading Together's module "NHS budgets and financial management for clinicians"."""

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
