from django.urls import path

from guanhuai.funds.views import donations as views_donations
from guanhuai.funds.views import donors as views_donors
from guanhuai.funds.views import funds as views
from guanhuai.funds.views import spending as views_spending

app_name = "funds"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("new/", views.fund_create, name="fund_create"),
    path("<int:pk>/", views.fund_detail, name="fund"),
    path("<int:pk>/statement/", views.statement, name="statement"),
    path("<int:pk>/donations/", views_donations.donation_list, name="donations"),
    path("<int:pk>/allocations/new/", views_spending.allocation_create, name="allocation_create"),
    path("<int:pk>/transfer/", views_spending.transfer_create, name="transfer"),
    path("<int:pk>/rounds/new/", views_spending.round_create, name="round_create"),
    path("<int:pk>/close-period/", views_spending.period_close, name="period_close"),
    path("donors/", views_donors.donor_list, name="donors"),
    path("donors/new/", views_donors.donor_create, name="donor_create"),
    path("donors/pick/", views_donors.donor_pick, name="donor_pick"),
    path("donors/<int:pk>/", views_donors.donor_detail, name="donor"),
    path("donors/<int:pk>/pledges/new/", views_donors.pledge_create, name="pledge_create"),
    path("donations/new/", views_donations.donation_create, name="donation_create"),
    path("donations/new/donor/", views_donations.donor_inline, name="donor_inline"),
    path("donations/<int:pk>/", views_donations.donation_detail, name="donation"),
    path("donations/<int:pk>/reverse/", views_donations.donation_reverse, name="donation_reverse"),
    path("receipts/", views_donations.receipt_list, name="receipts"),
    path("receipts/gaps/", views_donations.receipt_gaps, name="receipt_gaps"),
    path("receipts/<int:pk>/", views_donations.receipt_detail, name="receipt"),
    path("receipts/<int:pk>/void/", views_donations.receipt_void, name="receipt_void"),
    path("receipts/<int:pk>/reissue/", views_donations.receipt_reissue, name="receipt_reissue"),
    path("allocations/<int:pk>/", views_spending.allocation_detail, name="allocation"),
    path("allocations/<int:pk>/close/", views_spending.allocation_close, name="allocation_close"),
    path("allocations/<int:pk>/disburse/", views_spending.disbursement_create, name="disbursement_create"),
]
