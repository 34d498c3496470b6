from django.urls import path

from guanhuai.programmes.views import cycles as views

urlpatterns = [
    path("", views.cycle_list, name="cycle_list"),
    path("generate/", views.cycle_generate, name="cycle_generate"),
    path("<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("<int:pk>/entitlements/", views.cycle_entitlements, name="cycle_entitlements"),
    path("<int:pk>/approve/", views.cycle_approve, name="cycle_approve"),
    path("<int:pk>/arrears/", views.cycle_arrears, name="cycle_arrears"),
    path("<int:pk>/top-up/", views.top_up_add, name="cycle_top_up"),
    path("<int:pk>/batches/", views.batches_create, name="cycle_batches_create"),
    path("<int:pk>/reissue/", views.batch_reissue, name="cycle_reissue"),
    path("entitlements/<int:pk>/exclude/", views.entitlement_exclude, name="entitlement_exclude"),
    path("entitlements/<int:pk>/restore/", views.entitlement_restore, name="entitlement_restore"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/export/<str:fmt>/", views.batch_export, name="batch_export"),
    path("batches/<int:pk>/results/", views.batch_results, name="batch_results"),
    path("persons/<int:person_id>/payments/", views.payment_history, name="payment_history"),
]
