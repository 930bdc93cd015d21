// Helpers shared by the bench's parts.

/** The median of a list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The list turned `by` places to the left, so that no arm always goes first. */
export function rotate(list, by) {
  const k = by % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

/** Writes progress to stderr, so that stdout holds only the results. */
export function progress(message) {
  process.stderr.write(`bench: ${message}\n`);
}
