//! A value as JSON with its numbers apart: how the run worker sends a live series to the page.
//!
//! A live update of a 200-node design is about a megabyte of JSON, nearly all of it arrays of
//! numbers (a series is columns: one array per node and measure, one number per bucket). Reading
//! that text took the page's main thread 5–10 ms per 128 KB, 40% of its time during a long run
//! (docs/performance.md, "Live updates with their numbers apart"). [`pack`] keeps the JSON for the
//! structure only and moves every array of plain numbers into one `f64` buffer, which the worker
//! hands over without copying; [`unpack`] reads the structure and takes the numbers from the
//! buffer, with the same `Deserialize` code as any other reader.
//!
//! In the structure an array of numbers becomes `{"\u0000": [start, n]}`, meaning "the `n` numbers
//! of the buffer from `start`" (a reader may visit a map's entries in another order than the text
//! had them). No model key is a NUL character; a value whose text holds one anyway is packed
//! with nothing moved out, and with no numbers apart nothing is read as a marker, so the marker is
//! never mistaken for data.

use std::cell::Cell;
use std::fmt::Write;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
use serde::ser::{self, Serializer};
use serde::{Deserializer, Serialize, forward_to_deserialize_any};
use serde_json::Value;

/// The key of the marker object that stands for an array of numbers in the structure.
const MARKER: &str = "\u{0}";
/// Above this a whole number is not exact as an `f64`: an array with one stays in the JSON.
const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0;

/// A value packed by [`pack`].
#[derive(Debug, Clone, PartialEq)]
pub struct Packed {
    /// The JSON of the value with every array of numbers replaced by a marker.
    pub structure: String,
    /// The numbers of those arrays, in the order the text had them.
    pub numbers: Vec<f64>,
}

/// `value` as its structure and its numbers (see the module's documentation).
pub fn pack<T: Serialize + ?Sized>(value: &T) -> Packed {
    let mut out = Out::default();
    match value.serialize(Writer(&mut out)) {
        Ok(()) if !out.nul_key => Packed {
            structure: out.text,
            numbers: out.numbers,
        },
        // A NUL key, or a shape JSON has no words for: the plain JSON, nothing apart.
        _ => Packed {
            structure: crate::json::to_compact(value),
            numbers: Vec::new(),
        },
    }
}

/// A live series packed. Not generic, so that its code is compiled with this crate's settings:
/// the served build (`scripts/serve.sh`) optimises the model crate but not the app, and the
/// app's copy of `pack::<Series>` and `unpack::<Series>` read a 200-node design's updates at a
/// third of the speed.
pub fn pack_series(series: &crate::Series) -> Packed {
    pack(series)
}

/// A live series packed by [`pack_series`], read back.
pub fn unpack_series(structure: &str, numbers: &[f64]) -> Result<crate::Series, String> {
    unpack(structure, numbers)
}

/// What [`pack`] writes: written straight from the value, no number is ever turned into text
/// and read back (that took a 200-node update 20–40 ms of the worker's time, natively).
#[derive(Default)]
struct Out {
    text: String,
    numbers: Vec<f64>,
    /// A map had a key that is the marker's.
    nul_key: bool,
}

impl Out {
    fn json<T: Serialize + ?Sized>(&mut self, value: &T) {
        self.text.push_str(&crate::json::to_compact(value));
    }

    /// A number as JSON text, as serde_json writes it: exactly (whole numbers with no point).
    fn number_text(&mut self, number: f64) {
        if number.fract() == 0.0 && number.abs() <= EXACT_INTEGERS && number != 0.0 {
            let _ = write!(self.text, "{}", number as i64);
        } else {
            self.json(&number);
        }
    }
}

/// Why a value could not be packed (a shape JSON has no words for).
#[derive(Debug)]
struct Unpackable(String);

impl std::fmt::Display for Unpackable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unpackable {}

impl ser::Error for Unpackable {
    fn custom<T: std::fmt::Display>(message: T) -> Self {
        Unpackable(message.to_string())
    }
}

/// Writes one value of the structure.
struct Writer<'a>(&'a mut Out);

impl<'a> Serializer for Writer<'a> {
    type Ok = ();
    type Error = Unpackable;
    type SerializeSeq = Seq<'a>;
    type SerializeTuple = Seq<'a>;
    type SerializeTupleStruct = Seq<'a>;
    type SerializeTupleVariant = ser::Impossible<(), Unpackable>;
    type SerializeMap = Object<'a>;
    type SerializeStruct = Object<'a>;
    type SerializeStructVariant = ser::Impossible<(), Unpackable>;

    fn serialize_bool(self, v: bool) -> Result<(), Unpackable> {
        self.0.json(&v);
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Unpackable> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<(), Unpackable> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<(), Unpackable> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<(), Unpackable> {
        let _ = write!(self.0.text, "{v}");
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<(), Unpackable> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<(), Unpackable> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<(), Unpackable> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<(), Unpackable> {
        let _ = write!(self.0.text, "{v}");
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), Unpackable> {
        self.0.json(&v);
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> Result<(), Unpackable> {
        self.0.json(&v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Unpackable> {
        self.0.json(&v);
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Unpackable> {
        self.0.json(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Unpackable> {
        self.collect_seq(v)
    }
    fn serialize_none(self) -> Result<(), Unpackable> {
        self.0.text.push_str("null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Unpackable> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Unpackable> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Unpackable> {
        self.serialize_none()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Unpackable> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Unpackable> {
        value.serialize(self)
    }
    // The reader takes an enum's content as plain JSON (`unpack`): such values are not packed.
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _value: &T,
    ) -> Result<(), Unpackable> {
        Err(Unpackable(format!("newtype variant {variant}")))
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Seq<'a>, Unpackable> {
        let start = self.0.numbers.len();
        Ok(Seq {
            out: self.0,
            start,
            mixed: None,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'a>, Unpackable> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Seq<'a>, Unpackable> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Unpackable> {
        Err(Unpackable(format!("tuple variant {variant}")))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Object<'a>, Unpackable> {
        self.0.text.push('{');
        Ok(Object {
            out: self.0,
            first: true,
        })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Object<'a>, Unpackable> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Unpackable> {
        Err(Unpackable(format!("struct variant {variant}")))
    }
}

/// An array being written: its numbers go to the buffer for as long as it holds nothing else.
struct Seq<'a> {
    out: &'a mut Out,
    /// Where its numbers start in the buffer.
    start: usize,
    /// Once something other than an exact number came: whether an element has been written.
    mixed: Option<bool>,
}

impl Seq<'_> {
    /// Something other than an exact number comes: the numbers so far go back into the text.
    fn become_mixed(&mut self) {
        self.out.text.push('[');
        let numbers = self.out.numbers.split_off(self.start);
        for (i, &number) in numbers.iter().enumerate() {
            if i > 0 {
                self.out.text.push(',');
            }
            self.out.number_text(number);
        }
        self.mixed = Some(!numbers.is_empty());
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unpackable> {
        if self.mixed.is_none() {
            if let Some(number) = exact_number(value) {
                self.out.numbers.push(number);
                return Ok(());
            }
            self.become_mixed();
        }
        if self.mixed == Some(true) {
            self.out.text.push(',');
        }
        self.mixed = Some(true);
        value.serialize(Writer(&mut *self.out))
    }

    fn finish(self) -> Result<(), Unpackable> {
        match self.mixed {
            Some(_) => self.out.text.push(']'),
            None if self.out.numbers.len() == self.start => self.out.text.push_str("[]"),
            None => {
                let count = self.out.numbers.len() - self.start;
                let _ = write!(self.out.text, "{{\"\\u0000\":[{},{count}]}}", self.start);
            }
        }
        Ok(())
    }
}

/// `value` as an `f64` if it is a number that one holds exactly, without writing anything.
fn exact_number<T: Serialize + ?Sized>(value: &T) -> Option<f64> {
    value.serialize(NumberProbe).ok()
}

/// Serializer methods that refuse what they are given: anything but a number.
macro_rules! refuse {
    ($($method:ident($($arg:ident: $type:ty),*) -> $output:ty;)*) => {
        $(fn $method(self, $($arg: $type),*) -> Result<$output, Unpackable> {
            Err(not_a_number())
        })*
    };
}

/// A serializer that accepts only numbers an `f64` holds exactly, and returns them.
struct NumberProbe;

impl Serializer for NumberProbe {
    type Ok = f64;
    type Error = Unpackable;
    type SerializeSeq = ser::Impossible<f64, Unpackable>;
    type SerializeTuple = ser::Impossible<f64, Unpackable>;
    type SerializeTupleStruct = ser::Impossible<f64, Unpackable>;
    type SerializeTupleVariant = ser::Impossible<f64, Unpackable>;
    type SerializeMap = ser::Impossible<f64, Unpackable>;
    type SerializeStruct = ser::Impossible<f64, Unpackable>;
    type SerializeStructVariant = ser::Impossible<f64, Unpackable>;

    fn serialize_i8(self, v: i8) -> Result<f64, Unpackable> {
        Ok(f64::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<f64, Unpackable> {
        Ok(f64::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<f64, Unpackable> {
        Ok(f64::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<f64, Unpackable> {
        let number = v as f64;
        if number.abs() <= EXACT_INTEGERS {
            Ok(number)
        } else {
            Err(Unpackable("not exact".into()))
        }
    }
    fn serialize_u8(self, v: u8) -> Result<f64, Unpackable> {
        Ok(f64::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<f64, Unpackable> {
        Ok(f64::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<f64, Unpackable> {
        Ok(f64::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<f64, Unpackable> {
        let number = v as f64;
        if number <= EXACT_INTEGERS {
            Ok(number)
        } else {
            Err(Unpackable("not exact".into()))
        }
    }
    fn serialize_f32(self, v: f32) -> Result<f64, Unpackable> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<f64, Unpackable> {
        // JSON writes what is not finite as null: that stays in the text.
        if v.is_finite() {
            Ok(v)
        } else {
            Err(Unpackable("not finite".into()))
        }
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<f64, Unpackable> {
        Err(not_a_number())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _value: &T,
    ) -> Result<f64, Unpackable> {
        Err(not_a_number())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<f64, Unpackable> {
        Err(not_a_number())
    }
    refuse! {
        serialize_bool(_v: bool) -> f64;
        serialize_char(_v: char) -> f64;
        serialize_str(_v: &str) -> f64;
        serialize_bytes(_v: &[u8]) -> f64;
        serialize_none() -> f64;
        serialize_unit() -> f64;
        serialize_unit_struct(_name: &'static str) -> f64;
        serialize_unit_variant(_name: &'static str, _index: u32, _variant: &'static str) -> f64;
        serialize_seq(_len: Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(_len: usize) -> Self::SerializeTuple;
        serialize_tuple_struct(_name: &'static str, _len: usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(
            _name: &'static str,
            _index: u32,
            _variant: &'static str,
            _len: usize
        ) -> Self::SerializeTupleVariant;
        serialize_map(_len: Option<usize>) -> Self::SerializeMap;
        serialize_struct(_name: &'static str, _len: usize) -> Self::SerializeStruct;
        serialize_struct_variant(
            _name: &'static str,
            _index: u32,
            _variant: &'static str,
            _len: usize
        ) -> Self::SerializeStructVariant;
    }
}

fn not_a_number() -> Unpackable {
    Unpackable("not a number".into())
}

/// The array kinds serde has, all written by [`Seq`].
macro_rules! written_as_seq {
    ($($kind:ident::$method:ident),*) => {
        $(impl ser::$kind for Seq<'_> {
            type Ok = ();
            type Error = Unpackable;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unpackable> {
                self.element(value)
            }
            fn end(self) -> Result<(), Unpackable> {
                self.finish()
            }
        })*
    };
}

written_as_seq!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

/// An object being written (a map or a struct).
struct Object<'a> {
    out: &'a mut Out,
    first: bool,
}

impl Object<'_> {
    fn key(&mut self, key: &str) {
        if !std::mem::take(&mut self.first) {
            self.out.text.push(',');
        }
        if key == MARKER {
            self.out.nul_key = true;
        }
        self.out.json(key);
        self.out.text.push(':');
    }
}

impl ser::SerializeMap for Object<'_> {
    type Ok = ();
    type Error = Unpackable;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unpackable> {
        // Keys are written as JSON writes them (a number key in quotes).
        let text = crate::json::to_compact(key);
        let key: String = match serde_json::from_str::<Value>(&text) {
            Ok(Value::String(s)) => s,
            Ok(Value::Number(n)) => n.to_string(),
            Ok(Value::Bool(b)) => b.to_string(),
            _ => return Err(Unpackable("a key that is not a string".into())),
        };
        self.key(&key);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unpackable> {
        value.serialize(Writer(&mut *self.out))
    }
    fn end(self) -> Result<(), Unpackable> {
        self.out.text.push('}');
        Ok(())
    }
}

impl ser::SerializeStruct for Object<'_> {
    type Ok = ();
    type Error = Unpackable;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Unpackable> {
        self.key(key);
        value.serialize(Writer(&mut *self.out))
    }
    fn end(self) -> Result<(), Unpackable> {
        self.out.text.push('}');
        Ok(())
    }
}

/// Reads back a value that [`pack`] packed: read from the structure's text as it goes (no tree
/// of it is built), each marked array read from the buffer.
pub fn unpack<T: DeserializeOwned>(structure: &str, numbers: &[f64]) -> Result<T, String> {
    let read = Cell::new(0);
    let mut text = serde_json::Deserializer::from_str(structure);
    let value = T::deserialize(Stream {
        de: &mut text,
        apart: Apart {
            numbers,
            read: &read,
        },
    })
    .map_err(|e| e.to_string())?;
    text.end().map_err(|e| e.to_string())?;
    if read.get() != numbers.len() {
        return Err(format!(
            "{} numbers were sent and {} read",
            numbers.len(),
            read.get()
        ));
    }
    Ok(value)
}

/// The numbers apart, and how many of them the marked arrays read so far took.
#[derive(Clone, Copy)]
struct Apart<'a> {
    numbers: &'a [f64],
    read: &'a Cell<usize>,
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
struct Stream<'a, D> {
    de: D,
    apart: Apart<'a>,
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;

    use super::*;
    use crate::series::{EdgeSeries, NodeSeries, Series};

    fn round_trip<T: Serialize + DeserializeOwned>(value: &T) -> (Packed, T) {
        let packed = pack(value);
        let back = unpack(&packed.structure, &packed.numbers).expect("unpacks");
        (packed, back)
    }

    fn series() -> Series {
        let mut nodes = BTreeMap::new();
        nodes.insert(
            "api".to_string(),
            NodeSeries {
                arrivals: vec![3, 0, 12],
                completions: vec![2, 1, 11],
                utilisation: vec![0.1, 1.0, 0.333_333_333_333_333_3],
                queue_length: vec![0.0, -0.0, 2.5],
                shard_queries: vec![vec![1, 2], vec![], vec![7, 8]],
                hit_ratio: Vec::new(),
                ..NodeSeries::default()
            },
        );
        let mut edges = BTreeMap::new();
        edges.insert(
            "api->db".to_string(),
            EdgeSeries {
                calls: vec![5, 6, u64::MAX],
                retries: vec![1, 0, 0],
                ..EdgeSeries::default()
            },
        );
        Series {
            bucket_ms: 250.0,
            t_ms: vec![0.0, 250.0, 500.0],
            arrivals: vec![10, 20, 30],
            nodes,
            edges,
            breaker_state: BTreeMap::from([("api->db".to_string(), vec![0, 2, 1])]),
            failed_by_cause: BTreeMap::from([("timeout".to_string(), vec![0, 0, 4])]),
            ..Series::default()
        }
    }

    #[test]
    fn a_series_comes_back_exactly_with_its_numbers_apart() {
        let series = series();
        let (packed, back) = round_trip(&series);
        assert_eq!(back, series);
        assert_eq!(
            crate::json::to_compact(&back),
            crate::json::to_compact(&series)
        );
        // The numbers left the text: what stays is structure (and the one array that an f64
        // cannot hold exactly, u64::MAX's).
        assert!(!packed.structure.contains("0.3333"));
        assert!(packed.structure.contains("18446744073709551615"));
        assert!(packed.numbers.contains(&0.333_333_333_333_333_3));
    }

    #[test]
    fn negative_zero_keeps_its_sign_and_fractions_their_bits() {
        let values = vec![-0.0, 0.1 + 0.2, 1e-300, -1.5e300, f64::MIN_POSITIVE, 3.0];
        let (packed, back): (_, Vec<f64>) = round_trip(&values);
        assert_eq!(packed.numbers.len(), values.len());
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&back), bits(&values));
    }

    #[test]
    fn text_that_looks_like_numbers_inside_strings_is_left_alone() {
        #[derive(Serialize, Deserialize, Debug, PartialEq)]
        struct Labelled {
            label: String,
            quoted: String,
            values: Vec<i64>,
            maybe: Option<Vec<u8>>,
            none: Option<u32>,
            nested: Vec<Vec<f64>>,
            gaps: Vec<Option<f64>>,
            huge: Vec<i64>,
        }
        let value = Labelled {
            label: "[1,2,3] and ]".to_string(),
            quoted: "say \"[4]\" \\".to_string(),
            values: vec![-3, 0, 9],
            maybe: Some(vec![1, 255]),
            none: None,
            nested: vec![vec![1.5], vec![], vec![2.0, 3.25]],
            gaps: vec![Some(-0.0), Some(0.5), None, Some(2.0)],
            huge: vec![1, i64::MIN],
        };
        let (packed, back) = round_trip(&value);
        assert_eq!(back, value);
        assert!(packed.structure.contains(r#""[1,2,3] and ]""#));
        assert_eq!(
            packed.numbers,
            vec![-3.0, 0.0, 9.0, 1.0, 255.0, 1.5, 2.0, 3.25]
        );
        // An array with anything but exact numbers stays text, every element of it.
        assert!(
            packed.structure.contains(r#""gaps":[-0.0,0.5,null,2.0]"#),
            "{}",
            packed.structure
        );
        assert!(
            packed
                .structure
                .contains(r#""huge":[1,-9223372036854775808]"#)
        );
        assert_eq!(back.gaps[0].map(f64::to_bits), Some((-0.0f64).to_bits()));
    }

    #[test]
    fn a_key_like_the_marker_leaves_everything_in_the_text() {
        let value = BTreeMap::from([("\u{0}".to_string(), vec![1u32, 2])]);
        let (packed, back) = round_trip(&value);
        assert!(packed.numbers.is_empty());
        assert_eq!(back, value);
    }

    #[test]
    fn a_structure_and_buffer_that_disagree_are_refused() {
        let packed = pack(&series());
        let short = &packed.numbers[..packed.numbers.len() - 1];
        assert!(unpack::<Series>(&packed.structure, short).is_err());
        let mut long = packed.numbers.clone();
        long.push(1.0);
        assert!(unpack::<Series>(&packed.structure, &long).is_err());
    }
}
