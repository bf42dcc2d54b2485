//! JSONPath as Step Functions evaluates it (its interpreter follows Jayway's
//! JSONPath): besides the single-node reference paths of [`crate::path`],
//! wildcards (`.*`, `[*]`), unions (`['a','b']`, `[0,2]`), slices
//! (`[1:]`, `[::2]`, `[-1:]`), recursive descent (`..name`) and filters
//! (`[?(@.status == 0)]`). A path that may select many nodes yields the array
//! of what it selected (empty when nothing matched), as Step Functions does;
//! a path that names one node yields that node, or nothing when it is absent.
//!
//! Hand-written rather than taken from a crate: the JSONPath crates follow
//! RFC 9535, whose filters and results differ from Jayway's in the details
//! Step Functions users see (comparisons across types, what a definite path
//! returns).

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Field(String),
    Fields(Vec<String>),
    Index(i64),
    Indexes(Vec<i64>),
    Slice(Option<i64>, Option<i64>, i64),
    Wildcard,
    Descend(Box<Step>),
    Filter(Expr),
}

/// A filter expression, evaluated against one candidate (`@`) and the root (`$`).
#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Compare(Operand, Comparison, Operand),
    Exists(Operand),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
enum Operand {
    Current(Vec<Step>),
    Root(Vec<Step>),
    Literal(Value),
}

/// A parsed JSONPath query over a document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Query {
    steps: Vec<Step>,
    definite: bool,
}

impl Query {
    /// Parses the part of a path that follows its `$` (or `$$`, `$name`).
    pub(crate) fn parse_steps(rest: &str) -> Result<Self, String> {
        let steps = Parser { text: rest, at: 0 }.steps()?;
        let definite = steps
            .iter()
            .all(|step| matches!(step, Step::Field(_) | Step::Index(_)));
        Ok(Self { steps, definite })
    }

    /// `$`: the whole document.
    pub(crate) fn root() -> Self {
        Self {
            steps: Vec::new(),
            definite: true,
        }
    }

    pub(crate) fn is_root(&self) -> bool {
        self.steps.is_empty()
    }

    /// The field names the path starts with.
    pub(crate) fn leading_fields(&self) -> Vec<&str> {
        self.steps
            .iter()
            .map_while(|step| match step {
                Step::Field(name) => Some(name.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The path without its first `count` steps.
    pub(crate) fn skip(&self, count: usize) -> Self {
        let steps = self.steps[count.min(self.steps.len())..].to_vec();
        let definite = steps
            .iter()
            .all(|step| matches!(step, Step::Field(_) | Step::Index(_)));
        Self { steps, definite }
    }

    /// What the path selects in `document`: for a path naming one node, the
    /// node if present; otherwise the array of every node selected.
    pub(crate) fn select<'v>(&self, document: &'v Value) -> Option<Cow<'v, Value>> {
        if self.definite {
            return definite(&self.steps, document).map(Cow::Borrowed);
        }
        let nodes = select_all(&self.steps, document, document);
        Some(Cow::Owned(Value::Array(
            nodes.into_iter().cloned().collect(),
        )))
    }
}

fn definite<'v>(steps: &[Step], document: &'v Value) -> Option<&'v Value> {
    steps
        .iter()
        .try_fold(document, |node, step| match (step, node) {
            (Step::Field(name), Value::Object(map)) => map.get(name),
            (Step::Index(index), Value::Array(items)) => items.get(position(*index, items.len())?),
            _ => None,
        })
}

/// A negative index counts from the end.
fn position(index: i64, len: usize) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let index = if index < 0 { len + index } else { index };
    usize::try_from(index).ok().filter(|_| index < len)
}

fn select_all<'v>(steps: &[Step], document: &'v Value, root: &'v Value) -> Vec<&'v Value> {
    let mut nodes = vec![document];
    for step in steps {
        let mut next = Vec::new();
        for node in nodes {
            apply(step, node, root, &mut next);
        }
        nodes = next;
    }
    nodes
}

fn apply<'v>(step: &Step, node: &'v Value, root: &'v Value, out: &mut Vec<&'v Value>) {
    match (step, node) {
        (Step::Field(name), Value::Object(map)) => out.extend(map.get(name)),
        (Step::Fields(names), Value::Object(map)) => {
            out.extend(names.iter().filter_map(|name| map.get(name)));
        }
        (Step::Index(index), Value::Array(items)) => {
            out.extend(position(*index, items.len()).map(|i| &items[i]));
        }
        (Step::Indexes(indexes), Value::Array(items)) => out.extend(
            indexes
                .iter()
                .filter_map(|index| position(*index, items.len()).map(|i| &items[i])),
        ),
        (Step::Slice(start, end, step), Value::Array(items)) => {
            out.extend(slice(items.len(), *start, *end, *step).map(|i| &items[i]));
        }
        (Step::Wildcard, Value::Object(map)) => out.extend(map.values()),
        (Step::Wildcard, Value::Array(items)) => out.extend(items.iter()),
        (Step::Descend(inner), node) => descend(inner, node, root, out),
        (Step::Filter(expr), Value::Array(items)) => {
            out.extend(items.iter().filter(|item| expr.holds(item, root)));
        }
        (Step::Filter(expr), node @ Value::Object(_)) if expr.holds(node, root) => out.push(node),
        _ => {}
    }
}

/// `..step`: the step applied to the node and to every node below it, in
/// document order.
fn descend<'v>(step: &Step, node: &'v Value, root: &'v Value, out: &mut Vec<&'v Value>) {
    apply(step, node, root, out);
    match node {
        Value::Object(map) => map
            .values()
            .for_each(|child| descend(step, child, root, out)),
        Value::Array(items) => items
            .iter()
            .for_each(|child| descend(step, child, root, out)),
        _ => {}
    }
}

/// The indexes a Python-style slice selects.
fn slice(
    len: usize,
    start: Option<i64>,
    end: Option<i64>,
    step: i64,
) -> impl Iterator<Item = usize> {
    let len = i64::try_from(len).unwrap_or(i64::MAX);
    let clamp = |bound: i64| {
        if bound < 0 {
            (len + bound).max(0)
        } else {
            bound.min(len)
        }
    };
    let start = clamp(start.unwrap_or(0));
    let end = clamp(end.unwrap_or(len));
    let step = usize::try_from(step.max(1)).unwrap_or(1);
    (start..end.max(start))
        .step_by(step)
        .filter_map(|i| usize::try_from(i).ok())
}

impl Expr {
    fn holds(&self, current: &Value, root: &Value) -> bool {
        match self {
            Expr::Or(left, right) => left.holds(current, root) || right.holds(current, root),
            Expr::And(left, right) => left.holds(current, root) && right.holds(current, root),
            Expr::Not(inner) => !inner.holds(current, root),
            Expr::Exists(operand) => operand.value(current, root).is_some(),
            Expr::Compare(left, comparison, right) => {
                match (
                    operand_value(left, current, root),
                    operand_value(right, current, root),
                ) {
                    (Some(left), Some(right)) => comparison.accepts(&left, &right),
                    // A missing value equals nothing, so it differs from all.
                    _ => *comparison == Comparison::Ne,
                }
            }
        }
    }
}

fn operand_value<'v>(
    operand: &'v Operand,
    current: &'v Value,
    root: &'v Value,
) -> Option<Cow<'v, Value>> {
    operand.value(current, root)
}

impl Operand {
    fn value<'v>(&'v self, current: &'v Value, root: &'v Value) -> Option<Cow<'v, Value>> {
        let (steps, from) = match self {
            Operand::Literal(value) => return Some(Cow::Borrowed(value)),
            Operand::Current(steps) => (steps, current),
            Operand::Root(steps) => (steps, root),
        };
        if steps
            .iter()
            .all(|s| matches!(s, Step::Field(_) | Step::Index(_)))
        {
            return definite(steps, from).map(Cow::Borrowed);
        }
        let nodes = select_all(steps, from, root);
        (!nodes.is_empty()).then(|| Cow::Owned(Value::Array(nodes.into_iter().cloned().collect())))
    }
}

impl Comparison {
    /// Values of different types are never equal, nor ordered.
    fn accepts(self, left: &Value, right: &Value) -> bool {
        let order = match (left, right) {
            (Value::Number(l), Value::Number(r)) => l
                .as_f64()
                .zip(r.as_f64())
                .and_then(|(l, r)| l.partial_cmp(&r)),
            (Value::String(l), Value::String(r)) => Some(l.cmp(r)),
            (l, r) if l == r => Some(Ordering::Equal),
            _ => None,
        };
        match (self, order) {
            (Comparison::Ne, order) => order != Some(Ordering::Equal),
            (_, None) => false,
            (Comparison::Eq, Some(order)) => order.is_eq(),
            (Comparison::Lt, Some(order)) => order.is_lt(),
            (Comparison::Le, Some(order)) => order.is_le(),
            (Comparison::Gt, Some(order)) => order.is_gt(),
            (Comparison::Ge, Some(order)) => order.is_ge(),
        }
    }
}

struct Parser<'t> {
    text: &'t str,
    at: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.text[self.at..]
    }

    fn eat(&mut self, token: &str) -> bool {
        let found = self.rest().starts_with(token);
        if found {
            self.at += token.len();
        }
        found
    }

    fn skip_spaces(&mut self) {
        let trimmed = self.rest().trim_start();
        self.at = self.text.len() - trimmed.len();
    }

    fn steps(mut self) -> Result<Vec<Step>, String> {
        let mut steps = Vec::new();
        while !self.rest().is_empty() {
            steps.push(self.step()?);
        }
        Ok(steps)
    }

    /// Steps of a path inside a filter: up to an operator, `)` or space.
    fn operand_steps(&mut self) -> Result<Vec<Step>, String> {
        let mut steps = Vec::new();
        while self.rest().starts_with(['.', '[']) {
            steps.push(self.step()?);
        }
        Ok(steps)
    }

    fn step(&mut self) -> Result<Step, String> {
        if self.eat("..") {
            let inner = if self.rest().starts_with('[') {
                self.bracket()?
            } else {
                self.dotted()?
            };
            return Ok(Step::Descend(Box::new(inner)));
        }
        if self.eat(".") {
            return self.dotted();
        }
        if self.rest().starts_with('[') {
            return self.bracket();
        }
        Err(format!("unexpected `{}`", self.rest()))
    }

    fn dotted(&mut self) -> Result<Step, String> {
        if self.eat("*") {
            return Ok(Step::Wildcard);
        }
        let end = self
            .rest()
            .find(|c: char| ".[ )=!<>&|".contains(c))
            .unwrap_or(self.rest().len());
        let name = &self.rest()[..end];
        if name.is_empty() {
            return Err("empty field name".into());
        }
        if let Some(bad) = name.chars().find(|c| "*?@()'\",:".contains(*c)) {
            return Err(format!("`{bad}` in the field name `{name}`"));
        }
        let step = Step::Field(name.to_owned());
        self.at += end;
        Ok(step)
    }

    fn bracket(&mut self) -> Result<Step, String> {
        self.eat("[");
        self.skip_spaces();
        let step = if self.eat("*") {
            Step::Wildcard
        } else if self.eat("?(") {
            let expr = self.or()?;
            self.skip_spaces();
            if !self.eat(")") {
                return Err("expected `)` to close the filter".into());
            }
            Step::Filter(expr)
        } else if self.rest().starts_with(['\'', '"']) {
            let mut names = vec![self.quoted()?];
            while self.comma() {
                names.push(self.quoted()?);
            }
            match names.len() {
                1 => Step::Field(names.remove(0)),
                _ => Step::Fields(names),
            }
        } else {
            self.indexes()?
        };
        self.skip_spaces();
        if !self.eat("]") {
            return Err(format!("expected `]` before `{}`", self.rest()));
        }
        Ok(step)
    }

    fn comma(&mut self) -> bool {
        self.skip_spaces();
        let found = self.eat(",");
        self.skip_spaces();
        found
    }

    fn quoted(&mut self) -> Result<String, String> {
        let quote = self.rest().chars().next().ok_or("expected a quoted name")?;
        self.at += 1;
        let close = self
            .rest()
            .find(quote)
            .ok_or_else(|| "unterminated quoted field name".to_owned())?;
        let name = self.rest()[..close].to_owned();
        self.at += close + 1;
        Ok(name)
    }

    fn integer(&mut self) -> Result<Option<i64>, String> {
        self.skip_spaces();
        let len = self
            .rest()
            .char_indices()
            .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && c == '-')))
            .map_or(self.rest().len(), |(i, _)| i);
        if len == 0 {
            return Ok(None);
        }
        let text = &self.rest()[..len];
        let number = text
            .parse()
            .map_err(|_| format!("`{text}` is not an array index"))?;
        self.at += len;
        self.skip_spaces();
        Ok(Some(number))
    }

    fn indexes(&mut self) -> Result<Step, String> {
        let first = self.integer()?;
        if self.eat(":") {
            let end = self.integer()?;
            let step = if self.eat(":") { self.integer()? } else { None };
            if step.is_some_and(|step| step < 1) {
                return Err("a slice's step must be at least 1".into());
            }
            return Ok(Step::Slice(first, end, step.unwrap_or(1)));
        }
        let first = first.ok_or_else(|| {
            format!(
                "`[{}`: expected an index, a slice, `*`, a quoted name or a filter",
                self.rest()
            )
        })?;
        let mut indexes = vec![first];
        while self.comma() {
            indexes.push(self.integer()?.ok_or("expected an index after `,`")?);
        }
        Ok(match indexes.len() {
            1 => Step::Index(first),
            _ => Step::Indexes(indexes),
        })
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        loop {
            self.skip_spaces();
            if !self.eat("||") {
                return Ok(left);
            }
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        loop {
            self.skip_spaces();
            if !self.eat("&&") {
                return Ok(left);
            }
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> Result<Expr, String> {
        self.skip_spaces();
        if self.eat("!") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.eat("(") {
            let inner = self.or()?;
            self.skip_spaces();
            if !self.eat(")") {
                return Err("expected `)` in the filter".into());
            }
            return Ok(inner);
        }
        let left = self.operand()?;
        self.skip_spaces();
        const OPERATORS: [(&str, Comparison); 6] = [
            ("==", Comparison::Eq),
            ("!=", Comparison::Ne),
            ("<=", Comparison::Le),
            (">=", Comparison::Ge),
            ("<", Comparison::Lt),
            (">", Comparison::Gt),
        ];
        for (token, comparison) in OPERATORS {
            if self.eat(token) {
                let right = self.operand()?;
                return Ok(Expr::Compare(left, comparison, right));
            }
        }
        if self.rest().starts_with("=~") || self.rest().starts_with(" in ") {
            return Err("regular expressions and `in` are not supported in filters".into());
        }
        Ok(Expr::Exists(left))
    }

    fn operand(&mut self) -> Result<Operand, String> {
        self.skip_spaces();
        if self.eat("@") {
            return Ok(Operand::Current(self.operand_steps()?));
        }
        if self.eat("$") {
            return Ok(Operand::Root(self.operand_steps()?));
        }
        if self.rest().starts_with(['\'', '"']) {
            return Ok(Operand::Literal(Value::String(self.quoted()?)));
        }
        let len = self
            .rest()
            .find(|c: char| " )&|=!<>".contains(c))
            .unwrap_or(self.rest().len());
        let token = &self.rest()[..len];
        match serde_json::from_str::<Value>(token) {
            Ok(value @ (Value::Number(_) | Value::Bool(_) | Value::Null)) => {
                self.at += len;
                Ok(Operand::Literal(value))
            }
            _ => Err(format!("`{token}` is not a filter operand")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn select(path: &str, document: &Value) -> Option<Value> {
        let rest = path.strip_prefix('$').unwrap();
        Query::parse_steps(rest)
            .unwrap()
            .select(document)
            .map(Cow::into_owned)
    }

    #[test]
    fn slices_count_from_either_end() {
        let doc = json!({"a": [0, 1, 2, 3, 4]});
        assert_eq!(select("$.a[1:]", &doc), Some(json!([1, 2, 3, 4])));
        assert_eq!(select("$.a[:2]", &doc), Some(json!([0, 1])));
        assert_eq!(select("$.a[-2:]", &doc), Some(json!([3, 4])));
        assert_eq!(select("$.a[::2]", &doc), Some(json!([0, 2, 4])));
        assert_eq!(select("$.a[0,3]", &doc), Some(json!([0, 3])));
        assert_eq!(select("$.a[-1]", &doc), Some(json!(4)));
        assert_eq!(select("$.a[9:]", &doc), Some(json!([])));
    }

    #[test]
    fn filters_compare_within_a_type_only() {
        let doc = json!({"items": [
            {"id": 1, "status": 0}, {"id": 2, "status": "0"}, {"id": 3}, {"id": 4, "status": 2}
        ]});
        assert_eq!(
            select("$.items[?(@.status == 0)].id", &doc),
            Some(json!([1]))
        );
        assert_eq!(
            select("$.items[?(@.status)].id", &doc),
            Some(json!([1, 2, 4]))
        );
        assert_eq!(
            select("$.items[?(@.status > 0 || @.id == 3)].id", &doc),
            Some(json!([3, 4]))
        );
        assert_eq!(
            select("$.items[?(@.status != 0)].id", &doc),
            Some(json!([2, 3, 4]))
        );
        assert_eq!(select("$.items[?(!@.status)].id", &doc), Some(json!([3])));
    }

    #[test]
    fn recursive_descent_walks_in_document_order() {
        let doc = json!({"a": {"name": 1, "b": [{"name": 2}]}, "name": 0});
        // A node before its children: the root's own `name` first.
        assert_eq!(select("$..name", &doc), Some(json!([0, 1, 2])));
        assert_eq!(select("$.a.b.*", &doc), Some(json!([{"name": 2}])));
        assert_eq!(select("$.a.b[*].name", &doc), Some(json!([2])));
    }

    #[test]
    fn a_definite_path_names_one_node_or_nothing() {
        let doc = json!({"a": [{"b": 1}]});
        assert_eq!(select("$.a[0].b", &doc), Some(json!(1)));
        assert_eq!(select("$.a[1].b", &doc), None);
        assert_eq!(select("$.x[*]", &doc), Some(json!([])));
    }

    #[test]
    fn refuses_what_it_cannot_evaluate() {
        for rest in [
            ".a[?(@.b =~ /x/)]",
            ".a[",
            ".a[?(@.b == )]",
            ".a[::0]",
            ".",
            ".a.[0]",
        ] {
            assert!(Query::parse_steps(rest).is_err(), "{rest} was accepted");
        }
    }
}
