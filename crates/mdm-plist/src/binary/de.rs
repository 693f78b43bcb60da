//! The fast path of serde decoding for binary property lists.
//!
//! The generic deserializer (`crate::de`) reads the checked event stream that both
//! formats share. For a binary document that stream is mostly overhead: the object table
//! already says where every container starts and ends, so nesting cannot go wrong, and
//! the events only carry what the object could hand the visitor directly. This module
//! walks the object graph and calls the visitor straight from each object.
//!
//! It makes every check that decides whether the generic path succeeds (depth, node and
//! byte budgets, cycles, string keys, duplicate keys, UTF-8, the whole document read or
//! skipped) but reports none of them well: any error, its own or a visitor's, only says
//! that the fast path gave up, and once one has been returned it cannot succeed any more,
//! even if a visitor swallows the error and carries on (the generic path may then be
//! left mid-container, which this path does not copy). The caller then decodes the
//! document again on the generic path, whose result is the one returned, error offset
//! and key path included. So the rule this module keeps is one-sided: whenever it
//! succeeds, the generic path succeeds with the same value (the fuzz target
//! `serde_typed` checks exactly that). Well-formed documents, the ones worth being fast
//! for, are decoded once.
//!
//! Visitors recurse, here as on the generic path; so does skipping an unread value here,
//! which is why the fast path is only taken for depth limits up to [`MAX_FAST_DEPTH`].

use std::borrow::Cow;
use std::collections::HashSet;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use super::BinarySource;
use super::read::Object;
use crate::de::{KeyDeserializer, Magic, MagicMap, UnitVariant};
use crate::events::Event;
use crate::{Error, ErrorKind, ReadOptions, Result, magic};

/// The deepest depth limit the fast path accepts (the default): it skips unread values
/// by recursion, which the generic path does not.
pub(crate) const MAX_FAST_DEPTH: usize = ReadOptions::DEFAULT_MAX_DEPTH;

/// Dictionaries with more keys than this check duplicates through a hash set.
const LINEAR_KEYS: usize = 8;

/// Decodes `bytes`, a binary property list, into `T` on the fast path. An error only
/// means "decode it on the generic path"; see the module docs.
pub(crate) fn from_slice<'de, T: de::Deserialize<'de>>(
    bytes: &'de [u8],
    options: &ReadOptions,
) -> Result<T> {
    if options.max_depth > MAX_FAST_DEPTH {
        return Err(give_up());
    }
    let source = BinarySource::new(bytes, options)?;
    let mut de = Fast {
        pending: Some(source.top_object),
        source,
        max_depth: options.max_depth,
        depth: 0,
        nodes_left: options.max_nodes,
        bytes_left: options.max_expanded_bytes,
        variant_read: false,
        peeked: false,
        failed: false,
    };
    // Returned as it is, not unwrapped and wrapped again: a large `T` is not copied.
    let result = T::deserialize(&mut de);
    if result.is_ok() {
        de.skip_pending()?;
        // A visitor may swallow an error it was handed and carry on; the generic path is
        // then in a state this one does not copy, so only it may decide.
        if de.failed {
            return Err(give_up());
        }
    }
    result
}

/// The one error of the fast path.
#[cold]
#[inline(never)]
fn give_up() -> Error {
    Error::new(ErrorKind::Custom, "the binary fast path gave up")
}

/// The deserializer: the object table and the budgets.
struct Fast<'a> {
    source: BinarySource<'a>,
    /// The object the next `deserialize_*` call reads.
    pending: Option<usize>,
    max_depth: usize,
    /// Containers open on the current path.
    depth: usize,
    nodes_left: usize,
    bytes_left: usize,
    /// Set by each method of [`VariantAccess`], so that an enum whose variant content was
    /// never read is noticed.
    variant_read: bool,
    /// Whether `pending` was looked at by `deserialize_option` or a newtype struct, as the
    /// generic path reads ahead there: a value its visitor then leaves unread is skipped.
    /// A map value or newtype variant nobody looked at fails on the generic path instead.
    peeked: bool,
    /// Set whenever an error leaves the deserializer or one of its accessors: a visitor
    /// that swallows it must not make the fast path succeed.
    failed: bool,
}

/// One object, read.
enum Loaded<'a> {
    Scalar(Event<'a>),
    Container(Container),
}

/// An open container: where its references start and how many entries it has.
#[derive(Clone, Copy)]
struct Container {
    object: usize,
    is_dictionary: bool,
    len: usize,
    refs: usize,
}

impl<'a> Fast<'a> {
    /// Runs one request of a visitor, noting whether it failed.
    #[inline(always)]
    fn guarded<T>(&mut self, request: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        // After a failure the pass is over: every later request fails alike, as on a
        // broken stream of the generic path, so no visitor sees reads out of step.
        if self.failed {
            return Err(give_up());
        }
        let result = request(self);
        self.noted(result)
    }

    /// Notes a result that goes back to a visitor.
    #[inline(always)]
    fn noted<T>(&mut self, result: Result<T>) -> Result<T> {
        if result.is_err() {
            self.failed = true;
        }
        result
    }

    /// Makes `object` the next value to read, not yet looked at.
    #[inline]
    fn set_pending(&mut self, object: usize) {
        self.pending = Some(object);
        self.peeked = false;
    }

    /// After a map value or newtype variant was read: one that its seed never looked at
    /// is left in the generic path's event stream, where it fails; one looked at and left
    /// unread is checked and skipped.
    #[inline]
    fn finish_value(&mut self) -> Result<()> {
        if self.pending.is_some() && !self.peeked {
            return Err(give_up());
        }
        self.skip_pending()
    }

    /// The pending object; asking twice is a visitor breaking serde's calling rules.
    #[inline]
    fn take(&mut self) -> Result<usize> {
        self.pending.take().ok_or_else(give_up)
    }

    /// Spends one node and `bytes` bytes of the budgets.
    #[inline]
    fn spend(&mut self, bytes: usize) -> Result<()> {
        match (
            self.nodes_left.checked_sub(1),
            self.bytes_left.checked_sub(bytes),
        ) {
            (Some(nodes), Some(left)) => {
                self.nodes_left = nodes;
                self.bytes_left = left;
                Ok(())
            }
            _ => Err(give_up()),
        }
    }

    /// Reads object `object` and spends its share of the budgets. A container is
    /// opened: the depth limit and the cycle check apply, and [`Self::close`] must follow.
    #[inline]
    fn load(&mut self, object: usize) -> Result<Loaded<'a>> {
        let at = self.source.object_offset(object)?;
        match self.source.object(at)? {
            Object::Scalar(event) => {
                let payload = match &event {
                    Event::String(text) => text.len(),
                    Event::Data(data) => data.len(),
                    _ => 0,
                };
                self.spend(payload)?;
                Ok(Loaded::Scalar(event))
            }
            Object::Container {
                is_dictionary,
                len,
                refs,
            } => {
                self.spend(0)?;
                if self.depth >= self.max_depth || self.source.is_open(object) {
                    return Err(give_up());
                }
                self.source.set_open(object, true);
                self.depth = self.depth.saturating_add(1);
                Ok(Loaded::Container(Container {
                    object,
                    is_dictionary,
                    len,
                    refs,
                }))
            }
        }
    }

    #[inline]
    fn close(&mut self, container: Container) {
        self.source.set_open(container.object, false);
        self.depth = self.depth.saturating_sub(1);
    }

    /// The object referenced from slot `slot` of `container` (for a dictionary, keys
    /// are slots `0..len`, values `len..2 * len`).
    #[inline]
    fn child(&self, container: &Container, slot: usize) -> Result<usize> {
        // Saturated, the position is past the object area, which `read_ref` refuses.
        let at = slot
            .saturating_mul(self.source.ref_size)
            .saturating_add(container.refs);
        self.source.read_ref(at)
    }

    /// Reads key `index` of `dictionary`: a string, new in `seen`, paid for.
    #[inline]
    fn key(
        &mut self,
        dictionary: &Container,
        index: usize,
        seen: &mut SeenKeys<'a>,
    ) -> Result<&'a str> {
        let object = self.child(dictionary, index)?;
        let key = match self.source.plain_key(object) {
            Some(key) => key,
            None => match self.source.key(object)? {
                Event::Key(Cow::Borrowed(key)) => key,
                // Keys decoded from UTF-16 are owned; rare enough to leave to the generic
                // path.
                _ => return Err(give_up()),
            },
        };
        self.spend(key.len())?;
        if !seen.insert(key) {
            return Err(give_up());
        }
        Ok(key)
    }

    /// Checks the value a visitor left unread, as the generic path does.
    #[inline]
    fn skip_pending(&mut self) -> Result<()> {
        match self.pending.take() {
            Some(object) => self.skip(object),
            None => Ok(()),
        }
    }

    /// Reads and checks object `object` and everything in it, keeping nothing.
    fn skip(&mut self, object: usize) -> Result<()> {
        let Loaded::Container(container) = self.load(object)? else {
            return Ok(());
        };
        let mut seen = SeenKeys::new();
        for index in 0..container.len {
            if container.is_dictionary {
                self.key(&container, index, &mut seen)?;
                let slot = container.len.checked_add(index).ok_or_else(give_up)?;
                let value = self.child(&container, slot)?;
                self.skip(value)?;
            } else {
                let item = self.child(&container, index)?;
                self.skip(item)?;
            }
        }
        self.close(container);
        Ok(())
    }

    /// Reads the pending object for a typed request.
    #[inline]
    fn next(&mut self) -> Result<Loaded<'a>> {
        let object = self.take()?;
        self.load(object)
    }

    /// `deserialize_any` on a loaded object.
    #[inline]
    fn visit_loaded<V: Visitor<'a>>(&mut self, loaded: Loaded<'a>, visitor: V) -> Result<V::Value> {
        match loaded {
            Loaded::Scalar(event) => visit_scalar(event, visitor),
            Loaded::Container(container) if container.is_dictionary => {
                self.visit_dictionary(container, visitor)
            }
            Loaded::Container(container) => self.visit_array(container, visitor),
        }
    }

    /// A typed request: a date or a UID is a type error (only `deserialize_any` offers
    /// them, as magic maps).
    #[inline]
    fn visit_typed<V: Visitor<'a>>(&mut self, loaded: Loaded<'a>, visitor: V) -> Result<V::Value> {
        match loaded {
            Loaded::Scalar(Event::Date(_) | Event::Uid(_)) => Err(give_up()),
            loaded => self.visit_loaded(loaded, visitor),
        }
    }

    fn visit_dictionary<V: Visitor<'a>>(
        &mut self,
        container: Container,
        visitor: V,
    ) -> Result<V::Value> {
        let mut access = MapAccess {
            de: &mut *self,
            container,
            next: 0,
            value_due: false,
            done: false,
            seen: SeenKeys::new(),
        };
        let result = visitor.visit_map(&mut access);
        // As on the generic path, the visitor must have been told that the entries ended.
        if result.is_ok() && !access.done {
            return Err(give_up());
        }
        self.close(container);
        result
    }

    fn visit_array<V: Visitor<'a>>(
        &mut self,
        container: Container,
        visitor: V,
    ) -> Result<V::Value> {
        let mut access = SeqAccess {
            de: &mut *self,
            container,
            next: 0,
        };
        let result = visitor.visit_seq(&mut access);
        if result.is_ok() && access.next < container.len {
            return Err(give_up());
        }
        self.close(container);
        result
    }

    /// Data asked for as a sequence is its bytes; anything else as usual.
    fn visit_sequence<V: Visitor<'a>>(&mut self, visitor: V) -> Result<V::Value> {
        match self.next()? {
            Loaded::Scalar(Event::Data(bytes)) => {
                let mut seq = de::value::SeqDeserializer::<_, Error>::new(bytes.iter().copied());
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            loaded => self.visit_typed(loaded, visitor),
        }
    }

    /// An empty dictionary or array is `()`.
    fn visit_unit<V: Visitor<'a>>(&mut self, visitor: V) -> Result<V::Value> {
        match self.next()? {
            Loaded::Container(container) if container.len == 0 => {
                self.close(container);
                visitor.visit_unit()
            }
            Loaded::Container(_) => Err(give_up()),
            loaded => self.visit_typed(loaded, visitor),
        }
    }
}

/// A scalar as the visitor call that fits it, as `deserialize_any` makes it.
#[inline]
fn visit_scalar<'a, V: Visitor<'a>>(event: Event<'a>, visitor: V) -> Result<V::Value> {
    match event {
        Event::String(Cow::Borrowed(s)) => visitor.visit_borrowed_str(s),
        Event::String(Cow::Owned(s)) => visitor.visit_string(s),
        Event::Integer(i) => match i.as_u64() {
            Some(u) => visitor.visit_u64(u),
            None => match i.as_i64() {
                Some(n) => visitor.visit_i64(n),
                None => visitor.visit_i128(i.as_i128()),
            },
        },
        Event::Real(r) => visitor.visit_f64(r),
        Event::Boolean(b) => visitor.visit_bool(b),
        Event::Data(Cow::Borrowed(d)) => visitor.visit_borrowed_bytes(d),
        Event::Data(Cow::Owned(d)) => visitor.visit_byte_buf(d),
        Event::Date(d) => visitor.visit_map(MagicMap::new(magic::DATE, Magic::Date(d))),
        Event::Uid(u) => visitor.visit_map(MagicMap::new(magic::UID, Magic::Uid(u))),
        Event::StartDictionary(_)
        | Event::StartArray(_)
        | Event::EndDictionary
        | Event::EndArray
        | Event::Key(_) => Err(give_up()),
    }
}

/// The keys of one dictionary read so far, for the duplicate check: a short list, then a
/// hash set.
struct SeenKeys<'a> {
    list: [&'a str; LINEAR_KEYS],
    len: usize,
    set: Option<HashSet<&'a str>>,
}

impl<'a> SeenKeys<'a> {
    #[inline]
    fn new() -> Self {
        Self {
            list: [""; LINEAR_KEYS],
            len: 0,
            set: None,
        }
    }

    /// Adds `key`; false if it was there already.
    #[inline]
    fn insert(&mut self, key: &'a str) -> bool {
        if let Some(set) = &mut self.set {
            return set.insert(key);
        }
        let list = self.list.get(..self.len).unwrap_or_default();
        if list.contains(&key) {
            return false;
        }
        match self.list.get_mut(self.len) {
            Some(slot) => {
                *slot = key;
                self.len = self.len.saturating_add(1);
            }
            None => {
                let mut set: HashSet<&'a str> = self.list.iter().copied().collect();
                set.insert(key);
                self.set = Some(set);
            }
        }
        true
    }
}

/// Typed integer requests, with the range checked here as on the generic path.
macro_rules! deserialize_integer {
    ($($method:ident => $visit:ident, $ty:ty, $wide:ident;)*) => {$(
        #[inline]
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            self.guarded(|de| match de.next()? {
                Loaded::Scalar(Event::Integer(i)) => {
                    match i.$wide().and_then(|w| <$ty>::try_from(w).ok()) {
                        Some(v) => visitor.$visit(v),
                        None => Err(give_up()),
                    }
                }
                loaded => de.visit_typed(loaded, visitor),
            })
        }
    )*};
}

/// Requests that read the pending object and visit it as `deserialize_any` would, with
/// dates and UIDs as type errors.
macro_rules! deserialize_typed {
    ($($method:ident;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            self.guarded(|de| {
                let loaded = de.next()?;
                de.visit_typed(loaded, visitor)
            })
        }
    )*};
}

// Every method runs through `guarded`, so that an error a visitor swallows is still
// noticed (see `Fast::failed`).
impl<'de> de::Deserializer<'de> for &mut Fast<'de> {
    type Error = Error;

    #[inline]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.guarded(|de| {
            let loaded = de.next()?;
            de.visit_loaded(loaded, visitor)
        })
    }

    deserialize_integer! {
        deserialize_i8 => visit_i8, i8, as_i64;
        deserialize_i16 => visit_i16, i16, as_i64;
        deserialize_i32 => visit_i32, i32, as_i64;
        deserialize_i64 => visit_i64, i64, as_i64;
        deserialize_u8 => visit_u8, u8, as_u64;
        deserialize_u16 => visit_u16, u16, as_u64;
        deserialize_u32 => visit_u32, u32, as_u64;
        deserialize_u64 => visit_u64, u64, as_u64;
    }

    deserialize_typed! {
        deserialize_bool;
        deserialize_f32;
        deserialize_f64;
        deserialize_char;
        deserialize_bytes;
        deserialize_byte_buf;
        deserialize_map;
        deserialize_identifier;
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.guarded(|de| match de.next()? {
            Loaded::Scalar(Event::Integer(i)) => visitor.visit_i128(i.as_i128()),
            loaded => de.visit_typed(loaded, visitor),
        })
    }

    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.guarded(|de| match de.next()? {
            Loaded::Scalar(Event::Integer(i)) => match i.as_u64() {
                Some(u) => visitor.visit_u128(u128::from(u)),
                None => Err(give_up()),
            },
            loaded => de.visit_typed(loaded, visitor),
        })
    }

    /// Only a string is a string: data and dates are type errors.
    #[inline]
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.guarded(|de| {
            let object = de.take()?;
            // Most strings are short ASCII: straight to the visitor.
            if let Some((_, text)) = de.source.plain_string_object(object) {
                de.spend(text.len())?;
                return visitor.visit_borrowed_str(text);
            }
            match de.load(object)? {
                Loaded::Scalar(Event::Data(_) | Event::Date(_)) => Err(give_up()),
                loaded => de.visit_typed(loaded, visitor),
            }
        })
    }

    #[inline]
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    /// A value that is there is `Some`; if the visitor leaves it unread, whoever asked
    /// for it checks it afterwards.
    #[inline]
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.guarded(|de| {
            if de.pending.is_none() {
                return Err(give_up());
            }
            de.peeked = true;
            visitor.visit_some(de)
        })
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.guarded(|de| de.visit_unit(visitor))
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.guarded(|de| de.visit_unit(visitor))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.guarded(|de| {
            if name == magic::DATE || name == magic::UID {
                return match de.next()? {
                    Loaded::Scalar(Event::Date(d)) if name == magic::DATE => {
                        visitor.visit_newtype_struct(d.apple_seconds().into_deserializer())
                    }
                    Loaded::Scalar(Event::Uid(u)) if name == magic::UID => {
                        visitor.visit_newtype_struct(u.get().into_deserializer())
                    }
                    loaded => de.visit_typed(loaded, visitor),
                };
            }
            if de.pending.is_none() {
                return Err(give_up());
            }
            de.peeked = true;
            visitor.visit_newtype_struct(de)
        })
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.guarded(|de| de.visit_sequence(visitor))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.guarded(|de| de.visit_sequence(visitor))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.guarded(|de| {
            let loaded = de.next()?;
            de.visit_typed(loaded, visitor)
        })
    }

    #[inline]
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.guarded(|de| {
            let loaded = de.next()?;
            de.visit_typed(loaded, visitor)
        })
    }

    /// A string is a unit variant; a one-key dictionary the variant its key names.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.guarded(|de| match de.next()? {
            Loaded::Scalar(Event::String(s)) => visitor.visit_enum(UnitVariant(s)),
            Loaded::Container(container) if container.is_dictionary && container.len == 1 => {
                de.variant_read = false;
                let value = visitor.visit_enum(VariantAccess {
                    de: &mut *de,
                    container,
                })?;
                if !de.variant_read {
                    return Err(give_up());
                }
                de.close(container);
                Ok(value)
            }
            _ => Err(give_up()),
        })
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.guarded(|de| {
            let object = de.take()?;
            de.skip(object)?;
            visitor.visit_unit()
        })
    }
}

/// The entries of a dictionary.
struct MapAccess<'d, 'a> {
    de: &'d mut Fast<'a>,
    container: Container,
    /// The next entry whose key is read.
    next: usize,
    /// A key was read; its value is next.
    value_due: bool,
    /// The visitor was told that there are no more entries.
    done: bool,
    seen: SeenKeys<'a>,
}

impl<'a> MapAccess<'_, 'a> {
    #[inline]
    fn key_seed<K: DeserializeSeed<'a>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if self.value_due {
            return Err(give_up());
        }
        if self.next >= self.container.len {
            self.done = true;
            return Ok(None);
        }
        let key = self.de.key(&self.container, self.next, &mut self.seen)?;
        self.value_due = true;
        seed.deserialize(KeyDeserializer(Cow::Borrowed(key)))
            .map(Some)
    }

    #[inline]
    fn value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> Result<V::Value> {
        if !self.value_due {
            return Err(give_up());
        }
        let slot = self
            .container
            .len
            .checked_add(self.next)
            .ok_or_else(give_up)?;
        let object = self.de.child(&self.container, slot)?;
        self.value_due = false;
        self.next = self.next.saturating_add(1);
        self.de.set_pending(object);
        let value = seed.deserialize(&mut *self.de)?;
        self.de.finish_value()?;
        Ok(value)
    }
}

impl<'de> de::MapAccess<'de> for MapAccess<'_, 'de> {
    type Error = Error;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if self.de.failed {
            return Err(give_up());
        }
        let result = self.key_seed(seed);
        self.de.noted(result)
    }

    #[inline]
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        if self.de.failed {
            return Err(give_up());
        }
        let result = self.value_seed(seed);
        self.de.noted(result)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.container.len)
    }
}

/// The items of an array.
struct SeqAccess<'d, 'a> {
    de: &'d mut Fast<'a>,
    container: Container,
    next: usize,
}

impl<'a> SeqAccess<'_, 'a> {
    #[inline]
    fn element_seed<T: DeserializeSeed<'a>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if self.next >= self.container.len {
            return Ok(None);
        }
        let object = self.de.child(&self.container, self.next)?;
        self.next = self.next.saturating_add(1);
        // The generic path reads each item ahead to find the array's end: an item its
        // seed leaves unread is skipped there, so here too.
        self.de.set_pending(object);
        self.de.peeked = true;
        let value = seed.deserialize(&mut *self.de)?;
        self.de.skip_pending()?;
        Ok(Some(value))
    }
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'_, 'de> {
    type Error = Error;

    #[inline]
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if self.de.failed {
            return Err(give_up());
        }
        let result = self.element_seed(seed);
        self.de.noted(result)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.container.len.saturating_sub(self.next))
    }
}

/// The variant of an enum written as a one-key dictionary.
struct VariantAccess<'d, 'a> {
    de: &'d mut Fast<'a>,
    container: Container,
}

impl<'de> de::EnumAccess<'de> for VariantAccess<'_, 'de> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<(T::Value, Self)> {
        if self.de.failed {
            return Err(give_up());
        }
        let read = (|| {
            let key = self.de.key(&self.container, 0, &mut SeenKeys::new())?;
            let variant = seed.deserialize(KeyDeserializer(Cow::Borrowed(key)))?;
            let value = self.de.child(&self.container, 1)?;
            self.de.set_pending(value);
            Ok(variant)
        })();
        match self.de.noted(read) {
            Ok(variant) => Ok((variant, self)),
            Err(e) => Err(e),
        }
    }
}

impl<'de> de::VariantAccess<'de> for VariantAccess<'_, 'de> {
    type Error = Error;

    /// The value under a unit variant's key carries nothing; it is checked and skipped.
    fn unit_variant(self) -> Result<()> {
        self.de.guarded(|de| {
            de.skip_pending()?;
            de.variant_read = true;
            Ok(())
        })
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        self.de.guarded(|de| {
            let value = seed.deserialize(&mut *de)?;
            de.finish_value()?;
            de.variant_read = true;
            Ok(value)
        })
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value> {
        self.de.guarded(|de| {
            let value = de::Deserializer::deserialize_tuple(&mut *de, len, visitor)?;
            de.variant_read = true;
            Ok(value)
        })
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.de.guarded(|de| {
            let value = de::Deserializer::deserialize_struct(&mut *de, "", fields, visitor)?;
            de.variant_read = true;
            Ok(value)
        })
    }
}
