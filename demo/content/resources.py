"""The resource library: its index page, its resources and the budget review template."""

import csv
import io

from .blocks import (
    key_points,
    text,
)

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
