from django.utils.translation import gettext_lazy as _

from guanhuai.accounts.registry import ALL_ROLES, Role, declare

# Everyone sees the jobs they started; these see every job started within their branches.
VIEW_JOBS = declare("jobs.view_jobs", _("查看本辖区的后台任务"), roles=[Role.PROVINCE_ADMIN, Role.AUDITOR])
RUN_JOBS = declare("jobs.run_jobs", _("提交后台任务"), roles=ALL_ROLES)
# Seeing a job is not acting on it: an auditor reads every job of their branches but retries none. Besides
# the job's own submitter, only the administrator over its branch retries a failed job.
RETRY_JOBS = declare("jobs.retry_jobs", _("重试本辖区他人的后台任务"), roles=[Role.PROVINCE_ADMIN])
