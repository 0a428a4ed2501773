"""Roles and what each may do. Memberships hold the role; the permissions are granted with django-guardian on the
member's unit, and every check looks for the permission on the unit or one of its ancestors."""

from dataclasses import dataclass

CITY, COUNTY, TOWNSHIP, VILLAGE = "city", "county", "township", "village"

# Object permissions on org.OrgUnit (declared in OrgUnit.Meta.permissions).
VIEW = "view_subtree"
EDIT_PEOPLE = "edit_people"
REVEAL = "reveal_sensitive"
MANAGE_ACCOUNTS = "manage_accounts"
MANAGE_POLICY = "manage_policy"
MANAGE_ORG = "manage_org"
ASSIGN_LEADERS = "assign_leaders"
VIEW_AUDIT = "view_audit"
LOOKUP_ID = "lookup_id"
MENTOR = "mentor"
NOMINATE = "nominate"

PERMISSIONS = [
    (VIEW, "查看辖区内的人员与后备干部"),
    (EDIT_PEOPLE, "录入和修改人员、后备干部记录、结对"),
    (REVEAL, "查看完整身份证号和联系电话"),
    (MANAGE_ACCOUNTS, "管理账号"),
    (MANAGE_POLICY, "设置县级政策"),
    (MANAGE_ORG, "调整组织架构（更名、合并村）"),
    (ASSIGN_LEADERS, "指定包村领导"),
    (VIEW_AUDIT, "查看审计日志"),
    (LOOKUP_ID, "按身份证号查询"),
    (MENTOR, "帮带干部（仅见结对的后备干部）"),
    (NOMINATE, "在选拔中录入本村（社区）的推荐人选"),
]


@dataclass(frozen=True)
class Role:
    key: str
    label: str
    levels: tuple[str, ...]
    perms: frozenset[str]


ROLES: dict[str, Role] = {
    r.key: r
    for r in [
        Role("city_viewer", "市委组织部（只读）", (CITY,), frozenset({VIEW})),
        Role(
            "county_admin",
            "县委组织部管理员",
            (COUNTY,),
            frozenset(
                {
                    VIEW,
                    EDIT_PEOPLE,
                    REVEAL,
                    MANAGE_ACCOUNTS,
                    MANAGE_POLICY,
                    MANAGE_ORG,
                    ASSIGN_LEADERS,
                    VIEW_AUDIT,
                    LOOKUP_ID,
                }
            ),
        ),
        Role("county_staff", "县委组织部工作人员", (COUNTY,), frozenset({VIEW, EDIT_PEOPLE, REVEAL, LOOKUP_ID})),
        Role(
            "township_admin",
            "乡镇党委管理员（书记、组织委员）",
            (TOWNSHIP,),
            frozenset({VIEW, EDIT_PEOPLE, REVEAL, MANAGE_ACCOUNTS, ASSIGN_LEADERS, NOMINATE}),
        ),
        Role("township_staff", "乡镇工作人员", (TOWNSHIP,), frozenset({VIEW, EDIT_PEOPLE, REVEAL, NOMINATE})),
        Role("village_secretary", "村（社区）党组织书记", (VILLAGE,), frozenset({VIEW, NOMINATE})),
        Role("mentor", "帮带干部", (TOWNSHIP, VILLAGE), frozenset({MENTOR})),
    ]
}

ROLE_CHOICES = [(r.key, r.label) for r in ROLES.values()]

# Which roles an account manager may hand out, by the manager's own role.
GRANTABLE = {
    "county_admin": {"county_admin", "county_staff", "township_admin", "township_staff", "village_secretary", "mentor"},
    "township_admin": {"village_secretary", "mentor"},
}
