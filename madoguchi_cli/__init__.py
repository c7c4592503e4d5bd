"""The ``madoguchi`` command: serve, up (the launcher), status, watch, demo, query, report.

The one package allowed to import every service: it sits on top, where the services
and the shared package below it know nothing of it.
"""
