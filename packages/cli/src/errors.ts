/** One readable message for any error a command lets through (typed errors already say what and where). */
export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}
