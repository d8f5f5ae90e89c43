from django.contrib import admin
from django.urls import include, path

from tasks_app.metrics import metrics_view

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/market/", include("mystocks.market.api.urls")),
    path("api/", include("tasks_app.api.urls")),
    path("metrics", metrics_view, name="metrics"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("market/", include("mystocks.market.pages.urls")),
    path("", include("tasks_app.pages.urls")),
]
