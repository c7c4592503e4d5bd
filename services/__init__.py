"""Madoguchi's services, one folder each: domain, application and adapters layers."""
