//! `omnirouter._native`: the dispatch core of `omnirouter-core`, bound to Python.
//!
//! Each class here implements the same interface as its pure-Python reference in
//! `omnirouter.dispatch` (same methods, same answers, same messages); the Python
//! suite runs against both and compares them. Python callables (a channel registry's
//! `family_of`, a blending gate) are called back only where the reference calls them.

use std::collections::{HashMap, HashSet};

use omnirouter_core::capacity::{Load as CoreLoad, Profile};
use omnirouter_core::timers::{Timer, TimerHeap as CoreTimerHeap};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};

fn profile_from(profile: &Bound<'_, PyAny>) -> PyResult<Profile> {
    let field = |name: &str| profile.getattr(name);
    let optional_set = |value: Bound<'_, PyAny>| -> PyResult<Option<HashSet<String>>> {
        if value.is_none() {
            Ok(None)
        } else {
            value.extract().map(Some)
        }
    };
    Ok(Profile {
        per_channel: field("per_channel")?.extract()?,
        total: field("total")?.extract()?,
        budget: field("budget")?.extract()?,
        units: field("units")?.extract()?,
        exclusive: field("exclusive")?.extract()?,
        channels: optional_set(field("channels")?)?,
    })
}

/// What one agent holds now, checked against their capacity profile (see
/// `omnirouter.dispatch.capacity.Load`, the reference).
#[pyclass(module = "omnirouter._native")]
struct Load {
    inner: CoreLoad,
    profile: Py<PyAny>,
    family_of: Py<PyAny>,
    gate: Option<Py<PyAny>>,
    decide: Option<Py<PyAny>>,
    verdicts: HashMap<String, bool>,
}

impl Load {
    fn compiled(&mut self, py: Python<'_>, channel: &str) -> PyResult<()> {
        if !self.inner.is_compiled(channel) {
            let family: Option<String> = self.family_of.call1(py, (channel,))?.extract(py)?;
            self.inner.compile(channel, family.as_deref());
        }
        Ok(())
    }

    fn changed(&mut self) {
        if !self.verdicts.is_empty() {
            self.verdicts.clear();
        }
    }
}

#[pymethods]
impl Load {
    #[new]
    fn new(profile: &Bound<'_, PyAny>, family_of: Py<PyAny>) -> PyResult<Self> {
        Ok(Load {
            inner: CoreLoad::new(profile_from(profile)?),
            profile: profile.clone().unbind(),
            family_of,
            gate: None,
            decide: None,
            verdicts: HashMap::new(),
        })
    }

    /// The agent's capacity as plain data.
    #[getter]
    fn profile(&self, py: Python<'_>) -> Py<PyAny> {
        self.profile.clone_ref(py)
    }

    /// The blending gate, or None.
    #[getter]
    fn gate(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.gate.as_ref().map(|gate| gate.clone_ref(py))
    }

    /// Let `gate` answer `can_take` (its `allows`) and `why_not` from now on.
    fn set_gate(&mut self, gate: &Bound<'_, PyAny>) -> PyResult<()> {
        self.decide = Some(gate.getattr("allows")?.unbind());
        self.gate = Some(gate.clone().unbind());
        self.changed();
        Ok(())
    }

    /// True when the profile allows `channel` at all.
    fn allows(&mut self, py: Python<'_>, channel: &str) -> PyResult<bool> {
        self.compiled(py, channel)?;
        Ok(self.inner.allows(channel))
    }

    /// True when one more item of `channel` fits now (the gate's answer when there is one).
    fn can_take(slf: &Bound<'_, Self>, channel: &Bound<'_, PyString>) -> PyResult<bool> {
        let py = slf.py();
        let name = channel.to_str()?;
        let decide = {
            let mut this = slf.borrow_mut();
            match &this.decide {
                None => {
                    this.compiled(py, name)?;
                    return Ok(this.inner.fits(name));
                }
                Some(decide) => {
                    if let Some(&verdict) = this.verdicts.get(name) {
                        return Ok(verdict);
                    }
                    decide.clone_ref(py)
                }
            }
        };
        // No borrow is held while the gate runs: it reads this load back.
        let verdict = decide.call1(py, (channel,))?.is_truthy(py)?;
        slf.borrow_mut().verdicts.insert(name.to_owned(), verdict);
        Ok(verdict)
    }

    /// Drop the cached answers (the blending rules changed).
    fn forget(&mut self) {
        self.verdicts.clear();
    }

    /// True when one more item of `channel` fits the profile now, blending aside.
    fn fits(&mut self, py: Python<'_>, channel: &str) -> PyResult<bool> {
        self.compiled(py, channel)?;
        Ok(self.inner.fits(channel))
    }

    /// Why one more item of `channel` does not fit (None when it does).
    fn why_not(slf: &Bound<'_, Self>, channel: &str) -> PyResult<Option<String>> {
        let py = slf.py();
        let gate = slf.borrow().gate.as_ref().map(|gate| gate.clone_ref(py));
        match gate {
            Some(gate) => gate
                .call_method1(py, "why_not", (slf, channel))?
                .extract(py),
            None => {
                let mut this = slf.borrow_mut();
                this.compiled(py, channel)?;
                Ok(this.inner.reason(channel, &[], 0))
            }
        }
    }

    /// Why one more item of `channel` does not fit the profile, blending aside,
    /// counting one item of each of `others` added (`sign=1`) or taken away (`sign=-1`).
    #[pyo3(signature = (channel, others = None, sign = 0))]
    fn reason(
        &mut self,
        py: Python<'_>,
        channel: &str,
        others: Option<&Bound<'_, PyAny>>,
        sign: i64,
    ) -> PyResult<Option<String>> {
        self.compiled(py, channel)?;
        let mut names: Vec<String> = Vec::new();
        if let Some(others) = others {
            for other in others.try_iter()? {
                let other: String = other?.extract()?;
                self.compiled(py, &other)?;
                names.push(other);
            }
        }
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        Ok(self.inner.reason(channel, &names, sign))
    }

    /// Count one more item of `channel`.
    fn add(&mut self, py: Python<'_>, channel: &str) -> PyResult<()> {
        self.compiled(py, channel)?;
        self.changed();
        self.inner
            .add(channel)
            .map_err(|error| PyValueError::new_err(error.to_string()))
    }

    /// Count one item of `channel` less.
    fn remove(&mut self, py: Python<'_>, channel: &str) -> PyResult<()> {
        self.compiled(py, channel)?;
        self.changed();
        self.inner
            .remove(channel)
            .map_err(|error| PyValueError::new_err(error.to_string()))
    }

    /// How many items the agent holds (offers, work and wrap-up).
    #[getter]
    fn active(&self) -> i64 {
        self.inner.active()
    }

    /// The counters that are not zero, by name (`c:<channel>`, `f:<family>`, `*`).
    fn counters(&self) -> HashMap<String, i64> {
        self.inner
            .counts()
            .map(|(name, count)| (name.to_owned(), count))
            .collect()
    }

    /// The fullest share of any cap or the budget, from 0.0 (idle) to 1.0 (full).
    fn occupancy(&self) -> f64 {
        self.inner.occupancy()
    }
}

/// The payload of one timer: its kind, its subject and its token, as given.
struct Payload {
    kind: Py<PyAny>,
    subject: Py<PyAny>,
    token: Py<PyAny>,
}

fn timer_tuple<'py>(py: Python<'py>, timer: &Timer<Payload>) -> PyResult<Bound<'py, PyTuple>> {
    let Payload {
        kind,
        subject,
        token,
    } = &timer.payload;
    PyTuple::new(
        py,
        [
            timer.at.into_pyobject(py)?.into_any(),
            timer.seq.into_pyobject(py)?.into_any(),
            kind.bind(py).clone(),
            subject.bind(py).clone(),
            token.bind(py).clone(),
        ],
    )
}

fn finite(at: f64) -> PyResult<f64> {
    if at.is_finite() {
        Ok(at)
    } else {
        Err(PyValueError::new_err(
            "a timer's due time must be a finite number",
        ))
    }
}

/// Timers in due order (see `omnirouter.dispatch.timers.TimerHeap`, the reference).
#[pyclass(module = "omnirouter._native")]
struct TimerHeap {
    inner: CoreTimerHeap<Payload>,
}

#[pymethods]
impl TimerHeap {
    #[new]
    fn new() -> Self {
        TimerHeap {
            inner: CoreTimerHeap::new(),
        }
    }

    /// The sequence number of the last timer set.
    #[getter]
    fn seq(&self) -> i64 {
        self.inner.seq()
    }

    /// Set a timer of `kind` for `subject` due at `at`, with `token` (told back when it
    /// fires, so the owner can tell a stale timer from a live one).
    fn set(
        &mut self,
        at: f64,
        kind: &Bound<'_, PyString>,
        subject: &Bound<'_, PyString>,
        token: Py<PyAny>,
    ) -> PyResult<()> {
        self.inner.set(
            finite(at)?,
            Payload {
                kind: kind.clone().into_any().unbind(),
                subject: subject.clone().into_any().unbind(),
                token,
            },
        );
        Ok(())
    }

    /// When the next timer is due, or None.
    fn next_at(&self) -> Option<f64> {
        self.inner.next_at()
    }

    /// The next timer due at or before `now` (removed), as
    /// `(at, seq, kind, subject, token)`, or None.
    fn pop_due<'py>(slf: &Bound<'py, Self>, now: f64) -> PyResult<Option<Bound<'py, PyTuple>>> {
        // The heap is released before any Python object is made: making one may run the
        // garbage collector, hence Python code, hence another thread that reads the heap
        // without the router's lock (`next_at`, a simulator's or driver's wake-up).
        let popped = slf.borrow_mut().inner.pop_due(now);
        let py = slf.py();
        match popped {
            Some(timer) => timer_tuple(py, &timer).map(Some),
            None => Ok(None),
        }
    }

    /// The timers in due order, as lists.
    fn to_json<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for timer in self.inner.sorted() {
            list.append(PyList::new(py, timer_tuple(py, timer)?)?)?;
        }
        Ok(list)
    }

    /// Replace the timers by `timers` (as from `to_json`).
    fn load(slf: &Bound<'_, Self>, timers: &Bound<'_, PyAny>, seq: i64) -> PyResult<()> {
        let mut loaded = Vec::new();
        for timer in timers.try_iter()? {
            let timer = timer?;
            let fields: Vec<Bound<'_, PyAny>> = timer.try_iter()?.collect::<PyResult<_>>()?;
            let [at, timer_seq, kind, subject, token] = fields.as_slice() else {
                return Err(PyTypeError::new_err(
                    "a timer is [at, seq, kind, subject, token]",
                ));
            };
            loaded.push(Timer {
                at: finite(at.extract()?)?,
                seq: timer_seq.extract()?,
                payload: Payload {
                    kind: kind.str()?.into_any().unbind(),
                    subject: subject.str()?.into_any().unbind(),
                    token: token.clone().unbind(),
                },
            });
        }
        // Read every timer first (that runs Python code), then swap them in at once.
        slf.borrow_mut().inner.load(loaded, seq);
        Ok(())
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }
}

/// omnirouter's compiled dispatch core.
#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<Load>()?;
    module.add_class::<TimerHeap>()?;
    Ok(())
}
