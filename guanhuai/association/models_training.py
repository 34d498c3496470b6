"""Training (培训): courses, their sessions, enrolment from the cadre and member records, attendance signed in
on a phone with a short-lived code, certificates with a public verification code, and trainer
qualifications. docs/association.md ("Training") says why each choice was made.

Attendance carries copies of the facts it was earned under (the session's date and hours, the cadre enrolled):
they do not change once signed, and they let the figures per branch per year read one table with one
GROUP BY instead of joining four (`selectors/training.py`, `training_figures`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from guanhuai.association.states import CourseLevel, SignInVia, TrainerKind
from guanhuai.core.forms import with_note
from guanhuai.core.scopes import ScopedManager


class TrainingTopic(models.Model):
    """A topic a course can teach: the association's six key tasks, as data (migration
    `0005_training_topics` writes them; a province can add its own)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("可用"), default=True)

    class Meta:
        verbose_name = _("培训主题")
        verbose_name_plural = _("培训主题")
        ordering = ["sort", "pk"]

    def __str__(self) -> str:
        return self.name


class Trainer(models.Model):
    """A qualified trainer: a Youth Health trainer (青春健康培训师) or a peer educator (同伴教育者), with the
    date the qualification was granted and, where it lapses, the date it ends. A cadre or member of the
    association where one exists, else recorded by name (an outside expert)."""

    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属协会")
    )
    kind = models.CharField(_("资格类别"), max_length=24, choices=TrainerKind.choices)
    name = models.CharField(_("姓名"), max_length=50)
    cadre = models.ForeignKey(
        "association.Cadre",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("协会干部"),
    )
    qualified_on = models.DateField(_("取得资格日期"))
    valid_until = models.DateField(_("资格有效期至"), null=True, blank=True)
    certificate_no = models.CharField(_("资格证书编号"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("培训师资格")
        verbose_name_plural = _("培训师资格")
        indexes = [models.Index(fields=["org_unit", "kind"], name="trainer_unit_kind")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("qualified_on")),
                name="trainer_valid_after_qualified",
            ),
        ]

    def __str__(self) -> str:
        return with_note(self.name, self.get_kind_display())


class Course(models.Model):
    """A training course (培训班) organised by one branch. Its `hours` are the hours it offers (学时);
    what a person earned is the sum of the sessions they signed in to."""

    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("主办协会")
    )
    level = models.CharField(_("培训级别"), max_length=12, choices=CourseLevel.choices)
    topic = models.ForeignKey(
        TrainingTopic, on_delete=models.PROTECT, related_name="courses", verbose_name=_("培训主题")
    )
    title = models.CharField(_("培训班名称"), max_length=100)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    capacity = models.PositiveIntegerField(_("名额"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    trainers = models.ManyToManyField(Trainer, blank=True, related_name="courses", verbose_name=_("培训师"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("培训班")
        verbose_name_plural = _("培训班")
        indexes = [models.Index(fields=["org_unit", "starts_on"], name="course_unit_start")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="course_ends_after_start"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="course_hours_positive"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="course_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class CourseSession(models.Model):
    """One sitting of a course (a morning, an afternoon). Sign-in is open from a little before it starts
    until it ends (`GUANHUAI_TRAINING_SIGNIN_EARLY_MINUTES`); after that a sign-in is refused as late."""

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("培训班")
    )
    title = models.CharField(_("课程内容"), max_length=100, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("培训课次")
        verbose_name_plural = _("培训课次")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="session_hours_positive"),
        ]

    def __str__(self) -> str:
        return self.title or str(self.starts_at)


class CourseEnrolment(models.Model):
    """A cadre or a member enrolled in a course. `personal_code` (six digits, unique within the course) is
    how the person names themself when signing in on their own phone: members have no login, and the
    code says nothing about them outside this course."""

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("培训班")
    )
    cadre = models.ForeignKey(
        "association.Cadre", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    member = models.ForeignKey(
        "association.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=100)
    personal_code = models.CharField(_("个人签到码"), max_length=6)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    enrolled_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["course", "personal_code"], name="enrolment_code_unique"),
            models.UniqueConstraint(
                fields=["course", "cadre"], condition=Q(cadre__isnull=False), name="enrolment_one_per_cadre"
            ),
            models.UniqueConstraint(
                fields=["course", "member"],
                condition=Q(member__isnull=False),
                name="enrolment_one_per_member",
            ),
            models.CheckConstraint(
                condition=Q(cadre__isnull=True, member__isnull=False)
                | Q(cadre__isnull=False, member__isnull=True),
                name="enrolment_cadre_or_member",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SignInCode(models.Model):
    """A short-lived code for one session, shown on the trainer's page: `word` (six digits, typed) and
    `token` (in the QR code's address). Issuing a new code ends the session's previous one."""

    session = models.ForeignKey(CourseSession, on_delete=models.CASCADE, related_name="codes")
    word = models.CharField(max_length=6, db_index=True)
    token = models.CharField(max_length=32, unique=True)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("签到码")
        verbose_name_plural = _("签到码")
        indexes = [models.Index(fields=["session", "expires_at"], name="signin_code_session")]

    def __str__(self) -> str:
        return self.word


class Attendance(models.Model):
    """One person present at one session. `day`, `hours` and `cadre` are copies (see the module's note)."""

    session = models.ForeignKey(CourseSession, on_delete=models.CASCADE, related_name="attendances")
    enrolment = models.ForeignKey(CourseEnrolment, on_delete=models.CASCADE, related_name="attendances")
    cadre = models.ForeignKey(
        "association.Cadre", on_delete=models.PROTECT, null=True, blank=True, related_name="attendances"
    )
    day = models.DateField()
    hours = models.DecimalField(max_digits=4, decimal_places=1)
    signed_at = models.DateTimeField()
    via = models.CharField(max_length=8, choices=SignInVia.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("签到")
        verbose_name_plural = _("签到")
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_once_per_session"),
        ]
        indexes = [
            # the figures per branch per year: a cadre's days of the year, summing hours (a county reads its
            # own cadres' rows through it; a province scans the year's rows)
            models.Index(fields=["cadre", "day", "hours"], name="attendance_cadre_day"),
            models.Index(fields=["enrolment"], name="attendance_enrolment"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}@{self.session_id}"


class Certificate(models.Model):
    """A course completion certificate. `code` is printed on the PDF; anyone may check it on the public
    page, which shows only the masked name, the course and the date."""

    enrolment = models.OneToOneField(CourseEnrolment, on_delete=models.PROTECT, related_name="certificate")
    code = models.CharField(_("验证码"), max_length=14, unique=True)
    hours = models.DecimalField(_("完成学时"), max_digits=5, decimal_places=1)
    issued_on = models.DateField(_("发证日期"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("培训证书")
        verbose_name_plural = _("培训证书")

    def __str__(self) -> str:
        return self.code
