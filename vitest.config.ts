import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

// Workspace packages resolve to their TypeScript sources, so tests never need a build.
const alias = {
  "@bpfkit/elf": pkg("elf"),
  "@bpfkit/btf": pkg("btf"),
  // The subpath first: an alias matches its key as a prefix too.
  "@bpfkit/object/uapi": fileURLToPath(new URL("./packages/object/src/uapi.ts", import.meta.url)),
  "@bpfkit/object": pkg("object"),
  "@bpfkit/syscall": pkg("syscall"),
  "@bpfkit/kernel": pkg("kernel"),
  "@bpfkit/struct-ops": pkg("struct-ops"),
  "@bpfkit/sched-ext": pkg("sched-ext"),
  "@bpfkit/testing": fileURLToPath(new URL("./tools/testing/src/index.ts", import.meta.url)),
};

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["packages/*/test/**/*.test.ts", "tools/*/test/**/*.test.ts"],
          exclude: ["**/*.kernel.test.ts", "**/node_modules/**", "packages/*/test/deno/**"],
        },
      },
      {
        resolve: { alias },
        test: {
          name: "kernel",
          include: ["packages/*/test/**/*.kernel.test.ts", "examples/**/*.kernel.test.ts"],
          // Kernel objects (congestion control names, pins) are machine-global: one file at a time.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        test: {
          // Kernel programs nobody here wrote, built by `bun tests/corpus/run.ts` (which runs this
          // project after building): see tests/corpus/README.md.
          name: "corpus",
          include: ["tests/corpus/**/*.test.ts"],
          exclude: ["**/node_modules/**", "tests/corpus/.cache/**"],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
