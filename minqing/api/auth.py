from ninja.security import HttpBearer

from minqing.core import context
from minqing.org.services import token_authenticate


class BearerToken(HttpBearer):
    """`Authorization: Bearer mq_…`; a missing, revoked or unknown token gives 401."""

    def authenticate(self, request, token):
        account = token_authenticate(token)
        if account is None:
            return None
        request.user = account
        context.set_user(account)
        return account
