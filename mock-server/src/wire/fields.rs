//! The one validation kit of the wire: a JSON object read field by field, every broken field
//! collected with its rule (as GP tom's Spring validation reports them), for GP tom's requests
//! and the control plane alike.
//!
//! Invariant: `null` is absent; a reader records at most one problem per field and never
//! panics, whatever the value.

use serde_json::{Map, Value};

use crate::domain::request::FieldError;

/// An object's fields being read, with the problems found so far.
pub(super) struct Fields<'a> {
    pub(super) object: &'a Map<String, Value>,
    pub(super) errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    pub(super) fn present(&self, name: &str) -> Option<&'a Value> {
        self.object.get(name).filter(|value| !value.is_null())
    }

    pub(super) fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    pub(super) fn string(&mut self, name: &str, max_len: usize) -> Option<&'a str> {
        match self.present(name)? {
            Value::String(text) if text.chars().count() > max_len => {
                self.fail(name, format!("size must be between 0 and {max_len}"));
                None
            }
            Value::String(text) => Some(text.as_str()),
            _ => {
                self.fail(name, "must be a string");
                None
            }
        }
    }

    pub(super) fn boolean(&mut self, name: &str) -> Option<bool> {
        match self.present(name)? {
            Value::Bool(flag) => Some(*flag),
            _ => {
                self.fail(name, "must be a boolean (true or false)");
                None
            }
        }
    }

    pub(super) fn integer(&mut self, name: &str, min: i64, max: i64) -> Option<i64> {
        let value = self.present(name)?;
        let Some(number) = value.as_i64() else {
            self.fail(name, "must be an integer in minor units (1000 = 10.00)");
            return None;
        };
        if number < min {
            let rule = if min == 1 {
                "must be greater than 0".to_owned()
            } else {
                format!("must be greater than or equal to {min}")
            };
            self.fail(name, rule);
            None
        } else if number > max {
            self.fail(name, format!("must be less than or equal to {max}"));
            None
        } else {
            Some(number)
        }
    }

    pub(super) fn choice<T>(&mut self, name: &str, options: &[(&str, T)]) -> Option<T>
    where
        T: Copy,
    {
        let value = self.present(name)?;
        let found = value
            .as_str()
            .and_then(|text| options.iter().find(|(spelling, _)| *spelling == text));
        if let Some((_, choice)) = found {
            Some(*choice)
        } else {
            let names: Vec<&str> = options.iter().map(|(spelling, _)| *spelling).collect();
            self.fail(name, format!("must be one of {}", names.join(", ")));
            None
        }
    }
}

impl<'a> Fields<'a> {
    /// Reading `object`.
    pub(super) fn new(object: &'a Map<String, Value>) -> Self {
        Fields {
            object,
            errors: Vec::new(),
        }
    }

    /// A text field (any length); `None` when absent or not text (noted).
    pub(super) fn text(&mut self, name: &str) -> Option<&'a str> {
        self.string(name, usize::MAX)
    }

    /// A whole number in `min..=max`; `None` when absent or out of bounds (noted with `rule`).
    pub(super) fn whole(&mut self, name: &str, min: i64, max: i64, rule: &str) -> Option<i64> {
        let value = self.present(name)?;
        match value.as_i64().filter(|number| (min..=max).contains(number)) {
            Some(number) => Some(number),
            None => {
                self.fail(name, rule);
                None
            }
        }
    }

    /// A word `parse` reads (`None` when absent; noted with `rule` when not text or unreadable).
    pub(super) fn word<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str) -> Option<T>,
        rule: &str,
    ) -> Option<T> {
        let value = self.present(name)?;
        let parsed = value.as_str().and_then(parse);
        if parsed.is_none() {
            self.fail(name, rule);
        }
        parsed
    }

    /// The problems, or `value` when there are none.
    pub(super) fn finish<T>(self, value: Option<T>) -> Result<T, Vec<FieldError>> {
        match value {
            Some(value) if self.errors.is_empty() => Ok(value),
            _ => Err(self.errors),
        }
    }
}
