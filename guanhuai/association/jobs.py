"""Handlers of the association app's durable jobs (re-registration campaigns, imports)."""

# --- part 1: members (re-registration campaigns, imports, deaths) --------------------------------------------

from django.utils.translation import gettext_lazy

from guanhuai.association.services.campaigns import CAMPAIGN_CLOSE, CAMPAIGN_PREPARE
from guanhuai.association.services.members import MEMBER_DEATH
from guanhuai.association.services.members_io import MEMBERS_IMPORT
from guanhuai.jobs.models import Job
from guanhuai.jobs.registry import register
from guanhuai.jobs.services import Progress


@register(CAMPAIGN_PREPARE, gettext_lazy("生成会员再登记名单"))
def campaign_prepare(job: Job, progress: Progress) -> None:
    """Copies the subtree's active members into the campaign's roll, resumable by member-id range."""
    from guanhuai.association.models import Campaign
    from guanhuai.association.services.campaigns import campaign_prepare as prepare

    prepare(Campaign.objects.select_related("org_unit").get(pk=job.params["campaign_id"]), progress)


@register(CAMPAIGN_CLOSE, gettext_lazy("结束会员再登记（逾期未登记者转为未再登记）"))
def campaign_close(job: Job, progress: Progress) -> None:
    from guanhuai.association.models import Campaign
    from guanhuai.association.services.campaigns import campaign_lapse

    campaign = Campaign.objects.select_related("org_unit").get(pk=job.params["campaign_id"])
    job.counts = {"lapsed": campaign_lapse(actor=job.actor, campaign=campaign)}


@register(MEMBER_DEATH, gettext_lazy("会员去世后终止会籍"))
def member_death(job: Job, progress: Progress) -> None:
    """Ends the dead person's memberships as the recorder; a death corrected away since ends nothing."""
    from guanhuai.association.services.members import members_end_for_death
    from guanhuai.registry.models import Person

    person = Person.objects.get(pk=job.params["person_id"])
    if person.died_on is None:
        job.counts = {"members": 0}
        return
    job.counts = {
        "members": members_end_for_death(actor=job.actor, person_id=person.pk, died_on=person.died_on)
    }


@register(MEMBERS_IMPORT, gettext_lazy("导入会员"))
def members_import(job: Job, progress: Progress) -> None:
    """All rows or none: a file with a wrong row imports nothing and leaves an error workbook."""
    from guanhuai.association.services.members_io import members_import_run
    from guanhuai.orgs.models import OrgUnit

    with job.input_file.open("rb") as f:
        content = f.read()
    unit = OrgUnit.objects.get(pk=job.params["org_unit_id"])
    result = members_import_run(actor=job.actor, org_unit=unit, content=content)
    errors_file = result.pop("errors_file", None)
    if errors_file is not None:
        progress.attach_result("会员导入错误.xlsx", errors_file)
        job.message = str(gettext_lazy("有错误的行，未导入任何会员：请下载错误清单，改正后重新上传。"))
    job.counts = result
