"""`{% csrf_token %}` that also marks forms shown to a signed-in person (SignedOutPostMiddleware).

Installed as a template builtin, so every form on the site carries the mark without each template
asking for it. The mark is the same for everyone signed in, so pages cached per role stay shareable.
"""

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import format_html

register = template.Library()


class MarkedCsrfTokenNode(CsrfTokenNode):
    def render(self, context):
        rendered = super().render(context)
        user = context.get("user")
        if rendered and getattr(user, "is_authenticated", False):
            return format_html('{}<input type="hidden" name="_signed_in" value="1">', rendered)
        return rendered


@register.tag
def csrf_token(parser, token):
    return MarkedCsrfTokenNode()
