"""Shipped data (see siting/data/SOURCES.md); a package so that wheels include it."""
