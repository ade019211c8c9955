"""Bantin: the domain package (models, services, CLI). No routes live here."""
