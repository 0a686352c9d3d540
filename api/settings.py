"""The API's settings: the service's one settings class, ``graph.settings.Settings``.

``ApiSettings`` and ``get_api_settings()`` are that class and its cached reader under
the names the API has always used (tests clear the cache or pass their own settings
to ``create_app`` instead of patching globals). Until issue 20 they were a second
class reading the same ``ALUMNI_GRAPH_*`` prefix; every variable keeps its name.
"""

from __future__ import annotations

from graph.settings import Settings as ApiSettings
from graph.settings import get_settings as get_api_settings

__all__ = ["ApiSettings", "get_api_settings"]
