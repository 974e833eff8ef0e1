//! lizard's CSV report (`lizard --csv`): one line per function, with its cyclomatic complexity.
//!
//! The columns are those of lizard's `csvoutput.py` (lizard 1.17 to 1.24 at least): `NLOC, CCN,
//! token, PARAM, length, location, file, function, long_name, start, end`, then one column per
//! extension asked for (`-Ecognitive` adds `CogC`, `-ENS` adds `NS`). `-V` writes them as a
//! header line first; without it there is none. Fields that hold commas (a C++ signature) are
//! quoted, as CSV quotes them. A line with fewer columns, or a complexity that is not a whole
//! number, is refused naming its line: a report cut short must not read as simpler code.

use crate::RiskError;
use crate::paths::join;
use shipgate_model::{ComplexityTool, FunctionComplexity};

/// The columns every lizard CSV line starts with, in order.
const COLUMNS: [&str; 11] = [
    "NLOC",
    "CCN",
    "token",
    "PARAM",
    "length",
    "location",
    "file",
    "function",
    "long_name",
    "start",
    "end",
];
const CCN: usize = 1;
const FILE: usize = 6;
const FUNCTION: usize = 7;
const START: usize = 9;

/// Reads a lizard CSV report named `path`, whose file paths are relative to `root` (the folder
/// lizard ran in, relative to the policy's folder).
pub fn read_lizard_csv(
    bytes: &[u8],
    path: &str,
    root: &str,
) -> Result<Vec<FunctionComplexity>, RiskError> {
    let fail = |line: u64, reason: String| RiskError::Lizard {
        path: path.to_owned(),
        line,
        reason,
    };
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut functions = Vec::new();
    for (i, record) in reader.byte_records().enumerate() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(i as u64 + 1, csv::Position::line);
            fail(line, e.to_string())
        })?;
        let line = record.position().map_or(i as u64 + 1, csv::Position::line);
        let field = |n: usize| -> Result<&str, RiskError> {
            let raw = record.get(n).unwrap_or_default();
            std::str::from_utf8(raw)
                .map(str::trim)
                .map_err(|_| fail(line, format!("column `{}` is not UTF-8 text", COLUMNS[n])))
        };
        if record.len() < COLUMNS.len() {
            return Err(fail(
                line,
                format!(
                    "{} columns where lizard writes at least {} ({}); is this `lizard --csv` output?",
                    record.len(),
                    COLUMNS.len(),
                    COLUMNS.join(", ")
                ),
            ));
        }
        // `-V` writes the column names first.
        if i == 0 && field(0)? == COLUMNS[0] {
            for (n, name) in COLUMNS.iter().enumerate() {
                if field(n)? != *name {
                    return Err(fail(
                        line,
                        format!(
                            "the header's column {} is `{}`, not `{name}`",
                            n + 1,
                            field(n)?
                        ),
                    ));
                }
            }
            continue;
        }
        let ccn: u32 = field(CCN)?.parse().map_err(|_| {
            fail(
                line,
                format!(
                    "the CCN `{}` is not a whole number",
                    field(CCN).unwrap_or_default()
                ),
            )
        })?;
        if ccn == 0 {
            return Err(fail(
                line,
                "a CCN of 0: lizard counts every function as at least 1".to_owned(),
            ));
        }
        let file = field(FILE)?;
        if file.is_empty() {
            return Err(fail(line, "the `file` column is empty".to_owned()));
        }
        let start = field(START)?;
        let start = start.parse().map_err(|_| {
            fail(
                line,
                format!("the start line `{start}` is not a whole number"),
            )
        })?;
        functions.push(FunctionComplexity {
            file: join(root, file),
            function: field(FUNCTION)?.to_owned(),
            line: Some(start),
            ccn,
            tool: ComplexityTool::Lizard,
        });
    }
    if functions.is_empty() {
        return Err(RiskError::EmptyReport {
            tool: "lizard",
            path: path.to_owned(),
        });
    }
    Ok(functions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_signatures_with_commas_are_one_field() {
        let text = "6,3,40,2,6,\"f@1-6@a.cpp\",\"src/a.cpp\",\"f\",\"f( int a , std::map<int,int> b )\",1,6\n";
        let f = read_lizard_csv(text.as_bytes(), "l.csv", ".").unwrap();
        assert_eq!(f[0].ccn, 3);
        assert_eq!(f[0].file, "src/a.cpp");
        assert_eq!(f[0].line, Some(1));
    }

    #[test]
    fn a_short_line_or_a_bad_number_is_refused_with_its_line() {
        let good = "2,1,11,1,2,\"g@1-2@a.py\",\"a.py\",\"g\",\"g( )\",1,2\n";
        let short = format!("{good}2,1,11,1,2,\"h@1-2@a.py\",\"a.py\"\n");
        let e = read_lizard_csv(short.as_bytes(), "l.csv", ".").unwrap_err();
        assert!(
            e.to_string().contains("`l.csv` at line 2: 7 columns"),
            "{e}"
        );
        let bad = format!("{good}2,x,11,1,2,\"h@1-2@a.py\",\"a.py\",\"h\",\"h( )\",1,2\n");
        let e = read_lizard_csv(bad.as_bytes(), "l.csv", ".").unwrap_err();
        assert!(e.to_string().contains("line 2: the CCN `x`"), "{e}");
        let zero = "2,0,11,1,2,\"h@1-2@a.py\",\"a.py\",\"h\",\"h( )\",1,2\n";
        assert!(read_lizard_csv(zero.as_bytes(), "l.csv", ".").is_err());
    }

    #[test]
    fn an_empty_report_or_another_csv_is_refused() {
        let e = read_lizard_csv(b"", "l.csv", ".").unwrap_err();
        assert!(e.to_string().contains("measures no function"), "{e}");
        let header_only = COLUMNS.join(",") + "\n";
        assert!(read_lizard_csv(header_only.as_bytes(), "l.csv", ".").is_err());
        let other = "NLOC,CCN,token,PARAM,length,location,path,function,long_name,start,end\n";
        let e = read_lizard_csv(other.as_bytes(), "l.csv", ".").unwrap_err();
        assert!(e.to_string().contains("column 7 is `path`"), "{e}");
    }
}
