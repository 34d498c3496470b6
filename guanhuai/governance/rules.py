"""Which meetings may adopt which documents, as data with the article that says so. `services.version_adopt`
reads this table and nothing else; docs/governance.md quotes it.

- 村民委员会组织法 art. 27: 「村民会议可以制定和修改村民自治章程、村规民约，并报乡、民族乡、镇的人民政府备案。」
  So the charter and the village rules are adopted by the villagers' assembly.
- art. 24 (2018 text): 「村民会议可以授权村民代表会议讨论决定前款规定的事项」— where the villagers' assembly has
  authorised it (the document records the assembly's motion, `Document.representatives_authorised_by`),
  the representatives' meeting may adopt the village rules. The charter, which sets the authorisations
  themselves, stays with the assembly.
- 城市居民委员会组织法 art. 15: 「居民公约由居民会议讨论制定」— a community's residents' meeting, which
  the platform records as the community's assembly (villagers' assembly kind)."""

from __future__ import annotations

from dataclasses import dataclass

from guanhuai.governance.states import DocumentKind, MeetingKind


@dataclass(frozen=True)
class AdoptionRule:
    document_kind: str
    meeting_kind: str
    basis: str
    needs_authorisation: bool = False  # by a passed motion of the villagers' assembly


ADOPTION: tuple[AdoptionRule, ...] = (
    AdoptionRule(DocumentKind.CHARTER, MeetingKind.VILLAGERS_ASSEMBLY, "村民委员会组织法第二十七条"),
    AdoptionRule(DocumentKind.VILLAGE_RULES, MeetingKind.VILLAGERS_ASSEMBLY, "村民委员会组织法第二十七条"),
    AdoptionRule(
        DocumentKind.VILLAGE_RULES,
        MeetingKind.REPRESENTATIVES_MEETING,
        "村民委员会组织法第二十四条（经村民会议授权）",
        needs_authorisation=True,
    ),
    AdoptionRule(
        DocumentKind.RESIDENTS_COMPACT, MeetingKind.VILLAGERS_ASSEMBLY, "城市居民委员会组织法第十五条"
    ),
)


def adoption_rule(document_kind: str, meeting_kind: str) -> AdoptionRule | None:
    for rule in ADOPTION:
        if rule.document_kind == document_kind and rule.meeting_kind == meeting_kind:
            return rule
    return None


def adopting_kinds(document_kind: str) -> list[str]:
    return [rule.meeting_kind for rule in ADOPTION if rule.document_kind == document_kind]
