"""Leading Together's module "Leading organisational change"."""

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
