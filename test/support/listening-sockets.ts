/**
 * The TCP sockets a process and its children listen on, read from Linux's /proc the way `ss -ltnp`
 * does: socket inodes from /proc/<pid>/fd, matched with LISTEN rows of /proc/net/tcp and tcp6.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

export interface ListeningSocket {
  pid: number;
  /** Dotted IPv4 or the 32 hex digits of an IPv6 address. */
  address: string;
  port: number;
  loopback: boolean;
}

const LISTEN = "0A";
const IPV6_LOOPBACK = `${"0".repeat(24)}01000000`;
/** ::ffff:127.x.x.x as /proc writes it (four little-endian 32-bit words). */
const IPV4_MAPPED_PREFIX = "0000000000000000FFFF0000";

/** `pid` and every process below it. */
function processTree(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Field 4 (ppid) follows the command name, which may hold spaces but ends with ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  const tree = [pid];
  for (let grew = true; grew; ) {
    grew = false;
    for (const [child, parent] of parents) {
      if (tree.includes(parent) && !tree.includes(child)) {
        tree.push(child);
        grew = true;
      }
    }
  }
  return tree;
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // Closed meanwhile.
    }
  }
  return inodes;
}

function decodeIpv4(hex: string): string {
  const bytes = (hex.match(/../g) ?? []).map((pair) => Number.parseInt(pair, 16)).reverse();
  return bytes.join(".");
}

/** Rows of /proc/net/tcp{,6} in LISTEN state: inode → address and port. */
function listeningRows(): Map<string, { address: string; port: number; loopback: boolean }> {
  const rows = new Map<string, { address: string; port: number; loopback: boolean }>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local, state, inode] = [fields[1], fields[3], fields[9]];
      if (!local || state !== LISTEN || !inode) continue;
      const [hexAddress = "", hexPort = ""] = local.split(":");
      const port = Number.parseInt(hexPort, 16);
      if (hexAddress.length === 8) {
        const address = decodeIpv4(hexAddress);
        rows.set(inode, { address, port, loopback: address.startsWith("127.") });
      } else {
        const mapped = hexAddress.startsWith(IPV4_MAPPED_PREFIX)
          ? decodeIpv4(hexAddress.slice(24))
          : undefined;
        const loopback = hexAddress === IPV6_LOOPBACK || (mapped?.startsWith("127.") ?? false);
        rows.set(inode, { address: mapped ?? hexAddress, port, loopback });
      }
    }
  }
  return rows;
}

/** Every TCP socket `pid` or one of its children listens on. */
export function listeningSockets(pid: number): ListeningSocket[] {
  const rows = listeningRows();
  const sockets: ListeningSocket[] = [];
  for (const member of processTree(pid)) {
    for (const inode of socketInodes(member)) {
      const row = rows.get(inode);
      if (row) sockets.push({ pid: member, ...row });
    }
  }
  return sockets;
}
