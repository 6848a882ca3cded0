import { SystemError } from "./error.ts";
import type { Arg, LibcName } from "./ffi/backend.ts";
import { backend } from "./ffi/select.ts";

function check(name: LibcName, args: readonly Arg[], detail?: string): number {
  for (;;) {
    const r = backend().call(name, args);
    if (r.ret !== -1) return r.ret;
    if (r.errno === 4 /* EINTR */) continue;
    throw new SystemError(name, r.errno, detail);
  }
}

/** Raw result for callers that treat some errno as normal (EAGAIN on a non-blocking socket). */
export function libcRaw(name: LibcName, args: readonly Arg[]): { ret: number; errno: number } {
  return backend().call(name, args);
}

/** The libc calls bpfkit makes besides bpf(); each throws SystemError on failure. */
export const sys: {
  close(fd: number): void;
  poll(fds: Uint8Array, count: number, timeoutMs: number): number;
  mmap(length: number, prot: number, flags: number, fd: number, offset: number): number;
  munmap(address: number, length: number): void;
  socket(domain: number, type: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: Uint8Array): void;
  getsockopt(fd: number, level: number, name: number, value: Uint8Array): number;
  bind(fd: number, addr: Uint8Array): void;
  listen(fd: number, backlog: number): void;
  connect(fd: number, addr: Uint8Array): void;
  accept(fd: number, flags: number): number;
  getsockname(fd: number, addr: Uint8Array): void;
  ioctl(fd: number, request: number, arg: Uint8Array): number;
  unshare(flags: number): void;
} = {
  close: (fd) => void check("close", [fd]),
  poll: (fds, count, timeoutMs) => check("poll", [fds, count, timeoutMs]),
  mmap: (length, prot, flags, fd, offset) => check("mmap", [0, length, prot, flags, fd, offset]),
  munmap: (address, length) => void check("munmap", [address, length]),
  socket: (domain, type, protocol) => check("socket", [domain, type, protocol]),
  setsockopt: (fd, level, name, value) => void check("setsockopt", [fd, level, name, value, value.byteLength]),
  getsockopt(fd, level, name, value) {
    const len = new Uint8Array(new ArrayBuffer(4));
    new DataView(len.buffer).setUint32(0, value.byteLength, true);
    check("getsockopt", [fd, level, name, value, len]);
    return new DataView(len.buffer).getUint32(0, true);
  },
  bind: (fd, addr) => void check("bind", [fd, addr, addr.byteLength]),
  listen: (fd, backlog) => void check("listen", [fd, backlog]),
  connect: (fd, addr) => void check("connect", [fd, addr, addr.byteLength]),
  accept: (fd, flags) => check("accept4", [fd, null, null, flags]),
  getsockname(fd, addr) {
    const len = new Uint8Array(new ArrayBuffer(4));
    new DataView(len.buffer).setUint32(0, addr.byteLength, true);
    check("getsockname", [fd, addr, len]);
  },
  ioctl: (fd, request, arg) => check("ioctl", [fd, request, arg]),
  unshare: (flags) => void check("unshare", [flags]),
};
