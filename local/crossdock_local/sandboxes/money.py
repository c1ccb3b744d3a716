"""Currency minor units as ISO 4217 defines them (the sandboxes' own table).

ISO 4217 gives each currency the number of digits after the decimal point of its minor unit: most
have 2; the ones below differ (list one, "Current currency & funds code list"). Unknown codes get 2.
"""

from __future__ import annotations

MINOR_UNITS = {
    # 0 digits
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
    "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    # 3 digits
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    # 4 digits
    "CLF": 4, "UYW": 4,
}  # fmt: skip


def minor_units(currency: str) -> int:
    """The digits after the decimal point of `currency`'s minor unit (ISO 4217; 2 when not listed)."""
    return MINOR_UNITS.get(currency.upper(), 2)
