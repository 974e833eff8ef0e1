//! A deserializer that wraps another and sees every key of every object before the type being
//! read does: it refuses a key seen before in the same object, and, in a form, a key the struct
//! being read does not have (the field names serde passes to `deserialize_struct`). Since the
//! check sits in the deserializer, no type read through it — a `Value`, a map, a flattened struct,
//! a value skipped as unknown — can let a later key win.
//!
//! serde errors carry only a message, so what the wrapper finds travels beside the error, in a
//! [`Track`]: the finding, and the path to it, which each object and list adds its key or index
//! to as the error unwinds through it (nothing is recorded while reading goes well). The inner
//! deserializer gets a plain error to unwind with, and `serde_json` stamps it with the line and
//! column where it stopped: just after the offending key.
//!
//! The keys of an object are compared as their text, borrowed from the input where `serde_json`
//! can (a key without escapes), so the check allocates nothing per key on the usual path.

use crate::error::{JsonError, JsonErrorKind, Position};
use crate::keys::did_you_mean;
use serde::de::value::BorrowedStrDeserializer;
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    Unexpected, VariantAccess, Visitor,
};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::marker::PhantomData;

/// Whether unknown keys are refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A third-party document: tools add fields, so only repeated keys are refused.
    Document,
    /// A form shipgate defines: a key its struct does not have is refused too.
    Form,
    /// A form people write or export as evidence (the defect JSON form): like `Form`,
    /// and a key written `null` is refused, as a key written with no value is in the YAML files.
    Input,
}

impl Mode {
    fn refuses_unknown_keys(self) -> bool {
        matches!(self, Mode::Form | Mode::Input)
    }

    fn refuses_null(self) -> bool {
        self == Mode::Input
    }
}

/// What the wrapper refused.
enum Finding {
    Duplicate(String),
    Unknown {
        key: String,
        expected: &'static [&'static str],
    },
}

/// One step of a path in the document.
enum Segment {
    Key(String),
    Index(usize),
}

/// What travels beside the error of one read.
#[derive(Default)]
pub(crate) struct Track {
    finding: RefCell<Option<Finding>>,
    /// The path to where the error arose, innermost first.
    unwound: RefCell<Vec<Segment>>,
}

impl Track {
    /// Records `finding` and returns the error to unwind with.
    fn refuse<E: de::Error>(&self, finding: Finding) -> E {
        let message = match &finding {
            Finding::Duplicate(key) => format!("duplicate key `{key}`"),
            Finding::Unknown { key, .. } => format!("unknown key `{key}`"),
        };
        *self.finding.borrow_mut() = Some(finding);
        E::custom(message)
    }

    fn unwind(&self, segment: Segment) {
        self.unwound.borrow_mut().push(segment);
    }

    fn path(&self) -> String {
        let mut path = String::new();
        for segment in self.unwound.borrow().iter().rev() {
            match segment {
                Segment::Key(key) if path.is_empty() => path.push_str(key),
                Segment::Key(key) => {
                    path.push('.');
                    path.push_str(key);
                }
                Segment::Index(i) => path.push_str(&format!("[{i}]")),
            }
        }
        path
    }

    /// The error of a read that failed with `error`.
    pub(crate) fn into_error(self, error: &serde_json::Error) -> JsonError {
        let position = (error.line() > 0).then(|| Position {
            line: error.line(),
            column: error.column(),
        });
        let path = self.path();
        let kind = match self.finding.into_inner() {
            Some(Finding::Duplicate(key)) => JsonErrorKind::DuplicateKey {
                key,
                path,
                position,
            },
            Some(Finding::Unknown { key, expected }) => JsonErrorKind::UnknownKey {
                nearest: did_you_mean(&key, expected).map(str::to_owned),
                expected: expected.iter().map(|k| (*k).to_owned()).collect(),
                key,
                path,
                position,
            },
            None => {
                let text = error.to_string();
                let suffix = format!(" at line {} column {}", error.line(), error.column());
                let message = text.strip_suffix(&suffix).unwrap_or(&text).to_owned();
                if error.is_data() {
                    JsonErrorKind::Invalid {
                        message,
                        path,
                        position,
                    }
                } else {
                    JsonErrorKind::NotJson {
                        message,
                        path,
                        position,
                    }
                }
            }
        };
        kind.into()
    }
}

/// The wrapping deserializer.
pub(crate) struct Strict<'t, D> {
    inner: D,
    track: &'t Track,
    mode: Mode,
}

impl<'t, D> Strict<'t, D> {
    pub(crate) fn new(inner: D, track: &'t Track, mode: Mode) -> Self {
        Self { inner, track, mode }
    }
}

/// Forwards `deserialize_*` methods to the inner deserializer with the visitor wrapped.
macro_rules! forward_wrapped {
    ($($method:ident $(( $($arg:ident: $ty:ty),* ))?;)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($($arg: $ty,)*)? visitor: V) -> Result<V::Value, D::Error> {
            let visitor = StrictVisitor::new(visitor, self.track, self.mode, None);
            self.inner.$method($($($arg,)*)? visitor)
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Strict<'_, D> {
    type Error = D::Error;

    forward_wrapped! {
        deserialize_any;
        deserialize_bool;
        deserialize_i8;
        deserialize_i16;
        deserialize_i32;
        deserialize_i64;
        deserialize_i128;
        deserialize_u8;
        deserialize_u16;
        deserialize_u32;
        deserialize_u64;
        deserialize_u128;
        deserialize_f32;
        deserialize_f64;
        deserialize_char;
        deserialize_str;
        deserialize_string;
        deserialize_bytes;
        deserialize_byte_buf;
        deserialize_unit;
        deserialize_unit_struct(name: &'static str);
        deserialize_newtype_struct(name: &'static str);
        deserialize_seq;
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_map;
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
        deserialize_identifier;
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let visitor = StrictVisitor::new(visitor, self.track, self.mode, None).optional();
        self.inner.deserialize_option(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let known = self.mode.refuses_unknown_keys().then_some(fields);
        let visitor = StrictVisitor::new(visitor, self.track, self.mode, known);
        self.inner.deserialize_struct(name, fields, visitor)
    }

    /// A value skipped (a field the type does not read) is still read, not skipped over, so that
    /// a repeated key inside it is refused too.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let visitor = StrictVisitor::new(visitor, self.track, self.mode, None);
        self.inner.deserialize_any(visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

/// The visitor of the type being read, wrapped so that every object, list, option and enum it
/// is given is wrapped too.
struct StrictVisitor<'t, V> {
    visitor: V,
    track: &'t Track,
    mode: Mode,
    /// In a form, the keys the struct being read has.
    known: Option<&'static [&'static str]>,
    /// Whether an optional value is being read: in a form, a key written `null` is refused
    /// (leave it out instead), as a key written with no value is in the YAML files.
    optional: bool,
}

impl<'t, V> StrictVisitor<'t, V> {
    fn new(
        visitor: V,
        track: &'t Track,
        mode: Mode,
        known: Option<&'static [&'static str]>,
    ) -> Self {
        Self {
            visitor,
            track,
            mode,
            known,
            optional: false,
        }
    }

    fn optional(mut self) -> Self {
        self.optional = true;
        self
    }
}

/// Forwards `visit_*` methods of plain values unchanged.
macro_rules! forward_visits {
    ($($method:ident($ty:ty);)*) => {$(
        fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
            self.visitor.$method(v)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for StrictVisitor<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    forward_visits! {
        visit_bool(bool);
        visit_i8(i8);
        visit_i16(i16);
        visit_i32(i32);
        visit_i64(i64);
        visit_i128(i128);
        visit_u8(u8);
        visit_u16(u16);
        visit_u32(u32);
        visit_u64(u64);
        visit_u128(u128);
        visit_f32(f32);
        visit_f64(f64);
        visit_char(char);
        visit_str(&str);
        visit_borrowed_str(&'de str);
        visit_string(String);
        visit_bytes(&[u8]);
        visit_borrowed_bytes(&'de [u8]);
        visit_byte_buf(Vec<u8>);
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        if self.optional && self.mode.refuses_null() {
            return Err(E::custom(
                "a key written `null` is not a value: leave the key out, or give it a value (null is never taken as \"none\" or \"off\")",
            ));
        }
        self.visitor.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.visitor.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.visitor
            .visit_some(Strict::new(d, self.track, self.mode))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.visitor
            .visit_newtype_struct(Strict::new(d, self.track, self.mode))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.visitor.visit_seq(StrictSeq {
            seq,
            track: self.track,
            mode: self.mode,
            index: 0,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.visitor.visit_map(StrictMap {
            map,
            track: self.track,
            mode: self.mode,
            known: self.known,
            seen: Seen::new(),
            current: None,
        })
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.visitor.visit_enum(StrictEnum {
            data,
            track: self.track,
            mode: self.mode,
        })
    }
}

/// A seed whose deserializer is wrapped.
struct StrictSeed<'t, S> {
    seed: S,
    track: &'t Track,
    mode: Mode,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for StrictSeed<'_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(Strict::new(d, self.track, self.mode))
    }
}

struct StrictSeq<'t, A> {
    seq: A,
    track: &'t Track,
    mode: Mode,
    index: usize,
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for StrictSeq<'_, A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        let index = self.index;
        self.index += 1;
        let seed = StrictSeed {
            seed,
            track: self.track,
            mode: self.mode,
        };
        self.seq
            .next_element_seed(seed)
            .inspect_err(|_| self.track.unwind(Segment::Index(index)))
    }

    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint()
    }
}

/// How many keys an object holds before its keys are put in a hash set rather than compared one
/// by one: a k6 point and its tags hold no more.
const FEW: usize = 8;

/// The keys of one object seen so far: up to [`FEW`] in place (no allocation for a small object,
/// which matters on a multi-gigabyte k6 file of small objects), beyond that all in a hash set.
struct Seen<'de> {
    few: [Cow<'de, str>; FEW],
    len: usize,
    many: Option<HashSet<Cow<'de, str>>>,
}

impl<'de> Seen<'de> {
    fn new() -> Self {
        Self {
            few: Default::default(),
            len: 0,
            many: None,
        }
    }

    /// Adds `key`; `false` when the object already had it.
    fn insert(&mut self, key: Cow<'de, str>) -> bool {
        if let Some(set) = &mut self.many {
            return set.insert(key);
        }
        let few = &mut self.few[..self.len];
        if few.contains(&key) {
            return false;
        }
        if self.len < FEW {
            self.few[self.len] = key;
            self.len += 1;
        } else {
            let mut set: HashSet<Cow<'de, str>> = few.iter_mut().map(std::mem::take).collect();
            set.insert(key);
            self.many = Some(set);
        }
        true
    }
}

struct StrictMap<'de, 't, A> {
    map: A,
    track: &'t Track,
    mode: Mode,
    known: Option<&'static [&'static str]>,
    seen: Seen<'de>,
    /// The key whose value is being read, for the path of an error inside it.
    current: Option<Cow<'de, str>>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for StrictMap<'de, '_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let Some(key) = self.map.next_key_seed(KeyText)? else {
            return Ok(None);
        };
        if !self.seen.insert(key.clone()) {
            return Err(self.track.refuse(Finding::Duplicate(key.into_owned())));
        }
        if let Some(known) = self.known
            && !known.contains(&key.as_ref())
        {
            return Err(self.track.refuse(Finding::Unknown {
                key: key.into_owned(),
                expected: known,
            }));
        }
        self.current = Some(key.clone());
        seed.deserialize(KeyDeserializer {
            key,
            error: PhantomData,
        })
        .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        let seed = StrictSeed {
            seed,
            track: self.track,
            mode: self.mode,
        };
        self.map.next_value_seed(seed).inspect_err(|_| {
            if let Some(key) = &self.current {
                self.track.unwind(Segment::Key(key.as_ref().to_owned()));
            }
        })
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

struct StrictEnum<'t, A> {
    data: A,
    track: &'t Track,
    mode: Mode,
}

impl<'de, 't, A: EnumAccess<'de>> EnumAccess<'de> for StrictEnum<'t, A> {
    type Error = A::Error;
    type Variant = StrictVariant<'t, A::Variant>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), A::Error> {
        let (value, variant) = self.data.variant_seed(seed)?;
        Ok((
            value,
            StrictVariant {
                variant,
                track: self.track,
                mode: self.mode,
            },
        ))
    }
}

struct StrictVariant<'t, A> {
    variant: A,
    track: &'t Track,
    mode: Mode,
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for StrictVariant<'_, A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.variant.unit_variant()
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, A::Error> {
        self.variant.newtype_variant_seed(StrictSeed {
            seed,
            track: self.track,
            mode: self.mode,
        })
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        let visitor = StrictVisitor::new(visitor, self.track, self.mode, None);
        self.variant.tuple_variant(len, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        let known = self.mode.refuses_unknown_keys().then_some(fields);
        let visitor = StrictVisitor::new(visitor, self.track, self.mode, known);
        self.variant.struct_variant(fields, visitor)
    }
}

/// Reads a key as its text, borrowed from the input where it can be.
struct KeyText;

impl<'de> DeserializeSeed<'de> for KeyText {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(KeyTextVisitor)
    }
}

struct KeyTextVisitor;

impl<'de> Visitor<'de> for KeyTextVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}

/// Hands a key already read to the type's own key seed, as `serde_json` would: as text, or parsed
/// as the number or boolean the type asks for.
struct KeyDeserializer<'de, E> {
    key: Cow<'de, str>,
    error: PhantomData<E>,
}

/// A key read as a number: `{"1": ...}` into a map with integer keys.
macro_rules! numeric_key {
    ($($method:ident => $visit:ident($ty:ty);)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
            match self.key.parse::<$ty>() {
                Ok(n) => visitor.$visit(n),
                Err(_) => Err(E::invalid_type(Unexpected::Str(&self.key), &visitor)),
            }
        }
    )*};
}

impl<'de, E: de::Error> Deserializer<'de> for KeyDeserializer<'de, E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.key {
            Cow::Borrowed(s) => visitor.visit_borrowed_str(s),
            Cow::Owned(s) => visitor.visit_string(s),
        }
    }

    numeric_key! {
        deserialize_i8 => visit_i8(i8);
        deserialize_i16 => visit_i16(i16);
        deserialize_i32 => visit_i32(i32);
        deserialize_i64 => visit_i64(i64);
        deserialize_i128 => visit_i128(i128);
        deserialize_u8 => visit_u8(u8);
        deserialize_u16 => visit_u16(u16);
        deserialize_u32 => visit_u32(u32);
        deserialize_u64 => visit_u64(u64);
        deserialize_u128 => visit_u128(u128);
        deserialize_f32 => visit_f32(f32);
        deserialize_f64 => visit_f64(f64);
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.key.as_ref() {
            "true" => visitor.visit_bool(true),
            "false" => visitor.visit_bool(false),
            other => Err(E::invalid_type(Unexpected::Str(other), &visitor)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        // A key is never null.
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, E> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, E> {
        match self.key {
            Cow::Borrowed(s) => {
                BorrowedStrDeserializer::<E>::new(s).deserialize_enum(name, variants, visitor)
            }
            Cow::Owned(s) => IntoDeserializer::<'de, E>::into_deserializer(s)
                .deserialize_enum(name, variants, visitor),
        }
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.key {
            Cow::Borrowed(s) => visitor.visit_borrowed_bytes(s.as_bytes()),
            Cow::Owned(s) => visitor.visit_byte_buf(s.into_bytes()),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        self.deserialize_bytes(visitor)
    }

    serde::forward_to_deserialize_any! {
        char str string unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}
