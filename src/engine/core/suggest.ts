/**
 * @file Did-you-mean suggestions for unknown names (the expression language's names and attributes,
 * the library's keyword arguments), as Python 3.12+ suggests them.
 */

/**
 * The known name closest to `name`, or undefined when none is close enough. This is exactly Python's
 * `difflib.get_close_matches(name, known, n=1, cutoff=0.6)` (SequenceMatcher ratio, ties going to the
 * lexicographically greatest candidate, as its `heapq.nlargest` does), minus the "autojunk" heuristic,
 * which only applies to strings of 200 characters or more. So `sine` suggests `sin`, `mena` suggests
 * `mean`, and `x` suggests nothing for `y`.
 */
export function suggestName(name: string, known: Iterable<string>): string | undefined {
  const cutoff = 0.6;
  let best: string | undefined;
  let bestScore = -1;
  for (const candidate of known) {
    const score = sequenceRatio(candidate, name);
    if (score < cutoff) continue;
    if (score > bestScore || (score === bestScore && best !== undefined && candidate > best)) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

/** difflib.SequenceMatcher(None, a, b).ratio(): 2 * matched / (len(a) + len(b)). */
function sequenceRatio(a: string, b: string): number {
  const total = a.length + b.length;
  if (total === 0) return 1;
  const b2j = new Map<string, number[]>();
  for (let j = 0; j < b.length; j++) {
    const list = b2j.get(b[j]!);
    if (list) list.push(j);
    else b2j.set(b[j]!, [j]);
  }
  // difflib's find_longest_match: the longest block, earliest in a, then earliest in b.
  const longest = (alo: number, ahi: number, blo: number, bhi: number): [number, number, number] => {
    let besti = alo;
    let bestj = blo;
    let bestSize = 0;
    let j2len = new Map<number, number>();
    for (let i = alo; i < ahi; i++) {
      const next = new Map<number, number>();
      for (const j of b2j.get(a[i]!) ?? []) {
        if (j < blo) continue;
        if (j >= bhi) break;
        const k = (j2len.get(j - 1) ?? 0) + 1;
        next.set(j, k);
        if (k > bestSize) {
          besti = i - k + 1;
          bestj = j - k + 1;
          bestSize = k;
        }
      }
      j2len = next;
    }
    return [besti, bestj, bestSize];
  };
  let matched = 0;
  const queue: [number, number, number, number][] = [[0, a.length, 0, b.length]];
  while (queue.length > 0) {
    const [alo, ahi, blo, bhi] = queue.pop()!;
    const [i, j, k] = longest(alo, ahi, blo, bhi);
    if (k === 0) continue;
    matched += k;
    if (alo < i && blo < j) queue.push([alo, i, blo, j]);
    if (i + k < ahi && j + k < bhi) queue.push([i + k, ahi, j + k, bhi]);
  }
  return (2 * matched) / total;
}
