"""plangen: a unit's PAR INDEX / SIPAS plan (body, Phụ lục I, II) from catalogs and a profile."""

__version__ = "0.2.0"
