//! The index of a large [`Map`](super::Map): each field's position, ordered by the hash of its key and
//! then by the key, in sorted runs, longest first. Adding a field appends a run of one, then merges the
//! last two runs while the last is as long as the one before, as a binary counter carries: n additions
//! move O(n log n) slots, and there are O(log n) runs to binary-search in a lookup. Keys that share a
//! hash are told apart by comparing the keys themselves. In the Rust crate the hash is keyed at random
//! once a process, so keys cannot be chosen to share it; the wasm's hash is fixed (its std has no
//! random source), and there a chosen object of n keys still takes at most O(n log² n) comparisons.
//! A filter of the hashes ([`Seen`]) tells most new keys apart without a search: an object's new
//! keys, as its fields are read, cost O(1) each but for the merges, where a search of each run cost
//! a cache miss a step in a large object (16 MiB of keys took 4 times as long a byte as 1 MiB).

/// One field in the index: its key's hash, and its position in the map.
#[derive(Clone, Copy)]
struct Slot {
    hash: u32,
    at: usize,
}

/// The slots of every field, in sorted runs.
#[derive(Clone, Default)]
pub(super) struct Index {
    slots: Vec<Slot>,
    /// Where each run ends in `slots`, the first run first.
    ends: Vec<usize>,
    /// Room for the first of two runs being merged (empty between merges, its capacity kept).
    scratch: Vec<Slot>,
    /// A bit for each hash some field's key may have (see [`Seen`]).
    seen: Seen,
}

/// A filter of the hashes in the index, about 16 bits a field (in the Rust crate: see the wasm's below): a key whose bit is clear is in no run,
/// and a new key (most of an object's) is told so without a search of each run, whose slots a large
/// object holds out of the cache. Keys chosen to share a hash (or a bit) get the runs' search, whose
/// bound holds.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Clone, Default)]
struct Seen {
    words: Vec<u64>,
    /// log2 of the number of bits, once there are any.
    bits_log2: u32,
}

#[cfg(not(target_arch = "wasm32"))]
impl Seen {
    /// The word and bit of `hash` (its top bits after a multiplicative mix).
    fn place(&self, hash: u32) -> (usize, u64) {
        let spread = u64::from(hash.wrapping_mul(0x9e37_79b9)) << 32;
        let bit = (spread >> (64 - self.bits_log2)) as usize;
        (bit / 64, 1 << (bit % 64))
    }

    /// Whether some key of `hash` may be in the index.
    fn may_hold(&self, hash: u32) -> bool {
        let (word, bit) = self.place(hash);
        self.words.get(word).is_some_and(|word| word & bit != 0)
    }

    /// Marks `hash`, of the last of `slots`, first growing to 16 bits a slot (each slot marked again).
    fn mark(&mut self, hash: u32, slots: &[Slot]) {
        if (self.words.len() * 64) < slots.len() * 16 {
            self.bits_log2 = (slots.len() * 32)
                .next_power_of_two()
                .trailing_zeros()
                .max(6);
            self.words.clear();
            self.words.resize(1 << (self.bits_log2 - 6), 0);
            for slot in slots {
                self.set(slot.hash);
            }
        } else {
            self.set(hash);
        }
    }

    fn set(&mut self, hash: u32) {
        let (word, bit) = self.place(hash);
        if let Some(word) = self.words.get_mut(word) {
            *word |= bit;
        }
    }
}

/// No filter in the wasm (330 bytes gzip): what it reads into maps is bounded by its caps, and its cost
/// was measured linear up to them (a contact of 50,000 to 800,000 fields: 48 to 34 ns a byte).
#[cfg(target_arch = "wasm32")]
#[derive(Clone, Default)]
struct Seen;

#[cfg(target_arch = "wasm32")]
impl Seen {
    fn may_hold(&self, _: u32) -> bool {
        true
    }

    fn mark(&mut self, _: u32, _: &[Slot]) {}
}

/// SipHash keyed at random once a process (std's `RandomState`): keys chosen to share an FNV hash
/// made an object's reading superlinear (34 MB of them, 10 times as long as of other keys).
#[cfg(not(target_arch = "wasm32"))]
fn hash(key: &str) -> u32 {
    use std::hash::{BuildHasher, RandomState};
    static STATE: std::sync::OnceLock<RandomState> = std::sync::OnceLock::new();
    STATE.get_or_init(RandomState::new).hash_one(key) as u32
}

/// The wasm's hash (no random source there): what it reads is bounded by its caps.
#[cfg(target_arch = "wasm32")]
fn hash(key: &str) -> u32 {
    fnv1a(key)
}

/// 32-bit FNV-1a: fast on short keys, and fixed, so keys can be chosen to share it.
#[cfg(any(target_arch = "wasm32", test))]
fn fnv1a(key: &str) -> u32 {
    key.bytes().fold(0x811c_9dc5, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

/// The key at `at` (empty if there is none, which never happens: the index follows the map).
fn key_at<V>(entries: &[(String, V)], at: usize) -> &str {
    entries.get(at).map_or("", |(key, _)| key.as_str())
}

impl Index {
    /// The position of `key` in `entries`.
    pub fn position<V>(&self, entries: &[(String, V)], key: &str) -> Option<usize> {
        self.slot_of(entries, key)
            .and_then(|i| self.slots.get(i))
            .map(|slot| slot.at)
    }

    /// Where `key`'s slot is in `slots`.
    fn slot_of<V>(&self, entries: &[(String, V)], key: &str) -> Option<usize> {
        let hash = hash(key);
        if !self.seen.may_hold(hash) {
            return None;
        }
        let mut start = 0;
        for &end in &self.ends {
            let run = self.slots.get(start..end)?;
            let found = run.binary_search_by(|slot| {
                slot.hash
                    .cmp(&hash)
                    .then_with(|| key_at(entries, slot.at).cmp(key))
            });
            if let Ok(i) = found {
                return Some(start + i);
            }
            start = end;
        }
        None
    }

    /// Indexes the last field of `entries`, whose key is not in the index yet.
    pub fn push<V>(&mut self, entries: &[(String, V)]) {
        let at = entries.len().saturating_sub(1);
        let hash = hash(key_at(entries, at));
        self.slots.push(Slot { hash, at });
        self.seen.mark(hash, &self.slots);
        self.ends.push(self.slots.len());
        loop {
            let (start, middle, end) = match self.ends[..] {
                [.., start, middle, end] => (start, middle, end),
                [middle, end] => (0, middle, end),
                _ => break,
            };
            if end - middle < middle - start {
                break;
            }
            self.merge_last_two(entries, start, middle);
        }
    }

    /// Merges the last two runs, `start..middle` and `middle..`, into one: the first is copied aside,
    /// then both are merged into place from the front (which never overtakes the second's unread slots).
    fn merge_last_two<V>(&mut self, entries: &[(String, V)], start: usize, middle: usize) {
        let before = |a: &Slot, b: &Slot| {
            a.hash
                .cmp(&b.hash)
                .then_with(|| key_at(entries, a.at).cmp(key_at(entries, b.at)))
                .is_lt()
        };
        self.scratch
            .extend_from_slice(self.slots.get(start..middle).unwrap_or_default());
        let (mut first, mut second) = (0, middle);
        for to in start.. {
            let Some(&a) = self.scratch.get(first) else {
                break;
            };
            let next = match self.slots.get(second) {
                Some(&b) if before(&b, &a) => {
                    second += 1;
                    b
                }
                _ => {
                    first += 1;
                    a
                }
            };
            if let Some(slot) = self.slots.get_mut(to) {
                *slot = next;
            }
        }
        self.scratch.clear();
        self.ends.pop();
        if let Some(end) = self.ends.last_mut() {
            *end = self.slots.len();
        }
    }

    /// Takes `key` out of the index, the field at its position being removed from `entries` next;
    /// returns that position.
    pub fn remove<V>(&mut self, entries: &[(String, V)], key: &str) -> Option<usize> {
        let i = self.slot_of(entries, key)?;
        let at = self.slots.remove(i).at;
        for slot in &mut self.slots {
            if slot.at > at {
                slot.at -= 1;
            }
        }
        for end in &mut self.ends {
            if *end > i {
                *end -= 1;
            }
        }
        let mut previous = 0;
        self.ends.retain(|&end| {
            let nonempty = end > previous;
            previous = end;
            nonempty
        });
        Some(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indexed(keys: &[String]) -> (Vec<(String, ())>, Index) {
        let mut entries = Vec::new();
        let mut index = Index::default();
        for key in keys {
            entries.push((key.clone(), ()));
            index.push(&entries);
        }
        (entries, index)
    }

    #[test]
    fn keys_that_share_a_hash_are_told_apart() {
        let keys: Vec<String> = ["l9OnmCCn", "H8aamCCn", "l9Onq2aa", "H8aaq2aa"]
            .map(String::from)
            .into();
        assert!(keys.iter().all(|k| fnv1a(k) == fnv1a(&keys[0])));
        let (entries, index) = indexed(&keys);
        for (at, key) in keys.iter().enumerate() {
            assert_eq!(index.position(&entries, key), Some(at));
        }
        assert_eq!(index.position(&entries, "l9OnmCCo"), None);
    }

    /// 4,096 keys of one FNV-1a hash, as an outside review built them: each key picks one block of
    /// each pair, the two blocks of a pair taking the hash so far to the same next hash.
    #[test]
    fn an_object_of_keys_that_share_an_fnv_hash_finds_each() {
        const PAIRS: [[&str; 2]; 12] = [
            ["H8kx", "l9Es"],
            ["T953", "x834"],
            ["9Khx", "WXCl"],
            ["bTfQ", "4YGM"],
            ["9wtd", "g0WP"],
            ["dpgb", "23tv"],
            ["M6cM", "a9ID"],
            ["ZOXS", "F4lH"],
            ["tUe9", "Lwm7"],
            ["YJLe", "E5Xb"],
            ["0cpm", "NDky"],
            ["e2JB", "7Uan"],
        ];
        let keys: Vec<String> = (0..1 << PAIRS.len())
            .map(|i| (0..PAIRS.len()).map(|k| PAIRS[k][(i >> k) & 1]).collect())
            .collect();
        assert!(keys.iter().all(|key| fnv1a(key) == 0x9d2b_3a76));
        let fields: Vec<String> = keys
            .iter()
            .enumerate()
            .map(|(i, key)| format!("\"{key}\":{i}"))
            .collect();
        let value: super::super::Value = format!("{{{}}}", fields.join(",")).parse().unwrap();
        for (i, key) in (0..).zip(&keys) {
            assert_eq!(value.get(key).and_then(|v| v.as_i64()), Some(i), "{key}");
        }
        assert!(value.get("H8kxT953").is_none());
    }

    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn most_new_keys_are_told_apart_by_the_filter_without_a_search() {
        let keys: Vec<String> = (0..10_000).map(|i| format!("field_{i}")).collect();
        let (entries, index) = indexed(&keys);
        assert!(keys.iter().all(|key| index.seen.may_hold(hash(key))));
        let passed = (10_000..20_000)
            .filter(|i| index.seen.may_hold(hash(&format!("field_{i}"))))
            .count();
        assert!(
            passed < 1_000,
            "{passed} of 10,000 new keys were searched for"
        );
        for (at, key) in keys.iter().enumerate() {
            assert_eq!(index.position(&entries, key), Some(at));
        }
    }

    #[test]
    fn runs_stay_as_few_as_the_bits_of_the_count() {
        let keys: Vec<String> = (0..1000).map(|i| format!("key{i}")).collect();
        let (mut entries, mut index) = indexed(&keys);
        assert_eq!(index.ends.len(), 1000_u32.count_ones() as usize);
        assert_eq!(index.remove(&entries, "key10"), Some(10));
        entries.remove(10);
        assert_eq!(
            index.position(&entries, "key11"),
            Some(10),
            "later fields move up"
        );
        assert!(index.ends.windows(2).all(|w| w[0] < w[1]));
    }
}
