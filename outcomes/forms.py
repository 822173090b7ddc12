from django import forms

from people.models import RoleCategory

from .dimensions import Dimension, Level
from .labels import labels
from .models import Question


class SelfAssessmentForm(forms.Form):
    """Nine questions, one per dimension, each answered with one of the four levels."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, name in Dimension.choices:
            self.fields[key] = forms.TypedChoiceField(
                label=name,
                choices=Level.choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": f"Choose a level for {name.lower()}."},
            )

    def ratings(self) -> dict[str, int]:
        return {key: self.cleaned_data[key] for key in Dimension.values}


class SurveyForm(forms.Form):
    relationship = forms.TypedChoiceField(
        label="How would you describe the relationship between clinicians and managers "
        "where you work?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you would describe the relationship."},
    )
    outlook = forms.TypedChoiceField(
        label="Over the next year, do you expect it to",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether you expect it to change."},
    )
    role_title = forms.CharField(
        label="Your current job title",
        max_length=200,
        help_text="For example, Clinical director for surgery.",
        error_messages={
            "required": "Enter your current job title.",
            "max_length": "Keep your job title under 200 characters.",
        },
    )
    role_category = forms.ChoiceField(
        label="What kind of role is it?",
        choices=RoleCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of role it is."},
    )
    # Not the titles of the roles it would end: the page is open to whoever has the link, so
    # it names nothing of the person's but their first name.
    replaces = forms.ChoiceField(
        label="If this is a new role, does it replace the one you held before?",
        choices=[
            ("replaces", "Yes: it replaces the role I held before"),
            ("adds", "No: I hold it as well as my other roles"),
        ],
        widget=forms.RadioSelect,
        required=False,
        help_text="If you do not say, we keep your other roles as they are.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        words = labels()  # the administrator's wording, or the paper's
        self.fields["relationship"].choices = sorted(words[Question.RELATIONSHIP].items())
        self.fields["outlook"].choices = sorted(words[Question.OUTLOOK].items())


class LabelsForm(forms.Form):
    """Every label of both scales, for the administrator's page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question, values in labels().items():
            for value, label in sorted(values.items()):
                self.fields[f"{question}_{value}"] = forms.CharField(
                    label=f"{Question(question).label}: answer {value}",
                    initial=label,
                    max_length=120,
                    required=False,
                    help_text="Leave blank to go back to the paper's wording.",
                )

    def changes(self) -> dict[str, dict[int, str]]:
        out: dict[str, dict[int, str]] = {}
        for name, value in self.cleaned_data.items():
            question, _, number = name.rpartition("_")
            out.setdefault(question, {})[int(number)] = value
        return out
