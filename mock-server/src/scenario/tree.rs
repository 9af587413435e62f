//! A YAML document as a tree of nodes that remember their line and column.
//!
//! Built from yaml-rust2's event stream with an explicit stack (the parser's own `load` recurses
//! per nesting level), so hostile input cannot overflow the stack: documents deeper than
//! [`MAX_DEPTH`], larger than [`MAX_BYTES`], with aliases (no alias bombs), tags or several
//! documents are refused with a positioned error.

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// The largest scenario file accepted.
pub const MAX_BYTES: usize = 256 * 1024;
/// The deepest nesting accepted.
pub const MAX_DEPTH: usize = 32;
/// The most nodes accepted.
pub const MAX_NODES: usize = 20_000;

/// A position in the file, 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Position {
    /// Line.
    pub line: usize,
    /// Column.
    pub column: usize,
}

impl From<Marker> for Position {
    fn from(marker: Marker) -> Self {
        Position {
            line: marker.line(),
            column: marker.col() + 1,
        }
    }
}

/// One node.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Where it starts.
    pub position: Position,
    /// What it is.
    pub kind: NodeKind,
}

/// Scalar, sequence or mapping.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// A scalar; `quoted` when written in quotes (so `"1"` stays text).
    Scalar {
        /// Text.
        value: String,
        /// Written in quotes or as a block.
        quoted: bool,
    },
    /// A list.
    Sequence(Vec<Node>),
    /// A mapping: key text, key position, value; in file order.
    Mapping(Vec<(String, Position, Node)>),
}

impl Node {
    /// A short name of the kind, for messages.
    #[must_use]
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Scalar { value, quoted } if !quoted && is_null(value) => "null",
            NodeKind::Scalar { .. } => "a scalar",
            NodeKind::Sequence(_) => "a list",
            NodeKind::Mapping(_) => "a mapping",
        }
    }

    /// The scalar text, if a scalar.
    #[must_use]
    pub fn scalar(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }
}

/// Whether a plain scalar means null.
#[must_use]
pub fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// A positioned parse problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeError {
    /// Where.
    pub position: Position,
    /// What.
    pub message: String,
}

enum Frame {
    Sequence(Position, Vec<Node>),
    Mapping(
        Position,
        Vec<(String, Position, Node)>,
        Option<(String, Position)>,
    ),
}

/// Parses one YAML document into a tree.
pub fn parse(text: &str) -> Result<Node, TreeError> {
    if text.len() > MAX_BYTES {
        return Err(TreeError {
            position: Position { line: 1, column: 1 },
            message: format!(
                "the file is {} bytes; at most {MAX_BYTES} are accepted",
                text.len()
            ),
        });
    }
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;
    let mut documents = 0usize;
    let mut nodes = 0usize;
    loop {
        let (event, marker) = parser.next_token().map_err(|error| TreeError {
            position: Position::from(*error.marker()),
            message: format!("YAML syntax: {}", error.info()),
        })?;
        let position = Position::from(marker);
        let refuse = |message: &str| TreeError {
            position,
            message: message.to_owned(),
        };
        let node = match event {
            Event::StreamEnd => break,
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => continue,
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    return Err(refuse(
                        "a scenario file holds one YAML document; remove the second `---`",
                    ));
                }
                continue;
            }
            Event::Alias(_) => {
                return Err(refuse(
                    "aliases (`*name`) are not supported in scenario files",
                ));
            }
            Event::Scalar(value, style, anchor, tag) => {
                if anchor != 0 {
                    return Err(refuse(
                        "anchors (`&name`) are not supported in scenario files",
                    ));
                }
                if tag.is_some() {
                    return Err(refuse("tags (`!name`) are not supported in scenario files"));
                }
                Node {
                    position,
                    kind: NodeKind::Scalar {
                        value,
                        quoted: style != TScalarStyle::Plain,
                    },
                }
            }
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag)
                if anchor != 0 || tag.is_some() =>
            {
                return Err(refuse(
                    "anchors and tags are not supported in scenario files",
                ));
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(refuse(&format!("nesting deeper than {MAX_DEPTH} levels")));
                }
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Sequence(position, Vec::new())
                } else {
                    Frame::Mapping(position, Vec::new(), None)
                });
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Sequence(start, items)) => Node {
                    position: start,
                    kind: NodeKind::Sequence(items),
                },
                _ => return Err(refuse("unbalanced sequence")),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Mapping(start, entries, None)) => Node {
                    position: start,
                    kind: NodeKind::Mapping(entries),
                },
                _ => return Err(refuse("unbalanced mapping")),
            },
        };
        nodes += 1;
        if nodes > MAX_NODES {
            return Err(refuse(&format!("more than {MAX_NODES} YAML nodes")));
        }
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::Sequence(_, items)) => items.push(node),
            Some(Frame::Mapping(_, entries, pending)) => match pending.take() {
                None => match node.kind {
                    NodeKind::Scalar { value, .. } => {
                        if let Some((_, first, _)) =
                            entries.iter().find(|(key, _, _)| *key == value)
                        {
                            return Err(TreeError {
                                position: node.position,
                                message: format!(
                                    "duplicate key `{value}` (first at line {} column {})",
                                    first.line, first.column
                                ),
                            });
                        }
                        *pending = Some((value, node.position));
                    }
                    _ => {
                        return Err(TreeError {
                            position: node.position,
                            message: "mapping keys must be plain text".into(),
                        });
                    }
                },
                Some((key, key_position)) => entries.push((key, key_position, node)),
            },
        }
    }
    root.ok_or(TreeError {
        position: Position { line: 1, column: 1 },
        message: "the file is empty".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapping_keeps_positions_and_order() {
        let node = parse("a: 1\nb:\n  - x\n  - 'y'\n").expect("parses");
        let NodeKind::Mapping(entries) = node.kind else {
            panic!("mapping")
        };
        assert_eq!(entries[0].0, "a");
        assert_eq!(entries[1].1, Position { line: 2, column: 1 });
        let NodeKind::Sequence(items) = &entries[1].2.kind else {
            panic!("sequence")
        };
        assert_eq!(
            items[1].kind,
            NodeKind::Scalar {
                value: "y".into(),
                quoted: true
            }
        );
        assert_eq!(items[1].position, Position { line: 4, column: 5 });
    }

    #[test]
    fn hostile_documents_are_refused_not_crashed() {
        let deep = "[".repeat(100_000);
        assert!(parse(&deep).is_err());
        let bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n";
        assert!(
            parse(bomb)
                .expect_err("refused")
                .message
                .contains("anchors")
        );
        assert!(
            parse("a: 1\na: 2\n")
                .expect_err("dup")
                .message
                .contains("duplicate key `a`")
        );
        assert!(parse("a: 1\n---\nb: 2\n").is_err());
        assert!(parse(&"x".repeat(MAX_BYTES + 1)).is_err());
        assert!(parse("a: !!str 1").is_err());
        assert!(parse("").is_err());
        assert!(parse("a: [1, 2").is_err());
    }
}
