"""Headers every dynamic answer carries."""

from django.utils.cache import add_never_cache_headers, patch_cache_control


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
