//! Notification templates with `${token}` placeholders (SPEC section 4).

use std::collections::BTreeMap;

/// The tokens of SPEC section 4 besides the record's fields.
pub const TOKENS: [&str; 12] = [
    "firstName",
    "lastName",
    "authServiceExtUrl",
    "staticContentBaseUrl",
    "userName",
    "userEmail",
    "vaultName",
    "userLanguage",
    "userPassword",
    "utp?url",
    "creator",
    "creatorEmail",
];

/// A template checked at parse time: every `${token}` in it is one Portico can fill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Token(String),
}

/// A syntax error or unknown token, with the 1-based character position where it starts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at position {position}")]
pub struct TemplateError {
    /// 1-based character column of the `$` that starts the faulty token.
    pub position: usize,
    /// What is wrong, for a person.
    pub message: String,
}

/// How values are written into the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    /// Plain text: values as they are.
    None,
    /// HTML: `<`, `>`, `&`, `"` and `'` in values are escaped so that a name cannot inject markup.
    Html,
}

impl Template {
    /// Parses `source`, accepting the tokens of SPEC section 4 and the fields in `record_fields`.
    pub fn parse(source: &str, record_fields: &[&str]) -> Result<Self, TemplateError> {
        let chars: Vec<char> = source.chars().collect();
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] == '$' && chars.get(i + 1) == Some(&'{') {
                let start = i;
                let close = chars[i + 2..]
                    .iter()
                    .position(|&c| c == '}')
                    .map(|p| p + i + 2)
                    .ok_or_else(|| TemplateError {
                        position: start + 1,
                        message: "'${' is not closed by '}'".to_string(),
                    })?;
                let name: String = chars[i + 2..close].iter().collect();
                let name = name.trim().to_string();
                if name.is_empty() {
                    return Err(TemplateError {
                        position: start + 1,
                        message: "empty token '${}'".to_string(),
                    });
                }
                if !TOKENS.contains(&name.as_str()) && !record_fields.contains(&name.as_str()) {
                    return Err(TemplateError {
                        position: start + 1,
                        message: format!(
                            "unknown token '${{{name}}}'; known tokens are {} and the record fields {}",
                            TOKENS.join(", "),
                            record_fields.join(", ")
                        ),
                    });
                }
                if !text.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut text)));
                }
                parts.push(Part::Token(name));
                i = close + 1;
            } else {
                text.push(chars[i]);
                i += 1;
            }
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(Self {
            source: source.to_string(),
            parts,
        })
    }

    /// The text as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The tokens it uses, in order.
    pub fn tokens(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Token(t) => Some(t.as_str()),
            Part::Text(_) => None,
        })
    }

    /// Fills the tokens; a token without a value renders as nothing.
    pub fn render(&self, values: &BTreeMap<String, String>, escape: Escape) -> String {
        let mut out = String::with_capacity(self.source.len());
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Token(name) => {
                    let value = values.get(name).map(String::as_str).unwrap_or("");
                    match escape {
                        Escape::None => out.push_str(value),
                        Escape::Html => push_html_escaped(&mut out, value),
                    }
                }
            }
        }
        out
    }
}

impl Template {
    /// Renders a plain-text template as a small HTML document: everything escaped (the text
    /// and the values), blank lines as paragraphs, line breaks kept, web addresses as links.
    pub fn render_html_document(&self, values: &BTreeMap<String, String>) -> String {
        let text = self.render(values, Escape::None);
        let mut html = String::from(
            "<!DOCTYPE html><html><body style=\"font-family: sans-serif; line-height: 1.5\">",
        );
        for paragraph in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
            html.push_str("<p>");
            for (i, line) in paragraph.lines().enumerate() {
                if i > 0 {
                    html.push_str("<br>");
                }
                push_linked(&mut html, line);
            }
            html.push_str("</p>");
        }
        html.push_str("</body></html>");
        html
    }
}

/// Escapes a line, turning `http://` and `https://` words into links.
fn push_linked(out: &mut String, line: &str) {
    for (i, word) in line.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let is_link = (word.starts_with("https://") || word.starts_with("http://"))
            && !word.contains(['"', '<', '>']);
        if is_link {
            out.push_str("<a href=\"");
            push_html_escaped(out, word);
            out.push_str("\">");
            push_html_escaped(out, word);
            out.push_str("</a>");
        } else {
            push_html_escaped(out, word);
        }
    }
}

fn push_html_escaped(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn tokens_and_record_fields_render() {
        let t = Template::parse(
            "Hello ${firstName}, see ${name__v} at ${utp?url}.",
            &["name__v"],
        )
        .unwrap();
        let out = t.render(
            &values(&[
                ("firstName", "Anna"),
                ("name__v", "SCAR-1"),
                ("utp?url", "http://x/set"),
            ]),
            Escape::None,
        );
        assert_eq!(out, "Hello Anna, see SCAR-1 at http://x/set.");
        assert_eq!(
            t.tokens().collect::<Vec<_>>(),
            ["firstName", "name__v", "utp?url"]
        );
    }

    #[test]
    fn unknown_tokens_are_refused_with_their_position() {
        let err = Template::parse("Hi ${firstname}", &["name__v"]).unwrap_err();
        assert_eq!(err.position, 4);
        assert!(
            err.message.contains("unknown token '${firstname}'"),
            "{}",
            err.message
        );
    }

    #[test]
    fn unclosed_and_empty_tokens_are_refused() {
        assert_eq!(
            Template::parse("ab ${firstName", &[]).unwrap_err().position,
            4
        );
        assert_eq!(
            Template::parse("${}", &[]).unwrap_err().message,
            "empty token '${}'"
        );
    }

    #[test]
    fn html_rendering_escapes_values_but_not_the_template() {
        let t = Template::parse("<b>${lastName}</b>", &[]).unwrap();
        assert_eq!(
            t.render(&values(&[("lastName", "<script>&'\"")]), Escape::Html),
            "<b>&lt;script&gt;&amp;&#39;&quot;</b>"
        );
    }

    #[test]
    fn every_token_of_section_4_and_record_fields_are_accepted() {
        for token in TOKENS {
            let t = Template::parse(&format!("x ${{{token}}} y"), &[]).unwrap();
            let mut v = BTreeMap::new();
            v.insert(token.to_string(), "VALUE".to_string());
            assert_eq!(t.render(&v, Escape::None), "x VALUE y", "{token}");
        }
        for field in ["name__v", "supplier__v"] {
            assert!(Template::parse(&format!("${{{field}}}"), &["name__v", "supplier__v"]).is_ok());
        }
        assert!(
            Template::parse("${name__v}", &[]).is_err(),
            "record fields only where given"
        );
    }

    #[test]
    fn the_html_document_escapes_text_and_values_and_links_addresses() {
        let t = Template::parse(
            "Hi <${firstName}>,\n\nSet it: ${utp?url}\nBye & thanks",
            &[],
        )
        .unwrap();
        let html = t.render_html_document(&values(&[
            ("firstName", "<b>Eve</b>"),
            (
                "utp?url",
                "https://portico.example/set-password?token=abc&x=1",
            ),
        ]));
        assert!(
            html.contains("<p>Hi &lt;&lt;b&gt;Eve&lt;/b&gt;&gt;,</p>"),
            "{html}"
        );
        assert!(html.contains(
            "<a href=\"https://portico.example/set-password?token=abc&amp;x=1\">https://portico.example/set-password?token=abc&amp;x=1</a><br>Bye &amp; thanks"
        ), "{html}");
    }

    #[test]
    fn a_dollar_without_brace_is_text() {
        let t = Template::parse("costs $5", &[]).unwrap();
        assert_eq!(t.render(&BTreeMap::new(), Escape::None), "costs $5");
    }
}
