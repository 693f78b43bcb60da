//! Building a [`Value`] from events, and replaying a [`Value`] as events.

use std::borrow::Cow;

use crate::events::{Event, Parser, Source};
use crate::{Array, Dictionary, Error, ErrorKind, Result, Value};

/// An open container while building: where its children start on the scratch stacks.
struct Open {
    is_dictionary: bool,
    values_start: usize,
    keys_start: usize,
}

/// Reads one whole document into a [`Value`], without recursion.
///
/// Children are collected on two scratch stacks shared by all levels and moved into a
/// container of exactly the right size when it closes, so no container carries spare
/// capacity.
pub(crate) fn build<'a, S: Source<'a>>(parser: &mut Parser<'a, S>) -> Result<Value> {
    let mut open: Vec<Open> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    loop {
        let value = match parser.next()? {
            Event::StartDictionary(_) => {
                open.push(Open {
                    is_dictionary: true,
                    values_start: values.len(),
                    keys_start: keys.len(),
                });
                continue;
            }
            Event::StartArray(_) => {
                open.push(Open {
                    is_dictionary: false,
                    values_start: values.len(),
                    keys_start: keys.len(),
                });
                continue;
            }
            Event::Key(key) => {
                keys.push(key.into_owned());
                continue;
            }
            Event::EndDictionary | Event::EndArray => {
                let Some(frame) = open.pop() else {
                    return Err(parser.annotate(internal("unbalanced end")));
                };
                let children = values.split_off(frame.values_start);
                if frame.is_dictionary {
                    let names = keys.split_off(frame.keys_start);
                    Value::Dictionary(make_dictionary(names, children, parser.keeps_duplicates()))
                } else {
                    Value::Array(Array::from(children))
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
        if open.is_empty() {
            return Ok(value);
        }
        values.push(value);
    }
}

fn internal(message: &str) -> Error {
    Error::new(ErrorKind::MalformedXml, message)
}

/// Pairs keys with values. With duplicates allowed, a repeated key keeps its first place
/// and takes the last value.
fn make_dictionary(keys: Vec<String>, values: Vec<Value>, dedupe: bool) -> Dictionary {
    let entries: Vec<(String, Value)> = keys.into_iter().zip(values).collect();
    if !dedupe {
        return Dictionary::from_unique_entries(entries);
    }
    let mut dict = Dictionary::with_capacity(entries.len());
    for (k, v) in entries {
        dict.insert(k, v);
    }
    dict
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
            vec!["a".into(), "b".into(), "a".into()],
            vec![1.into(), 2.into(), 3.into()],
            true,
        );
        assert_eq!(
            d.iter().collect::<Vec<_>>(),
            [("a", &Value::from(3)), ("b", &2.into())]
        );
    }
}
