from org import roles
from org.scope import get_scope


def scope(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    s = get_scope(user)
    return {
        "scope": s,
        "can": {
            "view": s.has(roles.VIEW),
            "edit_people": s.has(roles.EDIT_PEOPLE),
            "manage_accounts": s.has(roles.MANAGE_ACCOUNTS),
            "manage_policy": s.has(roles.MANAGE_POLICY),
            "manage_org": s.has(roles.MANAGE_ORG),
            "assign_leaders": s.has(roles.ASSIGN_LEADERS),
            "view_audit": s.has(roles.VIEW_AUDIT),
            "lookup_id": s.has(roles.LOOKUP_ID),
            "mentor": s.has(roles.MENTOR),
        },
    }
