"""Pagination: limit/offset as the old task manager had, without COUNT(*) over a million executions."""
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

MAX_OFFSET = 2**31 - 1  # beyond this the database would reject OFFSET as out of range


class TaskPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500

    def get_offset(self, request):
        return min(super().get_offset(request), MAX_OFFSET)


class CappedCountPagination(TaskPagination):
    """Limit/offset whose ``count`` stops at COUNT_CAP (``count_capped`` says so).

    Counting every matching row of a large execution table costs more than the page itself;
    counting at most COUNT_CAP + 1 rows stays cheap on the index and still drives the UI.
    ``next`` is exact: one row past the page is fetched to know whether there is more.
    """

    COUNT_CAP = 1000

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        rows = list(queryset[self.offset:self.offset + self.limit + 1])
        self.has_next = len(rows) > self.limit
        self.count = self._capped_count(queryset, len(rows))
        return rows[:self.limit]

    def _capped_count(self, queryset, fetched):
        if not self.has_next and (fetched or not self.offset):
            return self.offset + fetched
        return queryset.order_by().values("pk")[:self.COUNT_CAP + 1].count()

    def get_next_link(self):
        if not self.has_next:
            return None
        url = replace_query_param(self.request.build_absolute_uri(), self.limit_query_param, self.limit)
        return replace_query_param(url, self.offset_query_param, self.offset + self.limit)

    def get_paginated_response(self, data):
        capped = self.count > self.COUNT_CAP
        return Response({
            "count": min(self.count, self.COUNT_CAP), "count_capped": capped,
            "next": self.get_next_link(), "previous": self.get_previous_link(), "results": data,
        })

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count_capped"] = {"type": "boolean"}
        return response
