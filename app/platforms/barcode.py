"""UPC/EAN spellings: platforms store a release's barcode as the label sent it, so a 12-digit
UPC-A may be listed as its 13-digit EAN (a leading zero) or the other way round. Lookups try
both spellings (Spotify web-api#621; Deezer clients do the same)."""


def upc_variants(upc: str) -> list[str]:
    """The barcode as given, then the same code with a leading zero added (UPC-A -> EAN-13)
    or removed (EAN-13 starting with 0 -> UPC-A)."""
    digits = upc.strip()
    if len(digits) == 12:
        return [digits, "0" + digits]
    if len(digits) == 13 and digits.startswith("0"):
        return [digits, digits[1:]]
    return [digits]
