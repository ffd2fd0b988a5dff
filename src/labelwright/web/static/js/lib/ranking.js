// Rankings as ordered groups: `["r2", ["r1", "r3"]]` <-> [["r2"], ["r1", "r3"]].

/**
 * Groups (best first) from a stored value; responses the value misses are appended, each alone,
 * in task order; unknown ids are dropped.
 * @param {(string|string[])[]|null|undefined} value
 * @param {string[]} ids all response ids, in task order
 * @returns {string[][]}
 */
export function toGroups(value, ids) {
  const known = new Set(ids);
  const seen = new Set();
  const groups = [];
  for (const entry of value || []) {
    const members = (Array.isArray(entry) ? entry : [entry]).filter(
      (id) => known.has(id) && !seen.has(id),
    );
    members.forEach((id) => seen.add(id));
    if (members.length) groups.push(members);
  }
  for (const id of ids) if (!seen.has(id)) groups.push([id]);
  return groups;
}

/**
 * The wire value: a group of one is the plain id.
 * @param {string[][]} groups
 * @returns {(string|string[])[]}
 */
export function toValue(groups) {
  return groups.filter((g) => g.length).map((g) => (g.length === 1 ? g[0] : [...g]));
}

/**
 * Move the group at `from` to position `to`.
 * @param {string[][]} groups
 * @param {number} from
 * @param {number} to
 * @returns {string[][]}
 */
export function moveGroup(groups, from, to) {
  const out = groups.map((g) => [...g]);
  if (from < 0 || from >= out.length) return out;
  const target = Math.max(0, Math.min(out.length - 1, to));
  const [group] = out.splice(from, 1);
  out.splice(target, 0, group);
  return out;
}

/**
 * Merge the group at `index` with the next one (a tie).
 * @param {string[][]} groups
 * @param {number} index
 * @returns {string[][]}
 */
export function tieWithNext(groups, index) {
  const out = groups.map((g) => [...g]);
  if (index < 0 || index + 1 >= out.length) return out;
  out.splice(index, 2, [...out[index], ...out[index + 1]]);
  return out;
}

/**
 * Split the group at `index` into single responses, keeping their order.
 * @param {string[][]} groups
 * @param {number} index
 * @returns {string[][]}
 */
export function untie(groups, index) {
  const out = groups.map((g) => [...g]);
  if (index < 0 || index >= out.length) return out;
  out.splice(index, 1, ...out[index].map((id) => [id]));
  return out;
}

/**
 * The 1-based rank of each response (tied responses share a rank).
 * @param {string[][]} groups
 * @returns {Record<string, number>}
 */
export function ranks(groups) {
  /** @type {Record<string, number>} */
  const out = {};
  let rank = 1;
  for (const g of groups) {
    for (const id of g) out[id] = rank;
    rank += g.length;
  }
  return out;
}

/**
 * Named buckets (best first): place `i` of the value is bucket `i`, one more last place holds
 * the responses in no bucket. Returns one list per bucket plus the unplaced list (task order
 * for responses the value misses; unknown ids dropped).
 * @param {(string|string[])[]|null|undefined} value
 * @param {string[]} ids all response ids, in task order
 * @param {string[]} buckets
 * @returns {string[][]} buckets.length + 1 lists, the last one unplaced
 */
export function toBucketPlaces(value, ids, buckets) {
  const known = new Set(ids);
  const seen = new Set();
  const places = buckets.map(() => []);
  const unplaced = [];
  (value || []).forEach((entry, i) => {
    const members = (Array.isArray(entry) ? entry : [entry]).filter((id) => known.has(id) && !seen.has(id));
    members.forEach((id) => seen.add(id));
    (i < buckets.length ? places[i] : unplaced).push(...members);
  });
  for (const id of ids) if (!seen.has(id)) unplaced.push(id);
  return [...places, unplaced];
}

/**
 * The wire value of bucket places: one entry per bucket (`[]` when empty, a plain id for one
 * response), then the unplaced responses as one last place when there are any.
 * @param {string[][]} places buckets.length + 1 lists, the last one unplaced
 * @returns {(string|string[])[]}
 */
export function fromBucketPlaces(places) {
  const named = places.slice(0, -1).map((p) => (p.length === 1 ? p[0] : [...p]));
  const rest = places[places.length - 1] || [];
  return rest.length ? [...named, rest.length === 1 ? rest[0] : [...rest]] : named;
}

/**
 * Move one response to place `to` (a bucket index, or buckets.length for "no bucket").
 * @param {string[][]} places
 * @param {string} id
 * @param {number} to
 * @returns {string[][]}
 */
export function moveToPlace(places, id, to) {
  const out = places.map((p) => p.filter((x) => x !== id));
  const target = Math.max(0, Math.min(out.length - 1, to));
  out[target].push(id);
  return out;
}
