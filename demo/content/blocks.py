"""Block builders for the demo content: the raw StreamField form (what the admin saves), kept
readable. Each returns one block of cms.blocks' LearningStreamBlock or ContentStreamBlock."""


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
