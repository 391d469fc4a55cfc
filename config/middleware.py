"""Headers every dynamic answer carries, and the session kept alive while it is used."""

import time

from django.utils.cache import add_never_cache_headers, patch_cache_control

# A session is written at most this often while it is used, so the idle limit
# (SESSION_COOKIE_AGE) holds to within this many seconds.
SESSION_REFRESH_SECONDS = 60
_REFRESHED = "refreshed_at"


class NoStoreMiddleware:
    """Pages, downloads and API answers may hold a child's personal data: no browser, proxy or
    shared computer keeps a copy. Static files are served above this middleware and cached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
        return response


class SessionRefreshMiddleware:
    """Keeps a session alive while it is used. Writing it on every request (three queries a
    page) bought nothing over writing it once a minute."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.is_empty():
            now = int(time.time())
            if now - session.get(_REFRESHED, 0) >= SESSION_REFRESH_SECONDS:
                session[_REFRESHED] = now  # saved, with a new expiry, by SessionMiddleware
        return response
