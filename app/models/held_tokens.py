"""The one place a fan's platform tokens are copied between a platform's answer and a row.

`PendingConnect` (a connection waiting for the fan's email) and `Connection` both hold a
fan's tokens in encrypted columns: access_token, refresh_token, token_expires_at, scope.
"""

from app.platforms.base import Tokens


class HoldsTokens:
    @property
    def tokens(self) -> Tokens:
        return Tokens(
            access_token=self.access_token,
            refresh_token=self.refresh_token,
            expires_at=self.token_expires_at,
            scope=self.scope,
        )

    def store_tokens(self, tokens: Tokens, *, refreshed: bool = False) -> None:
        """Keep `tokens`. After a refresh, a platform that sends no new refresh token means
        the current one stays valid (RFC 6749, section 6), so it is kept."""
        self.access_token = tokens.access_token
        if tokens.refresh_token or not refreshed:
            self.refresh_token = tokens.refresh_token
        self.token_expires_at = tokens.expires_at
        if tokens.scope or not refreshed:
            self.scope = tokens.scope
