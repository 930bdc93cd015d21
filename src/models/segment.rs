//! A Gist segment: a saved filter of contacts.

model! {
    /// A segment: a saved filter of contacts; any other field Gist sends is kept as sent.
    pub struct Segment as SEGMENT, "segment" {
        /// Gist's id of the segment.
        id: Id,
        /// Its name.
        name: Text,
        /// When it was created, Unix seconds.
        created_at: Timestamp,
        /// When it last changed, Unix seconds.
        updated_at: Timestamp,
        /// How many contacts it holds: only when asked for with `include_count`.
        count: WholeIfKnown,
    }
    as_sent {}
}
