"""Leading Together's module "Understanding each other's roles"."""

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
