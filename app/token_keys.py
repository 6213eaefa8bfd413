"""Key rotation for the tokens stored encrypted (EncryptedText columns).

Put the new key first in TOKEN_KEYS (keep the old ones after it), deploy, then run
`flask rotate-token-keys`: every stored value is re-encrypted with the newest key, after
which the old keys can be dropped from TOKEN_KEYS.
"""

from sqlalchemy import Text, bindparam, select, type_coerce

from app.extensions import db
from app.models.types import EncryptedText, token_fernet

BATCH = 500


def encrypted_columns():
    """(table, column) for every EncryptedText column of every model."""
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, EncryptedText):
                yield table, column


def rotate_token_keys() -> int:
    """Re-encrypt every stored token with the newest key; returns how many were rewritten."""
    fernet = token_fernet()
    rewritten = 0
    for table, column in encrypted_columns():
        key = next(iter(table.primary_key.columns))
        raw = type_coerce(column, Text)  # the stored ciphertext, not decrypted
        update = (
            table.update()
            .where(key == bindparam("_key"))
            .values({column.name: bindparam("_value", type_=Text)})
        )
        last = None
        while True:  # keyset batches: flat memory however many rows there are
            query = select(key, raw).where(column.is_not(None)).order_by(key).limit(BATCH)
            if last is not None:
                query = query.where(key > last)
            rows = db.session.execute(query).all()
            if not rows:
                break
            batch = [
                {"_key": row[0], "_value": fernet.rotate(row[1].encode()).decode()} for row in rows
            ]
            db.session.execute(update, batch)
            db.session.commit()
            rewritten += len(batch)
            last = rows[-1][0]
    return rewritten
