"""The web pages at ``/``: server-rendered templates for people, not API clients.

``routes`` holds the pages, ``sessions`` the signed-in browsers and their CSRF
tokens, ``security`` the headers every response carries.
"""
