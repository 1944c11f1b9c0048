//! omnirouter's dispatch core in plain Rust.
//!
//! The Python package's `omnirouter.dispatch` modules describe the interface; this
//! crate implements parts of it without any Python: [`capacity`] (may this agent take
//! one more item of a channel?) and [`timers`] (the one heap of timers). The crate
//! `omnirouter-native` binds it to Python as `omnirouter._native`.

pub mod capacity;
pub mod timers;
