"""A seccomp-BPF filter, written by hand, that keeps a student's code off the network and away
from the host's services.

The program is classic BPF (``struct sock_filter`` records packed with :mod:`struct`),
the format both ``bwrap --seccomp FD`` and ``prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER)``
take. It allows every system call except:

* ``socket`` for every address family (``EACCES``): ``AF_INET``, ``AF_INET6``,
  ``AF_PACKET``, ``AF_NETLINK`` …, and ``AF_UNIX`` too, which would reach the host's
  services by path or abstract name; ``socketpair`` (a connected pair, reaching nothing)
  is allowed for ``AF_UNIX`` only;
* ``io_uring_setup``/``io_uring_enter``/``io_uring_register`` (``ENOSYS``): io_uring can
  open sockets without the ``socket`` system call, behind the filter's back;
* ``clone3`` (``ENOSYS``, its flags live in memory a filter cannot read; glibc falls back
  to ``clone``), and ``clone``/``unshare`` with ``CLONE_NEWUSER`` (``EPERM``): no new
  user namespaces, the usual way to reach more kernel attack surface;
* any system call made through another ABI (i386 ``int 0x80`` on x86-64, x32, arm32 on
  arm64), which would dodge the numbers above: the process is killed.

Only x86-64 and arm64 are known; elsewhere :func:`program` returns ``None`` and the
sandbox relies on the template's empty network namespace alone. Each case installs the
program on itself, after its other set-up (:func:`backviz.sandbox.isolation.install_seccomp`).
"""

from __future__ import annotations

import errno
import platform
import struct
from dataclasses import dataclass

__all__ = ["Arch", "arch", "program"]

# Classic BPF opcodes (linux/filter.h, linux/bpf_common.h).
_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_JSET_K = 0x45  # BPF_JMP | BPF_JSET | BPF_K
_RET_K = 0x06  # BPF_RET | BPF_K

# Return values (linux/seccomp.h).
_RET_KILL_PROCESS = 0x80000000
_RET_ERRNO = 0x00050000
_RET_ALLOW = 0x7FFF0000

# Offsets in struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6].
_OFF_NR = 0
_OFF_ARCH = 4
_OFF_ARG0_LOW = 16  # little-endian: the low 32 bits of args[0]

_AF_UNIX = 1
_CLONE_NEWUSER = 0x10000000
_X32_SYSCALL_BIT = 0x40000000


@dataclass(frozen=True)
class Arch:
    """The numbers the filter needs for one architecture."""

    name: str
    audit_arch: int
    socket: int
    socketpair: int
    clone: int
    clone3: int
    unshare: int
    io_uring: tuple[int, ...]
    x32_bit: bool  # whether numbers ≥ 0x40000000 (x32 ABI) must be refused


_ARCHES = {
    "x86_64": Arch("x86_64", 0xC000003E, 41, 53, 56, 435, 272, (425, 426, 427), True),
    "aarch64": Arch("aarch64", 0xC00000B7, 198, 199, 220, 435, 97, (425, 426, 427), False),
}
_ARCHES["amd64"] = _ARCHES["x86_64"]
_ARCHES["arm64"] = _ARCHES["aarch64"]


def arch() -> Arch | None:
    """The running machine's :class:`Arch`, or ``None`` when the filter doesn't know it."""
    return _ARCHES.get(platform.machine().lower())


def _errno(code: int) -> int:
    return _RET_ERRNO | (code & 0xFFFF)


class _Assembler:
    """Just enough of an assembler: instructions with symbolic jump targets."""

    def __init__(self) -> None:
        self.code: list[tuple[int, int | str, int | str, int]] = []
        self.labels: dict[str, int] = {}

    def label(self, name: str) -> None:
        self.labels[name] = len(self.code)

    def load(self, offset: int) -> None:
        self.code.append((_LD_W_ABS, 0, 0, offset))

    def jump(self, op: int, k: int, true: int | str, false: int | str) -> None:
        self.code.append((op, true, false, k))

    def ret(self, value: int) -> None:
        self.code.append((_RET_K, 0, 0, value))

    def assemble(self) -> bytes:
        out = bytearray()
        for index, (op, true, false, k) in enumerate(self.code):
            jt = self._offset(index, true) if op not in (_LD_W_ABS, _RET_K) else 0
            jf = self._offset(index, false) if op not in (_LD_W_ABS, _RET_K) else 0
            out += struct.pack("=HBBI", op, jt, jf, k)
        return bytes(out)

    def _offset(self, index: int, target: int | str) -> int:
        if isinstance(target, int):
            return target  # already relative (0 = the next instruction)
        offset = self.labels[target] - index - 1
        if not 0 <= offset <= 255:
            raise ValueError(f"seccomp: jump to {target!r} out of range")
        return offset


def program(machine: Arch | None = None) -> bytes | None:
    """The filter as bytes (an array of ``struct sock_filter``), or ``None`` if unsupported."""
    a = machine or arch()
    if a is None:
        return None
    asm = _Assembler()
    asm.load(_OFF_ARCH)
    asm.jump(_JEQ_K, a.audit_arch, 0, "kill")
    asm.load(_OFF_NR)
    if a.x32_bit:
        asm.jump(_JGE_K, _X32_SYSCALL_BIT, "kill", 0)
    asm.jump(_JEQ_K, a.socket, "refuse", 0)
    asm.jump(_JEQ_K, a.socketpair, "domain", 0)
    asm.jump(_JEQ_K, a.clone, "namespaces", 0)
    asm.jump(_JEQ_K, a.unshare, "namespaces", 0)
    asm.jump(_JEQ_K, a.clone3, "enosys", 0)
    for number in a.io_uring:
        asm.jump(_JEQ_K, number, "enosys", 0)
    asm.ret(_RET_ALLOW)

    asm.label("domain")  # socketpair(domain, …): only AF_UNIX
    asm.load(_OFF_ARG0_LOW)
    asm.jump(_JEQ_K, _AF_UNIX, "allow", 0)
    asm.label("refuse")
    asm.ret(_errno(errno.EACCES))

    asm.label("namespaces")  # clone(flags, …) / unshare(flags): no CLONE_NEWUSER
    asm.load(_OFF_ARG0_LOW)
    asm.jump(_JSET_K, _CLONE_NEWUSER, 0, "allow")
    asm.ret(_errno(errno.EPERM))

    asm.label("enosys")
    asm.ret(_errno(errno.ENOSYS))
    asm.label("allow")
    asm.ret(_RET_ALLOW)
    asm.label("kill")
    asm.ret(_RET_KILL_PROCESS)
    return asm.assemble()
