"""How sensitive values look on screen, in exports and in the API when not unmasked: the one copy of the
masks, used by the registry (IDs, phones), funds (donor phones), programmes (public lists, bank accounts)
and the benchmarks."""

from __future__ import annotations

import ipaddress


def mask_id(number: str) -> str:
    """4401**********123X: area of registration kept to the city, birth date and sequence hidden."""
    if not number:
        return ""
    return number[:4] + "*" * (len(number) - 8) + number[-4:] if len(number) > 8 else "*" * len(number)


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_account(account: str) -> str:
    digits = account.replace(" ", "")
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_name(name: str) -> str:
    """For public lists: surname plus mask (张*, 欧阳**)."""
    if not name:
        return ""
    surname_len = 2 if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES else 1
    return name[:surname_len] + "*" * max(1, len(name) - surname_len)


def mask_name_keep_last(name: str) -> str:
    """For a village's paper notice, which neighbours must be able to recognise: surname and the last
    character, the rest masked (张*明, 欧阳*华, 张**明). A name of surname + one character keeps the
    surname only (张*, 欧阳*): its last character is its whole given name."""
    if not name:
        return ""
    surname_len = 2 if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES else 1
    if len(name) - surname_len < 2:
        return mask_name(name)
    return name[:surname_len] + "*" * (len(name) - surname_len - 1) + name[-1]


COMPOUND_SURNAMES = {
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "夏侯",
    "令狐",
    "宇文",
    "司徒",
}


def mask_ip(address: str) -> str:
    """An address as it may be stored: the last IPv4 octet, or all but the first three IPv6 groups,
    hidden (203.0.113.*, 2001:0db8:85a3:*). Not an address: ""."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    if ip.version == 4:
        return ".".join(str(ip).split(".")[:3]) + ".*"
    return ":".join(ip.exploded.split(":")[:3]) + ":*"
