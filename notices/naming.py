"""The issuing body's full name as printed on a unit's documents, in one place so the 公告, 公示, 名册 and every other
paper of the same unit are signed alike (a reviewer rejects "青禾镇" on one and "中共青禾镇委员会" on another)."""

from org import roles


def issuing_body(unit) -> str:
    """中共××镇委员会 / 中共××乡委员会 for a township, 中共××街道工作委员会 for a sub-district (its Party body is a
    working committee of the county's), 中共××县委组织部 for a county (and a city's 市委组织部). A village prints
    its township's body: the village Party organisation does not issue these papers."""
    if unit is None:
        return ""
    name = unit.name
    if unit.level == roles.VILLAGE:
        return issuing_body(unit.parent) if unit.parent_id else name
    if unit.level == roles.TOWNSHIP:
        if name.endswith("街道"):
            return f"中共{name}工作委员会"
        return f"中共{name}委员会"
    return f"中共{name}委组织部"


# What a place written after a village's name may repeat of it: "河坝村" + "村（社区）公示栏" must print
# "河坝村公示栏" (a form's default written for any village, appended to the name).
_KIND_WORDS = ("村（社区）", "村(社区)", "社区", "村")
_BOARDS = ("公示", "公告", "宣传")


def place_name(village, text: str) -> str:
    """A posting place with the village's name written once: "河坝村村（社区）公示栏" → "河坝村公示栏",
    "青禾社区社区公示栏" → "青禾社区公示栏"."""
    text = (text or "").strip()
    if village is None or not text.startswith(village.name):
        return text
    name, rest = village.name, text[len(village.name) :]
    for word in _KIND_WORDS:
        after = rest[len(word) :]
        generic = word in ("村（社区）", "村(社区)")
        # "村" or "社区" again only when a board follows (兰沟村村公示栏); 兰沟村村务公开栏 and 村委会 are words.
        if rest.startswith(word) and (generic or (name.endswith(word) and after.startswith(_BOARDS))):
            return name + after
    return text


def name_with_post(name: str, post: str) -> str:
    """ "姓名 职务" as the 名册 and 纪实表 print a cadre, the post left out when the name already holds it (an account
    named "青禾镇副镇长 周涛" with 职务 副镇长 prints once, not "青禾镇副镇长 周涛 副镇长")."""
    name, post = (name or "").strip(), (post or "").strip()
    if not post or post in name:
        return name
    return f"{name} {post}".strip()
