//! A JSON object: keys in insertion order, looked up by a scan while there are a few dozen (Gist's
//! own objects, where a scan is fastest), and through an [`Index`] beyond that, so that an object of
//! n keys never costs n² (an answer or a webhook body may hold any number).

use super::index::Index;

/// Objects of up to this many fields are searched by a scan; larger ones are indexed.
const SCAN_MAX: usize = 32;

/// An ordered map of JSON object fields; two maps are equal when they hold the same fields in any
/// order, as JSON objects are.
#[derive(Clone)]
pub struct Map<K, V> {
    entries: Vec<(K, V)>,
    /// None until the map first holds more than [`SCAN_MAX`] fields; then it follows every change. (A
    /// box keeps a `Value` as small as it was.)
    index: Option<Box<Index>>,
}

impl<K, V> Default for Map<K, V> {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
            index: None,
        }
    }
}

impl<K: std::fmt::Debug, V: std::fmt::Debug> std::fmt::Debug for Map<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Map")
            .field("entries", &self.entries)
            .finish()
    }
}

impl<V> Map<String, V> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty map with room for `capacity` fields.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: Vec::with_capacity(capacity),
            index: None,
        }
    }

    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            None => self.entries.iter().position(|(k, _)| k == key),
            Some(index) => index.position(&self.entries, key),
        }
    }

    /// Sets `key`, in place when it exists; returns the value it replaced.
    pub fn insert(&mut self, key: String, value: V) -> Option<V> {
        if let Some((_, slot)) = self.position(&key).and_then(|i| self.entries.get_mut(i)) {
            return Some(std::mem::replace(slot, value));
        }
        self.entries.push((key, value));
        match &mut self.index {
            Some(index) => index.push(&self.entries),
            None if self.entries.len() > SCAN_MAX => {
                let mut index = Box::<Index>::default();
                for end in 1..=self.entries.len() {
                    index.push(self.entries.get(..end).unwrap_or_default());
                }
                self.index = Some(index);
            }
            None => {}
        }
        None
    }

    /// Sets `key` to `value`, in place when it exists.
    pub fn set(&mut self, key: &str, value: V) {
        self.insert(key.to_owned(), value);
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.position(key)
            .and_then(|i| self.entries.get(i))
            .map(|(_, v)| v)
    }

    /// The value of `key`, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.position(key)
            .and_then(|i| self.entries.get_mut(i))
            .map(|(_, v)| v)
    }

    /// Whether `key` is set.
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// Removes `key`, keeping the order of the others; returns its value.
    pub fn remove(&mut self, key: &str) -> Option<V> {
        let i = match &mut self.index {
            None => self.position(key),
            Some(index) => index.remove(&self.entries, key),
        };
        i.map(|i| self.entries.remove(i).1)
    }

    /// How many fields.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The fields, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The values, in order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.iter().map(|(_, v)| v)
    }
}

impl<V: PartialEq> PartialEq for Map<String, V> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .all(|(key, value)| other.get(key) == Some(value))
    }
}

impl<V> IntoIterator for Map<String, V> {
    type Item = (String, V);
    type IntoIter = std::vec::IntoIter<(String, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a, V> IntoIterator for &'a Map<String, V> {
    type Item = (&'a String, &'a V);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, V)>,
        fn(&'a (String, V)) -> (&'a String, &'a V),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

impl<V> Extend<(String, V)> for Map<String, V> {
    fn extend<I: IntoIterator<Item = (String, V)>>(&mut self, iter: I) {
        for (key, value) in iter {
            self.insert(key, value);
        }
    }
}

impl<V> FromIterator<(String, V)> for Map<String, V> {
    fn from_iter<I: IntoIterator<Item = (String, V)>>(iter: I) -> Self {
        let mut map = Self::new();
        for (key, value) in iter {
            map.insert(key, value);
        }
        map
    }
}
