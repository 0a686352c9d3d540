"""The web pages at ``/``: server-rendered templates for people, not API clients.

One module per topic (``site``, ``people``, ``wicked``, ``dashboard``, ``upload``), each
sharing ``render`` and none importing another; ``sessions`` holds the signed-in browsers
and their CSRF tokens, ``security`` the headers every response carries.
"""
