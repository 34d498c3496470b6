from django.urls import path

from guanhuai.projects.views import goods as g
from guanhuai.projects.views import happy as hf
from guanhuai.projects.views import households as h
from guanhuai.projects.views import outcomes as o
from guanhuai.projects.views import projects as p
from guanhuai.projects.views import types as t

app_name = "projects"

urlpatterns = [
    path("", p.project_list, name="list"),
    path("new/", p.project_create, name="create"),
    path("overdue/", p.overdue, name="overdue"),
    path("types/", t.type_list, name="types"),
    path("types/new/", t.type_create, name="type_create"),
    path("types/<int:pk>/edit/", t.type_edit, name="type_edit"),
    path("<int:pk>/", p.project_detail, name="detail"),
    path("<int:pk>/edit/", p.project_edit, name="edit"),
    path("<int:pk>/submit/", p.project_submit, name="submit"),
    path("<int:pk>/withdraw/", p.project_withdraw, name="withdraw"),
    path("<int:pk>/review/", p.project_review, name="review"),
    path("<int:pk>/fund/", p.project_fund, name="fund"),
    path("<int:pk>/goods/", g.project_use_goods, name="use_goods"),
    path("<int:pk>/goods/<int:use_id>/reverse/", g.goods_use_reverse, name="goods_reverse"),
    path("<int:pk>/milestones/new/", p.milestone_add, name="milestone_add"),
    path("<int:pk>/reports/new/", p.report_add, name="report_add"),
    path("<int:pk>/documents/new/", p.document_upload, name="document_upload"),
    path("<int:pk>/close/", p.project_close, name="close"),
    path("<int:pk>/sites/", p.site_check, name="site_check"),
    path("fundings/<int:funding_id>/spend/", p.funding_spend, name="spend"),
    path("milestones/<int:milestone_id>/done/", p.milestone_done, name="milestone_done"),
    path("reports/<int:report_id>/submit/", p.report_submit, name="report_submit"),
    path("documents/<int:document_id>/", p.document_view, name="document"),
    path("<int:pk>/activities/new/", o.activity_log, name="activity_log"),
    path("<int:pk>/beneficiaries/", h.beneficiary_list, name="beneficiaries"),
    path("<int:pk>/beneficiaries/new/", h.beneficiary_add, name="beneficiary_add"),
    path("beneficiaries/<int:beneficiary_id>/", h.beneficiary_detail, name="beneficiary"),
    path("beneficiaries/<int:beneficiary_id>/agreements/new/", h.agreement_add, name="agreement_add"),
    path("beneficiaries/<int:beneficiary_id>/incomes/new/", h.income_add, name="income_add"),
    path("happy-families/", hf.nomination_list, name="nominations_all"),
    path("<int:pk>/happy-families/", hf.nomination_list, name="nominations"),
    path("<int:pk>/happy-families/new/", hf.nomination_create, name="nomination_create"),
    path("happy-families/<int:nomination_id>/", hf.nomination_detail, name="nomination"),
    path("happy-families/<int:nomination_id>/revoke/", hf.nomination_revoke, name="nomination_revoke"),
    path("outcomes/", o.outcome_report, name="outcomes"),
    path("outcomes/export.xlsx", o.outcome_export, name="outcomes_export"),
]
