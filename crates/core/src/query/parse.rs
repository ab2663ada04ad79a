//! The query language's parser: text in, [`Expr`] out, or a [`QueryError`] with the
//! 0-based character position of the trouble.
//!
//! Grammar (AND binds tighter than OR; juxtaposition is AND):
//! ```text
//! query   := or?
//! or      := and ("OR" and)*
//! and     := unary (("AND")? unary)*
//! unary   := "-" unary | "NOT" unary | primary
//! primary := "(" or ")" | "\"phrase\"" | field ":" value | word
//! value   := word | "\"quoted\""       (a `*` in a value is a wildcard)
//! ```

use crate::engine::QueryError;

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// Every child matches.
    And(Vec<Expr>),
    /// Any child matches.
    Or(Vec<Expr>),
    /// The child does not match.
    Not(Box<Expr>),
    /// Case-insensitive substring of the event's JSON text.
    Text(String),
    /// `field:value`.
    Field {
        /// The path or derived name before the colon.
        field: String,
        /// The value after it.
        pattern: Pattern,
        /// Character position of the field name (for errors found later).
        position: usize,
    },
}

/// A value to match.
#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    /// Exact, case-sensitive.
    Exact(String),
    /// With `*` wildcards: case-insensitive; the literal pieces between the stars,
    /// lower-cased (`Delete*` -> `["delete", ""]`).
    Wild(Vec<String>),
}

impl Pattern {
    /// A pattern from a query value. A quoted value still honours `*`: CloudTrail
    /// values hardly ever contain one, and it lets `"Cloud Trail*"` mean a prefix
    /// with a space.
    pub fn new(value: &str) -> Pattern {
        if value.contains('*') {
            Pattern::Wild(value.split('*').map(|p| p.to_ascii_lowercase()).collect())
        } else {
            Pattern::Exact(value.to_owned())
        }
    }

    /// Whether `s` matches.
    pub fn matches(&self, s: &str) -> bool {
        match self {
            Pattern::Exact(v) => v == s,
            Pattern::Wild(parts) => wild_match(parts, s.as_bytes()),
        }
    }

    /// Whether the pattern is a lone `*` (matches any present value).
    pub fn is_any(&self) -> bool {
        matches!(self, Pattern::Wild(p) if p.iter().all(|x| x.is_empty()))
    }
}

/// Case-insensitive (ASCII) glob match of lower-cased `parts` (split on `*`).
pub fn wild_match(parts: &[String], s: &[u8]) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return s.is_empty();
    };
    let f = first.as_bytes();
    if s.len() < f.len() || !s[..f.len()].eq_ignore_ascii_case(f) {
        return false;
    }
    let mut pos = f.len();
    let Some((last, middle)) = rest.split_last() else {
        return pos == s.len();
    };
    for p in middle {
        let p = p.as_bytes();
        match find_ci(&s[pos..], p) {
            Some(i) => pos += i + p.len(),
            None => return false,
        }
    }
    let l = last.as_bytes();
    s.len() >= pos + l.len() && s[s.len() - l.len()..].eq_ignore_ascii_case(l)
}

fn find_ci(h: &[u8], n: &[u8]) -> Option<usize> {
    if n.is_empty() {
        return Some(0);
    }
    h.windows(n.len()).position(|w| w.eq_ignore_ascii_case(n))
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    Minus,
    Or,
    And,
    Not,
    /// A bare word or `field:value` (value possibly quoted).
    Word {
        text: String,
        field: Option<(String, bool)>,
    },
    /// A quoted phrase on its own.
    Phrase(String),
}

struct Lexed {
    tok: Tok,
    pos: usize,
}

fn err(message: impl Into<String>, position: usize) -> QueryError {
    QueryError {
        message: message.into(),
        position,
    }
}

/// Read a quoted string starting at `chars[i] == '"'`; returns (text, index after).
fn quoted(chars: &[char], i: usize) -> Result<(String, usize), QueryError> {
    let mut out = String::new();
    let mut j = i + 1;
    while j < chars.len() {
        match chars[j] {
            '"' => return Ok((out, j + 1)),
            '\\' if j + 1 < chars.len() && matches!(chars[j + 1], '"' | '\\') => {
                out.push(chars[j + 1]);
                j += 2;
            }
            c => {
                out.push(c);
                j += 1;
            }
        }
    }
    Err(err("this quote is never closed", i))
}

fn lex(q: &str) -> Result<Vec<Lexed>, QueryError> {
    let chars: Vec<char> = q.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let pos = i;
        match c {
            '(' => {
                out.push(Lexed {
                    tok: Tok::LParen,
                    pos,
                });
                i += 1;
            }
            ')' => {
                out.push(Lexed {
                    tok: Tok::RParen,
                    pos,
                });
                i += 1;
            }
            '-' => {
                if i + 1 >= chars.len() || chars[i + 1].is_whitespace() || chars[i + 1] == ')' {
                    return Err(err("'-' must be followed by the term to exclude", pos));
                }
                out.push(Lexed {
                    tok: Tok::Minus,
                    pos,
                });
                i += 1;
            }
            '"' => {
                let (text, next) = quoted(&chars, i)?;
                if text.is_empty() {
                    return Err(err("empty quotes: put the text to find between them", pos));
                }
                out.push(Lexed {
                    tok: Tok::Phrase(text),
                    pos,
                });
                i = next;
            }
            _ => {
                let start = i;
                let ends_word = |i: usize| {
                    chars[i].is_whitespace()
                        || matches!(chars[i], '(' | ')')
                        || (chars[i] == '"' && i > start && chars[i - 1] == ':')
                };
                while i < chars.len() && !ends_word(i) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let tok = match word.as_str() {
                    "OR" => Tok::Or,
                    "AND" => Tok::And,
                    "NOT" => Tok::Not,
                    _ => match word.find(':') {
                        None => Tok::Word {
                            text: word,
                            field: None,
                        },
                        Some(ci) => {
                            let field = word[..ci].to_owned();
                            let colon_pos = start + word[..ci].chars().count();
                            if field.is_empty() {
                                return Err(err("missing field name before ':'", colon_pos));
                            }
                            let mut value = word[ci + 1..].to_owned();
                            let mut was_quoted = false;
                            if value.is_empty() && i < chars.len() && chars[i] == '"' {
                                let (v, next) = quoted(&chars, i)?;
                                value = v;
                                was_quoted = true;
                                i = next;
                            }
                            if value.is_empty() && !was_quoted {
                                return Err(err(
                                    format!("missing value after '{field}:'"),
                                    colon_pos + 1,
                                ));
                            }
                            Tok::Word {
                                text: field,
                                field: Some((value, was_quoted)),
                            }
                        }
                    },
                };
                out.push(Lexed { tok, pos });
            }
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Lexed>,
    i: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i).map(|l| &l.tok)
    }
    fn pos(&self) -> usize {
        self.toks.get(self.i).map_or(self.end, |l| l.pos)
    }

    fn or(&mut self) -> Result<Expr, QueryError> {
        let mut items = vec![self.and()?];
        while self.peek() == Some(&Tok::Or) {
            let p = self.pos();
            self.i += 1;
            if matches!(self.peek(), None | Some(Tok::RParen) | Some(Tok::Or)) {
                return Err(err("'OR' needs a term on each side", p));
            }
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Or(items)
        })
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut items = Vec::new();
        loop {
            match self.peek() {
                None | Some(Tok::RParen) | Some(Tok::Or) => break,
                Some(Tok::And) => {
                    let p = self.pos();
                    self.i += 1;
                    if items.is_empty()
                        || matches!(
                            self.peek(),
                            None | Some(Tok::RParen) | Some(Tok::Or) | Some(Tok::And)
                        )
                    {
                        return Err(err("'AND' needs a term on each side", p));
                    }
                }
                _ => items.push(self.unary()?),
            }
        }
        if items.is_empty() {
            return Err(match self.peek() {
                Some(Tok::Or) => err("'OR' needs a term on each side", self.pos()),
                Some(Tok::RParen) => err("')' has no matching '('", self.pos()),
                _ => err("expected a term", self.pos()),
            });
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::And(items)
        })
    }

    fn unary(&mut self) -> Result<Expr, QueryError> {
        match self.peek() {
            Some(Tok::Minus) | Some(Tok::Not) => {
                let p = self.pos();
                self.i += 1;
                if matches!(
                    self.peek(),
                    None | Some(Tok::RParen) | Some(Tok::Or) | Some(Tok::And)
                ) {
                    return Err(err("nothing to exclude after this negation", p));
                }
                Ok(Expr::Not(Box::new(self.unary()?)))
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<Expr, QueryError> {
        let p = self.pos();
        let Some(l) = self.toks.get(self.i) else {
            return Err(err("expected a term", p));
        };
        let tok = l.tok.clone();
        self.i += 1;
        match tok {
            Tok::LParen => {
                if self.peek() == Some(&Tok::RParen) {
                    return Err(err("empty parentheses", p));
                }
                if self.peek().is_none() {
                    return Err(err("this '(' is never closed", p));
                }
                let e = self.or()?;
                if self.peek() != Some(&Tok::RParen) {
                    return Err(err("this '(' is never closed", p));
                }
                self.i += 1;
                Ok(e)
            }
            Tok::RParen => Err(err("')' has no matching '('", p)),
            Tok::Phrase(t) => Ok(Expr::Text(t)),
            Tok::Word { text, field: None } => Ok(Expr::Text(text)),
            Tok::Word {
                text,
                field: Some((value, _quoted)),
            } => Ok(Expr::Field {
                field: text,
                pattern: Pattern::new(&value),
                position: p,
            }),
            Tok::Minus | Tok::Not | Tok::Or | Tok::And => Err(err("expected a term", p)),
        }
    }
}

/// Parse a query. `Ok(None)` for an empty (blank) query, which matches everything.
pub fn parse(q: &str) -> Result<Option<Expr>, QueryError> {
    let toks = lex(q)?;
    if toks.is_empty() {
        return Ok(None);
    }
    let mut p = Parser {
        toks,
        i: 0,
        end: q.chars().count(),
    };
    let e = p.or()?;
    if p.i < p.toks.len() {
        // Only a stray ')' can stop the top-level OR early.
        return Err(err("')' has no matching '('", p.pos()));
    }
    Ok(Some(e))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        let p = Pattern::new("Delete*");
        assert!(p.matches("DeleteBucket"));
        assert!(p.matches("deletebucket"));
        assert!(!p.matches("PutBucket"));
        let p = Pattern::new("*Bucket*Policy");
        assert!(p.matches("GetBucketPolicy"));
        assert!(!p.matches("GetBucketPolicyStatus"));
        assert!(Pattern::new("*").is_any());
        assert!(Pattern::new("a*b").matches("ab"));
        assert!(!Pattern::new("ab*ab").matches("ab"));
    }
}
