//! `json!`: a JSON value from a JSON-like literal, with Rust expressions as values.

/// Builds a [`Value`](crate::json::Value): `json!({"id": id, "tags": [1, 2], "user": null})`.
/// Keys are string literals; any other value is an expression converted with `Value::from`.
#[macro_export]
macro_rules! json {
    (null) => { $crate::Value::Null };
    ([ $($items:tt)* ]) => { $crate::Value::Array($crate::json!(@items [] $($items)*)) };
    ({ $($fields:tt)* }) => {{
        #[allow(unused_mut)]
        let mut map = $crate::Map::new();
        $crate::json!(@fields map $($fields)*);
        $crate::Value::Object(map)
    }};

    (@items [$($done:expr,)*]) => { vec![$($done,)*] };
    (@items [$($done:expr,)*] null $(, $($rest:tt)*)?) => {
        $crate::json!(@items [$($done,)* $crate::Value::Null,] $($($rest)*)?)
    };
    (@items [$($done:expr,)*] [$($inner:tt)*] $(, $($rest:tt)*)?) => {
        $crate::json!(@items [$($done,)* $crate::json!([$($inner)*]),] $($($rest)*)?)
    };
    (@items [$($done:expr,)*] {$($inner:tt)*} $(, $($rest:tt)*)?) => {
        $crate::json!(@items [$($done,)* $crate::json!({$($inner)*}),] $($($rest)*)?)
    };
    (@items [$($done:expr,)*] $next:expr, $($rest:tt)*) => {
        $crate::json!(@items [$($done,)* $crate::Value::from($next),] $($rest)*)
    };
    (@items [$($done:expr,)*] $last:expr) => {
        $crate::json!(@items [$($done,)* $crate::Value::from($last),])
    };

    (@fields $map:ident) => {};
    (@fields $map:ident $key:literal : null $(, $($rest:tt)*)?) => {
        $map.set($key, $crate::Value::Null);
        $crate::json!(@fields $map $($($rest)*)?);
    };
    (@fields $map:ident $key:literal : [$($inner:tt)*] $(, $($rest:tt)*)?) => {
        $map.set($key, $crate::json!([$($inner)*]));
        $crate::json!(@fields $map $($($rest)*)?);
    };
    (@fields $map:ident $key:literal : {$($inner:tt)*} $(, $($rest:tt)*)?) => {
        $map.set($key, $crate::json!({$($inner)*}));
        $crate::json!(@fields $map $($($rest)*)?);
    };
    (@fields $map:ident $key:literal : $value:expr, $($rest:tt)*) => {
        $map.set($key, $crate::Value::from($value));
        $crate::json!(@fields $map $($rest)*);
    };
    (@fields $map:ident $key:literal : $value:expr) => {
        $map.set($key, $crate::Value::from($value));
    };

    ($other:expr) => { $crate::Value::from($other) };
}

#[cfg(test)]
mod tests {
    use crate::json::{from_str, Value};

    #[test]
    fn builds_nested_values() {
        let id = 7u64;
        let value = json!({
            "id": id, "name": "x", "none": null, "tags": [1, "two", null, [], {"a": -1}],
            "nested": {"deep": {"deeper": true}}, "sum": 1 + 2,
        });
        let text = r#"{"id":7,"name":"x","none":null,"tags":[1,"two",null,[],{"a":-1}],"nested":{"deep":{"deeper":true}},"sum":3}"#;
        assert_eq!(value, from_str(text).expect("valid"));
        assert_eq!(json!([]), Value::Array(Vec::new()));
        assert_eq!(json!("s"), "s");
    }
}
