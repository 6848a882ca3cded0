import { openFdCount } from "@bpfkit/testing";
import { afterEach, beforeEach, expect } from "vitest";

/** Inside a describe: every test must leave /proc/self/fd as it found it. */
export function expectNoFdLeaks(): void {
  let start = 0;
  beforeEach(() => {
    start = openFdCount();
  });
  afterEach(() => {
    expect(openFdCount(), "open descriptors after the test").toBe(start);
  });
}
