"""The programme index and the Leading Together programme page."""

from decimal import Decimal

from .blocks import (
    key_points,
    outcomes,
    text,
)

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
