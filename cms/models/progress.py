"""A learner's own progress through modules: completion marks and private reflections.

Both belong to one person and are shown to that person only; nothing in the admin lists
them. Read them through cms.selectors and change them through cms.services, which scope every
query by person.

They are the person's, not the page's: deleting a module page (an editor's decision) keeps
them, with the module's title as it was, so nobody's reflections vanish with a page and a
subject-access copy still shows them.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ModuleProgress(models.Model):
    """A person has marked a module complete. Clearing the mark deletes the row."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="module_progress"
    )
    module = models.ForeignKey(
        "cms.ModulePage",
        on_delete=models.SET_NULL,
        null=True,
        related_name="progress_marks",
    )
    module_title = models.CharField(max_length=255, blank=True, editable=False)
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "module completion"
        verbose_name_plural = "module completions"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "module"],
                name="one_completion_per_person_per_module",
                violation_error_message="This module is already marked complete.",
            )
        ]

    def __str__(self):
        return f"{self.person} completed module {self.module_id}"

    def save(self, *args, **kwargs):
        # The title kept for when the page is gone (a copy, not a rule: see module docstring).
        if self.module_id and not self.module_title:
            self.module_title = self.module.title
        super().save(*args, **kwargs)


class ModuleReflection(models.Model):
    """A private note a person writes about a module; they may keep several, dated."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="module_reflections"
    )
    module = models.ForeignKey(
        "cms.ModulePage", on_delete=models.SET_NULL, null=True, related_name="reflections"
    )
    module_title = models.CharField(max_length=255, blank=True, editable=False)
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["person", "module"])]

    def __str__(self):
        return f"Reflection by {self.person} on module {self.module_id}"

    def save(self, *args, **kwargs):
        if self.module_id and not self.module_title:
            self.module_title = self.module.title
        super().save(*args, **kwargs)
