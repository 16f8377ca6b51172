"""`{% question qv %}` and `{% input_boxes boxes %}`: a step page's question and the boxes of a date
(intake.question_html)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString

from intake import question_html
from intake.question_views import InputBox, QuestionView

register = template.Library()


@register.simple_tag
def question(qv: QuestionView) -> SafeString:
    return question_html.question_html(qv)


@register.simple_tag
def input_boxes(boxes: Iterable[InputBox]) -> SafeString:
    return question_html.input_boxes(boxes)
