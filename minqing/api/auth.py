from django.conf import settings
from ninja.security import HttpBearer

from minqing.core import context, ratelimit
from minqing.org.models import ApiToken
from minqing.org.services import token_authenticate


class BearerToken(HttpBearer):
    """`Authorization: Bearer mq_…`; a missing, revoked or unknown token gives 401; a
    token over its rate (MINQING_API_RATE, 60 a minute; MINQING_API_SYNC_RATE, 600 a minute,
    for offline sync) gives 429 with Retry-After."""

    def authenticate(self, request, token):
        account = token_authenticate(token)
        if account is None:
            return None
        # A phone back in signal sends its whole outbox at once: offline sync has its own,
        # larger budget, so that it neither starves nor is starved by the other calls.
        if request.path.startswith("/api/v1/sync/"):
            ratelimit.hit("api-sync", ApiToken.digest_of(token), settings.API_SYNC_RATE)
        else:
            ratelimit.hit("api", ApiToken.digest_of(token), settings.API_RATE)
        request.user = account
        context.set_user(account)
        return account
