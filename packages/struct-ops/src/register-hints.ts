import type { Program } from "./program.ts";

/**
 * Why the kernel's validation refused a struct_ops value (EINVAL on registration), as precisely
 * as bpfkit can tell without the kernel's log: for a TCP congestion control, the function slots
 * tcp_validate_congestion_control insists on (ssthresh, undo_cwnd, and cong_avoid or
 * cong_control) that the map leaves empty.
 */
export function invalidValueHint(kernelType: string, map: string, slots: ReadonlyMap<string, Program | undefined>): string {
  const generic = `the kernel's ${kernelType} validation refused the value (a required function slot empty, or a data member out of range?)`;
  if (kernelType !== "tcp_congestion_ops") return generic;
  const empty = (m: string) => slots.get(m) === undefined;
  const missing = ["ssthresh", "undo_cwnd"].filter(empty);
  if (empty("cong_avoid") && empty("cong_control")) missing.push("cong_avoid (or cong_control)");
  if (missing.length === 0) return generic;
  return `the kernel refuses a tcp_congestion_ops without ssthresh, undo_cwnd, and cong_avoid or cong_control: "${map}" leaves ${missing.join(", ")} empty`;
}
