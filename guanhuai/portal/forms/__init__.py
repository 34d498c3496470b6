"""Forms of the portal's staff pages. Field-level checks only; the rules (sanitising, alt text, workflow,
segregation) are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanhuai.accounts.actor import Actor
from guanhuai.core.forms import BootstrapForm
from guanhuai.orgs.forms import UnitChoiceField
from guanhuai.portal.models import Column
from guanhuai.portal.permissions import MANAGE_SITES
from guanhuai.portal.states import BodyFormat, TraditionalVariant


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ColumnChoiceField(forms.ModelChoiceField):
    """A column as its site and place in the tree: 广东省计划生育协会 › 政务公开 › 文件资料."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.site.name} › {obj.path.replace('/', ' › ')} ({obj.name})"


class ArticleForm(BootstrapForm):
    column = ColumnChoiceField(label=_("栏目"), queryset=Column.objects.none())
    title = forms.CharField(label=_("标题"), max_length=200)
    subtitle = forms.CharField(label=_("副标题"), max_length=200, required=False)
    author = forms.CharField(
        label=_("作者"), max_length=100, required=False, help_text=_("如：省计生协宣传部 张枫")
    )
    source = forms.CharField(label=_("来源"), max_length=100, required=False)
    body_format = forms.ChoiceField(
        label=_("正文格式"), choices=BodyFormat.choices, initial=BodyFormat.MARKDOWN
    )
    body_source = forms.CharField(
        label=_("正文"),
        widget=forms.Textarea(attrs={"rows": 14}),
        required=False,
        help_text=_(
            "空一行分段。图片须写说明文字，例如 ![村民会议现场](https://…)；不能嵌入脚本和外部网页。"
        ),
    )
    tags = forms.CharField(label=_("标签"), max_length=200, required=False, help_text=_("多个标签用逗号分隔"))
    expire_at = forms.DateTimeField(label=_("下线时间"), required=False, widget=DateTimeInput())

    def __init__(self, *args: Any, columns: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["column"]
        assert isinstance(field, ColumnChoiceField)
        field.queryset = columns


class PublishForm(BootstrapForm):
    publish_at = forms.DateTimeField(
        label=_("定时发布"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("不填则立即发布；填写已过去的时间也会立即发布。"),
    )


class WithdrawForm(BootstrapForm):
    reason = forms.CharField(label=_("撤回原因"), max_length=200, help_text=_("留档备查，不会在网站上显示。"))


class ReturnForm(BootstrapForm):
    note = forms.CharField(label=_("退回意见"), max_length=200)


class AttachmentForm(BootstrapForm):
    file = forms.FileField(label=_("附件"), help_text=_("PDF、JPEG 或 PNG，不超过 20 MB"))
    alt = forms.CharField(
        label=_("图片说明"), max_length=120, required=False, help_text=_("图片必填：写明图片显示的内容")
    )


class CoverForm(BootstrapForm):
    cover = forms.FileField(label=_("封面图片"), help_text=_("JPEG 或 PNG，不超过 5 MB"))
    cover_alt = forms.CharField(label=_("封面图片说明"), max_length=120)


class StatsForm(BootstrapForm):
    days = forms.TypedChoiceField(
        label=_("统计期间"),
        coerce=int,
        choices=[(7, _("最近7天")), (30, _("最近30天")), (90, _("最近90天"))],
        initial=30,
        required=False,
    )


class SiteForm(BootstrapForm):
    unit = UnitChoiceField(label=_("所属协会"), perm=MANAGE_SITES, levels=("province", "city", "county"))
    name = forms.CharField(label=_("网站名称"), max_length=60, help_text=_("如：韶关市计划生育协会"))
    slug = forms.SlugField(
        label=_("网址名"), max_length=40, help_text=_("小写字母、数字和连字符，出现在公开网址中")
    )
    address = forms.CharField(label=_("地址"), max_length=120, required=False)
    postcode = forms.CharField(label=_("邮编"), max_length=10, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    record_no = forms.CharField(label=_("备案号"), max_length=40, required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(UnitChoiceField, "unit").for_actor(actor)


class SiteEditForm(BootstrapForm):
    """A site's name, footer contacts, Traditional conversion and whether it is open: not its branch or
    its address in URLs, which links and search engines already know."""

    name = forms.CharField(label=_("网站名称"), max_length=60)
    address = forms.CharField(label=_("地址"), max_length=120, required=False)
    postcode = forms.CharField(label=_("邮编"), max_length=10, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    record_no = forms.CharField(label=_("备案号"), max_length=40, required=False)
    traditional = forms.ChoiceField(label=_("繁体转换方式"), choices=TraditionalVariant.choices)
    is_active = forms.BooleanField(
        label=_("对外开放"), required=False, help_text=_("取消勾选后，公众无法访问本网站")
    )


class ColumnForm(BootstrapForm):
    parent = ColumnChoiceField(label=_("上级栏目"), queryset=Column.objects.none(), required=False)
    name = forms.CharField(label=_("栏目名称"), max_length=40)
    slug = forms.SlugField(
        label=_("网址名"), max_length=40, help_text=_("小写字母、数字和连字符，出现在公开网址中")
    )
    position = forms.IntegerField(label=_("排序"), min_value=0, max_value=999, initial=0)
    description = forms.CharField(label=_("栏目说明"), max_length=200, required=False)

    def __init__(self, *args: Any, columns: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field(ColumnChoiceField, "parent").queryset = columns


class ColumnEditForm(ColumnForm):
    """A column's name, place in the tree (moving it is choosing another parent), order and visibility."""

    is_active = forms.BooleanField(label=_("在网站上显示"), required=False, initial=True)
