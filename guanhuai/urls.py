from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from guanhuai.api import api
from guanhuai.web.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("guanhuai.accounts.urls")),
    path("orgs/", include("guanhuai.orgs.urls")),
    path("jobs/", include("guanhuai.jobs.urls")),
    path("audit/", include("guanhuai.audit.urls")),
    path("registry/io/", include("guanhuai.registry.urls_io")),
    path("registry/", include("guanhuai.registry.urls")),
    path("funds/io/", include("guanhuai.funds.urls_io")),
    path("funds/", include("guanhuai.funds.urls")),
    path("programmes/", include("guanhuai.programmes.urls")),
    path("association/", include("guanhuai.association.urls")),
    path("projects/", include("guanhuai.projects.urls")),
    path("governance/", include("guanhuai.governance.urls")),
    path("", include("guanhuai.portal.urls")),  # gk/… (public) and portal/manage/…, before the web app
    path("", include("guanhuai.web.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
