"""The sentences of the association app's audit actions (found by `audit.apps`, which imports every app's
`audit.py`). Each part of the app adds its own block below."""

from django.utils.translation import gettext_lazy

from guanhuai.audit.actions import register

register(
    {
        "association.member.created": gettext_lazy("登记会员"),
        "association.cadre.created": gettext_lazy("登记干部"),
    }
)

# --- training ---
register(
    {
        "association.course.created": gettext_lazy("开设培训班"),
        "association.session.created": gettext_lazy("添加培训课次"),
        "association.course.enrolled": gettext_lazy("培训班报名"),
        "association.signin_code.issued": gettext_lazy("显示培训签到码"),
        "association.attendance.signed_in": gettext_lazy("学员手机签到"),
        "association.attendance.recorded": gettext_lazy("培训师补登签到"),
        "association.course.certificates_issued": gettext_lazy("颁发培训证书"),
        "association.certificate.issued": gettext_lazy("颁发培训证书"),
        "association.certificate.downloaded": gettext_lazy("下载培训证书"),
        "association.trainer.created": gettext_lazy("登记培训师资格"),
        "association.demo.training_loaded": gettext_lazy("生成演示培训数据"),
    }
)
