"""Who may see a covert list, its entries and its hits (DOMAIN.md 3.6): the list's owner (its
creator), supervisors and admins; to anyone else they do not exist. The one rule behind the
hot-list and alert routers."""

from sqlalchemy import ColumnElement, or_, select, true
from sqlmodel import Session, col

from app.models import Alert, HotList, Role, User

COVERT = "covert"  # the list kind
SEES_COVERT = frozenset({Role.SUPERVISOR, Role.ADMIN})  # besides a covert list's owner


def may_see_list(user: User, hotlist: HotList) -> bool:
    return hotlist.kind != COVERT or user.role in SEES_COVERT or hotlist.created_by == user.id


def may_see_alert(session: Session, alert: Alert, user: User) -> bool:
    if not alert.is_covert or user.role in SEES_COVERT:
        return True
    hotlist = session.get(HotList, alert.hotlist_id) if alert.hotlist_id else None
    return hotlist is not None and hotlist.created_by == user.id


def visible_lists(user: User) -> ColumnElement[bool]:
    """A filter on HotList: the lists `user` may see."""
    if user.role in SEES_COVERT:
        return true()
    return or_(col(HotList.kind) != COVERT, col(HotList.created_by) == user.id)


def visible_alerts(user: User) -> ColumnElement[bool]:
    """A filter on Alert: the covert alerts are left out unless `user` owns their list."""
    if user.role in SEES_COVERT:
        return true()
    owned = select(col(HotList.id)).where(col(HotList.created_by) == user.id)
    return or_(~col(Alert.is_covert), col(Alert.hotlist_id).in_(owned))
