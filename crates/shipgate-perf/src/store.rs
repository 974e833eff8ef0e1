//! The raw samples of a file's series, kept so that every statistic is exact (the same numbers
//! a full sort gives: they are audit figures) in memory bounded whatever the file's size.
//!
//! Each series holds its values in memory, in the order read, while all the series of one file
//! hold fewer than a budget of values ([`DEFAULT_BUDGET`], `SHIPGATE_SAMPLES_IN_MEMORY`).
//! Beyond it, the largest series held is spilled: a whole non-negative value below
//! [`DENSE_LIMIT`] (JMeter's whole milliseconds, the 0/1 of a failure flag) is counted by value,
//! any other is appended to an anonymous temporary file as the integer that orders as
//! `f64::total_cmp` does, and counted in a histogram of its top 12 bits. A spilled series' values
//! are then read back in ascending order, a range of values at a time that fits in memory (the
//! histogram says which ranges; a range too large is split again by a histogram of its next 16
//! bits, down to a single value), and every statistic is taken in that order: the mean by the
//! same Kahan summation over the ascending values as `shipgate_stats::mean`, the percentiles by
//! the same interpolation as `shipgate_stats::percentile`. No sketch, no sample: the same
//! numbers.
//!
//! A series held to the end is handed on in the evidence, as before; a spilled one only by its
//! count (`PerfEvidence::sample_counts`). The temporary file is removed by the system whatever
//! happens (it has no name once created); a failure to write or to read it back whole is an
//! error naming the file being read ([`PerfError::Spill`]), never a shorter series.
//!
//! This module must not approximate: where it cannot give the exact figure, it fails.

use crate::error::PerfError;
use shipgate_model::SampleStat;
use std::cell::OnceCell;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};

/// The most values all the series of one file hold in memory by default: 1 Mi values (8 MiB).
/// At the end, a series held is sorted in a copy and a buffer as large, and a spilled one is
/// read back [`CHUNK`] keys at a time, so the peak is about 40 MiB plus what the readers need,
/// whatever the file's size.
pub(crate) const DEFAULT_BUDGET: usize = 1 << 20;

/// The environment variable that sets the budget, in values (for a machine with less memory,
/// and to show the spilling at work on a small file).
pub(crate) const BUDGET_VARIABLE: &str = "SHIPGATE_SAMPLES_IN_MEMORY";

/// The most keys of a spilled series read back and sorted at once: 1 Mi (8 MiB, as much again
/// for the sort's buffer).
const CHUNK: usize = 1 << 20;

/// A spilled series counts whole non-negative values below this by value (131,072: two minutes
/// in milliseconds), so at most 1 MiB of counts.
pub(crate) const DENSE_LIMIT: u64 = 1 << 17;

/// Keys gathered before they are written to the temporary file.
const WRITE_KEYS: usize = 8192;

/// The top-level histogram of a spilled series is of the top 12 bits of each key (sign and
/// exponent: one bucket per power of two).
const TOP_SHIFT: u32 = 52;

/// Opens the temporary file a series spills into.
pub(crate) type SpillFile = fn() -> std::io::Result<File>;

/// The budget the environment sets, else the default.
pub(crate) fn budget_from_environment() -> usize {
    std::env::var(BUDGET_VARIABLE)
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(DEFAULT_BUDGET)
}

/// A series of a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SeriesId(usize);

/// The series of one file being read.
pub(crate) struct Store {
    /// The file being read, for errors.
    path: String,
    series: Vec<Series>,
    /// Values held in memory over every series.
    held: usize,
    budget: usize,
    chunk: usize,
    create: SpillFile,
}

struct Series {
    count: u64,
    state: State,
}

enum State {
    Held(Vec<f64>),
    Spilled(Box<Spill>),
    /// Handed on by [`Store::finish`].
    Taken,
}

impl Store {
    /// The store of the file `path`, with the budget the environment sets.
    pub(crate) fn new(path: &str) -> Self {
        #[cfg(test)]
        if let Some((budget, chunk)) = tests::LIMITS.get() {
            return Self::with_limits(path, budget, chunk, tempfile::tempfile);
        }
        Self::with_limits(path, budget_from_environment(), CHUNK, tempfile::tempfile)
    }

    /// A store holding at most `budget` values in memory, reading back at most `chunk` keys at
    /// once, spilling into the files `create` opens.
    pub(crate) fn with_limits(path: &str, budget: usize, chunk: usize, create: SpillFile) -> Self {
        Self {
            path: path.to_owned(),
            series: Vec::new(),
            held: 0,
            budget,
            chunk: chunk.max(1),
            create,
        }
    }

    /// The most values held in memory.
    pub(crate) fn budget(&self) -> usize {
        self.budget
    }

    /// Takes `n` values' room in the budget for values held elsewhere (handed on in the
    /// evidence): `false`, and nothing taken, when there is not that much left.
    pub(crate) fn hold(&mut self, n: usize) -> bool {
        match self.held.checked_add(n) {
            Some(held) if held <= self.budget => {
                self.held = held;
                true
            }
            _ => false,
        }
    }

    /// A new, empty series.
    pub(crate) fn add_series(&mut self) -> SeriesId {
        self.series.push(Series {
            count: 0,
            state: State::Held(Vec::new()),
        });
        SeriesId(self.series.len() - 1)
    }

    /// Adds a value to a series. A value that is not a finite number is refused: no statistic
    /// of the series would be a number.
    #[inline]
    pub(crate) fn push(&mut self, id: SeriesId, value: f64) -> Result<(), PerfError> {
        if !value.is_finite() {
            // The readers refuse such a value with its line first; this holds if one did not.
            return Err(PerfError::Invalid {
                path: self.path.clone(),
                format: "its samples".to_owned(),
                at: "a sample".to_owned(),
                message: format!("{value} is not a finite number"),
            });
        }
        let Some(series) = self.series.get_mut(id.0) else {
            return Err(self.unknown());
        };
        series.count += 1;
        match &mut series.state {
            State::Held(values) => {
                values.push(value);
                self.held += 1;
                if self.held > self.budget {
                    self.spill_largest()?;
                }
                Ok(())
            }
            State::Spilled(spill) => spill
                .add(value)
                .map_err(|e| self_error(&self.path, "could not write", e)),
            State::Taken => Err(self.unknown()),
        }
    }

    /// The series, read: its values, held or spilled, for the statistics.
    pub(crate) fn finish(&mut self, id: SeriesId) -> Result<Samples, PerfError> {
        let Some(series) = self.series.get_mut(id.0) else {
            return Err(self.unknown());
        };
        let count = series.count;
        match std::mem::replace(&mut series.state, State::Taken) {
            State::Held(values) => Ok(Samples::new(values)),
            State::Spilled(mut spill) => {
                spill
                    .flush()
                    .map_err(|e| self_error(&self.path, "could not write", e))?;
                Ok(Samples {
                    count,
                    kind: Kind::Spilled {
                        spill,
                        path: self.path.clone(),
                        chunk: self.chunk,
                        summary: OnceCell::new(),
                    },
                })
            }
            State::Taken => Err(self.unknown()),
        }
    }

    /// Moves the largest series held into a temporary file, freeing its memory.
    fn spill_largest(&mut self) -> Result<(), PerfError> {
        let largest = self
            .series
            .iter()
            .enumerate()
            .filter_map(|(i, s)| match &s.state {
                State::Held(values) => Some((i, values.len())),
                _ => None,
            })
            .max_by_key(|(_, len)| *len)
            .map(|(i, _)| i);
        let Some(series) = largest.and_then(|i| self.series.get_mut(i)) else {
            return Ok(());
        };
        let State::Held(values) = std::mem::replace(&mut series.state, State::Taken) else {
            return Ok(());
        };
        let spilled = (self.create)()
            .map(|file| Box::new(Spill::new(Some(file))))
            .and_then(|mut spill| {
                for &v in &values {
                    spill.add(v)?;
                }
                Ok(spill)
            });
        self.held -= values.len();
        drop(values);
        match spilled {
            Ok(spill) => {
                series.state = State::Spilled(spill);
                Ok(())
            }
            Err(e) => Err(self_error(&self.path, "could not create or write", e)),
        }
    }

    fn unknown(&self) -> PerfError {
        PerfError::Invalid {
            path: self.path.clone(),
            format: "samples".to_owned(),
            at: "the end".to_owned(),
            message:
                "a series was used after it was handed on (a fault in shipgate: please report it)"
                    .to_owned(),
        }
    }
}

fn self_error(path: &str, what: &str, source: std::io::Error) -> PerfError {
    PerfError::Spill {
        path: path.to_owned(),
        dir: std::env::temp_dir().display().to_string(),
        what: what.to_owned(),
        source,
    }
}

/// A spilled series: its whole values counted, the others in a temporary file (none for a
/// series of counts only).
struct Spill {
    file: Option<File>,
    pending: Vec<u64>,
    bytes: Vec<u8>,
    written: u64,
    /// `dense[i]`: how many times the value `i` (a positive zero for 0) was added.
    dense: Vec<u64>,
    /// How many keys in the file have each top 12 bits.
    top: Vec<u64>,
}

impl Spill {
    fn new(file: Option<File>) -> Self {
        Self {
            file,
            pending: Vec::with_capacity(WRITE_KEYS),
            bytes: Vec::with_capacity(WRITE_KEYS * 8),
            written: 0,
            dense: Vec::new(),
            top: vec![0; 1 << (64 - TOP_SHIFT)],
        }
    }

    #[inline]
    fn add(&mut self, v: f64) -> std::io::Result<()> {
        if let Some(i) = dense_index(v) {
            if i >= self.dense.len() {
                let len = (i + 1).next_power_of_two().min(DENSE_LIMIT as usize);
                self.dense.resize(len, 0);
            }
            if let Some(n) = self.dense.get_mut(i) {
                *n += 1;
                return Ok(());
            }
        }
        let key = total_order_key(v);
        if let Some(n) = self.top.get_mut((key >> TOP_SHIFT) as usize) {
            *n += 1;
        }
        self.pending.push(key);
        if self.pending.len() >= WRITE_KEYS {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.bytes.clear();
        for k in &self.pending {
            self.bytes.extend_from_slice(&k.to_le_bytes());
        }
        let Some(file) = &mut self.file else {
            return Err(std::io::Error::other("a series of counts only has no file"));
        };
        file.write_all(&self.bytes)?;
        self.written += self.pending.len() as u64;
        self.pending.clear();
        Ok(())
    }

    /// Every key in the file, in the order written, to `f`; an error unless there are exactly
    /// as many as were written.
    fn pass(&self, mut f: impl FnMut(u64)) -> std::io::Result<()> {
        let Some(mut file) = self.file.as_ref() else {
            return match self.written {
                0 => Ok(()),
                n => Err(std::io::Error::other(format!(
                    "{n} samples were written to no file"
                ))),
            };
        };
        file.seek(SeekFrom::Start(0))?;
        let mut buf = vec![0u8; 1 << 16];
        let (mut filled, mut read) = (0usize, 0u64);
        loop {
            let n = file.read(buf.get_mut(filled..).unwrap_or_default())?;
            if n == 0 {
                break;
            }
            filled += n;
            let whole = filled / 8 * 8;
            for bytes in buf.get(..whole).unwrap_or_default().chunks_exact(8) {
                let mut key = [0u8; 8];
                key.copy_from_slice(bytes);
                f(u64::from_le_bytes(key));
                read += 1;
            }
            buf.copy_within(whole..filled, 0);
            filled -= whole;
        }
        if filled != 0 || read != self.written {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!(
                    "it holds {read} whole samples and {filled} bytes more, where {} were written",
                    self.written
                ),
            ));
        }
        Ok(())
    }

    /// How many times the value of `key` was counted by value.
    fn dense_count(&self, key: u64) -> u64 {
        dense_index(from_total_order_key(key))
            .and_then(|i| self.dense.get(i))
            .copied()
            .unwrap_or(0)
    }
}

/// Where a whole non-negative value below [`DENSE_LIMIT`] is counted (a negative zero is not:
/// it orders below zero).
#[inline]
fn dense_index(v: f64) -> Option<usize> {
    if !(v >= 0.0 && v < DENSE_LIMIT as f64) {
        return None;
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "in [0, DENSE_LIMIT): the cast is exact for a whole value, and a fraction is caught by the comparison of bits below"
    )]
    let i = v as u64;
    ((i as f64).to_bits() == v.to_bits()).then_some(i as usize)
}

/// `v`'s bits, turned so that the integers order as `f64::total_cmp` orders the floats (as in
/// its implementation: a negative's other bits flipped), and the sign bit flipped so that
/// negatives come first as unsigned integers.
pub(crate) fn total_order_key(v: f64) -> u64 {
    let bits = v.to_bits();
    let flipped = bits ^ ((((bits as i64) >> 63) as u64) >> 1);
    flipped ^ (1 << 63)
}

/// The float whose [`total_order_key`] is `key`.
pub(crate) fn from_total_order_key(key: u64) -> f64 {
    let flipped = key ^ (1 << 63);
    let bits = flipped ^ ((((flipped as i64) >> 63) as u64) >> 1);
    f64::from_bits(bits)
}

/// Sorts keys ascending: a least-significant-digit radix sort by bytes, a byte that is the same
/// in every key skipped (latencies share their sign and most of their exponent). The same order
/// as any other sort of integers, in linear time.
pub(crate) fn sort_keys(keys: &mut Vec<u64>) {
    let n = keys.len();
    if n < 512 {
        keys.sort_unstable();
        return;
    }
    let mut counts = [[0usize; 256]; 8];
    for &k in keys.iter() {
        for (d, c) in counts.iter_mut().enumerate() {
            c[((k >> (8 * d)) & 0xff) as usize] += 1;
        }
    }
    let mut other = vec![0u64; n];
    let mut in_keys = true;
    for (d, c) in counts.iter().enumerate() {
        if c.contains(&n) {
            continue;
        }
        let mut offsets = [0usize; 256];
        let mut sum = 0;
        for (o, &count) in offsets.iter_mut().zip(c) {
            *o = sum;
            sum += count;
        }
        let (from, to) = if in_keys {
            (&keys[..], &mut other[..])
        } else {
            (&other[..], &mut keys[..])
        };
        for &k in from {
            let digit = ((k >> (8 * d)) & 0xff) as usize;
            let o = &mut offsets[digit];
            if let Some(slot) = to.get_mut(*o) {
                *slot = k;
            }
            *o += 1;
        }
        in_keys = !in_keys;
    }
    if !in_keys {
        *keys = other;
    }
}

/// A series' values, read: held (the raw values, sorted in a copy when first needed) or spilled
/// (read back in ascending order when a statistic is asked for).
pub(crate) struct Samples {
    count: u64,
    kind: Kind,
}

enum Kind {
    Held {
        raw: Vec<f64>,
        sorted: OnceCell<Vec<f64>>,
    },
    Spilled {
        spill: Box<Spill>,
        path: String,
        chunk: usize,
        /// The mean, the plain sum and the percentiles of [`SUMMARY_PERCENTILES`], from one
        /// ascending pass, when first asked for.
        summary: OnceCell<Summary>,
    },
}

/// The percentiles worked out in the first ascending pass over a spilled series (the stats
/// every reader computes); another takes a pass of its own.
const SUMMARY_PERCENTILES: &[f64] = &[50.0, 90.0, 95.0, 99.0];

#[derive(Clone)]
struct Summary {
    mean: f64,
    sum: f64,
    min: f64,
    max: f64,
    percentiles: Vec<(f64, f64)>,
}

impl Samples {
    /// Values all held in memory.
    pub(crate) fn new(raw: Vec<f64>) -> Self {
        Self {
            count: raw.len() as u64,
            kind: Kind::Held {
                raw,
                sorted: OnceCell::new(),
            },
        }
    }

    /// Failure flags known by their counts only: `failed` ones and the rest zeros, the series
    /// of a file too large to hold them. `path` is the file read, for errors.
    pub(crate) fn flags(failed: u64, count: u64, path: &str) -> Self {
        let mut spill = Spill::new(None);
        spill.dense = vec![count.saturating_sub(failed), failed];
        Self {
            count: count.max(failed),
            kind: Kind::Spilled {
                spill: Box::new(spill),
                path: path.to_owned(),
                chunk: 1,
                summary: OnceCell::new(),
            },
        }
    }

    /// How many values.
    pub(crate) fn len(&self) -> u64 {
        self.count
    }

    /// Whether there is none.
    pub(crate) fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The raw values in the order read, when held; `None` for a spilled series.
    pub(crate) fn into_raw(self) -> Option<Vec<f64>> {
        match self.kind {
            Kind::Held { raw, .. } => Some(raw),
            Kind::Spilled { .. } => None,
        }
    }

    /// The raw values, when held.
    pub(crate) fn raw(&self) -> Option<&[f64]> {
        match &self.kind {
            Kind::Held { raw, .. } => Some(raw),
            Kind::Spilled { .. } => None,
        }
    }

    /// The held values, ascending (as `sort_by(f64::total_cmp)` orders them).
    fn sorted(raw: &[f64]) -> Vec<f64> {
        let mut keys: Vec<u64> = raw.iter().map(|v| total_order_key(*v)).collect();
        sort_keys(&mut keys);
        keys.into_iter().map(from_total_order_key).collect()
    }

    fn held_sorted<'a>(raw: &[f64], sorted: &'a OnceCell<Vec<f64>>) -> &'a [f64] {
        sorted.get_or_init(|| Self::sorted(raw))
    }

    /// A statistic of the values: exactly what `shipgate_stats` gives of them sorted. `None`
    /// for no values or a percentile outside 0 to 100.
    pub(crate) fn stat(&self, stat: SampleStat) -> Result<Option<f64>, PerfError> {
        match &self.kind {
            Kind::Held { raw, sorted } => {
                let sorted = Self::held_sorted(raw, sorted);
                Ok(crate::collect::stat_of_sorted(sorted, stat))
            }
            Kind::Spilled { .. } => {
                if self.count == 0 {
                    return Ok(None);
                }
                let summary = self.summary()?;
                Ok(match stat {
                    SampleStat::Mean => Some(summary.mean),
                    SampleStat::Min => Some(summary.min),
                    SampleStat::Max => Some(summary.max),
                    SampleStat::Percentile(p) => {
                        match summary.percentiles.iter().find(|(q, _)| *q == p) {
                            Some((_, v)) => Some(*v),
                            None => self.sweep(&[p])?.percentiles.first().map(|(_, v)| *v),
                        }
                    }
                })
            }
        }
    }

    /// The sum of the values in ascending order, as `sorted.iter().sum()` adds them.
    pub(crate) fn sum(&self) -> Result<f64, PerfError> {
        match &self.kind {
            Kind::Held { raw, sorted } => Ok(Self::held_sorted(raw, sorted).iter().sum()),
            Kind::Spilled { .. } if self.count == 0 => Ok(-0.0),
            Kind::Spilled { .. } => Ok(self.summary()?.sum),
        }
    }

    /// The smallest and the largest value, `None` for no values.
    pub(crate) fn ends(&self) -> Result<Option<(f64, f64)>, PerfError> {
        Ok(self.stat(SampleStat::Min)?.zip(self.stat(SampleStat::Max)?))
    }

    fn summary(&self) -> Result<&Summary, PerfError> {
        let Kind::Spilled { summary, .. } = &self.kind else {
            return Err(PerfError::Invalid {
                path: String::new(),
                format: "samples".to_owned(),
                at: "the end".to_owned(),
                message:
                    "a summary of samples held in memory (a fault in shipgate: please report it)"
                        .to_owned(),
            });
        };
        if let Some(s) = summary.get() {
            return Ok(s);
        }
        let computed = self.sweep(SUMMARY_PERCENTILES)?;
        Ok(summary.get_or_init(|| computed))
    }

    /// One ascending pass over a spilled series: the mean, the sum, the ends and the
    /// percentiles `ps`.
    fn sweep(&self, ps: &[f64]) -> Result<Summary, PerfError> {
        let Kind::Spilled {
            spill, path, chunk, ..
        } = &self.kind
        else {
            return Err(PerfError::Invalid {
                path: String::new(),
                format: "samples".to_owned(),
                at: "the end".to_owned(),
                message:
                    "a pass over samples held in memory (a fault in shipgate: please report it)"
                        .to_owned(),
            });
        };
        let n = self.count;
        // The 0-based ranks each percentile needs, as `shipgate_stats::percentile` finds them.
        let positions: Vec<Option<(u64, f64)>> =
            ps.iter().map(|p| position(n, p / 100.0)).collect();
        let mut targets: Vec<u64> = positions
            .iter()
            .flatten()
            .flat_map(|(lo, frac)| {
                let next = (*frac != 0.0).then_some(lo + 1);
                std::iter::once(*lo).chain(next)
            })
            .collect();
        targets.sort_unstable();
        targets.dedup();
        let mut visit = Visit::new(targets);
        let read = |e| self_error(path, "could not read back", e);
        Sweep {
            spill,
            chunk: *chunk,
        }
        .groups(&spill.top, 0, TOP_SHIFT, u64::MAX, &mut visit)
        .map_err(read)?;
        if visit.seen != n {
            return Err(read(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("{} samples were read back where {n} were added", visit.seen),
            )));
        }
        let at = |rank: u64| {
            visit
                .targets
                .iter()
                .position(|t| *t == rank)
                .and_then(|i| visit.found.get(i))
                .copied()
        };
        let mut percentiles = Vec::new();
        for (p, position) in ps.iter().zip(&positions) {
            let Some((lo, frac)) = position else {
                continue;
            };
            let Some(low) = at(*lo) else {
                return Err(read(std::io::Error::other(format!(
                    "the sample at rank {lo} was not found"
                ))));
            };
            let value = if *frac == 0.0 {
                low
            } else {
                let Some(high) = at(lo + 1) else {
                    return Err(read(std::io::Error::other(format!(
                        "the sample at rank {} was not found",
                        lo + 1
                    ))));
                };
                low + frac * (high - low)
            };
            percentiles.push((*p, value));
        }
        let (Some(min), Some(max)) = (visit.first, visit.last) else {
            return Err(read(std::io::Error::other("no sample was read back")));
        };
        Ok(Summary {
            mean: visit.sum / n as f64,
            sum: visit.plain,
            min,
            max,
            percentiles,
        })
    }
}

/// The 0-based index below the quantile `p` of `n` values and the fraction of the way to the
/// next, as `shipgate_stats::percentile` computes them.
fn position(n: u64, p: f64) -> Option<(u64, f64)> {
    if n == 0 || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let h = (n - 1) as f64 * p;
    let floor = h.floor();
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "`h` lies in [0, n − 1], so the cast is exact"
    )]
    let lo = floor as u64;
    Some((lo, h - floor))
}

/// What one ascending pass gathers.
struct Visit {
    /// The ranks wanted, ascending, and the values found at them, in the same order.
    targets: Vec<u64>,
    found: Vec<f64>,
    seen: u64,
    /// Kahan summation, as `shipgate_stats::mean` does it.
    sum: f64,
    carry: f64,
    /// The plain sum, as `Iterator::sum` does it (from a negative zero).
    plain: f64,
    first: Option<f64>,
    last: Option<f64>,
}

impl Visit {
    fn new(targets: Vec<u64>) -> Self {
        Self {
            targets,
            found: Vec::new(),
            seen: 0,
            sum: 0.0,
            carry: 0.0,
            plain: -0.0,
            first: None,
            last: None,
        }
    }

    /// The next `times` values in ascending order, all `v`.
    fn run(&mut self, v: f64, times: u64) {
        if self.add_whole(v, times) {
            self.ranks(v, times);
            return;
        }
        for _ in 0..times {
            let y = v - self.carry;
            let t = self.sum + y;
            self.carry = (t - self.sum) - y;
            self.sum = t;
            self.plain += v;
        }
        self.ranks(v, times);
    }

    /// Adds `times` copies of a whole non-negative `v` at once, when every sum on the way is a
    /// whole number below 2⁵³: each addition is then exact, so Kahan's correction stays zero and
    /// the sums are those the additions one by one give, bit for bit (a JTL's whole
    /// milliseconds, a failure flag's 0 and 1). `false`, and nothing added, otherwise.
    fn add_whole(&mut self, v: f64, times: u64) -> bool {
        const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
        if times == 0
            || v.is_sign_negative()
            || v.fract() != 0.0
            || self.carry.to_bits() != 0
            || self.sum.fract() != 0.0
            || self.plain.fract() != 0.0
            || times > 1 << 52
        {
            return false;
        }
        let added = v * times as f64;
        // Rounding is monotonic: a result below 2^53 means the exact one is below it, so exact.
        if !(added < EXACT && self.sum + added < EXACT && self.plain + added < EXACT) {
            return false;
        }
        self.sum += added;
        self.plain += added;
        true
    }

    /// The ranks the next `times` values (all `v`) take: the ends, and the targets among them.
    fn ranks(&mut self, v: f64, times: u64) {
        if times == 0 {
            return;
        }
        self.first.get_or_insert(v);
        self.last = Some(v);
        let end = self.seen + times;
        while let Some(&t) = self.targets.get(self.found.len()) {
            if t >= end {
                break;
            }
            self.found.push(v);
        }
        self.seen = end;
    }
}

/// Reads a spilled series back in ascending order, a range of keys at a time.
struct Sweep<'a> {
    spill: &'a Spill,
    chunk: usize,
}

impl Sweep<'_> {
    /// The keys from `base` to `hi` (inclusive), whose counts in the file are `hist`, bucket `i`
    /// holding the keys from `base + (i << shift)`: grouped into ranges of at most `chunk` keys,
    /// each read back, sorted and visited in turn; a bucket with more is split again.
    fn groups(
        &self,
        hist: &[u64],
        base: u64,
        shift: u32,
        hi: u64,
        visit: &mut Visit,
    ) -> std::io::Result<()> {
        let chunk = self.chunk as u64;
        let width_less_one = if shift >= 64 {
            u64::MAX
        } else {
            (1u64 << shift) - 1
        };
        // The group being gathered: its first key and how many keys of the file it holds.
        let mut group: Option<(u64, u64)> = None;
        let mut last_hi = base;
        for (i, &count) in hist.iter().enumerate() {
            let Some(b_lo) = (i as u64)
                .checked_shl(shift)
                .and_then(|o| base.checked_add(o))
                .filter(|lo| *lo <= hi)
            else {
                break;
            };
            let b_hi = b_lo.saturating_add(width_less_one).min(hi);
            if count > chunk {
                if let Some((g_lo, g_count)) = group.take() {
                    self.range(g_lo, b_lo - 1, g_count, visit)?;
                }
                self.split(b_lo, b_hi, shift, count, visit)?;
            } else {
                match &mut group {
                    Some((g_lo, g_count)) if *g_count + count > chunk => {
                        self.range(*g_lo, b_lo - 1, *g_count, visit)?;
                        group = Some((b_lo, count));
                    }
                    Some((_, g_count)) => *g_count += count,
                    None => group = Some((b_lo, count)),
                }
            }
            last_hi = b_hi;
        }
        if let Some((g_lo, g_count)) = group {
            self.range(g_lo, last_hi, g_count, visit)?;
        }
        Ok(())
    }

    /// A bucket of more keys than fit at once: one value, or split by its next 16 bits.
    fn split(
        &self,
        lo: u64,
        hi: u64,
        shift: u32,
        count: u64,
        visit: &mut Visit,
    ) -> std::io::Result<()> {
        if lo == hi {
            let v = from_total_order_key(lo);
            visit.run(v, count + self.spill.dense_count(lo));
            return Ok(());
        }
        let sub_shift = shift.saturating_sub(16);
        let mut hist = vec![0u64; 1usize << (shift - sub_shift).min(16)];
        self.spill.pass(|k| {
            if (lo..=hi).contains(&k)
                && let Some(n) = hist.get_mut(((k - lo) >> sub_shift) as usize)
            {
                *n += 1;
            }
        })?;
        if hist.iter().sum::<u64>() != count {
            return Err(changed());
        }
        self.groups(&hist, lo, sub_shift, hi, visit)
    }

    /// The keys from `lo` to `hi`, `count` of them in the file, read back, sorted and visited
    /// with the values counted by value among them.
    fn range(&self, lo: u64, hi: u64, count: u64, visit: &mut Visit) -> std::io::Result<()> {
        let mut keys = Vec::new();
        if count > 0 {
            keys.reserve(usize::try_from(count).unwrap_or(0));
            self.spill.pass(|k| {
                if (lo..=hi).contains(&k) {
                    keys.push(k);
                }
            })?;
            if keys.len() as u64 != count {
                return Err(changed());
            }
            sort_keys(&mut keys);
        }
        // The values counted by value in this range, ascending, merged in.
        let mut dense = self
            .spill
            .dense
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, n)| (total_order_key(i as f64), *n))
            .filter(|(k, _)| (lo..=hi).contains(k))
            .peekable();
        let mut keys = keys.into_iter().peekable();
        loop {
            let next_key = keys.peek().copied();
            let next_dense = dense.peek().map(|(k, _)| *k);
            let key = match (next_key, next_dense) {
                (None, None) => break,
                (Some(k), None) => k,
                (None, Some(d)) => d,
                (Some(k), Some(d)) => k.min(d),
            };
            let mut times = 0u64;
            while keys.next_if_eq(&key).is_some() {
                times += 1;
            }
            if let Some((_, n)) = dense.next_if(|(k, _)| *k == key) {
                times += n;
            }
            visit.run(from_total_order_key(key), times);
        }
        Ok(())
    }
}

fn changed() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        "it no longer holds what was written to it",
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        /// The budget and chunk of the stores [`Store::new`] makes on this thread, in tests.
        pub(crate) static LIMITS: Cell<Option<(usize, usize)>> = const { Cell::new(None) };
    }

    /// Runs `f` with the stores it makes holding at most `budget` values and reading back
    /// `chunk` at a time.
    pub(crate) fn with_limits<T>(budget: usize, chunk: usize, f: impl FnOnce() -> T) -> T {
        LIMITS.set(Some((budget, chunk)));
        let out = f();
        LIMITS.set(None);
        out
    }

    /// Evidence read with every series spilled says what the evidence read with them held
    /// says, bit for bit; the spilled series are there by their counts.
    pub(crate) fn assert_same_evidence(
        held: &shipgate_model::PerfEvidence,
        spilled: &shipgate_model::PerfEvidence,
    ) {
        assert!(!held.series.is_empty(), "the file has samples");
        assert_eq!(held.thresholds, spilled.thresholds);
        assert_eq!(held.provenance, spilled.provenance);
        let keys = |e: &shipgate_model::PerfEvidence| e.metrics.keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(held), keys(spilled));
        for (name, m) in &held.metrics {
            let s = &spilled.metrics[name];
            assert_eq!(
                m.value.to_bits(),
                s.value.to_bits(),
                "{name}: {} vs {}",
                m.value,
                s.value
            );
            assert_eq!(m.samples, s.samples, "{name}");
            assert_eq!(m.requests, s.requests, "{name}");
            assert_eq!(held.sample_count(m), spilled.sample_count(s), "{name}");
        }
        assert!(spilled.series.is_empty(), "every series was spilled");
        let counts: std::collections::BTreeMap<String, u64> = held
            .series
            .iter()
            .map(|(k, v)| (k.clone(), v.len() as u64))
            .collect();
        assert_eq!(counts, spilled.sample_counts);
    }

    /// xorshift64: the same data on every machine.
    fn rng(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    /// Values of every kind the readers see and some they never do: duplicates, whole
    /// milliseconds (counted by value once spilled), fractions, negatives, both zeros, huge and
    /// tiny magnitudes.
    fn data(n: usize, seed: u64) -> Vec<f64> {
        let mut state = seed;
        (0..n)
            .map(|i| {
                let r = rng(&mut state);
                match r % 10 {
                    0 => (r % 50) as f64,
                    1 => (r % 1000) as f64 / 8.0,
                    2 => -((r % 300) as f64) / 3.0,
                    3 => 0.0,
                    4 => -0.0,
                    5 => 12.5,
                    6 => f64::from_bits(r) % 1e6,
                    7 => 1e300 / ((r % 7) + 1) as f64,
                    8 => 5e-324 * (r % 5) as f64,
                    _ => (i % 200_000) as f64,
                }
            })
            .filter(|v| v.is_finite())
            .collect()
    }

    const STATS: &[SampleStat] = &[
        SampleStat::Mean,
        SampleStat::Min,
        SampleStat::Max,
        SampleStat::Percentile(0.0),
        SampleStat::Percentile(1.0),
        SampleStat::Percentile(25.0),
        SampleStat::Percentile(50.0),
        SampleStat::Percentile(90.0),
        SampleStat::Percentile(95.0),
        SampleStat::Percentile(99.0),
        SampleStat::Percentile(99.9),
        SampleStat::Percentile(100.0),
    ];

    fn sorted(values: &[f64]) -> Vec<f64> {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        sorted
    }

    /// Every statistic of `samples`, bit for bit what a plain sort of `values` gives.
    fn assert_exact(samples: &Samples, values: &[f64], what: &str) {
        let sorted = sorted(values);
        assert_eq!(samples.len(), values.len() as u64, "{what}: count");
        for stat in STATS {
            let expected = crate::collect::stat_of_sorted(&sorted, *stat).map(f64::to_bits);
            let got = samples.stat(*stat).unwrap().map(f64::to_bits);
            assert_eq!(got, expected, "{what}: {stat:?}");
        }
        let sum: f64 = sorted.iter().sum();
        assert_eq!(
            samples.sum().unwrap().to_bits(),
            sum.to_bits(),
            "{what}: sum"
        );
    }

    fn spilled(values: &[f64], budget: usize, chunk: usize) -> Samples {
        let mut store = Store::with_limits("run.ndjson", budget, chunk, tempfile::tempfile);
        let id = store.add_series();
        for v in values {
            store.push(id, *v).unwrap();
        }
        let samples = store.finish(id).unwrap();
        assert!(samples.raw().is_none(), "the series was spilled");
        samples
    }

    #[test]
    fn a_spilled_series_gives_every_statistic_a_plain_sort_gives() {
        for (n, seed, chunks) in [
            (1, 1, &[1, 7][..]),
            (2, 2, &[1, 7]),
            (3, 3, &[1, 7]),
            (257, 4, &[1, 7, 64]),
            (5_000, 5, &[300, 100_000]),
            (40_000, 6, &[8_192]),
        ] {
            let values = data(n, seed);
            for &chunk in chunks {
                let samples = spilled(&values, 0, chunk);
                assert_exact(&samples, &values, &format!("n={n} chunk={chunk}"));
            }
        }
    }

    #[test]
    fn a_held_series_gives_every_statistic_a_plain_sort_gives_and_keeps_the_order_read() {
        let values = data(20_000, 9);
        let mut store = Store::with_limits("run.ndjson", usize::MAX, 16, tempfile::tempfile);
        let id = store.add_series();
        for v in &values {
            store.push(id, *v).unwrap();
        }
        let samples = store.finish(id).unwrap();
        assert_exact(&samples, &values, "held");
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(samples.raw().unwrap()), bits(&values));
    }

    /// READY-risk: a rank off by one where a range read back ends would give a lower p95 (or
    /// any percentile): every percentile from 0 to 100, with ranges of every size.
    #[test]
    fn ranks_at_every_range_boundary_are_exact() {
        let values: Vec<f64> = data(120, 11)
            .into_iter()
            .map(|v| v.abs() % 1000.0 + 0.25)
            .collect();
        let sorted = sorted(&values);
        for chunk in [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 119] {
            let samples = spilled(&values, 0, chunk);
            for p in 0..=100 {
                let stat = SampleStat::Percentile(f64::from(p));
                let expected = crate::collect::stat_of_sorted(&sorted, stat).map(f64::to_bits);
                assert_eq!(
                    samples.stat(stat).unwrap().map(f64::to_bits),
                    expected,
                    "chunk {chunk}, p{p}"
                );
            }
        }
    }

    /// READY-risk: a quantile taken from the values still in memory only. The series' first
    /// values are small and held; the store then spills and the rest are large: p95 is large.
    #[test]
    fn a_percentile_counts_the_values_held_before_the_spill_and_those_after() {
        let mut store = Store::with_limits("run.jtl", 1_000, 64, tempfile::tempfile);
        let small = store.add_series();
        let other = store.add_series();
        let mut values = Vec::new();
        for i in 0..1_000 {
            let v = 10.0 + f64::from(i % 7) / 4.0;
            store.push(small, v).unwrap();
            values.push(v);
        }
        // A second series takes the store over its budget: the largest (the first) spills.
        store.push(other, 1.0).unwrap();
        for i in 0..200 {
            let v = 5_000.5 + f64::from(i);
            store.push(small, v).unwrap();
            values.push(v);
        }
        let samples = store.finish(small).unwrap();
        assert!(samples.raw().is_none(), "the first series was spilled");
        assert_exact(&samples, &values, "before and after the spill");
        assert!(samples.stat(SampleStat::Percentile(95.0)).unwrap().unwrap() > 5_000.0);
        let other = store.finish(other).unwrap();
        assert_eq!(
            other.raw(),
            Some(&[1.0][..]),
            "the smaller series stays held"
        );
    }

    /// READY-risk: -0.0 and negatives ordered wrongly would move the minimum and the low
    /// percentiles; a negative zero is not the zero counted by value.
    #[test]
    fn negative_zero_and_negatives_keep_their_order() {
        let values = [0.0, -0.0, -3.5, 2.0, -0.0, 0.0, -1e-300, 1e-300, -7.0, 0.0];
        let samples = spilled(&values, 0, 2);
        assert_exact(&samples, &values, "signed zeros");
        assert_eq!(
            samples.stat(SampleStat::Min).unwrap().map(f64::to_bits),
            Some((-7.0f64).to_bits())
        );
        let zeros = spilled(&[0.0, -0.0, 0.0], 0, 1);
        assert_eq!(
            zeros.stat(SampleStat::Min).unwrap().map(f64::to_bits),
            Some((-0.0f64).to_bits()),
            "the negative zero is the least"
        );
        assert_eq!(
            zeros.stat(SampleStat::Max).unwrap().map(f64::to_bits),
            Some(0.0f64.to_bits())
        );
    }

    /// Type 7 at its edges: p0 is the minimum, p100 the maximum, one value is every
    /// percentile, two are interpolated.
    #[test]
    fn interpolation_at_the_edges_is_type_7() {
        let one = spilled(&[42.25], 0, 1);
        for stat in STATS {
            assert_eq!(one.stat(*stat).unwrap(), Some(42.25), "{stat:?}");
        }
        let two = spilled(&[10.0, 20.0], 0, 1);
        assert_eq!(two.stat(SampleStat::Percentile(0.0)).unwrap(), Some(10.0));
        assert_eq!(two.stat(SampleStat::Percentile(95.0)).unwrap(), Some(19.5));
        assert_eq!(two.stat(SampleStat::Percentile(100.0)).unwrap(), Some(20.0));
        // numpy.percentile([15, 20, 35, 40, 50], [5, 30, 40]) = 16, 23, 29.
        let five = spilled(&[50.0, 15.0, 40.0, 20.0, 35.0], 0, 2);
        assert_eq!(five.stat(SampleStat::Percentile(5.0)).unwrap(), Some(16.0));
        assert_eq!(five.stat(SampleStat::Percentile(30.0)).unwrap(), Some(23.0));
        assert_eq!(five.stat(SampleStat::Percentile(40.0)).unwrap(), Some(29.0));
        assert_eq!(five.stat(SampleStat::Percentile(100.5)).unwrap(), None);
    }

    /// Many copies of one value (a JTL's whole milliseconds, a value that is not whole) in
    /// ranges far larger than what is read back at once: split down to the single value.
    #[test]
    fn many_copies_of_one_value_are_counted_not_held() {
        let mut values = vec![12.5; 5_000];
        values.extend(vec![7.0; 5_000]);
        values.extend(vec![12.500_000_000_000_002; 3]);
        let samples = spilled(&values, 0, 10);
        assert_exact(&samples, &values, "copies");
    }

    /// READY-risk: counts that wrap at 2³² would lose samples (a soak test's billions). The
    /// ranks and counts are 64-bit: a run of six billion copies finds the ranks beyond 2³².
    #[test]
    fn ranks_and_counts_beyond_u32_are_exact() {
        let n = 6_000_000_000u64;
        let (lo, frac) = position(n, 0.95).unwrap();
        assert_eq!(lo, 5_699_999_999);
        assert!(frac > 0.0 && frac < 1.0);
        assert!(lo > u64::from(u32::MAX));
        let mut visit = Visit::new(vec![0, u64::from(u32::MAX) + 7, lo, lo + 1]);
        visit.ranks(1.0, 3);
        visit.ranks(2.0, n - 4);
        visit.ranks(3.0, 1);
        assert_eq!(visit.seen, n);
        assert_eq!(visit.found, vec![1.0, 2.0, 2.0, 2.0]);
        let mut spill = Spill::new(None);
        spill.dense = vec![0, n];
        assert_eq!(spill.dense_count(total_order_key(1.0)), n);
    }

    /// READY-risk: a value that is not a number in a series would make every statistic of it
    /// meaningless: refused.
    #[test]
    fn a_value_that_is_not_a_finite_number_is_refused() {
        for budget in [0, 100] {
            let mut store = Store::with_limits("run.ndjson", budget, 8, tempfile::tempfile);
            let id = store.add_series();
            store.push(id, 1.0).unwrap();
            for bad in [f64::NAN, -f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                let err = store.push(id, bad).unwrap_err();
                assert!(matches!(err, PerfError::Invalid { .. }), "{err:?}");
                assert!(err.to_string().contains("not a finite number"), "{err}");
                assert!(err.to_string().contains("run.ndjson"), "{err}");
            }
        }
    }

    fn full() -> std::io::Result<File> {
        File::options().read(true).write(true).open("/dev/full")
    }

    fn not_there() -> std::io::Result<File> {
        File::open("/nonexistent/shipgate/spill")
    }

    /// READY-risk: a write error while spilling swallowed would leave a shorter series: it is
    /// an error naming the file being read, when the spill is created, written or flushed.
    #[test]
    fn a_spill_that_cannot_be_written_is_an_error_naming_the_file() {
        if !std::path::Path::new("/dev/full").exists() {
            return;
        }
        // Written as the series grows.
        let mut store = Store::with_limits("soak.ndjson", 0, 8, full);
        let id = store.add_series();
        let err = (0..WRITE_KEYS * 2)
            .map(|i| store.push(id, i as f64 + 0.5))
            .find_map(Result::err)
            .expect("the write fails");
        assert!(matches!(err, PerfError::Spill { .. }), "{err:?}");
        assert!(err.to_string().contains("soak.ndjson"), "{err}");
        assert!(err.to_string().contains("could not write"), "{err}");
        // Flushed at the end.
        let mut store = Store::with_limits("soak.ndjson", 0, 8, full);
        let id = store.add_series();
        store.push(id, 0.5).unwrap();
        assert!(matches!(store.finish(id), Err(PerfError::Spill { .. })));
        // Not even created.
        let mut store = Store::with_limits("soak.jtl", 0, 8, not_there);
        let id = store.add_series();
        let err = store.push(id, 0.5).unwrap_err();
        assert!(err.to_string().contains("could not create"), "{err}");
        assert!(err.to_string().contains("soak.jtl"), "{err}");
    }

    fn spill_path() -> std::path::PathBuf {
        std::env::temp_dir().join(format!("shipgate-store-test-{}", std::process::id()))
    }

    fn named() -> std::io::Result<File> {
        File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(spill_path())
    }

    /// READY-risk: a spill file cut short (a full disk, another process) read as a shorter
    /// series would move every statistic: an error, whether a whole sample or part of one is
    /// missing, or one too many is there.
    #[test]
    fn a_spill_read_back_short_or_long_is_an_error() {
        for change in [-8i64, -3, 8] {
            let mut store = Store::with_limits("soak.ndjson", 0, 4, named);
            let id = store.add_series();
            for i in 0..100 {
                store.push(id, f64::from(i) + 0.5).unwrap();
            }
            let samples = store.finish(id).unwrap();
            let file = File::options().write(true).open(spill_path()).unwrap();
            let len = file.metadata().unwrap().len();
            file.set_len(len.checked_add_signed(change).unwrap())
                .unwrap();
            let err = samples.stat(SampleStat::Percentile(95.0)).unwrap_err();
            assert!(matches!(err, PerfError::Spill { .. }), "{change}: {err:?}");
            assert!(err.to_string().contains("could not read back"), "{err}");
            assert!(samples.stat(SampleStat::Mean).is_err());
            assert!(samples.sum().is_err());
        }
        std::fs::remove_file(spill_path()).unwrap();
    }

    /// Copies of a whole value added at once give the sums that adding them one by one gives,
    /// bit for bit, and fall back to one by one where that could differ.
    #[test]
    fn whole_values_added_at_once_give_the_sums_added_one_by_one_give() {
        let mut state = 77u64;
        for _ in 0..2_000 {
            let mut bulk = Visit::new(Vec::new());
            // (sum, carry, plain), one value at a time as `shipgate_stats::mean` and
            // `Iterator::sum` add them.
            let mut single = (0.0f64, 0.0f64, -0.0f64);
            for _ in 0..(rng(&mut state) % 6 + 1) {
                let r = rng(&mut state);
                let v = match r % 5 {
                    0 => (r % 131_072) as f64,
                    1 => 0.0,
                    2 => (r % 1000) as f64 + 0.5,
                    3 => 4_503_599_627_370_496.0 + (r % 3) as f64,
                    _ => -0.0,
                };
                let times = rng(&mut state) % 50;
                bulk.run(v, times);
                for _ in 0..times {
                    let (sum, carry, plain) = &mut single;
                    let y = v - *carry;
                    let t = *sum + y;
                    *carry = (t - *sum) - y;
                    *sum = t;
                    *plain += v;
                }
            }
            assert_eq!(bulk.sum.to_bits(), single.0.to_bits());
            assert_eq!(bulk.carry.to_bits(), single.1.to_bits());
            assert_eq!(bulk.plain.to_bits(), single.2.to_bits());
        }
    }

    /// Flags known by their counts give what the 0/1 series gives.
    #[test]
    fn flags_by_their_counts_give_what_the_series_gives() {
        for (failed, count) in [(0u64, 1u64), (1, 1), (3, 10), (0, 70_000), (12_345, 70_000)] {
            let series: Vec<f64> = (0..count)
                .map(|i| f64::from(u8::from(i < failed)))
                .collect();
            let flags = Samples::flags(failed, count, "run.jtl");
            assert_exact(&flags, &series, &format!("{failed} of {count}"));
        }
    }

    #[test]
    fn keys_sort_as_total_cmp_does() {
        let values = data(100_000, 21);
        let mut keys: Vec<u64> = values.iter().map(|v| total_order_key(*v)).collect();
        sort_keys(&mut keys);
        let got: Vec<u64> = keys
            .into_iter()
            .map(|k| from_total_order_key(k).to_bits())
            .collect();
        let expected: Vec<u64> = sorted(&values).iter().map(|v| v.to_bits()).collect();
        assert_eq!(got, expected);
    }
}
