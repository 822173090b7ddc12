"""Leading Together's module "Managing and developing staff"."""

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
