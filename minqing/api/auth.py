from django.conf import settings
from ninja.security import HttpBearer

from minqing.core import context, ratelimit
from minqing.org.models import ApiToken
from minqing.org.services import token_authenticate


class BearerToken(HttpBearer):
    """`Authorization: Bearer mq_…`; a missing, revoked or unknown token gives 401; a
    token over its rate (MINQING_API_RATE, 60 a minute) gives 429 with Retry-After."""

    def authenticate(self, request, token):
        account = token_authenticate(token)
        if account is None:
            return None
        ratelimit.hit("api", ApiToken.digest_of(token), settings.API_RATE)
        request.user = account
        context.set_user(account)
        return account
