"""Plausible Chinese place names for generated townships and villages.

Names are a two-character stem plus a suffix (镇/乡/街道, 村/社区). Many township stems are real place
names of northern and eastern Guangdong, recombined at random: a generated 周田镇 may sit in a county that
has no such town. This is demo data, not a gazetteer. Every choice goes through the `random.Random` handed
in, so a fixed seed always yields the same names.
"""

from __future__ import annotations

import random
from collections.abc import Callable

# Stems that read well as a township or street (丹霞街道, 周田镇, 大桥镇, 石塘镇 …).
TOWNSHIP_STEMS = tuple(
    (
        "丹霞 周田 大桥 石塘 董塘 长江 城口 扶溪 闻韶 黄坑 红山 黄岭 马市 澄江 顿岗 罗坝 "
        "司前 隘子 沈所 太平 城南 北山 坝仔 九峰 梅花 廊田 五山 两江 沙坪 白土 枫湾 乌石 "
        "大坑 樟市 马坝 龙归 桂头 犁市 龙仙 新江 官渡 翁城 江尾 周陂 铁龙 坪石 长来 北乡 "
        "云岩 三溪 黄圃 河口 九龙 大塘 石角 浸潭 太和 龙颈 源潭 飞来 禾云 山塘 三坑 横荷 "
        "洲心 凤城 东城 新城 西河 南口 石坑 松源 桃源 隆文 白渡 丙村 雁洋 松口 梅南 水车 "
        "畲江 南福 城东 石扇 梅西 大坪 荷泗 华阳 岩前 长沙 安流 棉洋 双华 转水 华城 岐岭 "
        "潭下 河东 汤坑 留隍 砂田 八乡 茶背 湖寮 高陂 百侯 枫朗 大麻 三河 青溪 光德 桃花 "
        "洲瑞 银江 西阳 长潭 南礤 新圩 蕉城 新铺 广福 文福 叶塘 罗岗 龙田 刁坊 水口 宁中 "
        "坭陂 径南 黄陂 大田 七拱 杜步 黄坌 岭背 江英 秤架 水源 石潭 连江 西江 星子 "
        "九陂 保安 大路边 东陂 丰阳 寨南 三江 大麦山 香坪 涡水 "
    ).split()
)

# First and second characters of village stems (新龙村, 长坝村, 石岭村 …).
VILLAGE_FIRST = tuple(
    (
        "新 长 大 上 下 东 西 南 北 石 黄 白 青 龙 凤 马 高 平 和 安 富 兴 联 红 "
        "光 明 中 古 桥 塘 竹 松 梅 桃 杨 沙 岭 田 水 湖 溪 陂 坪 岗 金 银 福 丰 "
    ).split()
)
VILLAGE_SECOND = tuple(
    (
        "龙 坝 田 岭 塘 坑 坪 洞 山 水 溪 湖 岗 坳 围 楼 屋 洲 口 头 背 寨 桥 "
        "冲 江 河 陂 源 圳 堡 联 光 丰 和 安 兴 富 星 新 华 明 阳 石 竹 林 湾 "
    ).split()
)

# Communities (社区) in a town or street are named like 城北社区, 和平社区.
COMMUNITY_STEMS = tuple(
    (
        "城北 城南 城东 城西 和平 人民 解放 建设 新华 文化 朝阳 胜利 "
        "东风 团结 育才 民主 幸福 光明 前进 工农 向阳 新民 中山 公园 "
        "江滨 滨江 河西 河东 桥东 桥西 火车站 新村 金城 锦绣 康乐 惠民 "
    ).split()
)

TOWN_SUFFIX = {"town": "镇", "township": "乡", "subdistrict": "街道"}
VILLAGE_SUFFIX = {"village": "村", "community": "社区"}


def village_stem(rng: random.Random) -> str:
    """Two different characters, e.g. 新龙, 长坝."""
    while True:
        first, second = rng.choice(VILLAGE_FIRST), rng.choice(VILLAGE_SECOND)
        if first != second:
            return first + second


def unique(pick: Callable[[], str], taken: set[str], *, tries: int = 200) -> str:
    """Draw stems from `pick()` until one is not in `taken` (and record it there). After `tries` misses,
    number the stem instead (新龙二, 新龙三 …), which the stem lists make practically unreachable."""
    for _ in range(tries):
        stem = pick()
        if stem not in taken:
            taken.add(stem)
            return stem
    base = pick()
    for numeral in "二三四五六七八九":
        if base + numeral not in taken:
            taken.add(base + numeral)
            return base + numeral
    raise ValueError(f"no free name left for {base}")
