/**
 * `bun examples/tcp-cc/traffic.ts <cc> <bytes>`: in a fresh private network namespace, pushes
 * <bytes> over loopback with congestion control <cc>; prints one JSON line (TrafficResult).
 * A separate process, so the namespace switch never touches the caller.
 */
import { enterPrivateNetns, pumpLoopback } from "./loopback.ts";

const [cc, bytes] = process.argv.slice(2);
if (!cc || !bytes) {
  console.error("usage: traffic.ts <congestion-control> <bytes>");
  process.exit(2);
}
enterPrivateNetns();
console.log(JSON.stringify(pumpLoopback(cc, Number(bytes))));
