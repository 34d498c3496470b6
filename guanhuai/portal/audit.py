"""The sentences of the portal's audit actions (found by `audit.apps`, which imports every app's
`audit.py`)."""

from django.utils.translation import gettext_lazy

from guanhuai.audit.actions import register

register(
    {
        "portal.site.created": gettext_lazy("开设门户网站"),
        "portal.site.saved": gettext_lazy("修改门户网站信息"),
        "portal.column.created": gettext_lazy("新建门户栏目"),
        "portal.column.saved": gettext_lazy("修改门户栏目"),
        "portal.column.deleted": gettext_lazy("删除门户栏目"),
        "portal.article.created": gettext_lazy("起草门户文章"),
        "portal.article.saved": gettext_lazy("修改门户文章"),
        "portal.article.submitted": gettext_lazy("提交门户文章审核"),
        "portal.article.returned": gettext_lazy("退回门户文章"),
        "portal.article.scheduled": gettext_lazy("定时发布门户文章"),
        "portal.article.published": gettext_lazy("发布门户文章"),
        "portal.article.withdrawn": gettext_lazy("撤回门户文章"),
        "portal.attachment.added": gettext_lazy("上传门户文章附件"),
        "portal.attachment.removed": gettext_lazy("删除门户文章附件"),
        "portal.reads.rolled_up": gettext_lazy("汇总门户阅读次数"),
        "portal.demo.loaded": gettext_lazy("生成演示门户"),
    }
)

# the disclosure pages and the legacy import (po2)
register({"portal.article.imported": gettext_lazy("导入旧网站文章")})

# a branch merge: the site moves to the receiving branch, or closes and redirects to its site
register(
    {
        "portal.site.moved": gettext_lazy("门户网站随组织合并移交"),
        "portal.site.closed_by_merge": gettext_lazy("组织合并，门户网站关闭并转到合并后的网站"),
    }
)
