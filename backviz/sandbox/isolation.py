"""The isolation a case sets up on itself before any student code runs, and what the template
needs to make, watch and clear each case (child side: standard library only, loaded by the
harness from beside it).

In the order the harness uses them: :func:`spawn` (a process of its own, first of new pid,
mount and IPC namespaces where the plan has them); :func:`join_group` (its memory group);
the mounts (:func:`make_private`, :func:`read_only_host`, :func:`expose`,
:func:`mount_tmpfs`, :func:`mount_proc`); :func:`set_limits`; :func:`drop_privileges`;
:func:`install_seccomp`; :func:`close_fds_except`. Linux only.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import platform
import resource
import signal
import stat
import time
from typing import Any

__all__ = [
    "CASE_NAMESPACES",
    "CLONE_NEWNET",
    "CLONE_NEWUTS",
    "SHARED_FOLDERS",
    "close_fds_except",
    "disk_bytes",
    "drop_privileges",
    "expose",
    "files_of",
    "folder_bytes",
    "group_ooms",
    "install_seccomp",
    "join_group",
    "kill_group",
    "kill_uid",
    "make_group",
    "make_private",
    "mount_proc",
    "mount_tmpfs",
    "processes",
    "protect_from_oom",
    "read_only_host",
    "remove_files_of",
    "remove_group",
    "remove_ipc_of",
    "resident_bytes",
    "set_group_limit",
    "set_limits",
    "set_no_new_privs",
    "set_parent_death_signal",
    "spawn",
    "unmount",
    "unshare",
]

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
CASE_NAMESPACES = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC
"""Each case's own: processes (all killed when its first one ends), mounts (its tmpfs, the host
read-only), System V IPC and POSIX message queues (gone with it). The network and host name
namespaces are made once for the template (a new network namespace costs ~7 ms a case)."""

_MS_RDONLY = 1
_MS_NOSUID = 2
_MS_NODEV = 4
_MS_NOEXEC = 8
_MS_REMOUNT = 32
_MS_NOATIME = 1024
_MS_NODIRATIME = 2048
_MS_BIND = 4096
_MS_REC = 16384
_MS_PRIVATE = 1 << 18
_MS_RELATIME = 1 << 21
_MNT_DETACH = 2
_OPTION_FLAGS = {
    "nosuid": _MS_NOSUID,
    "nodev": _MS_NODEV,
    "noexec": _MS_NOEXEC,
    "noatime": _MS_NOATIME,
    "nodiratime": _MS_NODIRATIME,
    "relatime": _MS_RELATIME,
}

_CLONE_SYSCALL = {"x86_64": 56, "aarch64": 220}
_SIGCHLD = 17
_PR_SET_PDEATHSIG = 1
_PR_SET_SECCOMP = 22
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_MODE_FILTER = 2
_IPC_RMID = 0

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]


def _checked(result: int, what: str) -> int:
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def _bytes(text: str | None) -> bytes | None:
    return None if text is None else os.fsencode(text)


# --- processes and namespaces ---------------------------------------------------------------


def spawn(flags: int) -> int:
    """Like :func:`os.fork`, the child in new namespaces ``flags`` (``CLONE_NEW*``).

    With ``CLONE_NEWPID`` the child must be the first process of its namespace, so it is made
    by the raw ``clone`` system call (one process per case, not fork + unshare + fork). The
    template calls this from its only thread, holding no lock a child could need.
    """
    if not flags:
        return os.fork()
    number = _CLONE_SYSCALL.get(platform.machine().lower())
    if number is None:
        raise OSError(errno.ENOSYS, f"clone: system call number unknown on {platform.machine()}")
    return _checked(
        _libc.syscall(number, ctypes.c_ulong(flags | _SIGCHLD), None, None, None, None), "clone"
    )


def unshare(flags: int) -> None:
    """Move this process into new namespaces ``flags``."""
    _checked(_libc.unshare(ctypes.c_int(flags)), "unshare")


def _prctl(option: int, arg: Any, what: str) -> None:
    _checked(_libc.prctl(option, arg, 0, 0, 0), f"prctl({what})")


def set_parent_death_signal(number: int) -> None:
    """Receive signal ``number`` when the parent ends (cleared by a change of uid: set again)."""
    _prctl(_PR_SET_PDEATHSIG, number, "PR_SET_PDEATHSIG")


def set_no_new_privs() -> None:
    """No set-uid program, no file capability can raise this process's privileges again."""
    _prctl(_PR_SET_NO_NEW_PRIVS, 1, "PR_SET_NO_NEW_PRIVS")


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install_seccomp(program: bytes) -> None:
    """Install a seccomp-BPF ``program`` (``struct sock_filter`` records) on this process.

    Sets ``no_new_privs`` first (the kernel requires it without ``CAP_SYS_ADMIN``); call it
    while the process has a single thread: processes made afterwards inherit it.
    """
    buffer = ctypes.create_string_buffer(program, len(program))
    prog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    set_no_new_privs()
    _checked(
        _libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0),
        "prctl(PR_SET_SECCOMP)",
    )


# --- mounts (in the case's own mount namespace) ----------------------------------------------


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None):
    _checked(
        _libc.mount(_bytes(source), _bytes(target), _bytes(fstype), flags, _bytes(data)),
        f"mount {target}",
    )


def make_private() -> None:
    """Nothing mounted here from now on is seen outside (nor the other way round)."""
    _mount(None, "/", None, _MS_REC | _MS_PRIVATE, None)


def _mount_points() -> list[tuple[str, int]]:
    """(mount point, its flags) of every mount this process sees, from ``mountinfo``."""
    found = []
    with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as stream:
        for line in stream:
            fields = line.split()
            point = fields[4].encode("latin-1", "surrogateescape").decode("unicode_escape")
            flags = 0
            for option in fields[5].split(","):
                flags |= _OPTION_FLAGS.get(option, 0)
            found.append((point, flags))
    return found


def read_only_host() -> None:
    """Every mount read-only, in this mount namespace: the host's folders (``/tmp``,
    ``/dev/shm``, ``/run/lock``, any folder anyone may write) take nothing from the case.
    Raises :class:`OSError` when ``/`` itself cannot be made read-only."""
    for point, flags in _mount_points():
        flags |= _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_NOSUID
        try:
            _mount(None, point, None, flags, None)
        except OSError:
            if point == "/":
                raise


def expose(trees: list[str]) -> None:
    """Make each of ``trees`` reachable to any uid though a folder above it is not (Python
    installed under root's home): that folder is covered by an empty read-only tmpfs in which
    only the trees are bound back — the rest of it stays out of sight."""
    covered: dict[str, list[str]] = {}
    for tree in trees:
        parts = tree.rstrip("/").split("/")
        for depth in range(2, len(parts) + 1):
            folder = "/".join(parts[:depth])
            if not os.stat(folder).st_mode & stat.S_IXOTH:
                covered.setdefault(folder, []).append(tree)
                break
    for folder, inside in covered.items():
        handles = {tree: os.open(tree, os.O_PATH | os.O_CLOEXEC) for tree in inside}
        try:
            _mount("tmpfs", folder, "tmpfs", _MS_NOSUID | _MS_NODEV, "mode=0755,size=64k")
            for tree, handle in handles.items():
                os.makedirs(tree, mode=0o755, exist_ok=True)
                _mount(f"/proc/self/fd/{handle}", tree, None, _MS_BIND | _MS_REC, None)
            flags = _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_NOSUID | _MS_NODEV
            _mount(None, folder, None, flags, None)
        finally:
            for handle in handles.values():
                os.close(handle)


def mount_tmpfs(target: str, size: int, uid: int | None) -> None:
    """A fresh tmpfs of at most ``size`` bytes on ``target``, its owner's only (``uid``'s)."""
    owner = "" if uid is None else f",uid={uid},gid={uid}"
    _mount("tmpfs", target, "tmpfs", _MS_NOSUID | _MS_NODEV, f"size={size},mode=0700{owner}")


def mount_proc() -> None:
    """A ``/proc`` of this pid namespace: the case sees its own processes only."""
    _mount("proc", "/proc", "proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, None)


def unmount(target: str) -> None:
    """Take ``target`` out of this mount namespace's view."""
    _checked(_libc.umount2(_bytes(target), _MNT_DETACH), f"umount {target}")


# --- memory groups (cgroup v1 or v2) ---------------------------------------------------------


def make_group(folder: str, name: str, limit: int, version: int) -> str:
    """A memory group ``folder/name`` limited to ``limit`` bytes (swap none)."""
    path = os.path.join(folder, name)
    os.mkdir(path, 0o755)
    set_group_limit(path, limit, version)
    return path


def set_group_limit(path: str, limit: int, version: int) -> None:
    """Limit the group to ``limit`` bytes of memory, and no swap."""
    if version == 1:  # the memory+swap limit may never be below the memory one
        names = ["memory.limit_in_bytes", "memory.memsw.limit_in_bytes"]
        if not os.path.exists(os.path.join(path, names[1])):
            names.pop()  # no swap accounting
        for order in (names, names[::-1]):
            try:
                for name in order:
                    _write_file(os.path.join(path, name), str(limit))
                return
            except OSError:
                continue
        raise OSError(f"{path}: the memory limit could not be set")
    _write_file(os.path.join(path, "memory.max"), str(limit))
    with contextlib.suppress(FileNotFoundError):
        _write_file(os.path.join(path, "memory.swap.max"), "0")


def _write_file(path: str, text: str) -> None:
    with open(path, "w") as stream:
        stream.write(text)


def join_group(path: str) -> None:
    """Move this process (and what it makes from now on) into the group."""
    with open(os.path.join(path, "cgroup.procs"), "w") as stream:
        stream.write("0")


def group_ooms(path: str, version: int) -> int:
    """How many of the group's processes the kernel killed for going over its limit."""
    name = "memory.oom_control" if version == 1 else "memory.events"
    try:
        with open(os.path.join(path, name)) as stream:
            for line in stream:
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
    except (OSError, ValueError):
        pass
    return 0


def kill_group(path: str, spare: int | None = None) -> None:
    """SIGKILL every process in the group but ``spare``, until none is left (a fork may race
    the kill)."""
    for _ in range(200):
        try:
            with open(os.path.join(path, "cgroup.procs")) as stream:
                pids = [int(line) for line in stream if line.strip() and int(line) != spare]
        except OSError:
            return
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.002)


def protect_from_oom(score: int) -> None:
    """This process's ``oom_score_adj``: -1000 never chosen by the OOM killer, 1000 first."""
    _write_file("/proc/self/oom_score_adj", str(score))


def remove_group(path: str) -> None:
    """Remove the (emptied) group; its last processes may take a moment to leave."""
    for _ in range(100):
        try:
            os.rmdir(path)
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.002)


# --- limits, the uid, descriptors --------------------------------------------------------------


def set_limits(limits: dict[str, int]) -> None:
    """The run's resource limits on this process (and what it makes)."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu = int(used.ru_utime + used.ru_stime + 0.999) + int(limits["cpu_seconds"])
    wanted = {
        resource.RLIMIT_CPU: (
            cpu,
            cpu,
        ),  # SIGKILL: the first process of a pid namespace ignores SIGXCPU
        resource.RLIMIT_AS: (limits["memory_bytes"],) * 2,
        resource.RLIMIT_FSIZE: (limits["file_bytes"],) * 2,
        resource.RLIMIT_NOFILE: (limits["open_files"],) * 2,
        resource.RLIMIT_NPROC: (limits["processes"],) * 2,
        resource.RLIMIT_CORE: (0, 0),
        resource.RLIMIT_MSGQUEUE: (0, 0),  # no POSIX message queue can be made
    }
    for which, (soft, hard) in wanted.items():
        _, old_hard = resource.getrlimit(which)
        if old_hard != resource.RLIM_INFINITY:
            hard = min(hard, old_hard)
        resource.setrlimit(which, (min(soft, hard), hard))


def drop_privileges(uid: int, gid: int) -> None:
    """Become ``uid``/``gid`` for good (no supplementary groups); check that root is gone."""
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (gid, gid, gid) or os.getgroups():
        raise OSError("the uid/gid did not change as asked")
    try:
        os.setuid(0)
    except PermissionError:
        pass
    else:
        raise OSError("root could be regained after dropping privileges")


def close_fds_except(keep: set[int]) -> None:
    """Close every descriptor above 2 not in ``keep``."""
    try:
        open_fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        open_fds = list(range(3, 1024))
    for fd in open_fds:
        if fd > 2 and fd not in keep:
            with contextlib.suppress(OSError):
                os.close(fd)


# --- what a uid leaves behind (levels without namespaces) --------------------------------------


def processes() -> list[tuple[int, int, int, int]]:
    """(real uid, pid, session, resident bytes) of every live (not zombie) process in /proc."""
    page = os.sysconf("SC_PAGE_SIZE")
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            uid = os.stat(f"/proc/{name}").st_uid
            with open(f"/proc/{name}/stat", "rb") as stream:
                fields = stream.read().rpartition(b")")[2].split()
            with open(f"/proc/{name}/statm", "rb") as stream:
                resident = int(stream.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        if fields[0] in (b"Z", b"X"):
            continue
        found.append((uid, int(name), int(fields[3]), resident))
    return found


def resident_bytes(table: list[tuple[int, int, int, int]], uid: int | None, session: int) -> int:
    """What the processes of ``uid`` (or, without one, of ``session``) hold in memory."""
    return sum(rss for owner, _, sid, rss in table if (owner == uid if uid else sid == session))


def kill_uid(uid: int) -> None:
    """Kill every process of ``uid``: ``kill(-1, SIGKILL)`` from a helper holding that uid,
    again until none is left."""
    for _ in range(50):
        if not any(owner == uid for owner, *_ in processes()):
            return
        pid = os.fork()
        if pid == 0:  # pragma: no cover (the helper)
            try:
                os.setgroups([])
                os.setresgid(uid, uid, uid)
                os.setresuid(uid, uid, uid)
                os.kill(-1, signal.SIGKILL)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        time.sleep(0.005)


SHARED_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/dev/mqueue")
"""Folders any user may write in, on most systems."""


def _walk_owned(folder: str, uid: int, budget: list[int]) -> list[os.DirEntry[str]]:
    """Entries under ``folder`` owned by ``uid``, descending only into folders that ``uid``
    could write in (its own, or anyone's); ``budget`` bounds the entries looked at."""
    found = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return found
    for entry in entries:
        budget[0] -= 1
        if budget[0] < 0:
            break
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if info.st_uid == uid:
            found.append(entry)
        elif stat.S_ISDIR(info.st_mode) and info.st_mode & stat.S_IWOTH:
            found += _walk_owned(entry.path, uid, budget)
    return found


def files_of(uid: int, folders: tuple[str, ...] = SHARED_FOLDERS) -> list[os.DirEntry[str]]:
    """What ``uid`` made in the folders anyone may write in, nested ones included."""
    budget = [20_000]
    found: list[os.DirEntry[str]] = []
    for folder in folders:
        found += _walk_owned(folder, uid, budget)
    return found


def disk_bytes(entries: list[os.DirEntry[str]]) -> int:
    """The disk (or tmpfs memory) the entries and everything under them take."""
    total = 0
    for entry in entries:
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        total += info.st_blocks * 512
        if stat.S_ISDIR(info.st_mode):
            for top, folders, files in os.walk(entry.path):
                for name in folders + files:
                    with contextlib.suppress(OSError):
                        total += os.lstat(os.path.join(top, name)).st_blocks * 512
    return total


def folder_bytes(folder: str) -> int:
    """The disk the files under ``folder`` take (0 when it is gone)."""
    total = 0
    for top, folders, files in os.walk(folder):
        for name in folders + files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(top, name)).st_blocks * 512
    return total


def remove_files_of(uid: int, folders: tuple[str, ...] = SHARED_FOLDERS) -> None:
    """Remove what ``uid`` left in the folders anyone may write in, nested ones included."""
    import shutil

    for entry in files_of(uid, folders):
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
        except OSError:
            pass


def remove_ipc_of(uid: int) -> None:
    """Remove the System V shared memory, semaphores and message queues ``uid`` owns."""
    calls = {"shm": _libc.shmctl, "sem": _libc.semctl, "msg": _libc.msgctl}
    for kind, call in calls.items():
        try:
            with open(f"/proc/sysvipc/{kind}") as stream:
                header = stream.readline().split()
                rows = [dict(zip(header, line.split(), strict=False)) for line in stream]
        except OSError:
            continue
        for row in rows:
            if row.get("uid") == str(uid) or row.get("cuid") == str(uid):
                if kind == "sem":
                    call(int(row["semid"]), 0, _IPC_RMID, None)
                else:
                    call(int(row["shmid" if kind == "shm" else "msqid"]), _IPC_RMID, None)
