"""Outcome instruments as data: the Django-free core (definitions, loading, scoring).

``model`` holds the definitions, ``loader`` reads and checks TOML files (``data/`` ships PEG, the PSFS, a global
rating of change and a running status; docs/clinical/INTAKE.md, "Outcome measures"), ``scoring`` scores answers and
tells whether a change matters. Nothing here imports Django: tests/outcomes/test_instruments_are_pure.py checks it.
The Django side (which directories to read, from settings) is ``outcomes.registry``.
"""
