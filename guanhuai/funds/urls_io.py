from django.urls import path

from guanhuai.funds.views import io as views_io

app_name = "funds_io"
urlpatterns = [
    path("receipts/<int:pk>.pdf", views_io.receipt_pdf, name="receipt_pdf"),
    path("<int:pk>/statement.pdf", views_io.statement_pdf, name="statement_pdf"),
    path("<int:pk>/statement.xlsx", views_io.statement_xlsx, name="statement_xlsx"),
    path("donors/<int:pk>/statement.xlsx", views_io.donor_statement_xlsx, name="donor_statement_xlsx"),
    path("import/", views_io.donation_import, name="donation_import"),
    path("import/template.xlsx", views_io.donation_import_template, name="donation_import_template"),
]
