//! Reading a spec's YAML into a `serde_json::Value`.
//!
//! OpenAPI documents use a small part of YAML: block mappings and lists,
//! plain and quoted scalars (on one line or several), literal and folded
//! block scalars, flow collections, comments. This reader takes that part,
//! resolving plain scalars as YAML 1.2's core schema does (and as
//! `serde_yaml` did before it: `null`/`~`, `true`/`false`, integers with
//! `0x`/`0o`/`0b`, floats; keys stay text). What it does not take (anchors
//! and aliases, tags, complex keys, several documents) is an error naming
//! the line, never a guess. A document starting with `{` or `[` is read as
//! JSON first.
//!
//! Why not a YAML library: a full one (libyaml through `serde_yaml`) was
//! about 1.8 s of CPU in every application's cold build, for a build step
//! that reads one file. `tests/yaml.rs` checks this reader against
//! `serde_yaml` on every spec in the repository and Clerk's references.
//!
//! Compiled by `build.rs` and, through `#[path]`, by `tests/yaml.rs`; it
//! depends on `serde_json` and `std` only.

use serde_json::{Map, Number, Value};

/// Parse a YAML (or JSON) document.
pub fn parse(text: &str) -> Result<Value, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with(['{', '['])
        && let Ok(value) = serde_json::from_str(text)
    {
        return Ok(value);
    }
    Parser::new(text).document()
}

#[derive(Clone, Copy)]
struct Line<'a> {
    /// 1-based, for messages.
    no: usize,
    /// Leading spaces.
    indent: usize,
    /// The line after its indentation, trailing whitespace removed.
    text: &'a str,
    /// The whole line (without its line break), for block scalars.
    raw: &'a str,
    /// Whether a tab follows the indentation (an error where the line's
    /// indentation matters; content of block scalars may have tabs).
    tab: bool,
}

impl Line<'_> {
    fn is_blank(&self) -> bool {
        self.text.is_empty()
    }

    fn is_comment(&self) -> bool {
        self.text.starts_with('#')
    }

    fn is_document_marker(&self) -> bool {
        self.indent == 0 && (marker(self.text, "---") || marker(self.text, "..."))
    }
}

fn marker(text: &str, m: &str) -> bool {
    text.strip_prefix(m)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

struct Parser<'a> {
    lines: Vec<Line<'a>>,
    pos: usize,
}

fn err(no: usize, message: impl std::fmt::Display) -> String {
    format!("line {no}: {message}")
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        let mut lines = Vec::new();
        for (i, raw) in text.split('\n').enumerate() {
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            let body = raw.trim_start_matches(' ');
            let text = body.trim_end();
            lines.push(Line {
                no: i + 1,
                indent: raw.len() - body.len(),
                text,
                raw,
                tab: body.starts_with('\t'),
            });
        }
        Parser { lines, pos: 0 }
    }

    /// The index of the next line that holds content (not blank, not a
    /// comment), or `None` at the end of the document.
    fn next(&mut self) -> Result<Option<usize>, String> {
        while let Some(l) = self.lines.get(self.pos) {
            if l.is_document_marker() {
                return Ok(None);
            }
            if l.tab && !l.text.trim_start().starts_with('#') {
                return Err(err(l.no, "a tab in indentation (YAML indents with spaces)"));
            }
            if !l.is_blank() && !l.is_comment() {
                return Ok(Some(self.pos));
            }
            self.pos += 1;
        }
        Ok(None)
    }

    fn document(mut self) -> Result<Value, String> {
        while let Some(l) = self.lines.get(self.pos) {
            if l.is_blank() || l.is_comment() || l.text.starts_with('%') {
                self.pos += 1;
            } else if l.indent == 0 && l.text == "---" {
                self.pos += 1;
                break;
            } else {
                break;
            }
        }
        let value = match self.next()? {
            Some(i) => self.node(i, None)?,
            None => Value::Null,
        };
        if let Some(i) = self.next()? {
            return Err(err(self.lines[i].no, "unexpected indentation"));
        }
        if let Some(l) = self.lines.get(self.pos)
            && marker(l.text, "---")
            && self.lines[self.pos + 1..]
                .iter()
                .any(|l| !l.is_blank() && !l.is_comment())
        {
            return Err(err(l.no, "a second document (only one is read)"));
        }
        Ok(value)
    }

    /// The block node starting on line `i`; `parent` is the indentation of
    /// the node holding it (`None` at the top).
    fn node(&mut self, i: usize, parent: Option<usize>) -> Result<Value, String> {
        let l = self.lines[i];
        if is_list_item(l.text) {
            self.list(l.indent)
        } else if split_key(l.text, l.no)?.is_some() {
            self.map(l.indent)
        } else {
            self.pos = i + 1;
            self.inline(l.text, l.no, parent)
        }
    }

    fn map(&mut self, indent: usize) -> Result<Value, String> {
        let mut map = Map::new();
        while let Some(i) = self.next()? {
            let l = self.lines[i];
            if l.indent < indent {
                break;
            }
            if l.indent > indent {
                return Err(err(l.no, "unexpected indentation"));
            }
            if is_list_item(l.text) {
                return Err(err(l.no, "a list item where a key was expected"));
            }
            let Some((key, rest)) = split_key(l.text, l.no)? else {
                return Err(err(l.no, "expected `key: value`"));
            };
            self.pos = i + 1;
            let value = if rest.is_empty() || rest.starts_with('#') {
                match self.next()? {
                    Some(j) if self.lines[j].indent > indent => self.node(j, Some(indent))?,
                    // A list may sit at its key's indentation.
                    Some(j)
                        if self.lines[j].indent == indent && is_list_item(self.lines[j].text) =>
                    {
                        self.list(indent)?
                    }
                    _ => Value::Null,
                }
            } else {
                self.inline(rest, l.no, Some(indent))?
            };
            if map.insert(key.clone(), value).is_some() {
                return Err(err(l.no, format!("the key `{key}` appears twice")));
            }
        }
        Ok(Value::Object(map))
    }

    fn list(&mut self, indent: usize) -> Result<Value, String> {
        let mut items = Vec::new();
        while let Some(i) = self.next()? {
            let l = self.lines[i];
            if l.indent < indent || (l.indent == indent && !is_list_item(l.text)) {
                break;
            }
            if l.indent > indent {
                return Err(err(l.no, "unexpected indentation"));
            }
            let rest = l.text[1..].trim_start_matches(' ');
            let column = indent + (l.text.len() - rest.len());
            if rest.is_empty() || rest.starts_with('#') {
                self.pos = i + 1;
                items.push(match self.next()? {
                    Some(j) if self.lines[j].indent > indent => self.node(j, Some(indent))?,
                    _ => Value::Null,
                });
            } else if is_list_item(rest) || split_key(rest, l.no)?.is_some() {
                // `- key: value` or `- - x`: a block node starting at the
                // column after the dash; read the line again from there.
                self.lines[i].indent = column;
                self.lines[i].text = rest;
                items.push(self.node(i, Some(indent))?);
            } else {
                self.pos = i + 1;
                items.push(self.inline(rest, l.no, Some(indent))?);
            }
        }
        Ok(Value::Array(items))
    }

    /// A value that starts within a line (after `key:` or `- `, or alone on
    /// its line), with the lines it continues onto: those indented more
    /// than `parent`.
    fn inline(&mut self, text: &'a str, no: usize, parent: Option<usize>) -> Result<Value, String> {
        match text.as_bytes()[0] {
            b'|' | b'>' => self.block_scalar(text, no, parent.unwrap_or(0)),
            b'\'' | b'"' => self.quoted(text, no).map(Value::String),
            b'[' | b'{' => {
                let gathered = self.gather_flow(text, no)?;
                let mut flow = Flow {
                    s: gathered.as_bytes(),
                    at: 0,
                    no,
                };
                let value = flow.value()?;
                flow.skip_space();
                if flow.at < flow.s.len() {
                    return Err(err(no, "unexpected text after a flow collection"));
                }
                Ok(value)
            }
            b'&' | b'*' => Err(err(
                no,
                "YAML anchors and aliases are not supported; write the value out, or give the spec as JSON",
            )),
            b'!' => Err(err(no, "YAML tags are not supported")),
            b'@' | b'`' | b'%' => Err(err(
                no,
                format!("a plain value cannot start with `{}`", &text[..1]),
            )),
            _ => self.plain(text, no, parent).map(resolve),
        }
    }

    fn plain(&mut self, first: &str, no: usize, parent: Option<usize>) -> Result<String, String> {
        let mut out = plain_line(first, no)?.to_string();
        let mut blanks = 0;
        let mut j = self.pos;
        while let Some(l) = self.lines.get(j) {
            if l.is_blank() {
                blanks += 1;
                j += 1;
                continue;
            }
            if l.is_comment()
                || l.is_document_marker()
                || parent.is_some_and(|p| l.indent <= p)
                || (parent.is_none() && l.indent == 0)
            {
                break;
            }
            let text = plain_line(l.text, l.no)?;
            if blanks == 0 {
                out.push(' ');
            } else {
                out.extend(std::iter::repeat_n('\n', blanks));
            }
            out.push_str(text);
            blanks = 0;
            j += 1;
            self.pos = j;
            if text.len() < l.text.len() {
                break; // a comment ends the value
            }
        }
        Ok(out)
    }

    /// A quoted scalar starting at `text`, continuing onto the next lines
    /// until its closing quote.
    fn quoted(&mut self, text: &str, no: usize) -> Result<String, String> {
        let double = text.starts_with('"');
        let mut out = String::new();
        let mut line = &text[1..];
        let mut line_no = no;
        loop {
            match scan_quoted(line, double, &mut out, line_no)? {
                Scan::Closed(after) => {
                    let after = after.trim_start();
                    if !after.is_empty() && !after.starts_with('#') {
                        return Err(err(line_no, "unexpected text after a quoted value"));
                    }
                    return Ok(out);
                }
                Scan::Open { escaped } => {
                    // The line break folds to a space, blank lines to
                    // newlines; an escaped break (`\` at the end) to nothing.
                    if !escaped {
                        let kept = out.trim_end_matches([' ', '\t']).len();
                        out.truncate(kept);
                    }
                    let mut blanks = 0;
                    loop {
                        let Some(l) = self.lines.get(self.pos) else {
                            return Err(err(no, "a quoted value is not closed"));
                        };
                        self.pos += 1;
                        if l.is_document_marker() {
                            return Err(err(no, "a quoted value is not closed"));
                        }
                        if l.raw.trim().is_empty() {
                            blanks += 1;
                            continue;
                        }
                        line = l.raw.trim_start_matches([' ', '\t']);
                        line_no = l.no;
                        break;
                    }
                    if blanks > 0 {
                        out.extend(std::iter::repeat_n('\n', blanks));
                    } else if !escaped {
                        out.push(' ');
                    }
                }
            }
        }
    }

    /// `|` or `>` with its indicators, then the lines indented more than
    /// the parent.
    fn block_scalar(&mut self, header: &str, no: usize, parent: usize) -> Result<Value, String> {
        let folded = header.starts_with('>');
        let mut chomp = ' ';
        let mut explicit = None;
        let mut rest = &header[1..];
        while let Some(c) = rest.chars().next() {
            match c {
                '-' | '+' if chomp == ' ' => chomp = c,
                '1'..='9' if explicit.is_none() => explicit = Some(c as usize - '0' as usize),
                _ => break,
            }
            rest = &rest[1..];
        }
        let rest = rest.trim_start();
        if !rest.is_empty() && !rest.starts_with('#') {
            return Err(err(no, "unexpected text after a block scalar's indicator"));
        }
        let indent = match explicit {
            Some(n) => parent + n,
            None => self.lines[self.pos..]
                .iter()
                .find(|l| !l.raw.trim().is_empty())
                .map_or(0, |l| l.indent),
        };
        let mut content: Vec<&str> = Vec::new();
        if indent > parent {
            while let Some(l) = self.lines.get(self.pos) {
                if l.raw.trim().is_empty() {
                    content.push(l.raw.get(indent..).unwrap_or(""));
                } else if l.indent >= indent && !l.is_document_marker() {
                    content.push(&l.raw[indent..]);
                } else {
                    break;
                }
                self.pos += 1;
            }
        }
        let last = content.iter().rposition(|l| !l.trim().is_empty());
        let trailing = last.map_or(content.len(), |n| content.len() - n - 1);
        let lines = last.map_or(&content[..0], |n| &content[..=n]);
        let mut out = if folded {
            fold(lines)
        } else {
            lines.join("\n")
        };
        match chomp {
            '-' => {}
            '+' => out.extend(std::iter::repeat_n(
                '\n',
                trailing + usize::from(last.is_some()),
            )),
            _ if last.is_some() => out.push('\n'),
            _ => {}
        }
        Ok(Value::String(out))
    }

    /// A flow collection's text, joined across lines until its brackets
    /// close; comments dropped.
    fn gather_flow(&mut self, first: &str, no: usize) -> Result<String, String> {
        let mut out = String::new();
        let mut depth = 0i32;
        let mut quote: Option<char> = None;
        let mut line = first;
        loop {
            let mut prev = ' ';
            let mut chars = line.char_indices().peekable();
            while let Some((_, c)) = chars.next() {
                match quote {
                    Some('\'') if c == '\'' => {
                        if chars.peek().is_some_and(|&(_, n)| n == '\'') {
                            out.push(c);
                            chars.next();
                        } else {
                            quote = None;
                        }
                    }
                    Some('"') if c == '\\' => {
                        out.push(c);
                        if let Some((_, n)) = chars.next() {
                            out.push(n);
                        }
                        prev = 'x';
                        continue;
                    }
                    Some(q) if c == q => quote = None,
                    Some(_) => {}
                    None => match c {
                        '\'' | '"' => quote = Some(c),
                        '[' | '{' => depth += 1,
                        ']' | '}' => depth -= 1,
                        '#' if prev == ' ' || prev == '\t' => break,
                        _ => {}
                    },
                }
                out.push(c);
                prev = c;
            }
            if depth <= 0 && quote.is_none() {
                return Ok(out);
            }
            let Some(l) = self.lines.get(self.pos) else {
                return Err(err(no, "a flow collection is not closed"));
            };
            self.pos += 1;
            out.push(' ');
            line = l.raw.trim();
        }
    }
}

fn is_list_item(text: &str) -> bool {
    text == "-" || text.starts_with("- ") || text.starts_with("-\t")
}

/// `key: rest` -> the key and what follows its colon (trimmed); `None`
/// when the line is not a mapping entry.
fn split_key(text: &str, no: usize) -> Result<Option<(String, &str)>, String> {
    if text.starts_with("? ") || text == "?" {
        return Err(err(no, "complex mapping keys (`? `) are not supported"));
    }
    if text.starts_with(['\'', '"']) {
        let mut key = String::new();
        let Scan::Closed(after) = scan_quoted(&text[1..], text.starts_with('"'), &mut key, no)?
        else {
            return Ok(None); // a quoted value going on to the next line
        };
        let after = after.trim_start();
        return Ok(colon(after).map(|rest| (key, rest)));
    }
    if text.starts_with(['[', '{', '|', '>', '#', '&', '*', '!', '%', '@', '`'])
        || is_list_item(text)
    {
        return Ok(None);
    }
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && i > 0 && (bytes[i - 1] == b' ' || bytes[i - 1] == b'\t') {
            return Ok(None);
        }
        if b == b':'
            && let Some(rest) = colon(&text[i..])
        {
            let key = text[..i].trim_end();
            return Ok((!key.is_empty()).then(|| (key.to_string(), rest)));
        }
    }
    Ok(None)
}

/// `: rest` (a colon, then a space or the end) -> `rest`, trimmed.
fn colon(text: &str) -> Option<&str> {
    let rest = text.strip_prefix(':')?;
    (rest.is_empty() || rest.starts_with([' ', '\t'])).then(|| rest.trim_start())
}

/// One line of a plain scalar: without a trailing comment; `: ` inside is
/// an error, as in YAML.
fn plain_line(text: &str, no: usize) -> Result<&str, String> {
    let bytes = text.as_bytes();
    let mut end = text.len();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && i > 0 && (bytes[i - 1] == b' ' || bytes[i - 1] == b'\t') {
            end = i;
            break;
        }
        if b == b':' && colon(&text[i..]).is_some() {
            return Err(err(no, "`: ` inside a plain value (quote the value)"));
        }
    }
    Ok(text[..end].trim_end())
}

/// Where a quoted scalar's line ended.
enum Scan<'t> {
    /// At the closing quote: the rest of the line after it.
    Closed(&'t str),
    /// At the end of the line, the quote still open; `escaped` when the
    /// line ended in `\` (a double quote's escaped line break).
    Open { escaped: bool },
}

/// Scan a quoted scalar's text after its opening quote, appending the
/// characters to `out`.
fn scan_quoted<'t>(
    line: &'t str,
    double: bool,
    out: &mut String,
    no: usize,
) -> Result<Scan<'t>, String> {
    let mut chars = line.char_indices();
    while let Some((i, c)) = chars.next() {
        if !double && c == '\'' {
            if line[i + 1..].starts_with('\'') {
                out.push('\'');
                chars.next();
                continue;
            }
            return Ok(Scan::Closed(&line[i + 1..]));
        }
        if double && c == '"' {
            return Ok(Scan::Closed(&line[i + 1..]));
        }
        if double && c == '\\' {
            let Some((j, e)) = chars.next() else {
                return Ok(Scan::Open { escaped: true });
            };
            let hex = |n: usize, chars: &mut std::str::CharIndices| -> Result<char, String> {
                let digits = line
                    .get(j + 1..j + 1 + n)
                    .ok_or_else(|| err(no, "a short escape"))?;
                for _ in 0..n {
                    chars.next();
                }
                u32::from_str_radix(digits, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| err(no, format!("a bad escape `\\{e}{digits}`")))
            };
            out.push(match e {
                '0' => '\0',
                'a' => '\u{7}',
                'b' => '\u{8}',
                't' | '\t' => '\t',
                'n' => '\n',
                'v' => '\u{b}',
                'f' => '\u{c}',
                'r' => '\r',
                'e' => '\u{1b}',
                ' ' => ' ',
                '"' => '"',
                '/' => '/',
                '\\' => '\\',
                'N' => '\u{85}',
                '_' => '\u{a0}',
                'L' => '\u{2028}',
                'P' => '\u{2029}',
                'x' => hex(2, &mut chars)?,
                'u' => hex(4, &mut chars)?,
                'U' => hex(8, &mut chars)?,
                _ => return Err(err(no, format!("an unknown escape `\\{e}`"))),
            });
            continue;
        }
        out.push(c);
    }
    Ok(Scan::Open { escaped: false })
}

/// Folded block scalar lines (`>`): lines join with a space, a blank line
/// is a newline, and lines indented further keep their line breaks.
fn fold(lines: &[&str]) -> String {
    let leading = lines.iter().take_while(|l| l.trim().is_empty()).count();
    let mut out = "\n".repeat(leading);
    let mut blanks = 0;
    let mut prev_more = false;
    for (i, line) in lines[leading..].iter().enumerate() {
        if line.trim().is_empty() {
            blanks += 1;
            continue;
        }
        let more = line.starts_with([' ', '\t']);
        if i > 0 {
            let breaks = if more || prev_more {
                blanks + 1
            } else {
                blanks
            };
            if breaks == 0 {
                out.push(' ');
            } else {
                out.extend(std::iter::repeat_n('\n', breaks));
            }
        }
        out.push_str(line);
        blanks = 0;
        prev_more = more;
    }
    out
}

/// A flow collection (`[a, b]`, `{k: v}`), already joined onto one line.
struct Flow<'s> {
    s: &'s [u8],
    at: usize,
    no: usize,
}

impl Flow<'_> {
    fn skip_space(&mut self) {
        while self
            .s
            .get(self.at)
            .is_some_and(|b| *b == b' ' || *b == b'\t')
        {
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn value(&mut self) -> Result<Value, String> {
        self.skip_space();
        match self.peek() {
            Some(b'[') => {
                self.at += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_space();
                    if self.peek() == Some(b']') {
                        self.at += 1;
                        return Ok(Value::Array(items));
                    }
                    items.push(self.value()?);
                    self.separator(b']')?;
                }
            }
            Some(b'{') => {
                self.at += 1;
                let mut map = Map::new();
                loop {
                    self.skip_space();
                    if self.peek() == Some(b'}') {
                        self.at += 1;
                        return Ok(Value::Object(map));
                    }
                    let key = match self.scalar()? {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    self.skip_space();
                    let value = if self.peek() == Some(b':') {
                        self.at += 1;
                        self.skip_space();
                        match self.peek() {
                            Some(b',' | b'}') => Value::Null,
                            _ => self.value()?,
                        }
                    } else {
                        Value::Null
                    };
                    map.insert(key, value);
                    self.separator(b'}')?;
                }
            }
            _ => self.scalar(),
        }
    }

    /// After an item: `,` (consumed) or the closing bracket (left).
    fn separator(&mut self, close: u8) -> Result<(), String> {
        self.skip_space();
        match self.peek() {
            Some(b',') => {
                self.at += 1;
                Ok(())
            }
            Some(c) if c == close => Ok(()),
            _ => Err(err(
                self.no,
                "expected `,` or a closing bracket in a flow collection",
            )),
        }
    }

    fn scalar(&mut self) -> Result<Value, String> {
        let rest = std::str::from_utf8(&self.s[self.at..]).map_err(|e| e.to_string())?;
        if rest.starts_with(['\'', '"']) {
            let mut out = String::new();
            let Scan::Closed(after) =
                scan_quoted(&rest[1..], rest.starts_with('"'), &mut out, self.no)?
            else {
                return Err(err(self.no, "a quoted value is not closed"));
            };
            self.at = self.s.len() - after.len();
            return Ok(Value::String(out));
        }
        if rest.starts_with(['&', '*', '!']) {
            return Err(err(
                self.no,
                "YAML anchors, aliases and tags are not supported",
            ));
        }
        let bytes = rest.as_bytes();
        let mut end = 0;
        while end < bytes.len() {
            let b = bytes[end];
            if matches!(b, b',' | b'[' | b']' | b'{' | b'}')
                || (b == b':'
                    && matches!(bytes.get(end + 1), None | Some(b' ' | b',' | b']' | b'}')))
            {
                break;
            }
            end += 1;
        }
        self.at += end;
        Ok(resolve(rest[..end].trim().to_string()))
    }
}

/// A plain scalar's value under YAML 1.2's core schema, as `serde_yaml`
/// resolves it.
fn resolve(text: String) -> Value {
    let s = text.as_str();
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(n) = unsigned(s) {
        return Value::Number(n.into());
    }
    if let Some(n) = negative(s) {
        return Value::Number(n.into());
    }
    if !leading_zero_digits(s)
        && let Some(f) = float(s)
    {
        return Number::from_f64(f).map_or(Value::Null, Value::Number);
    }
    Value::String(text)
}

fn radix(s: &str) -> Option<(&str, u32)> {
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = s.strip_prefix(prefix) {
            return (!rest.starts_with(['+', '-'])).then_some((rest, radix));
        }
    }
    None
}

fn unsigned(s: &str) -> Option<u64> {
    let unsigned = s.strip_prefix('+').unwrap_or(s);
    if let Some((digits, r)) = radix(unsigned)
        && let Ok(n) = u64::from_str_radix(digits, r)
    {
        return Some(n);
    }
    if unsigned.starts_with(['+', '-']) || leading_zero_digits(s) {
        return None;
    }
    unsigned.parse().ok()
}

fn negative(s: &str) -> Option<i64> {
    let rest = s.strip_prefix('-')?;
    if let Some((digits, r)) = radix(rest) {
        return i64::from_str_radix(&format!("-{digits}"), r).ok();
    }
    if leading_zero_digits(s) {
        return None;
    }
    s.parse().ok()
}

fn float(s: &str) -> Option<f64> {
    let unsigned = match s.strip_prefix('+') {
        Some(u) if u.starts_with(['+', '-']) => return None,
        Some(u) => u,
        None => s,
    };
    if let ".inf" | ".Inf" | ".INF" = unsigned {
        return Some(f64::INFINITY);
    }
    match s {
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    unsigned.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// `012`, `-007`: digits with a leading zero are text in YAML 1.2.
fn leading_zero_digits(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    s.len() > 1 && s.starts_with('0') && s[1..].bytes().all(|b| b.is_ascii_digit())
}
