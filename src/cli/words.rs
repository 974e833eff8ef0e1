//! The words of the shared vocabulary as command-line values (`--input-format`, `--retries`,
//! `--by`, `--profile`): each parsed and listed in `--help` from its type's own list, so that the
//! command line keeps no copy of a vocabulary to map by hand.

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};

/// A value parser that accepts exactly the names of `all`, listed with their help.
pub(crate) fn one_of<T: Copy + Send + Sync + 'static>(
    all: &'static [T],
    name: fn(T) -> &'static str,
    help: fn(T) -> &'static str,
) -> impl TypedValueParser<Value = T> {
    let values = all
        .iter()
        .map(move |v| PossibleValue::new(name(*v)).help(help(*v)));
    PossibleValuesParser::new(values).try_map(move |chosen: String| {
        all.iter()
            .copied()
            .find(|v| name(*v) == chosen)
            .ok_or_else(|| format!("`{chosen}` is not a value of this option"))
    })
}
