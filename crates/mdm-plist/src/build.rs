//! Building a [`Value`] from events, and replaying a [`Value`] as events.

use std::borrow::Cow;

use crate::events::{Event, Parser, Source};
use crate::value::Key;
use crate::{Array, Dictionary, Error, ErrorKind, Result, Value};

/// An open container while building: where its children start on the scratch stacks.
struct Open {
    is_dictionary: bool,
    /// Where the container's children start on `items` (arrays) or `entries` (dictionaries).
    start: usize,
    /// Dictionaries: the key whose value is being read.
    key: Option<Key>,
}

/// How many distinct keys [`KeyCache`] remembers.
const KEY_CACHE_SIZE: usize = 32;

/// Shares equal keys borrowed from the input, so that a document with thousands of
/// dictionaries of the same shape stores each key once. It holds the first few distinct
/// keys it sees; a short scan beats hashing for the small key sets of MDM messages.
#[derive(Default)]
pub(crate) struct KeyCache<'a> {
    keys: Vec<(&'a str, Key)>,
    /// The slot after the last hit: dictionaries of one shape list their keys in the same
    /// order, so the next key is most often there.
    guess: usize,
}

impl<'a> KeyCache<'a> {
    pub(crate) fn get(&mut self, key: Cow<'a, str>) -> Key {
        let Cow::Borrowed(text) = key else {
            return Key::from(key.into_owned());
        };
        // The binary reader hands out the same slice for every use of one key object, so
        // an equal address and length settle it without comparing bytes.
        let same = |k: &&str| {
            k.len() == text.len() && (std::ptr::eq(k.as_ptr(), text.as_ptr()) || *k == text)
        };
        if let Some((k, shared)) = self.keys.get(self.guess)
            && same(k)
        {
            let shared = Key::clone(shared);
            self.guess = self.guess.saturating_add(1);
            return shared;
        }
        if let Some(i) = self.keys.iter().position(|(k, _)| same(k))
            && let Some((_, shared)) = self.keys.get(i)
        {
            self.guess = i.saturating_add(1);
            return Key::clone(shared);
        }
        let shared = Key::from(text);
        if self.keys.len() < KEY_CACHE_SIZE {
            self.keys.push((text, Key::clone(&shared)));
            self.guess = self.keys.len();
        }
        shared
    }
}

/// The most children a container's declared length reserves room for on the scratch
/// stacks ahead of reading them (2 MiB of array items): a hostile length costs no more.
pub(crate) const MAX_RESERVE: usize = 1 << 16;

/// Reads one whole document into a [`Value`], without recursion.
///
/// Children are collected on scratch stacks shared by all levels (array items on one,
/// dictionary entries on the other) and moved into a container of exactly the right size
/// when it closes: one allocation per container, and no spare capacity.
pub(crate) fn build<'a, S: Source<'a>>(parser: &mut Parser<'a, S>) -> Result<Value> {
    let mut open: Vec<Open> = Vec::new();
    let mut items: Vec<Value> = Vec::new();
    let mut entries: Vec<(Key, Value)> = Vec::new();
    let mut cache = KeyCache::default();
    loop {
        let value = match parser.next()? {
            Event::StartDictionary(len) => {
                entries.reserve(len.unwrap_or(0).min(MAX_RESERVE));
                open.push(Open {
                    is_dictionary: true,
                    start: entries.len(),
                    key: None,
                });
                continue;
            }
            Event::StartArray(len) => {
                items.reserve(len.unwrap_or(0).min(MAX_RESERVE));
                open.push(Open {
                    is_dictionary: false,
                    start: items.len(),
                    key: None,
                });
                continue;
            }
            Event::Key(key) => {
                if let Some(frame) = open.last_mut() {
                    frame.key = Some(cache.get(key));
                }
                continue;
            }
            Event::EndDictionary | Event::EndArray => {
                let Some(frame) = open.pop() else {
                    return Err(parser.annotate(internal("unbalanced end")));
                };
                if frame.is_dictionary {
                    let children = entries.split_off(frame.start);
                    Value::Dictionary(make_dictionary(children, parser.keeps_duplicates()))
                } else {
                    Value::Array(Array::from(items.split_off(frame.start)))
                }
            }
            Event::String(s) => Value::String(s.into_owned()),
            Event::Integer(i) => Value::Integer(i),
            Event::Real(r) => Value::Real(r),
            Event::Boolean(b) => Value::Boolean(b),
            Event::Data(d) => Value::Data(d.into_owned()),
            Event::Date(d) => Value::Date(d),
            Event::Uid(u) => Value::Uid(u),
        };
        match open.last_mut() {
            None => return Ok(value),
            Some(frame) if frame.is_dictionary => match frame.key.take() {
                Some(key) => entries.push((key, value)),
                None => return Err(parser.annotate(internal("a value without a key"))),
            },
            Some(_) => items.push(value),
        }
    }
}

fn internal(message: &str) -> Error {
    Error::new(ErrorKind::MalformedXml, message)
}

/// Makes the dictionary. With duplicates allowed, a repeated key keeps its first place
/// and takes the last value.
fn make_dictionary(entries: Vec<(Key, Value)>, dedupe: bool) -> Dictionary {
    if !dedupe {
        return Dictionary::from_unique_keyed(entries);
    }
    Dictionary::from_unique_keyed(crate::value::collapse_last_wins(entries))
}

/// A [`Source`] that replays a [`Value`] as events, borrowing its strings and data.
pub(crate) struct ValueSource<'a> {
    /// Pending work: a value to emit, or the end of a container.
    stack: Vec<Step<'a>>,
}

enum Step<'a> {
    Value(&'a Value),
    Key(&'a str),
    EndDictionary,
    EndArray,
}

impl<'a> ValueSource<'a> {
    pub(crate) fn new(value: &'a Value) -> Self {
        Self {
            stack: vec![Step::Value(value)],
        }
    }
}

impl<'a> Source<'a> for ValueSource<'a> {
    fn next_event(&mut self) -> Result<Event<'a>> {
        let Some(step) = self.stack.pop() else {
            return Err(Error::new(ErrorKind::UnexpectedEof, "no more values"));
        };
        Ok(match step {
            Step::Key(k) => Event::Key(Cow::Borrowed(k)),
            Step::EndDictionary => Event::EndDictionary,
            Step::EndArray => Event::EndArray,
            Step::Value(value) => match value {
                Value::Dictionary(d) => {
                    self.stack.push(Step::EndDictionary);
                    for (k, v) in d.iter().rev() {
                        self.stack.push(Step::Value(v));
                        self.stack.push(Step::Key(k));
                    }
                    Event::StartDictionary(Some(d.len()))
                }
                Value::Array(a) => {
                    self.stack.push(Step::EndArray);
                    self.stack.extend(a.iter().rev().map(Step::Value));
                    Event::StartArray(Some(a.len()))
                }
                Value::String(s) => Event::String(Cow::Borrowed(s)),
                Value::Integer(i) => Event::Integer(*i),
                Value::Real(r) => Event::Real(*r),
                Value::Boolean(b) => Event::Boolean(*b),
                Value::Data(d) => Event::Data(Cow::Borrowed(d)),
                Value::Date(d) => Event::Date(*d),
                Value::Uid(u) => Event::Uid(*u),
            },
        })
    }

    fn event_offset(&self) -> usize {
        0
    }

    fn has_offsets(&self) -> bool {
        false
    }

    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ReadOptions;

    #[test]
    fn value_replays_into_equal_value() {
        let mut inner = Dictionary::new();
        inner.insert(
            "b",
            vec![Value::from(1), Value::from("x"), Value::Data(vec![1, 2])],
        );
        inner.insert("c", Dictionary::new());
        let value = Value::from(vec![
            Value::from(inner),
            Value::from(Array::new()),
            true.into(),
        ]);
        let mut parser = Parser::new(ValueSource::new(&value), &ReadOptions::new());
        assert_eq!(build(&mut parser).unwrap(), value);
    }

    #[test]
    fn lenient_duplicates_keep_first_place_and_last_value() {
        let d = make_dictionary(
            vec![
                ("a".into(), 1.into()),
                ("b".into(), 2.into()),
                ("a".into(), 3.into()),
            ],
            true,
        );
        assert_eq!(
            d.iter().collect::<Vec<_>>(),
            [("a", &Value::from(3)), ("b", &2.into())]
        );
    }
}
