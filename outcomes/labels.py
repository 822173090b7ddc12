"""The words of each answer: the paper's by default, an administrator's once changed."""

from __future__ import annotations

from django.utils import timezone

from .models import DEFAULT_LABELS, AnswerLabel, Question


def labels() -> dict[str, dict[int, str]]:
    """{question: {value: label}} for every question (one query)."""
    words = {question: dict(values) for question, values in DEFAULT_LABELS.items()}
    for question, value, label in AnswerLabel.objects.values_list("question", "value", "label"):
        if value in words.get(question, {}):
            words[question][value] = label
    return words


def choices(question: str) -> list[tuple[int, str]]:
    return sorted(labels()[question].items())


def labels_save(*, changes: dict[str, dict[int, str]]) -> int:
    """Set the labels given (a blank one goes back to the paper's wording); returns how many
    changed. Values outside a question's scale are refused: the scale is fixed, its words
    are not."""
    changed = 0
    now = timezone.now()
    for question, values in changes.items():
        defaults = DEFAULT_LABELS[Question(question)]
        for value, label in values.items():
            if value not in defaults:
                raise ValueError(f"{question} has no answer {value}.")
            label = (label or "").strip() or defaults[value]
            row, created = AnswerLabel.objects.get_or_create(
                question=question, value=value, defaults={"label": label, "changed_at": now}
            )
            if created:
                changed += label != defaults[value]
            elif row.label != label:
                row.label, row.changed_at = label, now
                row.save(update_fields=["label", "changed_at"])
                changed += 1
    return changed
