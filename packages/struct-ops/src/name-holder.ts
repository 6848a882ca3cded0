import { readdirSync, readFileSync } from "node:fs";
import { dumpStructOps, listStructOps } from "./introspect.ts";

/**
 * Why a registration got EEXIST, said as who holds the name: a registered struct_ops map of the
 * same kernel type whose value carries that name (with the processes that hold it open), or, for
 * congestion controls, one the kernel itself provides. Found by asking the kernel (map ids, map
 * values, /proc), only when registering has failed.
 */
export function nameTakenHint(kernelType: string, name: string, ownMapId: number | undefined): string {
  const rename = `pick another name (setField("name", ...))`;
  const holder = registeredHolder(kernelType, name, ownMapId);
  if (holder) {
    const links = holder.links.length ? `, link${holder.links.length > 1 ? "s" : ""} ${holder.links.join(", ")}` : "";
    const pids = holderPids(holder.id);
    const held = pids.length
      ? `held open by ${pids.map((p) => (p.pid === process.pid ? `this process (pid ${p.pid})` : `pid ${p.pid} (${p.comm})`)).join(", ")}`
      : holder.links.length
        ? "held by no process (its link is pinned)"
        : "held by no process (a legacy registration outlives the process that made it)";
    return `${kernelType} "${name}" is already registered by struct_ops map id ${holder.id} (${holder.mapName}${links}), ${held}; unregister it first (\`bpfkit struct-ops unregister --id ${holder.id}\`) or ${rename}`;
  }
  if (kernelType === "tcp_congestion_ops" && availableCongestionControls().includes(name)) {
    return `"${name}" is a congestion control the kernel already has (built in, from a module, or a struct_ops map this process cannot see); ${rename}`;
  }
  return `something named "${name}" is already registered as a ${kernelType}; ${rename} or unregister the other`;
}

interface Holder {
  readonly id: number;
  readonly mapName: string;
  readonly links: readonly number[];
}

function registeredHolder(kernelType: string, name: string, ownMapId: number | undefined): Holder | undefined {
  try {
    for (const m of listStructOps()) {
      if (m.id === ownMapId || m.kernelType !== kernelType) continue;
      // Registered: a legacy map in use, or a link map some link registers.
      if (m.state !== "inuse" && m.links.length === 0) continue;
      const value = dumpStructOps(m.id)?.members.find((x) => x.name === "name")?.value;
      if (value === name) return { id: m.id, mapName: m.name, links: m.links };
    }
  } catch {
    // Looking is best effort: the refusal itself is what the caller reports.
  }
  return undefined;
}

/** Processes with an fd to the map (a map fd, or a struct_ops link fd: both list map_id in fdinfo). */
function holderPids(mapId: number): { pid: number; comm: string }[] {
  const want = new RegExp(`^map_id:\\s*${mapId}$`, "m");
  const out: { pid: number; comm: string }[] = [];
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fdinfo`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const fd of fds) {
      let info: string;
      try {
        info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, "utf8");
      } catch {
        continue;
      }
      if (!want.test(info)) continue;
      let comm = "";
      try {
        comm = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
      } catch {
        // exited meanwhile
      }
      out.push({ pid: Number(pid), comm });
      break;
    }
  }
  return out;
}

function availableCongestionControls(): string[] {
  try {
    return readFileSync("/proc/sys/net/ipv4/tcp_available_congestion_control", "utf8").trim().split(/\s+/);
  } catch {
    return [];
  }
}
