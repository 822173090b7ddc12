from django import forms

from cms.models import ModuleReflection


class ReflectionForm(forms.Form):
    text = forms.CharField(
        label="Add a reflection",
        help_text="Only you can see your reflections. Up to 5,000 characters.",
        max_length=ModuleReflection._meta.get_field("text").max_length,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Write your reflection before saving it.",
            "max_length": "Your reflection must be 5,000 characters or fewer "
            "(it is %(show_value)d).",
        },
    )
