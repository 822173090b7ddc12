"""StreamField blocks for programmes, modules and resources.

Each block has its own template under templates/cms/blocks/ and a preview_value, so editors
see a real example in the block picker. Two stream blocks use them: ContentStreamBlock (any
page) and LearningStreamBlock (module pages), which adds the blocks that make joint training
joint — the case study told from both sides, the paired activity — plus reflection and the
knowledge check.

Headings: a page's title is its h1; blocks that start a section of their own use h2 and
their parts h3, so the outline stays in order whatever blocks an editor combines.
"""

import re
import uuid

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock

# Body text may structure itself with h2/h3 and link to pages and documents, but images and
# embeds go in their own blocks, which insist on alt text, captions and transcripts.
BODY_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link", "blockquote"]
SHORT_FEATURES = ["bold", "italic", "ul", "ol", "link"]

PREVIEW_TEMPLATE = "cms/blocks/preview.html"


def _document_preview():
    # Evaluated when an editor opens the block picker: the first document in the library
    # (None in an empty library, which the template renders as nothing).
    from wagtail.documents import get_document_model

    return {
        "document": get_document_model().objects.order_by("pk").first(),
        "title": "Ward budget review template",
        "description": "A spreadsheet for walking through a monthly budget statement.",
    }


def _image_preview():
    from wagtail.images import get_image_model

    image = get_image_model().objects.order_by("pk").first()
    return {
        "image": {"image": image, "alt_text": image.title if image else "", "decorative": False},
        "caption": "A ward manager and a consultant at the weekly staffing huddle.",
    }


class RichTextBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("features", BODY_FEATURES)
        super().__init__(**kwargs)

    class Meta:
        template = "cms/blocks/rich_text.html"
        preview_template = PREVIEW_TEMPLATE
        icon = "pilcrow"
        label = "Text"
        description = "Paragraphs, headings, lists and links."
        preview_value = (
            "<h2>Why budgets matter on the ward</h2>"
            "<p>Every ward has a <b>budget statement</b> each month: what was planned, what was "
            "spent, and the difference. Reading it together is the quickest way for a clinician "
            "and a manager to agree where the pressure really is.</p>"
        )


class KeyPointsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=80, default="Key points")
    points = blocks.ListBlock(blocks.CharBlock(max_length=300), min_num=1, max_num=8)

    class Meta:
        template = "cms/blocks/key_points.html"
        preview_template = PREVIEW_TEMPLATE
        icon = "list-ul"
        label = "Key points"
        description = "A short list of the points to remember."
        preview_value = {
            "heading": "Key points",
            "points": [
                "Pay is usually around two-thirds of a clinical budget.",
                "A vacancy saves money only until agency staff fill the gap.",
                "Look at the year-to-date variance, not just this month's.",
            ],
        }


class VideoBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=200, help_text="What the video shows.")
    video = EmbedBlock(
        required=False,
        help_text="A YouTube or Vimeo address. People can always follow the link instead.",
    )
    transcript = blocks.RichTextBlock(
        features=SHORT_FEATURES,
        required=False,
        help_text="Strongly recommended: a transcript lets people read instead of watch, "
        "and is what screen-reader users and people on a ward without sound rely on.",
    )

    class Meta:
        template = "cms/blocks/video.html"
        preview_template = PREVIEW_TEMPLATE
        icon = "media"
        label = "Video"
        description = "An embedded video with its transcript."
        preview_value = {
            "title": "A matron and a finance business partner read a budget statement",
            "video": None,
            "transcript": "<p><b>Matron:</b> We are £40,000 over on pay this quarter.</p>"
            "<p><b>Finance business partner:</b> Most of that is agency cover for two "
            "vacancies. Let us look at when they will be filled.</p>",
        }


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock()
    title = blocks.CharBlock(
        max_length=200, required=False, help_text="Leave empty to use the document's title."
    )
    description = blocks.TextBlock(required=False, help_text="What it is and when to use it.")

    class Meta:
        template = "cms/blocks/document.html"
        preview_template = PREVIEW_TEMPLATE
        icon = "doc-full"
        label = "Document download"
        description = "A document to download, with its type and size."
        preview_value = staticmethod(_document_preview)


class ImageWithCaptionBlock(blocks.StructBlock):
    image = ImageBlock()
    caption = blocks.CharBlock(max_length=300, required=False)

    class Meta:
        template = "cms/blocks/image.html"
        preview_template = PREVIEW_TEMPLATE
        icon = "image"
        label = "Image with caption"
        description = "An image with alternative text and an optional caption."
        preview_value = staticmethod(_image_preview)


class PerspectiveBlock(blocks.StructBlock):
    role = blocks.CharBlock(
        max_length=120, help_text="Who is speaking, e.g. 'Consultant anaesthetist'."
    )
    account = blocks.RichTextBlock(features=SHORT_FEATURES, help_text="Their side, first person.")


class CaseStudyBlock(blocks.StructBlock):
    """One situation seen by a clinician and by a manager, side by side: the point is that
    both accounts are reasonable, and the learning is in the gap between them."""

    title = blocks.CharBlock(max_length=200)
    situation = blocks.RichTextBlock(features=SHORT_FEATURES, help_text="What happened.")
    clinician = PerspectiveBlock(label="The clinician's view")
    manager = PerspectiveBlock(label="The manager's view")
    outcome = blocks.RichTextBlock(
        features=SHORT_FEATURES,
        required=False,
        label="What happened next",
        help_text="How it was resolved, or what could have gone differently.",
    )

    class Meta:
        template = "cms/blocks/case_study.html"
        preview_template = PREVIEW_TEMPLATE
        icon = "group"
        label = "Case study from both sides"
        description = "The same situation from the clinician's and the manager's point of view."
        preview_value = {
            "title": "The locum that was not approved",
            "situation": "<p>A surgical ward asked for a locum registrar for a weekend; the "
            "request was declined.</p>",
            "clinician": {
                "role": "Consultant surgeon",
                "account": "<p>We were one registrar short and the list was full. Nobody "
                "explained why the request was refused.</p>",
            },
            "manager": {
                "role": "General manager, surgery",
                "account": "<p>The directorate was already £300,000 over on medical agency "
                "spend, and the rota showed a registrar on call who could cover.</p>",
            },
            "outcome": "<p>They now review the rota gaps together every Thursday.</p>",
        }


class ReflectiveQuestionBlock(blocks.StructBlock):
    question = blocks.TextBlock(help_text="One open question, in the second person.")
    prompts = blocks.ListBlock(
        blocks.CharBlock(max_length=250),
        min_num=0,
        max_num=5,
        label="Prompts",
        help_text="Optional smaller questions to get someone started.",
    )

    class Meta:
        template = "cms/blocks/reflective_question.html"
        preview_template = PREVIEW_TEMPLATE
        icon = "help"
        label = "Reflective question"
        description = "A question to think about, with optional prompts."
        preview_value = {
            "question": "When did a decision made by the other profession last surprise you?",
            "prompts": [
                "What did you assume their reasons were?",
                "What would you have needed to know to see it their way?",
            ],
        }


class PairedActivityBlock(blocks.StructBlock):
    """Something a clinician and a manager do together, on real work: each has a part, and
    they finish by talking it through."""

    title = blocks.CharBlock(max_length=200)
    purpose = blocks.TextBlock(help_text="What the pair will get out of it.")
    time_needed = blocks.CharBlock(max_length=100, help_text="e.g. 'About an hour'.")
    setting = blocks.CharBlock(
        max_length=200, required=False, help_text="Where, e.g. 'On the ward, after handover'."
    )
    clinician_part = blocks.TextBlock(label="The clinician's part")
    manager_part = blocks.TextBlock(label="The manager's part")
    steps = blocks.ListBlock(
        blocks.CharBlock(max_length=400), min_num=2, max_num=10, label="Steps to do together"
    )
    debrief = blocks.ListBlock(
        blocks.CharBlock(max_length=300),
        min_num=1,
        max_num=6,
        label="Talk it through afterwards",
    )

    class Meta:
        template = "cms/blocks/paired_activity.html"
        preview_template = PREVIEW_TEMPLATE
        icon = "user"
        label = "Paired activity"
        description = "An activity a clinician and a manager do together."
        preview_value = {
            "title": "Review one budget line together",
            "purpose": "See the same numbers through each other's eyes.",
            "time_needed": "About 45 minutes",
            "setting": "On the ward, with this month's budget statement",
            "clinician_part": "Explain what drove the activity behind the line.",
            "manager_part": "Explain how the budget for the line was set.",
            "steps": [
                "Pick the line with the largest year-to-date variance.",
                "Agree one thing that would change it next month.",
            ],
            "debrief": ["What surprised each of you?"],
        }


# A verdict an editor opened the feedback with, which Tandem gives itself ("Correct." or
# "Not quite.") and so leaves out: "Correct. Right. It is…" said it twice.
# Only a verdict that ends in punctuation counts: "Right-sizing…" and "No one…" are not one.
_END = r"(?:\s*[.:;,!]|\s+[\u2014\u2013-])\s*"  # an em or en dash, or a hyphen, spaced
_VERDICTS = {
    True: re.compile(rf"^\s*(?:right|correct|yes|exactly|well done){_END}", re.I),
    False: re.compile(rf"^\s*(?:not quite|wrong|incorrect|no){_END}", re.I),
}


def feedback_without_verdict(feedback: str, *, correct: bool) -> str:
    """The feedback as shown after Tandem's own verdict: without an opening "Right." (on a
    correct answer) or "Wrong." (on a wrong one), and capitalised again. A verdict that
    disagrees, or a word like "Unlikely", is the editor's point and stays."""
    rest = _VERDICTS[bool(correct)].sub("", feedback or "", count=1)
    if not rest:
        return feedback or ""
    return rest[0].upper() + rest[1:]


class AnswerOptionBlock(blocks.StructBlock):
    answer = blocks.CharBlock(max_length=300)
    correct = blocks.BooleanBlock(required=False, help_text="Tick the one correct answer.")
    feedback = blocks.TextBlock(help_text="Why this answer is right or wrong.")


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(max_length=300)
    options = blocks.ListBlock(AnswerOptionBlock(), min_num=2, max_num=6, label="Answers")

    def clean(self, value):
        value = super().clean(value)
        # The check is scored with radio buttons: exactly one answer can be right.
        correct = sum(1 for option in value["options"] if option["correct"])
        if correct != 1:
            raise StructBlockValidationError(
                non_block_errors=ErrorList(
                    [ValidationError("Mark exactly one answer as correct.", code="correct")]
                )
            )
        return value


class KnowledgeCheckBlock(blocks.StructBlock):
    """Multiple choice with feedback, scored in the browser by static/cms/knowledge-check.js.

    Without JavaScript the answers and feedback are still there, in a <details> element under
    each question; with it, people choose an answer, press "Check my answers" and hear the
    result through a live region. Nothing is sent to the server: it is a self-check."""

    title = blocks.CharBlock(max_length=120, default="Check your understanding")
    questions = blocks.ListBlock(QuestionBlock(), min_num=1, max_num=10)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        # Radio groups and labels need ids unique on the page: the stream child's id when the
        # page passes it (stable across renders), otherwise a fresh one.
        block_id = (parent_context or {}).get("block_id")
        context["uid"] = str(block_id or uuid.uuid4()).replace("-", "")[:8]
        context["questions"] = [
            {
                "question": question["question"],
                "options": [
                    {
                        "answer": option["answer"],
                        "correct": option["correct"],
                        "feedback": feedback_without_verdict(
                            option["feedback"], correct=option["correct"]
                        ),
                    }
                    for option in question["options"]
                ],
            }
            for question in value["questions"]
        ]
        return context

    class Meta:
        template = "cms/blocks/knowledge_check.html"
        preview_template = PREVIEW_TEMPLATE
        icon = "tick-inverse"
        label = "Knowledge check"
        description = "Multiple-choice questions with feedback, scored in the browser."
        preview_value = {
            "title": "Check your understanding",
            "questions": [
                {
                    "question": "A ward's pay budget is overspent. What is the most likely "
                    "single cause?",
                    "options": [
                        {
                            "answer": "Agency and bank staff covering vacancies",
                            "correct": True,
                            "feedback": "Right: premium-rate cover for vacant posts is the "
                            "commonest driver of pay overspends.",
                        },
                        {
                            "answer": "Too many permanent staff in post",
                            "correct": False,
                            "feedback": "Unlikely: the establishment sets how many posts the "
                            "budget pays for.",
                        },
                    ],
                }
            ],
        }


class ContentStreamBlock(blocks.StreamBlock):
    """The blocks any page's body may use."""

    rich_text = RichTextBlock()
    key_points = KeyPointsBlock()
    video = VideoBlock()
    document = DocumentBlock()
    image = ImageWithCaptionBlock()
    case_study = CaseStudyBlock()


class LearningStreamBlock(ContentStreamBlock):
    """A module's body: everything above, plus the blocks of active, joint learning."""

    reflective_question = ReflectiveQuestionBlock()
    paired_activity = PairedActivityBlock()
    knowledge_check = KnowledgeCheckBlock()


class LearningOutcomesBlock(blocks.StreamBlock):
    outcome = blocks.CharBlock(
        max_length=250,
        help_text="Finish the sentence 'By the end you will be able to…', e.g. 'read a "
        "monthly budget statement'.",
    )

    class Meta:
        min_num = 1
        max_num = 8
