/**
 * `bun two-cc-connect.ts <server-cc> <client-cc> [<sk-storage-map-id> <value>]`: in a fresh
 * private network namespace, one loopback connection whose listening socket uses <server-cc> and
 * whose client uses <client-cc> (each set with setsockopt(TCP_CONGESTION)); prints
 * {"accepted": <the accepted socket's congestion control>}. With a socket-storage map id, the
 * client socket gets <value> stored in it before connecting (BPF_NOEXIST), as bpf_tcp_ca.c's
 * test_dctcp does, and "stored" says whether it is still there once connected.
 * A separate process, so the namespace switch never touches the caller. bpf_tcp_ca.c's
 * dctcp_fallback needs this shape too: only the server side runs bpf_dctcp.
 */
import { fdById, mapLookup, mapUpdate, nativeBuffer, sys, UpdateFlags } from "@bpfkit/syscall";
import { congestionOf, enterPrivateNetns, sockaddrIn } from "../../../examples/tcp-cc/loopback.ts";

const AF_INET = 2;
const SOCK_STREAM = 1;
const IPPROTO_TCP = 6;
const TCP_CONGESTION = 13;

function setCC(fd: number, cc: string): void {
  const name = new TextEncoder().encode(cc);
  const buf = nativeBuffer(name.byteLength);
  buf.set(name);
  sys.setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, buf);
}

/** An int key or value for a socket-storage map: the socket's fd, the stored int. */
function int(v: number): Uint8Array {
  const b = nativeBuffer(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return b;
}

const [serverCC, clientCC, stgMap, stgValue] = process.argv.slice(2);
if (!serverCC || !clientCC) {
  console.error("usage: two-cc-connect.ts <server-cc> <client-cc>");
  process.exit(2);
}
enterPrivateNetns();
const fds: number[] = [];
try {
  const server = sys.socket(AF_INET, SOCK_STREAM, 0);
  fds.push(server);
  setCC(server, serverCC);
  sys.bind(server, sockaddrIn(0));
  sys.listen(server, 1);
  const bound = nativeBuffer(16);
  sys.getsockname(server, bound);
  const client = sys.socket(AF_INET, SOCK_STREAM, 0);
  fds.push(client);
  setCC(client, clientCC);
  using stg = stgMap ? fdById("map", Number(stgMap)) : undefined;
  if (stgMap && !stg) throw new Error(`no map with id ${stgMap}`);
  if (stg) mapUpdate(stg.value, int(client), int(Number(stgValue)), UpdateFlags.NOEXIST);
  sys.connect(client, sockaddrIn(new DataView(bound.buffer).getUint16(2, false)));
  const accepted = sys.accept(server, 0);
  fds.push(accepted);
  const stored = stg ? mapLookup(stg.value, int(client), nativeBuffer(4)) : undefined;
  console.log(JSON.stringify({ accepted: congestionOf(accepted), ...(stg ? { stored } : {}) }));
} finally {
  for (const fd of fds.reverse()) sys.close(fd);
}
