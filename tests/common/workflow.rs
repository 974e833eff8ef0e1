//! A fake GitHub Actions runner: the workflow commands it would act on in a step's output.
//!
//! It reads lines as actions/runner does (`StreamReader.ReadLine`: a line ends at `\n`, `\r` or
//! `\r\n`) and finds commands the way `ActionCommand.TryParseV2` (a line whose start, after
//! white space, is `::`, with the command up to the next `::`) and the legacy
//! `ActionCommand.TryParse` (`##[` anywhere in a line, up to the next `]`) find them. It honours
//! `::stop-commands::TOKEN` … `::TOKEN::`. It is stricter than the runner in two ways: every
//! command name counts (the runner acts only on those it knows), and each line is read a
//! second time without zero-width and format characters, as a culture-aware comparison may.

/// A command the runner would act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// The command's name (`error`, `set-output`, ...).
    pub name: String,
    /// Its properties, as written (`title=shipgate%3A ...`).
    pub properties: String,
    /// The whole line.
    pub line: String,
}

impl Command {
    /// Whether shipgate wrote it: an annotation whose title starts with `shipgate:`.
    pub fn is_shipgate_annotation(&self) -> bool {
        ["error", "warning", "notice"].contains(&self.name.as_str())
            && self
                .properties
                .split(',')
                .any(|p| p.starts_with("title=shipgate%3A "))
    }
}

/// Every command in `output`.
pub fn commands(output: &str) -> Vec<Command> {
    let mut found = Vec::new();
    let mut stopped: Option<String> = None;
    for line in lines(output) {
        if let Some(token) = &stopped {
            if line.trim_start() == format!("::{token}::") {
                stopped = None;
            }
            continue;
        }
        let visible: String = line.chars().filter(|c| !is_invisible(*c)).collect();
        let parsed = parse(line).or_else(|| parse(&visible));
        if let Some(command) = parsed {
            if command.name == "stop-commands" {
                stopped = Some(data_of(line).to_owned());
            }
            found.push(command);
        }
    }
    found
}

/// The commands in `output` that shipgate did not write itself.
pub fn foreign(output: &str) -> Vec<Command> {
    commands(output)
        .into_iter()
        .filter(|c| !c.is_shipgate_annotation())
        .collect()
}

fn lines(text: &str) -> Vec<&str> {
    text.split("\r\n")
        .flat_map(|l| l.split(['\n', '\r']))
        .collect()
}

fn parse(line: &str) -> Option<Command> {
    let trimmed = line.trim_start();
    if let Some(rest) = trimmed.strip_prefix("::")
        && let Some(end) = rest.find("::")
    {
        let info = &rest[..end];
        let (name, properties) = info.split_once(' ').unwrap_or((info, ""));
        return Some(Command {
            name: name.to_owned(),
            properties: properties.to_owned(),
            line: line.to_owned(),
        });
    }
    let at = line.find("##[")?;
    let rest = &line[at + 3..];
    let end = rest.find(']')?;
    let info = &rest[..end];
    let (name, properties) = info.split_once(' ').unwrap_or((info, ""));
    Some(Command {
        name: name.to_owned(),
        properties: properties.to_owned(),
        line: line.to_owned(),
    })
}

fn data_of(line: &str) -> &str {
    let trimmed = line.trim_start();
    trimmed
        .strip_prefix("::")
        .and_then(|r| r.find("::").map(|e| &r[e + 2..]))
        .unwrap_or("")
}

fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{AD}' | '\u{34F}' | '\u{61C}' | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}')
}
