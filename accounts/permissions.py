"""Each person's permissions, read once and kept in the cache until any role changes. Every
page asks what its viewer may do, and reading it took two queries a page.

The key carries a generation, a random value that any change to roles, groups or their
permissions replaces, so a role taken away applies from the next request. A generation lost from
the cache is made anew, which orphans every kept set rather than reviving an old one."""

import secrets

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

KEPT_FOR = 60 * 60  # seconds; the generation, not the age, keeps it right
_GENERATION_KEY = "permissions-generation"


class CachedPermissions:
    """For a backend built on ModelBackend."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            key = f"permissions:{_generation()}:{user_obj.pk}:{user_obj.is_superuser}"
            kept = cache.get(key)
            if kept is None:
                kept = super().get_all_permissions(user_obj)
                cache.set(key, kept, KEPT_FOR)
            user_obj._perm_cache = kept
        return user_obj._perm_cache


class CachedPermissionsBackend(CachedPermissions, ModelBackend):
    pass


def _generation() -> str:
    generation = cache.get(_GENERATION_KEY)
    if generation is None:
        generation = secrets.token_hex(8)
        if not cache.add(_GENERATION_KEY, generation, None):  # another process made one first
            generation = cache.get(_GENERATION_KEY) or generation
    return generation


def roles_changed(**kwargs) -> None:
    cache.set(_GENERATION_KEY, secrets.token_hex(8), None)


def watch_roles() -> None:
    from accounts.models import User

    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(roles_changed, sender=through, dispatch_uid=f"roles:{through}")
    for model in (Group, Permission):
        post_save.connect(roles_changed, sender=model, dispatch_uid=f"roles-save:{model}")
        post_delete.connect(roles_changed, sender=model, dispatch_uid=f"roles-delete:{model}")
