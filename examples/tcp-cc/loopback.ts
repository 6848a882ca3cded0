/**
 * Real TCP traffic over loopback with a chosen congestion control, using only bpfkit's libc FFI:
 * a non-blocking sender and receiver pumped from one thread. Meant to run in its own network
 * namespace (see traffic.ts), where it may bring `lo` up and set its MTU.
 */
import { libcRaw, nativeBuffer, sys, SystemError } from "@bpfkit/syscall";

const AF_INET = 2;
const SOCK_STREAM = 1;
const SOCK_NONBLOCK = 0o4000;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
const IPPROTO_TCP = 6;
const TCP_CONGESTION = 13;
const MSG_DONTWAIT = 0x40;
const EAGAIN = 11;
const EINPROGRESS = 115;
const POLLIN = 1;
const POLLOUT = 4;
const SIOCGIFFLAGS = 0x8913;
const SIOCSIFFLAGS = 0x8914;
const SIOCSIFMTU = 0x8922;
const IFF_UP = 1;
const CLONE_NEWNET = 0x40000000;

export interface TrafficResult {
  readonly congestionControl: string;
  readonly bytes: number;
  readonly ms: number;
}

function ifreq(name: string): Uint8Array {
  const req = nativeBuffer(40);
  req.set(new TextEncoder().encode(name));
  return req;
}

/** Moves this thread into a new network namespace and brings its loopback up (needs CAP_SYS_ADMIN). */
export function enterPrivateNetns(mtu = 1500): void {
  sys.unshare(CLONE_NEWNET);
  const fd = sys.socket(AF_INET, 2 /* SOCK_DGRAM */, 0);
  try {
    const req = ifreq("lo");
    const view = new DataView(req.buffer);
    view.setInt32(16, mtu, true);
    sys.ioctl(fd, SIOCSIFMTU, req);
    sys.ioctl(fd, SIOCGIFFLAGS, req);
    view.setUint16(16, view.getUint16(16, true) | IFF_UP, true);
    sys.ioctl(fd, SIOCSIFFLAGS, req);
  } finally {
    sys.close(fd);
  }
}

/** 127.0.0.1:`port` as a sockaddr_in. */
export function sockaddrIn(port: number): Uint8Array {
  const a = nativeBuffer(16);
  const v = new DataView(a.buffer);
  v.setUint16(0, AF_INET, true);
  v.setUint16(2, port, false);
  a.set([127, 0, 0, 1], 4);
  return a;
}

/** The congestion control a socket uses (getsockopt TCP_CONGESTION). */
export function congestionOf(fd: number): string {
  const buf = nativeBuffer(16);
  sys.getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, buf);
  const end = buf.indexOf(0);
  return new TextDecoder().decode(buf.subarray(0, end < 0 ? 16 : end));
}

function waitFor(fd: number, events: number, timeoutMs: number): void {
  const p = nativeBuffer(8);
  const v = new DataView(p.buffer);
  v.setInt32(0, fd, true);
  v.setInt16(4, events, true);
  sys.poll(p, 1, timeoutMs);
}

/**
 * Sends `bytes` from a socket using congestion control `cc` to another over 127.0.0.1 — or, with
 * `durationMs`, keeps one connection busy for that long whatever it moves.
 */
export function pumpLoopback(cc: string, bytes: number, durationMs = 0, timeoutMs: number = 30_000 + durationMs): TrafficResult {
  const fds: number[] = [];
  const open = (fd: number) => {
    fds.push(fd);
    return fd;
  };
  const start = Date.now();
  try {
    const server = open(sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    const one = nativeBuffer(4);
    new DataView(one.buffer).setInt32(0, 1, true);
    sys.setsockopt(server, SOL_SOCKET, SO_REUSEADDR, one);
    sys.bind(server, sockaddrIn(0));
    sys.listen(server, 1);
    const bound = nativeBuffer(16);
    sys.getsockname(server, bound);
    const port = new DataView(bound.buffer).getUint16(2, false);

    const client = open(sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    const name = new TextEncoder().encode(`${cc}\0`);
    const ccBuf = nativeBuffer(name.byteLength);
    ccBuf.set(name);
    sys.setsockopt(client, IPPROTO_TCP, TCP_CONGESTION, ccBuf);
    const c = libcRaw("connect", [client, sockaddrIn(port), 16]);
    if (c.ret !== 0 && c.errno !== EINPROGRESS) throw new SystemError("connect", c.errno);

    let conn = -1;
    while (conn < 0) {
      const a = libcRaw("accept4", [server, null, null, SOCK_NONBLOCK]);
      if (a.ret >= 0) conn = open(a.ret);
      else if (a.errno === EAGAIN) waitFor(server, POLLIN, 1000);
      else throw new SystemError("accept4", a.errno);
      if (Date.now() - start > timeoutMs) throw new Error("loopback: no connection");
    }
    const used = congestionOf(client);

    const chunk = nativeBuffer(64 * 1024);
    const sink = nativeBuffer(256 * 1024);
    let sent = 0;
    let received = 0;
    const more = () => (durationMs > 0 ? Date.now() - start < durationMs : received < bytes);
    const sendMore = () => (durationMs > 0 ? more() : sent < bytes);
    while (more()) {
      if (Date.now() - start > timeoutMs) throw new Error(`loopback: timed out after ${received} of ${bytes} bytes`);
      let progress = false;
      if (sendMore()) {
        const n = libcRaw("send", [client, chunk, durationMs > 0 ? chunk.byteLength : Math.min(chunk.byteLength, bytes - sent), MSG_DONTWAIT]);
        if (n.ret > 0) {
          sent += n.ret;
          progress = true;
        } else if (n.errno !== EAGAIN) throw new SystemError("send", n.errno);
      }
      const r = libcRaw("recv", [conn, sink, sink.byteLength, MSG_DONTWAIT]);
      if (r.ret > 0) {
        received += r.ret;
        progress = true;
      } else if (r.ret === 0) throw new Error("loopback: peer closed early");
      else if (r.errno !== EAGAIN) throw new SystemError("recv", r.errno);
      if (!progress) waitFor(conn, POLLIN | (sendMore() ? POLLOUT : 0), 50);
    }
    return { congestionControl: used, bytes: received, ms: Date.now() - start };
  } finally {
    for (const fd of fds.reverse()) sys.close(fd);
  }
}
