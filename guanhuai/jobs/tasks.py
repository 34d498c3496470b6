from django_tasks import task

from guanhuai.jobs import services


@task()
def run_job(job_id: int) -> str:
    return services.job_run(job_id).status
