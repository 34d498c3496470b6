"""The national legal-review checklist for charters and village rules, as data. The wording of each item
is ours; the patterns look for content that 村民委员会组织法 art. 27 forbids (no clause may infringe a
villager's personal, democratic or lawful property rights) and that other laws reserve to the state."""

from django.db import migrations

BASIS_27 = "《村民委员会组织法》第二十七条第二款：不得与宪法、法律、法规和国家的政策相抵触，不得有侵犯村民的人身权利、民主权利和合法财产权利的内容"

# (code, title, pattern over the clause's text without spaces, reason, legal basis)
PATTERNS = [
    (
        "fine",
        "罚款",
        r"罚款|罚金|处以?[^。；]{0,6}罚|罚[^。；]{0,4}元",
        "村规民约不能设定罚款：罚款是行政处罚，只能由法律、法规、规章设定，由行政机关依法实施。",
        BASIS_27 + "；《行政处罚法》关于处罚设定权的规定",
    ),
    (
        "deposit",
        "押金、保证金",
        r"押金|保证金|抵押金",
        "向村民收取押金、保证金，或以其担保履行村规民约，侵犯村民的合法财产权利。",
        BASIS_27,
    ),
    (
        "withhold_benefits",
        "以停发依法享有的待遇作为惩罚",
        r"(取消|停发|扣发|扣除|扣减|不予发放|停止享受|不得享受|不享受|剥夺)[^。；]{0,12}"
        r"(补贴|补助|福利|分红|待遇|救助|低保|宅基地|承包地|集体收益)",
        "以取消、停发或扣减村民依法享有的补贴、分红、福利或土地权益作为惩罚，侵犯村民的合法财产权利。",
        BASIS_27,
    ),
    (
        "married_out_women",
        "外嫁女及其子女的平等权利",
        r"(外嫁女|出嫁女|嫁出|离婚妇女|丧偶妇女|入赘)[^。；]{0,24}(不得|不享受|不予|取消|无权|不能|不再|减半|不分)",
        "对外嫁女、离婚或丧偶妇女及其子女在集体收益分配、土地承包等方面区别对待，违反男女平等。",
        BASIS_27 + "；《妇女权益保障法》关于农村妇女在集体经济组织中与男子平等权利的规定",
    ),
    (
        "personal_freedom",
        "限制人身自由、侮辱人格",
        r"游街|示众|关押|拘禁|扣押人|限制[^。；]{0,4}人身自由|公开检讨",
        "限制人身自由或侮辱人格的处置，侵犯村民的人身权利。",
        BASIS_27,
    ),
    (
        "confiscation",
        "没收财物",
        r"没收|扣押[^。；]{0,6}(财物|物品|车辆|证件)",
        "没收、扣押财物是法律保留给行政机关的强制措施，村规民约不能设定。",
        BASIS_27,
    ),
    (
        "birth_penalty",
        "以生育情况限制权利",
        r"社会抚养费|超生[^。；]{0,8}(罚|押金|不予|取消|不得)|生育[^。；]{0,8}(押金|保证金)",
        "社会抚养费已经取消；以生育情况收取押金或限制村民权利，与现行人口与计划生育法律和政策相抵触。",
        BASIS_27 + "；《人口与计划生育法》（2021年修正）",
    ),
]


def forward(apps, schema_editor):
    ReviewPattern = apps.get_model("governance", "ReviewPattern")
    for sort, (code, title, pattern, reason, basis) in enumerate(PATTERNS, start=1):
        ReviewPattern.objects.update_or_create(
            code=code,
            defaults={"title": title, "pattern": pattern, "reason": reason, "legal_basis": basis, "sort": sort},
        )


def backward(apps, schema_editor):
    apps.get_model("governance", "ReviewPattern").objects.filter(code__in=[p[0] for p in PATTERNS]).delete()


class Migration(migrations.Migration):
    dependencies = [("governance", "0002_amendments_review_filing")]
    operations = [migrations.RunPython(forward, backward)]
