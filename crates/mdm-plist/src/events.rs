//! The event stream that both readers produce, and the checks every document passes.
//!
//! A reader ([`Source`]) only turns bytes into events. [`Parser`] sits on top of it and
//! owns everything that is the same for both formats: the nesting rules, the depth limit,
//! the node and byte budgets, duplicate keys, and the key path that errors carry.

use std::borrow::Cow;
use std::collections::HashSet;

use crate::{Date, DuplicateKeys, Error, ErrorKind, Integer, ReadOptions, Result, Uid};

/// One step of a document.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Event<'a> {
    /// A dictionary starts; its entries follow as `Key`, value, `Key`, value, ...
    StartDictionary(Option<usize>),
    /// An array starts; its items follow.
    StartArray(Option<usize>),
    /// The innermost open dictionary ends.
    EndDictionary,
    /// The innermost open array ends.
    EndArray,
    /// A dictionary key.
    Key(Cow<'a, str>),
    String(Cow<'a, str>),
    Integer(Integer),
    Real(f64),
    Boolean(bool),
    Data(Cow<'a, [u8]>),
    Date(Date),
    Uid(Uid),
}

/// A format reader: bytes in, events out, with no knowledge of nesting rules.
pub(crate) trait Source<'a> {
    /// The next event. Only called while the document is incomplete, so running out of
    /// input here is an error (`UnexpectedEof`).
    fn next_event(&mut self) -> Result<Event<'a>>;

    /// The byte offset where the last event returned starts.
    fn event_offset(&self) -> usize;

    /// Whether offsets refer to input bytes (false for a source that replays a `Value`).
    fn has_offsets(&self) -> bool {
        true
    }

    /// Called once the root value is complete: checks that nothing but what the format
    /// allows follows it (`TrailingData` otherwise).
    fn finish(&mut self) -> Result<()>;
}

/// Dictionaries with more keys than this check duplicates through a hash set.
const LINEAR_KEY_SCAN: usize = 16;

/// How many frames and keys live inline before the parser's stacks move to the heap:
/// enough for every MDM message seen (depth under 10, a handful of open keys).
const INLINE: usize = 8;

#[derive(Clone, Copy, Default)]
struct Frame {
    is_dictionary: bool,
    /// Arrays: items seen. Dictionaries: entries seen.
    count: usize,
    /// Dictionaries: whether the next event must be a key.
    expect_key: bool,
    /// Dictionaries: where this frame's keys start in `Parser::keys`.
    keys_start: usize,
}

/// A stack whose first [`INLINE`] items live in place; beyond that it moves to a `Vec`.
/// Parsing a small document then allocates nothing for its bookkeeping.
enum SmallStack<T> {
    Inline { items: [T; INLINE], len: usize },
    Heap(Vec<T>),
}

impl<T: Default> SmallStack<T> {
    #[inline(always)]
    fn new() -> Self {
        Self::Inline {
            items: std::array::from_fn(|_| T::default()),
            len: 0,
        }
    }

    #[inline]
    fn as_slice(&self) -> &[T] {
        match self {
            Self::Inline { items, len } => items.get(..*len).unwrap_or_default(),
            Self::Heap(v) => v,
        }
    }

    #[inline]
    fn len(&self) -> usize {
        match self {
            Self::Inline { len, .. } => *len,
            Self::Heap(v) => v.len(),
        }
    }

    #[inline]
    fn last_mut(&mut self) -> Option<&mut T> {
        match self {
            Self::Inline { items, len } => items.get_mut(len.checked_sub(1)?),
            Self::Heap(v) => v.last_mut(),
        }
    }

    #[inline(always)]
    fn push(&mut self, item: T) {
        match self {
            Self::Inline { items, len } => match items.get_mut(*len) {
                Some(slot) => {
                    *slot = item;
                    *len += 1;
                }
                None => {
                    let mut v = Vec::with_capacity(INLINE * 2);
                    v.extend(items.iter_mut().map(std::mem::take));
                    v.push(item);
                    *self = Self::Heap(v);
                }
            },
            Self::Heap(v) => v.push(item),
        }
    }

    #[inline]
    fn pop(&mut self) -> Option<T> {
        match self {
            Self::Inline { items, len } => {
                *len = len.checked_sub(1)?;
                items.get_mut(*len).map(std::mem::take)
            }
            Self::Heap(v) => v.pop(),
        }
    }

    /// Keeps the first `n` items. Inline items past the end stay until overwritten or
    /// dropped with the stack (at most [`INLINE`] of them).
    #[inline]
    fn truncate(&mut self, n: usize) {
        match self {
            Self::Inline { len, .. } => *len = n.min(*len),
            Self::Heap(v) => v.truncate(n),
        }
    }
}

/// The checked event stream over a [`Source`].
pub(crate) struct Parser<'a, S> {
    source: S,
    max_depth: usize,
    nodes_left: usize,
    bytes_left: usize,
    duplicate_keys: DuplicateKeys,
    stack: SmallStack<Frame>,
    /// The keys of every open dictionary, innermost last; the last key of a frame is the
    /// one whose value is being read.
    keys: SmallStack<Cow<'a, str>>,
    /// The keys of open dictionaries with many keys, hashed, with the depth (stack
    /// length) of their frame; innermost last.
    key_sets: Vec<(usize, HashSet<Cow<'a, str>>)>,
    finished: bool,
}

impl<'a, S: Source<'a>> Parser<'a, S> {
    #[inline(always)]
    pub(crate) fn new(source: S, options: &ReadOptions) -> Self {
        Self {
            source,
            max_depth: options.max_depth,
            nodes_left: options.max_nodes,
            bytes_left: options.max_expanded_bytes,
            duplicate_keys: options.duplicate_keys,
            stack: SmallStack::new(),
            keys: SmallStack::new(),
            key_sets: Vec::new(),
            finished: false,
        }
    }

    /// Whether the root value is complete.
    pub(crate) fn is_finished(&self) -> bool {
        self.finished
    }

    /// Whether duplicate keys are kept (last value wins) rather than rejected.
    pub(crate) fn keeps_duplicates(&self) -> bool {
        self.duplicate_keys == DuplicateKeys::KeepLast
    }

    /// The next event, checked. Errors carry their offset and key path.
    pub(crate) fn next(&mut self) -> Result<Event<'a>> {
        if self.finished {
            return Err(self.locate(
                Error::new(ErrorKind::TrailingData, "read past the end of the document"),
                false,
            ));
        }
        let event = match self.source.next_event() {
            Ok(event) => event,
            Err(e) => return Err(self.locate(e, true)),
        };
        match self.check(&event) {
            Ok(()) => Ok(event),
            Err(e) => Err(self.locate(e, false)),
        }
    }

    /// Adds the current offset (if the error has none) and the key path (if not complete),
    /// for an error about the last event returned.
    pub(crate) fn annotate(&self, err: Error) -> Error {
        self.locate(err, false)
    }

    /// Annotates an error. `pending` says that the error concerns the event being read,
    /// which the innermost container has not counted yet.
    #[cold]
    #[inline(never)]
    fn locate(&self, mut err: Error, pending: bool) -> Error {
        if self.source.has_offsets() {
            err = err.with_offset(self.source.event_offset());
        }
        if err.has_complete_path() {
            return err;
        }
        let keys = self.keys.as_slice();
        let stack = self.stack.as_slice();
        let mut keys_end = keys.len();
        for (depth, frame) in stack.iter().enumerate().rev() {
            let innermost = depth + 1 == stack.len();
            if frame.is_dictionary {
                let key = keys.get(frame.keys_start..keys_end).and_then(<[_]>::last);
                // The innermost dictionary, waiting for a key, is not inside any entry yet.
                let between_entries = innermost && pending && frame.expect_key;
                if let Some(key) = key.filter(|_| !between_entries) {
                    err = err.in_key(key);
                }
                keys_end = frame.keys_start;
            } else if innermost && pending {
                err = err.in_index(frame.count);
            } else if let Some(index) = frame.count.checked_sub(1) {
                err = err.in_index(index);
            }
        }
        err.path_complete()
    }

    fn spend(&mut self, bytes: usize) -> Result<()> {
        self.nodes_left = self.nodes_left.checked_sub(1).ok_or_else(|| {
            Error::new(
                ErrorKind::NodeBudgetExceeded,
                "the document holds too many values",
            )
        })?;
        self.bytes_left = self.bytes_left.checked_sub(bytes).ok_or_else(|| {
            Error::new(
                ErrorKind::NodeBudgetExceeded,
                "the document's strings and data expand to too many bytes",
            )
        })?;
        Ok(())
    }

    fn check(&mut self, event: &Event<'a>) -> Result<()> {
        // Where in the current container this event falls; ends are done here.
        match self.stack.last_mut() {
            None => {
                if matches!(
                    event,
                    Event::EndDictionary | Event::EndArray | Event::Key(_)
                ) {
                    return Err(structure("a value", event));
                }
            }
            Some(frame) if frame.is_dictionary => match (frame.expect_key, event) {
                (true, Event::Key(key)) => {
                    frame.expect_key = false;
                    frame.count += 1;
                    self.spend(key.len())?;
                    return self.push_key(key);
                }
                (true, Event::EndDictionary) => return self.close(),
                (true, _) => {
                    return Err(structure("a key or the end of the dictionary", event));
                }
                // An array's end where a dictionary waits for a value would otherwise
                // close the dictionary and drop its last key.
                (false, Event::EndDictionary | Event::EndArray | Event::Key(_)) => {
                    return Err(structure("a value", event));
                }
                (false, _) => frame.expect_key = true,
            },
            Some(frame) => match event {
                Event::EndArray => return self.close(),
                Event::EndDictionary | Event::Key(_) => {
                    return Err(structure("a value or the end of the array", event));
                }
                _ => frame.count += 1,
            },
        }

        // A value.
        let payload = match event {
            Event::String(text) => text.len(),
            Event::Data(data) => data.len(),
            _ => 0,
        };
        self.spend(payload)?;
        match event {
            Event::StartDictionary(_) | Event::StartArray(_) => {
                if self.stack.len() >= self.max_depth {
                    return Err(Error::new(
                        ErrorKind::DepthLimitExceeded,
                        format!("containers nest deeper than {}", self.max_depth),
                    ));
                }
                self.stack.push(Frame {
                    is_dictionary: matches!(event, Event::StartDictionary(_)),
                    count: 0,
                    expect_key: true,
                    keys_start: self.keys.len(),
                });
                Ok(())
            }
            _ => self.after_value(),
        }
    }

    /// The innermost container ends.
    fn close(&mut self) -> Result<()> {
        if self
            .key_sets
            .last()
            .is_some_and(|(depth, _)| *depth == self.stack.len())
        {
            self.key_sets.pop();
        }
        if let Some(frame) = self.stack.pop() {
            self.keys.truncate(frame.keys_start);
        }
        self.after_value()
    }

    /// Once the root value is complete, the source checks what follows it.
    fn after_value(&mut self) -> Result<()> {
        if self.stack.len() == 0 {
            self.finished = true;
            self.source.finish()?;
        }
        Ok(())
    }

    #[allow(
        clippy::ptr_arg,
        reason = "the key is cloned as a Cow to keep it borrowed"
    )]
    fn push_key(&mut self, key: &Cow<'a, str>) -> Result<()> {
        let depth = self.stack.len();
        let Some(frame) = self.stack.last_mut() else {
            return Ok(());
        };
        let keys = self
            .keys
            .as_slice()
            .get(frame.keys_start..)
            .unwrap_or_default();
        let duplicate = match self.key_sets.last_mut() {
            Some((d, set)) if *d == depth => !set.insert(key.clone()),
            _ if keys.len() >= LINEAR_KEY_SCAN => {
                let mut set: HashSet<Cow<'a, str>> = keys.iter().cloned().collect();
                let duplicate = !set.insert(key.clone());
                self.key_sets.push((depth, set));
                duplicate
            }
            _ => keys.iter().any(|k| k == key),
        };
        // Borrowed keys (nearly all) are copied without a call into Cow's clone.
        self.keys.push(match key {
            Cow::Borrowed(text) => Cow::Borrowed(text),
            Cow::Owned(text) => Cow::Owned(text.clone()),
        });
        if duplicate && self.duplicate_keys == DuplicateKeys::Reject {
            return Err(Error::new(
                ErrorKind::DuplicateKey,
                format!(
                    "the key {:?} appears twice in one dictionary",
                    crate::error::shorten(key)
                ),
            ));
        }
        Ok(())
    }
}

fn structure(wanted: &str, got: &Event<'_>) -> Error {
    let got = match got {
        Event::StartDictionary(_) => "a dictionary",
        Event::StartArray(_) => "an array",
        Event::EndDictionary => "the end of a dictionary",
        Event::EndArray => "the end of an array",
        Event::Key(_) => "a key",
        Event::String(_) => "a string",
        Event::Integer(_) => "an integer",
        Event::Real(_) => "a real",
        Event::Boolean(_) => "a boolean",
        Event::Data(_) => "data",
        Event::Date(_) => "a date",
        Event::Uid(_) => "a UID",
    };
    Error::new(
        ErrorKind::MalformedXml,
        format!("expected {wanted}, found {got}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source that replays a list of events, each at offset = its index.
    pub(crate) struct Replay<'a> {
        events: std::vec::IntoIter<Event<'a>>,
        index: usize,
    }

    impl<'a> Replay<'a> {
        pub(crate) fn new(events: Vec<Event<'a>>) -> Self {
            Self {
                events: events.into_iter(),
                index: 0,
            }
        }
    }

    impl<'a> Source<'a> for Replay<'a> {
        fn next_event(&mut self) -> Result<Event<'a>> {
            self.index += 1;
            self.events
                .next()
                .ok_or_else(|| Error::new(ErrorKind::UnexpectedEof, "end"))
        }
        fn event_offset(&self) -> usize {
            self.index.saturating_sub(1)
        }
        fn finish(&mut self) -> Result<()> {
            match self.events.next() {
                None => Ok(()),
                Some(_) => Err(Error::at(ErrorKind::TrailingData, self.index, "more")),
            }
        }
    }

    fn key(k: &str) -> Event<'_> {
        Event::Key(Cow::Borrowed(k))
    }

    fn run(events: Vec<Event<'_>>, options: &ReadOptions) -> Result<usize> {
        let mut parser = Parser::new(Replay::new(events), options);
        let mut n = 0;
        loop {
            parser.next()?;
            n += 1;
            if parser.finished {
                return Ok(n);
            }
        }
    }

    #[test]
    fn duplicate_key_names_key_and_path() {
        let events = vec![
            Event::StartDictionary(None),
            key("A"),
            Event::StartDictionary(None),
            key("S"),
            Event::Boolean(true),
            key("S"),
        ];
        let err = run(events, &ReadOptions::new()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DuplicateKey);
        assert_eq!(err.path(), "/A/S");
        assert_eq!(err.offset(), Some(5));
    }

    #[test]
    fn duplicate_key_found_in_large_dictionary() {
        let names: Vec<String> = (0..40).map(|i| format!("k{i}")).collect();
        let mut events = vec![Event::StartDictionary(None)];
        for name in &names {
            events.push(key(name));
            events.push(Event::Boolean(true));
        }
        events.push(key("k3"));
        let err = run(events, &ReadOptions::new()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DuplicateKey);
        assert_eq!(err.path(), "/k3");
    }

    #[test]
    fn paths_and_duplicates_past_the_inline_stacks() {
        // 20 nested dictionaries (past the inline frames and keys), then a duplicate key
        // in the innermost one: the path names every level.
        let names: Vec<String> = (0..20).map(|i| format!("d{i}")).collect();
        let mut events = Vec::new();
        for name in &names {
            events.push(Event::StartDictionary(None));
            events.push(key(name));
        }
        events.push(Event::Boolean(true));
        events.push(key("d19"));
        let err = run(events, &ReadOptions::new()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DuplicateKey);
        assert_eq!(err.path(), format!("/{}", names.join("/")));

        // A large dictionary inside a large dictionary: each keeps its own hashed keys,
        // and the outer one's survive the inner one's end.
        let many: Vec<String> = (0..20).map(|i| format!("k{i}")).collect();
        let mut events = vec![Event::StartDictionary(None)];
        for name in &many {
            events.push(key(name));
            events.push(Event::Boolean(true));
        }
        events.push(key("inner"));
        events.push(Event::StartDictionary(None));
        for name in &many {
            events.push(key(name));
            events.push(Event::Boolean(true));
        }
        events.push(Event::EndDictionary);
        events.push(key("k0"));
        let err = run(events.clone(), &ReadOptions::new()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DuplicateKey);
        assert_eq!(err.path(), "/k0");
        // Without the duplicate the document is fine.
        events.pop();
        events.push(Event::EndDictionary);
        assert_eq!(run(events, &ReadOptions::new()).unwrap(), 85);
    }

    #[test]
    fn duplicate_keys_allowed_when_lenient() {
        let events = vec![
            Event::StartDictionary(None),
            key("S"),
            Event::Boolean(true),
            key("S"),
            Event::Boolean(false),
            Event::EndDictionary,
        ];
        let options = ReadOptions::new().with_duplicate_keys(DuplicateKeys::KeepLast);
        assert_eq!(run(events, &options).unwrap(), 6);
    }

    #[test]
    fn depth_limit_at_edge() {
        let nest = |n: usize| {
            let mut e = vec![Event::StartArray(None); n];
            e.extend(std::iter::repeat_n(Event::EndArray, n));
            e
        };
        let options = ReadOptions::new().with_max_depth(3);
        assert!(run(nest(3), &options).is_ok());
        let err = run(nest(4), &options).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DepthLimitExceeded);
        assert_eq!(err.path(), "/0/0/0");
        assert_eq!(err.offset(), Some(3));
    }

    #[test]
    fn node_budget_at_edge() {
        let events = || {
            vec![
                Event::StartArray(None),
                Event::Boolean(true),
                Event::Boolean(true),
                Event::EndArray,
            ]
        };
        assert!(run(events(), &ReadOptions::new().with_max_nodes(3)).is_ok());
        let err = run(events(), &ReadOptions::new().with_max_nodes(2)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NodeBudgetExceeded);
        assert_eq!(err.path(), "/1");
    }

    #[test]
    fn byte_budget_at_edge() {
        let events = || vec![Event::String(Cow::Borrowed("abcd"))];
        assert!(run(events(), &ReadOptions::new().with_max_expanded_bytes(4)).is_ok());
        let err = run(events(), &ReadOptions::new().with_max_expanded_bytes(3)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NodeBudgetExceeded);
    }

    #[test]
    fn structure_errors() {
        let bad = [
            vec![Event::StartDictionary(None), Event::Boolean(true)],
            vec![Event::StartDictionary(None), key("a"), Event::EndDictionary],
            vec![Event::StartArray(None), key("a")],
            vec![Event::StartArray(None), Event::EndDictionary],
            vec![Event::StartDictionary(None), key("a"), Event::EndArray],
            vec![Event::StartDictionary(None), Event::EndArray],
            vec![Event::EndArray],
        ];
        for events in bad {
            let err = run(events.clone(), &ReadOptions::new()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::MalformedXml, "{events:?}");
        }
    }

    /// Found by the `differential_xml` fuzz target: `<dict><key>a</key></array>` closed
    /// the dictionary and dropped the key.
    #[test]
    fn every_end_must_close_its_own_container() {
        let wrong_ends = [
            vec![Event::StartDictionary(None), key("a"), Event::EndArray],
            vec![Event::StartDictionary(None), key("a"), Event::EndDictionary],
            vec![Event::StartDictionary(None), Event::EndArray],
            vec![Event::StartArray(None), Event::EndDictionary],
            vec![
                Event::StartArray(None),
                Event::Boolean(true),
                Event::EndDictionary,
            ],
            vec![
                Event::StartDictionary(None),
                key("a"),
                Event::Boolean(true),
                Event::EndArray,
            ],
        ];
        for events in wrong_ends {
            let err = run(events.clone(), &ReadOptions::new()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::MalformedXml, "{events:?}");
        }
    }

    #[test]
    fn trailing_events_are_refused() {
        let err = run(
            vec![Event::Boolean(true), Event::Boolean(false)],
            &ReadOptions::new(),
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TrailingData);
    }
}
