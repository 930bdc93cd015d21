//! A Gist tag: a case-sensitive name through the API ("TAG" and "tag" are two tags).

model! {
    /// A tag; any other field Gist sends is kept as sent.
    pub struct Tag as TAG, "tag" {
        /// Gist's id of the tag.
        id: Id,
        /// The name, exactly as stored (case-sensitive); `""` where Gist sends none.
        name: TextOrEmpty,
    }
    as_sent {}
}
