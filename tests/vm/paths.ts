// Where the harness lives and keeps its caches. Everything it downloads or
// builds stays under tests/vm/.cache/ (git-ignored), so deleting that folder
// is a full reset.
import { join, resolve } from "node:path";

export const VM_DIR: string = import.meta.dir;
export const REPO_ROOT: string = resolve(VM_DIR, "../..");
export const CACHE_DIR: string = join(VM_DIR, ".cache");
/** The VM test files, as a path relative to the repository root (same in the guest). */
export const VM_TESTS_DIR = "tests/vm/tests";
/** Where the repository is laid out inside the guest. */
export const GUEST_REPO = "/repo";
