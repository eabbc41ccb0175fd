from typing import Any

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


def _mark_renewed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A login saves the session anyway: start its renewal clock there, so the next page writes nothing."""
    from zhenggai.middleware import mark_renewed

    if request is not None and hasattr(request, "session"):
        mark_renewed(request.session)


class WebConfig(AppConfig):
    name = "zhenggai.web"
    verbose_name = "网页"

    def ready(self) -> None:
        user_logged_in.connect(_mark_renewed, dispatch_uid="zhenggai-session-renewed")
