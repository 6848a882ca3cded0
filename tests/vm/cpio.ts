// A writer for the "newc" cpio format, the one the kernel unpacks as an
// initramfs. Written here rather than shelling out to cpio(1) so the harness
// needs one host tool fewer and can lay out paths that do not exist on the host.
import { closeSync, openSync, writeSync } from "node:fs";

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const encoder = new TextEncoder();

export class CpioWriter {
  readonly #fd: number;
  readonly #dirs = new Set<string>();
  #ino = 1;
  #offset = 0;
  // Whole-second mtime: a fixed value keeps archives byte-identical across builds.
  readonly #mtime: number;

  constructor(path: string, mtime = 0) {
    this.#fd = openSync(path, "w");
    this.#mtime = mtime;
  }

  /** A directory and any missing parents. */
  dir(path: string, mode = 0o755): void {
    const clean = normalize(path);
    if (clean === "" || this.#dirs.has(clean)) return;
    const parent = clean.includes("/") ? clean.slice(0, clean.lastIndexOf("/")) : "";
    this.dir(parent);
    this.#dirs.add(clean);
    this.#entry(clean, S_IFDIR | mode, 2, new Uint8Array(0));
  }

  file(path: string, data: Uint8Array, mode = 0o644): void {
    const clean = normalize(path);
    this.#parent(clean);
    this.#entry(clean, S_IFREG | mode, 1, data);
  }

  symlink(path: string, target: string): void {
    const clean = normalize(path);
    this.#parent(clean);
    this.#entry(clean, S_IFLNK | 0o777, 1, encoder.encode(target));
  }

  /** Writes the trailer and closes the file. */
  close(): void {
    this.#entry("TRAILER!!!", 0, 1, new Uint8Array(0), 0);
    closeSync(this.#fd);
  }

  #parent(path: string): void {
    if (path.includes("/")) this.dir(path.slice(0, path.lastIndexOf("/")));
  }

  #entry(name: string, mode: number, nlink: number, data: Uint8Array, ino = this.#ino++): void {
    const nameBytes = encoder.encode(`${name}\0`);
    const fields = [
      ino,
      mode,
      0, // uid: everything belongs to root in the guest
      0, // gid
      nlink,
      this.#mtime,
      data.length,
      0, // devmajor
      0, // devminor
      0, // rdevmajor
      0, // rdevminor
      nameBytes.length,
      0, // check (unused by newc)
    ];
    const header = `070701${fields.map((f) => f.toString(16).padStart(8, "0")).join("")}`;
    this.#write(encoder.encode(header));
    this.#write(nameBytes);
    this.#pad();
    this.#write(data);
    this.#pad();
  }

  #write(bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) done += writeSync(this.#fd, bytes, done, bytes.length - done);
    this.#offset += bytes.length;
  }

  // newc aligns both the name (counted from the header start) and the data to 4 bytes.
  #pad(): void {
    const rest = (4 - (this.#offset % 4)) % 4;
    if (rest) this.#write(new Uint8Array(rest));
  }
}

function normalize(path: string): string {
  const clean = path.replace(/^\/+/, "").replace(/\/+$/, "");
  if (clean.split("/").some((part) => part === ".." || part === ".")) {
    throw new Error(`cpio: refusing path with . or .. components: ${path}`);
  }
  return clean;
}
