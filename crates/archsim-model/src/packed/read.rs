//! [`super::unpack`]'s reader: serde_json's reader of the structure, wrapped so that a marker
//! is read as the array of the buffer's numbers it stands for.

use std::cell::Cell;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::{Deserializer, forward_to_deserialize_any};

use super::{EXACT_INTEGERS, MARKER};

/// The numbers apart, and how many of them the marked arrays read so far took.
#[derive(Clone, Copy)]
pub(super) struct Apart<'a> {
    pub(super) numbers: &'a [f64],
    pub(super) read: &'a Cell<usize>,
}

impl<'a> Apart<'a> {
    /// The numbers a marker stands for.
    fn take<E: de::Error>(self, start: usize, count: usize) -> Result<&'a [f64], E> {
        let numbers = start
            .checked_add(count)
            .and_then(|end| self.numbers.get(start..end))
            .ok_or_else(|| E::custom("fewer numbers than the structure names"))?;
        self.read.set(self.read.get() + count);
        Ok(numbers)
    }
}

/// serde_json's reader of the structure, wrapped so that wherever an array may come, a marker
/// is read as the array it stands for.
pub(super) struct Stream<'a, D> {
    pub(super) de: D,
    pub(super) apart: Apart<'a>,
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Stream<'_, D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_any(Wrap {
            visitor,
            apart: self.apart,
        })
    }
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        // An array or a marker (an object) may come.
        self.deserialize_any(visitor)
    }
    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.deserialize_any(visitor)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.deserialize_any(visitor)
    }
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_map(Wrap {
            visitor,
            apart: self.apart,
        })
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.de.deserialize_struct(
            name,
            fields,
            Wrap {
                visitor,
                apart: self.apart,
            },
        )
    }
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_option(Wrap {
            visitor,
            apart: self.apart,
        })
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.de.deserialize_newtype_struct(
            name,
            Wrap {
                visitor,
                apart: self.apart,
            },
        )
    }
    // `pack` writes no marker inside an enum's variant (it writes such values as plain JSON).
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.de.deserialize_enum(name, variants, visitor)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct identifier ignored_any
    }
}

/// A visitor handed to serde_json's reader: what it visits inside goes on being wrapped, and an
/// object that is a marker is visited as the array it stands for.
struct Wrap<'a, V> {
    visitor: V,
    apart: Apart<'a>,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<'_, V> {
    type Value = V::Value;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.visitor.expecting(formatter)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<V::Value, E> {
        self.visitor.visit_bool(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<V::Value, E> {
        self.visitor.visit_i64(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<V::Value, E> {
        self.visitor.visit_u64(v)
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<V::Value, E> {
        self.visitor.visit_i128(v)
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<V::Value, E> {
        self.visitor.visit_u128(v)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<V::Value, E> {
        self.visitor.visit_f64(v)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        self.visitor.visit_str(v)
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<V::Value, E> {
        self.visitor.visit_borrowed_str(v)
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<V::Value, E> {
        self.visitor.visit_string(v)
    }
    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.visitor.visit_unit()
    }
    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.visitor.visit_none()
    }
    fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<V::Value, D::Error> {
        self.visitor.visit_some(Stream {
            de,
            apart: self.apart,
        })
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, de: D) -> Result<V::Value, D::Error> {
        self.visitor.visit_newtype_struct(Stream {
            de,
            apart: self.apart,
        })
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.visitor.visit_seq(Elements {
            seq,
            apart: self.apart,
        })
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<V::Value, A::Error> {
        // With no numbers apart nothing was marked (see `pack`), whatever the keys.
        if self.apart.numbers.is_empty() {
            return self.visitor.visit_map(Entries {
                map,
                first_key: None,
                apart: self.apart,
            });
        }
        match map.next_key_seed(ReadFirstKey)? {
            Some(FirstKey::Marker) => {
                let (start, count): (usize, usize) = map.next_value()?;
                if map.next_key::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::custom("a marker with more than one entry"));
                }
                let numbers = self.apart.take(start, count)?;
                self.visitor.visit_seq(Numbers(numbers.iter(), PhantomData))
            }
            first => self.visitor.visit_map(Entries {
                map,
                first_key: match first {
                    Some(FirstKey::Other(key)) => Some(key),
                    _ => None,
                },
                apart: self.apart,
            }),
        }
    }
}

/// An object's first key, read to tell a marker from data.
enum FirstKey {
    Marker,
    Other(String),
}

/// Reads an object's first key as a [`FirstKey`].
struct ReadFirstKey;

impl<'de> DeserializeSeed<'de> for ReadFirstKey {
    type Value = FirstKey;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<FirstKey, D::Error> {
        de.deserialize_str(self)
    }
}

impl Visitor<'_> for ReadFirstKey {
    type Value = FirstKey;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<FirstKey, E> {
        Ok(if v == MARKER {
            FirstKey::Marker
        } else {
            FirstKey::Other(v.to_string())
        })
    }
}

/// The elements of an array of the structure, each read wrapped.
struct Elements<'a, A> {
    seq: A,
    apart: Apart<'a>,
}

impl<'de, A: de::SeqAccess<'de>> de::SeqAccess<'de> for Elements<'_, A> {
    type Error = A::Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        self.seq.next_element_seed(Wrapped {
            seed,
            apart: self.apart,
        })
    }
    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint()
    }
}

/// The entries of an object of the structure (its first key perhaps already read), each value
/// read wrapped.
struct Entries<'a, A> {
    map: A,
    first_key: Option<String>,
    apart: Apart<'a>,
}

impl<'de, A: de::MapAccess<'de>> de::MapAccess<'de> for Entries<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        match self.first_key.take() {
            Some(key) => seed.deserialize(key.into_deserializer()).map(Some),
            None => self.map.next_key_seed(seed),
        }
    }
    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        self.map.next_value_seed(Wrapped {
            seed,
            apart: self.apart,
        })
    }
    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// A seed whose value is read wrapped.
struct Wrapped<'a, S> {
    seed: S,
    apart: Apart<'a>,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Wrapped<'_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(Stream {
            de,
            apart: self.apart,
        })
    }
}

/// The numbers of a marked array, each handed over as an integer when it is a whole number (a
/// float field takes one as well) and as an `f64` otherwise.
struct Numbers<'a, E>(std::slice::Iter<'a, f64>, PhantomData<E>);

impl<'de, E: de::Error> de::SeqAccess<'de> for Numbers<'_, E> {
    type Error = E;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, E> {
        self.0
            .next()
            .map(|&number| seed.deserialize(Number(number, PhantomData)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

/// One number of the buffer.
struct Number<E>(f64, PhantomData<E>);

impl<'de, E: de::Error> Deserializer<'de> for Number<E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        let n = self.0;
        // Whole when converting to an integer and back changes nothing (`as` saturates, and
        // NaN becomes 0). -0.0 goes as a float, so that it keeps its sign.
        let whole = n as i64;
        if whole as f64 == n && (-EXACT_INTEGERS..=EXACT_INTEGERS).contains(&n) {
            if whole > 0 || (whole == 0 && n.is_sign_positive()) {
                return visitor.visit_u64(whole as u64);
            }
            if whole < 0 {
                return visitor.visit_i64(whole);
            }
        }
        visitor.visit_f64(n)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}
