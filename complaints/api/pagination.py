"""Every list in the API pages by cursor: a page stays right while cases are added."""

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"

    def get_page_size(self, request):
        """As DRF's, but a page_size that is not one whole number is a 400, not quietly 50."""
        given = request.query_params.getlist(self.page_size_query_param)
        if given and (len(given) > 1 or not given[0].lstrip("-").isdigit()):
            raise ValidationError({self.page_size_query_param: ["Give one whole number."]})
        return super().get_page_size(request)
