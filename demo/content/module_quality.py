"""Leading Together's module "Quality improvement together"."""

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
