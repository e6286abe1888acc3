//! Criterion benchmarks (placeholder while the library settles).
fn main() {}
