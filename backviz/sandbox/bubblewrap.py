"""What the template, and so every case, sees under bubblewrap: new pid, network, IPC, UTS and
mount namespaces; a root of read-only binds (``/usr``, a few files of ``/etc``, the Python
installation with every site folder emptied, the allowed distributions' files bound back:
:mod:`backviz.sandbox.python_view`); private ``/proc``, ``/dev`` and an empty ``/tmp``; a
mount point for each case's own tmpfs, the only writable place."""

from __future__ import annotations

import os
from pathlib import Path

from .python_view import PythonView

__all__ = ["INSIDE_HARNESS", "INSIDE_MEMORY", "INSIDE_WORK", "bwrap_command", "inside"]

INSIDE_WORK = "/sandbox"
"""Where each case mounts its own tmpfs (in its own mount namespace)."""
INSIDE_HARNESS = "/run/backviz"
"""The harness's folder in the sandbox (read-only)."""
INSIDE_MEMORY = "/run/memory"
"""The class's folder of memory groups (the template makes each case's group there; each case
unmounts it from its own view)."""
_ETC_FILES = (
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/passwd",
    "/etc/group",
    "/etc/nsswitch.conf",
    "/etc/localtime",
    "/etc/alternatives",  # Debian: libblas and friends are symlinks through here
)


def inside(path: str, trees: list[str]) -> bool:
    """Whether `path` is one of `trees` or under one."""
    return any(path == tree or path.startswith(tree.rstrip("/") + "/") for tree in trees)


def bwrap_command(
    bwrap: str,
    *,
    root: bool,
    view: PythonView,
    python: str,
    harness: str,
    memory: str | None,
) -> list[str]:
    """bubblewrap's arguments for the template, up to the command it runs: `view`'s trees bound
    read-only with their site folders emptied and the allowed distributions' files bound back
    (the folder of the `python` binary too when outside them), the `harness` folder bound
    read-only, the class's `memory` groups folder bound writable (the template makes groups in
    it), a mount point for each case's tmpfs. As root no user namespace (see below)."""
    cmd = [bwrap]
    if root:
        # No user namespace: as root it would map uid 0 to 0 only, and the cases could not
        # become real unprivileged uids. Keep only the capabilities the template needs: new
        # namespaces and mounts for each case, its uid, signalling it, and keeping the OOM
        # killer off the template (a case gives every capability up with root).
        cmd += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts"]
        cmd += ["--unshare-cgroup-try", "--cap-drop", "ALL"]
        for cap in ("CAP_SETUID", "CAP_SETGID", "CAP_SYS_ADMIN", "CAP_KILL", "CAP_SYS_RESOURCE"):
            cmd += ["--cap-add", cap]
    else:
        cmd += ["--unshare-all", "--unshare-user", "--disable-userns"]
        cmd += ["--cap-add", "CAP_SYS_ADMIN"]
    cmd += ["--die-with-parent", "--new-session", "--hostname", "sandbox"]
    cmd += ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = f"/{name}"
        if os.path.islink(path):
            cmd += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            cmd += ["--ro-bind", path, path]
    made = {"/", "/usr", "/proc", "/dev", "/tmp", "/etc", "/run", INSIDE_WORK}
    cmd += ["--perms", "0755", "--dir", "/etc"]
    for path in _ETC_FILES:
        if os.path.exists(path):
            cmd += ["--ro-bind", path, path]
    cmd += ["--proc", "/proc", "--dev", "/dev", "--perms", "0755", "--tmpfs", "/tmp"]
    trees = [tree for tree in view.trees if tree != "/usr"]
    if not inside(python, list(view.trees)):
        trees.append(os.path.dirname(python))
    bound: list[str] = ["/usr"]
    for tree in sorted(set(trees), key=len):
        if inside(tree, bound) or not os.path.isdir(tree):
            continue
        cmd += [*_ancestors(tree, made, bound), "--ro-bind", tree, tree]
        bound.append(tree)
    for folder in view.hidden:  # emptied: only the allowed distributions come back
        if inside(folder, bound):
            cmd += ["--perms", "0755", "--tmpfs", folder]
    for entry in view.entries:
        cmd += [*_ancestors(entry, made, bound), "--ro-bind", entry, entry]
    cmd += ["--perms", "0755", "--dir", INSIDE_WORK]
    cmd += ["--perms", "0755", "--dir", "/run", "--ro-bind", harness, INSIDE_HARNESS]
    if memory is not None:
        cmd += ["--bind", memory, INSIDE_MEMORY]
    cmd += ["--chdir", "/", "--remount-ro", "/"]
    return cmd


def _ancestors(path: str, made: set[str], bound: list[str]) -> list[str]:
    """``--dir`` for each folder above ``path`` not yet made nor inside a ``bound`` tree
    (bubblewrap would make them with its own modes; these are 0755, so that the new uid can
    pass)."""
    cmd = []
    parts = Path(path).parts
    for depth in range(2, len(parts)):
        ancestor = str(Path(*parts[:depth]))
        if ancestor not in made and not inside(ancestor, bound):
            cmd += ["--perms", "0755", "--dir", ancestor]
            made.add(ancestor)
    return cmd
