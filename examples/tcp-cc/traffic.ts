/**
 * `bun examples/tcp-cc/traffic.ts <cc> <bytes> [ms]`: in a fresh private network namespace,
 * pushes <bytes> over loopback with congestion control <cc> (or, given [ms], keeps one connection
 * busy that long); prints one JSON line (TrafficResult). A separate process, so the namespace
 * switch never touches the caller.
 */
import { enterPrivateNetns, pumpLoopback } from "./loopback.ts";

const [cc, bytes, ms] = process.argv.slice(2);
if (!cc || !bytes) {
  console.error("usage: traffic.ts <congestion-control> <bytes> [milliseconds]");
  process.exit(2);
}
enterPrivateNetns();
console.log(JSON.stringify(pumpLoopback(cc, Number(bytes), Number(ms ?? 0))));
