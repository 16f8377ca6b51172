"""The intake's pure rules kernel: the questionnaire as data, its checks, the triage rules and the reading list.

Nothing in this package imports Django (``tests/intake/test_rules_are_pure.py`` proves it), so every rule runs in a
plain Python test, and clinicians can read the rules against ``docs/clinical/`` without knowing the web framework.
Views, forms and services in ``intake/`` build on it; it never imports them.
"""
