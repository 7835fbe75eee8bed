from django.urls import path

from beststart.audit import views

app_name = "audit"

urlpatterns = [path("audit/", views.audit_query, name="query")]
