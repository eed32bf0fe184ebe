//! [`super::pack`]'s writer: a serde `Serializer` that writes the structure's JSON and puts
//! the numbers of every array of exact numbers in the buffer.

use std::fmt::Write;

use serde::Serialize;
use serde::ser::{self, Serializer};

use super::{EXACT_INTEGERS, MARKER_KEY};

/// What [`pack`] writes: written straight from the value, no number is ever turned into text
/// and read back (that took a 200-node update 20–40 ms of the worker's time, natively).
#[derive(Default)]
pub(super) struct Out {
    pub(super) text: String,
    pub(super) numbers: Vec<f64>,
    /// A map had a key that is the marker's.
    pub(super) nul_key: bool,
}

impl Out {
    fn json<T: Serialize + ?Sized>(&mut self, value: &T) {
        self.text.push_str(&crate::json::to_compact(value));
    }

    /// A number of the buffer back as JSON text: a whole number with no point (it may have been
    /// an integer, and an integer field refuses `0.0`), -0.0 and fractions as serde_json
    /// writes them (exactly, -0.0 with its sign).
    fn number_text(&mut self, number: f64) {
        let negative_zero = number == 0.0 && number.is_sign_negative();
        if number.fract() == 0.0 && number.abs() <= EXACT_INTEGERS && !negative_zero {
            let _ = write!(self.text, "{}", number as i64);
        } else {
            self.json(&number);
        }
    }
}

/// Why a value could not be packed (a shape JSON has no words for).
#[derive(Debug)]
pub(super) struct Unpackable(String);

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
pub(super) struct Writer<'a>(pub(super) &'a mut Out);

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
pub(super) struct Seq<'a> {
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
pub(super) struct Object<'a> {
    out: &'a mut Out,
    first: bool,
}

impl Object<'_> {
    /// Writes a key, given as JSON text in quotes.
    fn key(&mut self, quoted: &str) {
        if !std::mem::take(&mut self.first) {
            self.out.text.push(',');
        }
        if quoted == MARKER_KEY {
            self.out.nul_key = true;
        }
        self.out.text.push_str(quoted);
        self.out.text.push(':');
    }
}

impl ser::SerializeMap for Object<'_> {
    type Ok = ();
    type Error = Unpackable;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unpackable> {
        // Keys are written as JSON writes them: a string as it is, a number or a bool in quotes.
        let text = crate::json::to_compact(key);
        match text.as_bytes().first() {
            Some(b'"') => self.key(&text),
            Some(b'-' | b'0'..=b'9' | b't' | b'f') => self.key(&format!("\"{text}\"")),
            _ => return Err(Unpackable("a key that is not a string".into())),
        }
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
        self.key(&crate::json::to_compact(key));
        value.serialize(Writer(&mut *self.out))
    }
    fn end(self) -> Result<(), Unpackable> {
        self.out.text.push('}');
        Ok(())
    }
}
