//! The `pattern` subset the generator compiles to plain Rust instead of running a regex engine:
//! a sequence of literals, character classes and `.`, each with a greedy quantifier, optionally
//! anchored by `^` and `$`, with ECMA-262 meaning (`pattern` is an unanchored search, `.` stops at
//! line terminators, `\d` is ASCII). Only sequences that a single greedy pass matches exactly are
//! accepted: an atom of variable length must not be able to match the first character of the
//! atom after it. Anything else is refused with a reason.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

/// What one position of the pattern accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CharSet {
    /// Inclusive ranges of characters.
    Ranges(Vec<(char, char)>),
    /// ECMA-262 `.`: any character but a line terminator.
    AnyButLineTerminator,
}

const LINE_TERMINATORS: [char; 4] = ['\n', '\r', '\u{2028}', '\u{2029}'];

impl CharSet {
    pub fn contains(&self, c: char) -> bool {
        match self {
            CharSet::Ranges(ranges) => ranges.iter().any(|&(low, high)| low <= c && c <= high),
            CharSet::AnyButLineTerminator => !LINE_TERMINATORS.contains(&c),
        }
    }

    fn overlaps(&self, other: &CharSet) -> bool {
        match (self, other) {
            (CharSet::Ranges(a), CharSet::Ranges(b)) => {
                a.iter().any(|&(a_low, a_high)| b.iter().any(|&(b_low, b_high)| a_low <= b_high && b_low <= a_high))
            }
            (CharSet::AnyButLineTerminator, CharSet::Ranges(ranges))
            | (CharSet::Ranges(ranges), CharSet::AnyButLineTerminator) => ranges.iter().any(|&(low, high)| {
                // Overlaps unless every character of the ranges is a line terminator.
                (low..=high).any(|c| !LINE_TERMINATORS.contains(&c))
            }),
            (CharSet::AnyButLineTerminator, CharSet::AnyButLineTerminator) => true,
        }
    }

    fn is_ascii(&self) -> bool {
        matches!(self, CharSet::Ranges(ranges) if ranges.iter().all(|&(_, high)| high.is_ascii()))
    }

    /// The test on a `u8`, for ASCII sets.
    fn byte_test(&self, c: &TokenStream) -> TokenStream {
        let CharSet::Ranges(ranges) = self else { unreachable!("only ASCII sets are tested on bytes") };
        if ranges.as_slice() == [('0', '9')] {
            return quote!(#c.is_ascii_digit());
        }
        let tests = ranges.iter().map(|&(low, high)| {
            let (low, high) = (Literal::byte_character(low as u8), Literal::byte_character(high as u8));
            if low.to_string() == high.to_string() { quote!(#c == #low) } else { quote!((#low..=#high).contains(&#c)) }
        });
        quote!(#(#tests)||*)
    }

    /// The Rust pattern of the characters (bytes for ASCII sets) that the set accepts; none for
    /// [`CharSet::AnyButLineTerminator`], which is told by the ones it refuses.
    fn accepted(&self, ascii: bool) -> Option<TokenStream> {
        let CharSet::Ranges(ranges) = self else { return None };
        let literal = |c: char| if ascii { Literal::byte_character(c as u8) } else { Literal::character(c) };
        let ranges = ranges.iter().map(|&(low, high)| {
            let (low_literal, high_literal) = (literal(low), literal(high));
            if low == high { quote!(#low_literal) } else { quote!(#low_literal..=#high_literal) }
        });
        Some(quote!(#(#ranges)|*))
    }

    fn test(&self, c: &TokenStream) -> TokenStream {
        match self {
            CharSet::Ranges(ranges) => {
                let tests = ranges.iter().map(|&(low, high)| {
                    if low == high { quote!(#c == #low) } else { quote!((#low..=#high).contains(&#c)) }
                });
                quote!(#(#tests)||*)
            }
            CharSet::AnyButLineTerminator => {
                let terminators = line_terminators();
                quote!(!matches!(#c, #terminators))
            }
        }
    }
}

/// The line terminators of ECMA-262, as a Rust pattern.
fn line_terminators() -> TokenStream {
    let terminators = LINE_TERMINATORS.map(Literal::character);
    quote!(#(#terminators)|*)
}

/// One atom and how many times it repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub set: CharSet,
    pub min: u32,
    /// `None` for unbounded.
    pub max: Option<u32>,
}

/// A compiled `pattern`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// The pattern as written in the schema.
    pub source: String,
    pub anchored_start: bool,
    pub anchored_end: bool,
    pub steps: Vec<Step>,
}

impl Pattern {
    pub fn parse(source: &str) -> Result<Pattern, String> {
        let mut chars: Vec<char> = source.chars().collect();
        let anchored_start = chars.first() == Some(&'^');
        if anchored_start {
            chars.remove(0);
        }
        // `$` ends the pattern unless escaped, that is after an odd run of backslashes.
        let backslashes_before_last = chars.iter().rev().skip(1).take_while(|&&c| c == '\\').count();
        let anchored_end = chars.last() == Some(&'$') && backslashes_before_last % 2 == 0;
        if anchored_end {
            chars.pop();
        }
        let mut steps = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let (set, next) = parse_atom(&chars, i)?;
            let (min, max, next) = parse_quantifier(&chars, next)?;
            steps.push(Step { set, min, max });
            i = next;
        }
        for pair in steps.windows(2) {
            let (step, following) = (&pair[0], &pair[1]);
            if step.max != Some(step.min) && (following.min == 0 || step.set.overlaps(&following.set)) {
                return Err("a repeated atom may match the start of what follows it, which needs backtracking".into());
            }
        }
        Ok(Pattern { source: source.to_owned(), anchored_start, anchored_end, steps })
    }

    /// Whether the pattern matches `text` (for tests of the compiler itself).
    pub fn is_match(&self, text: &str) -> bool {
        let chars: Vec<char> = text.chars().collect();
        let match_at = |start: usize| -> bool {
            let mut at = start;
            for step in &self.steps {
                let mut count = 0;
                while step.max.is_none_or(|max| count < max) && at < chars.len() && step.set.contains(chars[at]) {
                    at += 1;
                    count += 1;
                }
                if count < step.min {
                    return false;
                }
            }
            !self.anchored_end || at == chars.len()
        };
        if self.anchored_start { match_at(0) } else { (0..=chars.len()).any(match_at) }
    }

    /// An expression of type `bool` that tells whether the `&str` `text` matches: a
    /// `starts_with` for a literal prefix, otherwise a call of `function`, the function that
    /// [`Pattern::functions`] emits.
    pub fn test(&self, text: &TokenStream, function: &TokenStream) -> TokenStream {
        match self.starts_with() {
            Some(prefix) => quote!(#text.starts_with(#prefix)),
            None => quote!(#function(#text)),
        }
    }

    /// The function `fn #name(text: &str) -> bool` that [`Pattern::test`] calls, with the
    /// function it calls in turn for a pattern that may match anywhere (`#name_at`, called as
    /// `#caller #name_at`: `Self::` in an `impl`); none for a literal prefix.
    pub fn functions(&self, name: &Ident, caller: &TokenStream) -> Option<TokenStream> {
        if self.starts_with().is_some() {
            return None;
        }
        let doc = format!(" Whether `text` matches the pattern `{}`.", self.source);
        // When every atom is ASCII, matching bytes is the same as matching characters: the bytes
        // of a non-ASCII character never fall in an ASCII class.
        let ascii = self.steps.iter().all(|step| step.set.is_ascii());
        let (unit, input) = if ascii {
            (quote!(u8), quote!(text.as_bytes()))
        } else {
            (quote!(char), quote!(&text.chars().collect::<::std::vec::Vec<char>>()))
        };
        let (steps, end) = self.steps_and_end(ascii);
        // Only a pattern that is at most its final atom leaves `at` unchanged.
        let at = if self.steps.len() > usize::from(self.anchored_end) { quote!(mut at) } else { quote!(at) };
        if self.anchored_start {
            return Some(quote! {
                #[doc = #doc]
                #[inline]
                fn #name(text: &str) -> bool {
                    let input: &[#unit] = #input;
                    let #at: usize = 0;
                    #(#steps)*
                    #end
                }
            });
        }
        let name_at = format_ident!("{name}_at");
        let doc_at = format!(" Whether the pattern `{}` matches `input` from `at` on.", self.source);
        Some(quote! {
            #[doc = #doc]
            #[inline]
            fn #name(text: &str) -> bool {
                let input: &[#unit] = #input;
                (0..=input.len()).any(|start| #caller #name_at(input, start))
            }

            #[doc = #doc_at]
            #[inline]
            fn #name_at(input: &[#unit], #at: usize) -> bool {
                #(#steps)*
                #end
            }
        })
    }

    /// The statements that match each step from `at` in `input`, returning `false` at the first
    /// that fails, and the final expression.
    fn steps_and_end(&self, ascii: bool) -> (Vec<TokenStream>, TokenStream) {
        let c = quote!(c);
        let last = self.steps.len().checked_sub(1);
        let steps = self.steps.iter().enumerate().map(|(index, step)| {
            let test = if ascii { step.set.byte_test(&c) } else { step.set.test(&c) };
            let min = proc_macro2::Literal::usize_unsuffixed(step.min as usize);
            // The last atom before `$` must match all that is left, so a greedy loop and a
            // final position check come down to a length check and one pass over the rest.
            if self.anchored_end && Some(index) == last {
                let at_least = match step.min {
                    0 => None,
                    1 => Some(quote!(!rest.is_empty())),
                    _ => Some(quote!(rest.len() >= #min)),
                };
                let at_most = step.max.map(|max| {
                    let max = proc_macro2::Literal::usize_unsuffixed(max as usize);
                    quote!(rest.len() <= #max)
                });
                let conditions = at_least.into_iter().chain(at_most).chain([quote!(rest.iter().all(|&#c| #test))]);
                // The function's final expression: nothing follows the last atom.
                return quote! {
                    let rest = &input[at..];
                    #(#conditions)&&*
                };
            }
            let accepted = step.set.accepted(ascii);
            // A single character is one test, without a loop.
            if step.min == 1 && step.max == Some(1) {
                return match accepted {
                    Some(accepted) => quote! {
                        match input.get(at).copied() {
                            Some(#accepted) => at += 1,
                            _ => return false,
                        }
                    },
                    None => {
                        let terminators = line_terminators();
                        quote! {
                        match input.get(at).copied() {
                            Some(#terminators) | None => return false,
                            Some(_) => at += 1,
                        }
                        }
                    }
                };
            }
            let within = match step.max {
                Some(max) => {
                    let max = proc_macro2::Literal::usize_unsuffixed(max as usize);
                    quote!(at - start < #max &&)
                }
                None => quote!(),
            };
            let next = match accepted {
                Some(accepted) => quote!(let Some(#accepted) = input.get(at).copied()),
                None => quote!(let Some(#c) = input.get(at).copied() && #test),
            };
            let minimum = (step.min > 0).then(|| quote!(if at - start < #min { return false; }));
            quote! {
                let start = at;
                while #within #next {
                    at += 1;
                }
                #minimum
            }
        });
        let end = match (self.anchored_end, last) {
            (true, Some(_)) => quote!(),
            (true, None) => quote!(at == input.len()),
            // Always true; it reads `at`, so that no step's update of it goes unread.
            (false, _) => quote!(at <= input.len()),
        };
        (steps.collect(), end)
    }

    /// The literal a pattern `^literal` (and nothing after it) amounts to: a `starts_with`.
    fn starts_with(&self) -> Option<String> {
        if self.anchored_start && !self.anchored_end { self.literal_prefix() } else { None }
    }

    fn literal_prefix(&self) -> Option<String> {
        self.steps
            .iter()
            .map(|step| match &step.set {
                CharSet::Ranges(ranges)
                    if ranges.len() == 1 && ranges[0].0 == ranges[0].1 && step.min == 1 && step.max == Some(1) =>
                {
                    Some(ranges[0].0)
                }
                _ => None,
            })
            .collect()
    }
}

fn parse_atom(chars: &[char], i: usize) -> Result<(CharSet, usize), String> {
    match chars[i] {
        '.' => Ok((CharSet::AnyButLineTerminator, i + 1)),
        '[' => parse_class(chars, i + 1),
        '\\' => {
            let escaped = *chars.get(i + 1).ok_or("the pattern ends with a lone `\\`")?;
            Ok((escape_set(escaped)?, i + 2))
        }
        c @ ('(' | ')' | '|' | '*' | '+' | '?' | '{' | '}' | '^' | '$' | ']') => {
            Err(format!("`{c}` here needs groups, alternation or anchors inside the pattern, which are not supported"))
        }
        c => Ok((CharSet::Ranges(vec![(c, c)]), i + 1)),
    }
}

fn escape_set(escaped: char) -> Result<CharSet, String> {
    match escaped {
        'd' => Ok(CharSet::Ranges(vec![('0', '9')])),
        'w' => Ok(CharSet::Ranges(vec![('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')])),
        c if c.is_ascii_punctuation() => Ok(CharSet::Ranges(vec![(c, c)])),
        c => Err(format!("the escape `\\{c}` is not supported")),
    }
}

fn parse_class(chars: &[char], mut i: usize) -> Result<(CharSet, usize), String> {
    if chars.get(i) == Some(&'^') {
        return Err("negated character classes are not supported".into());
    }
    let mut ranges = Vec::new();
    loop {
        let c = *chars.get(i).ok_or("unclosed `[`")?;
        if c == ']' {
            if ranges.is_empty() {
                return Err("empty character class".into());
            }
            return Ok((CharSet::Ranges(ranges), i + 1));
        }
        let low = if c == '\\' {
            i += 1;
            match escape_set(*chars.get(i).ok_or("unclosed `[`")?)? {
                CharSet::Ranges(set) if set.len() == 1 && set[0].0 == set[0].1 => set[0].0,
                CharSet::Ranges(set) => {
                    ranges.extend(set);
                    i += 1;
                    continue;
                }
                CharSet::AnyButLineTerminator => unreachable!("escapes are never `.`"),
            }
        } else {
            c
        };
        if chars.get(i + 1) == Some(&'-') && chars.get(i + 2).is_some_and(|&high| high != ']') {
            let high = chars[i + 2];
            if high == '\\' || high < low {
                return Err(format!("unsupported range `{low}-{high}`"));
            }
            ranges.push((low, high));
            i += 3;
        } else {
            ranges.push((low, low));
            i += 1;
        }
    }
}

fn parse_quantifier(chars: &[char], i: usize) -> Result<(u32, Option<u32>, usize), String> {
    let (min, max, next) = match chars.get(i) {
        Some('*') => (0, None, i + 1),
        Some('+') => (1, None, i + 1),
        Some('?') => (0, Some(1), i + 1),
        Some('{') => {
            let close = chars[i..].iter().position(|&c| c == '}').ok_or("unclosed `{`")? + i;
            let inner: String = chars[i + 1..close].iter().collect();
            let number = |text: &str| text.trim().parse::<u32>().map_err(|_| format!("bad repetition `{{{inner}}}`"));
            let (min, max) = match inner.split_once(',') {
                None => (number(&inner)?, Some(number(&inner)?)),
                Some((min, "")) => (number(min)?, None),
                Some((min, max)) => (number(min)?, Some(number(max)?)),
            };
            if max.is_some_and(|max| max < min) {
                return Err(format!("bad repetition `{{{inner}}}`"));
            }
            (min, max, close + 1)
        }
        _ => return Ok((1, Some(1), i)),
    };
    if matches!(chars.get(next), Some('?' | '+')) {
        return Err("lazy and possessive quantifiers are not supported".into());
    }
    Ok((min, max, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164() {
        let pattern = Pattern::parse(r"^\+[1-9][0-9]{1,14}$").unwrap();
        for valid in ["+12", "+14155552671", "+123456789012345"] {
            assert!(pattern.is_match(valid), "{valid}");
        }
        for invalid in ["+1", "+0123", "14155552671", "+1234567890123456", "+14155552671\n", "+1415555267a", ""] {
            assert!(!pattern.is_match(invalid), "{invalid}");
        }
    }

    #[test]
    fn unanchored_patterns_search() {
        let pattern = Pattern::parse("ab+c").unwrap();
        assert!(pattern.is_match("xxabbbcxx"));
        assert!(!pattern.is_match("xxacxx"));
    }

    #[test]
    fn refuses_what_needs_backtracking() {
        assert!(Pattern::parse("a*a").is_err());
        assert!(Pattern::parse("(a|b)").is_err());
        assert!(Pattern::parse("[^a]").is_err());
    }
}
