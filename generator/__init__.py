"""plangen: the PAR INDEX / SIPAS appendices of a unit's plan, from a catalog and a profile."""

__version__ = "0.1.0"
