//! Capacity: may this agent take one more item of a channel now?
//!
//! A [`Profile`] is an agent's capacity as plain data (caps per channel or family, a
//! total, a budget with units per channel, exclusive channels, the channels allowed at
//! all). A [`Load`] is what the agent holds now against that profile. Each channel is
//! compiled once into a [`Plan`] (the counters one item counts into, the caps to check,
//! its budget units, whether it is exclusive), so a check is a few vector reads.
//!
//! Counters are named as in the Python reference: `c:<channel>` for a channel that has
//! a family, `f:<family>` for the family (a channel without one is its own family) and
//! `*` for everything.

use std::collections::{HashMap, HashSet};

/// The counter of everything an agent holds.
pub const ANY: &str = "*";

/// An agent's capacity as plain data.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    /// Caps per channel or family.
    pub per_channel: HashMap<String, i64>,
    /// A cap on everything.
    pub total: Option<i64>,
    /// A budget of units, with `units` per channel or family.
    pub budget: Option<i64>,
    /// The units one item of a channel (or family) costs against `budget`.
    pub units: HashMap<String, i64>,
    /// Channels (or families) delivered only to an agent holding nothing.
    pub exclusive: HashSet<String>,
    /// The channels (or families) the agent may serve at all; `None` for every one.
    pub channels: Option<HashSet<String>>,
}

/// One channel compiled against one profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    caps: Vec<(usize, i64)>,
    counters: Vec<usize>,
    units: i64,
    exclusive: bool,
}

/// What one agent holds now, checked against their capacity profile.
///
/// Work that is paused does not count; the caller removes it. A channel must be
/// compiled ([`Load::compile`]) before it is checked, added or removed: compiling asks
/// for the channel's family, which only the caller knows.
#[derive(Clone, Debug)]
pub struct Load {
    profile: Profile,
    plans: HashMap<String, Option<Plan>>,
    names: Vec<String>,
    slots: HashMap<String, usize>,
    counts: Vec<i64>,
    units: i64,
    exclusive_active: i64,
}

/// Why an item could not be counted (nothing changed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CountError {
    /// The profile does not allow the channel.
    NotAllowed(String),
    /// The agent holds no item of the channel to remove.
    NotHeld(String),
}

impl std::fmt::Display for CountError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CountError::NotAllowed(channel) => write!(f, "channel {channel} not allowed"),
            CountError::NotHeld(channel) => write!(f, "channel {channel} not held"),
        }
    }
}

impl std::error::Error for CountError {}

impl Load {
    /// An agent holding nothing.
    pub fn new(profile: Profile) -> Self {
        let mut load = Load {
            profile,
            plans: HashMap::new(),
            names: Vec::new(),
            slots: HashMap::new(),
            counts: Vec::new(),
            units: 0,
            exclusive_active: 0,
        };
        load.slot(ANY);
        load
    }

    /// The profile this load is checked against.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    fn slot(&mut self, name: &str) -> usize {
        if let Some(&slot) = self.slots.get(name) {
            return slot;
        }
        let slot = self.names.len();
        self.names.push(name.to_owned());
        self.slots.insert(name.to_owned(), slot);
        self.counts.push(0);
        slot
    }

    /// True when `channel` has been compiled.
    pub fn is_compiled(&self, channel: &str) -> bool {
        self.plans.contains_key(channel)
    }

    /// Compile `channel`, whose family is `family` (`None`: the channel does not exist).
    pub fn compile(&mut self, channel: &str, family: Option<&str>) {
        let plan = family.and_then(|family| self.build(channel, family));
        self.plans.insert(channel.to_owned(), plan);
    }

    fn build(&mut self, channel: &str, family: &str) -> Option<Plan> {
        let profile = &self.profile;
        if let Some(allowed) = &profile.channels {
            if !allowed.contains(channel) && !allowed.contains(family) {
                return None;
            }
        }
        let mut caps: Vec<(String, i64)> = Vec::new();
        let per_channel = &profile.per_channel;
        let total = if !per_channel.is_empty() {
            if family != channel {
                if let Some(&cap) = per_channel.get(channel) {
                    caps.push((format!("c:{channel}"), cap));
                }
            }
            if let Some(&cap) = per_channel.get(family) {
                caps.push((format!("f:{family}"), cap));
            }
            if caps.is_empty() {
                return None;
            }
            profile.total
        } else if profile.total.is_some() || profile.budget.is_some() {
            profile.total
        } else {
            Some(1) // an empty profile: one interaction at a time
        };
        if let Some(total) = total {
            caps.push((ANY.to_owned(), total));
        }
        if caps.iter().any(|(_, cap)| *cap <= 0) {
            return None;
        }
        let mut units = 0;
        if let Some(budget) = profile.budget {
            units = [channel, family]
                .iter()
                .filter_map(|key| profile.units.get(*key).copied())
                .find(|&value| value != 0)
                .unwrap_or(0);
            if units <= 0 || units > budget {
                return None;
            }
        }
        let exclusive = profile.exclusive.contains(channel) || profile.exclusive.contains(family);
        let mut counter_names = Vec::with_capacity(3);
        if family != channel {
            counter_names.push(format!("c:{channel}"));
        }
        counter_names.push(format!("f:{family}"));
        counter_names.push(ANY.to_owned());
        let counters = counter_names.iter().map(|name| self.slot(name)).collect();
        let caps = caps
            .iter()
            .map(|(name, cap)| (self.slot(name), *cap))
            .collect();
        Some(Plan {
            caps,
            counters,
            units,
            exclusive,
        })
    }

    fn plan(&self, channel: &str) -> Option<&Plan> {
        self.plans.get(channel).and_then(Option::as_ref)
    }

    /// True when the profile allows `channel` at all (whatever the agent holds now).
    pub fn allows(&self, channel: &str) -> bool {
        self.plan(channel).is_some()
    }

    /// True when one more item of `channel` fits the profile now.
    pub fn fits(&self, channel: &str) -> bool {
        let Some(plan) = self.plan(channel) else {
            return false;
        };
        if self.exclusive_active != 0 || (plan.exclusive && self.counts[0] != 0) {
            return false;
        }
        if plan
            .caps
            .iter()
            .any(|&(slot, cap)| self.counts[slot] >= cap)
        {
            return false;
        }
        !matches!(self.profile.budget, Some(budget) if self.units + plan.units > budget)
    }

    /// Why one more item of `channel` does not fit (`None` when it does).
    ///
    /// With `others` and `sign` the load counts as if one item of each channel in
    /// `others` were added (`sign` 1) or taken away (`sign` -1).
    pub fn reason(&self, channel: &str, others: &[&str], sign: i64) -> Option<String> {
        let Some(plan) = self.plan(channel) else {
            return Some(format!(
                "channel {channel} not in the agent's capacity profile"
            ));
        };
        let mut counts = std::borrow::Cow::Borrowed(&self.counts);
        let mut units = self.units;
        let mut exclusive_active = self.exclusive_active;
        if !others.is_empty() && sign != 0 {
            let counts = counts.to_mut();
            for other in others {
                let Some(other_plan) = self.plan(other) else {
                    continue;
                };
                for &slot in &other_plan.counters {
                    counts[slot] += sign;
                }
                units += sign * other_plan.units;
                if other_plan.exclusive {
                    exclusive_active += sign;
                }
            }
        }
        if exclusive_active != 0 {
            return Some("busy on an exclusive channel".to_owned());
        }
        if plan.exclusive && counts[0] != 0 {
            return Some(format!(
                "{channel} is exclusive and the agent holds other work"
            ));
        }
        for &(slot, cap) in &plan.caps {
            if counts[slot] >= cap {
                let name = &self.names[slot];
                let what = if slot == 0 {
                    "in total".to_owned()
                } else {
                    format!("on {}", &name[2..])
                };
                return Some(format!("at capacity {what} ({cap})"));
            }
        }
        match self.profile.budget {
            Some(budget) if units + plan.units > budget => {
                Some(format!("budget {units}+{} > {budget}", plan.units))
            }
            _ => None,
        }
    }

    fn count(&mut self, channel: &str, sign: i64) -> Result<(), CountError> {
        let plan = self
            .plans
            .get(channel)
            .and_then(Option::as_ref)
            .ok_or_else(|| CountError::NotAllowed(channel.to_owned()))?;
        if sign < 0 && self.counts[plan.counters[0]] <= 0 {
            return Err(CountError::NotHeld(channel.to_owned()));
        }
        for &slot in &plan.counters {
            self.counts[slot] += sign;
        }
        self.units += sign * plan.units;
        if plan.exclusive {
            self.exclusive_active += sign;
        }
        Ok(())
    }

    /// Count one more item of `channel` (the caller checked that it fits).
    pub fn add(&mut self, channel: &str) -> Result<(), CountError> {
        self.count(channel, 1)
    }

    /// Count one item of `channel` less (an error, changing nothing, when none is held).
    pub fn remove(&mut self, channel: &str) -> Result<(), CountError> {
        self.count(channel, -1)
    }

    /// How many items the agent holds.
    pub fn active(&self) -> i64 {
        self.counts[0]
    }

    /// The units of the budget in use.
    pub fn units(&self) -> i64 {
        self.units
    }

    /// The counters that are not zero, by name.
    pub fn counts(&self) -> impl Iterator<Item = (&str, i64)> {
        self.names
            .iter()
            .zip(&self.counts)
            .filter(|(_, &count)| count != 0)
            .map(|(name, &count)| (name.as_str(), count))
    }

    /// The fullest share of any cap or the budget, from 0.0 (idle) to 1.0 (full).
    pub fn occupancy(&self) -> f64 {
        let profile = &self.profile;
        let mut share: f64 = 0.0;
        if let Some(budget) = profile.budget {
            share = share.max(self.units as f64 / budget as f64);
        }
        for (name, count) in self.counts() {
            let cap = if name == ANY {
                let total = match profile.total {
                    None if profile.per_channel.is_empty() && profile.budget.is_none() => Some(1),
                    other => other,
                };
                let cap = total.unwrap_or_else(|| profile.per_channel.values().sum());
                if cap <= 0 {
                    continue; // a budget alone: the budget share says it all
                }
                cap
            } else {
                profile.per_channel.get(&name[2..]).copied().unwrap_or(0)
            };
            if cap > 0 {
                share = share.max(count as f64 / cap as f64);
            }
        }
        share
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn family(channel: &str) -> Option<&'static str> {
        match channel {
            "voice" => Some("voice"),
            "email" => Some("email"),
            "whatsapp" | "messenger" => Some("messaging"),
            "video" => Some("video"),
            _ => None,
        }
    }

    fn load(profile: Profile, channels: &[&str]) -> Load {
        let mut load = Load::new(profile);
        for channel in channels {
            load.compile(channel, family(channel));
        }
        load
    }

    const ALL: [&str; 6] = ["voice", "email", "whatsapp", "messenger", "video", "fax"];

    #[test]
    fn an_empty_profile_takes_one_item_at_a_time() {
        let mut load = load(Profile::default(), &ALL);
        assert!(load.fits("voice"));
        load.add("voice").unwrap();
        assert!(!load.fits("email"));
        assert_eq!(
            load.reason("email", &[], 0).as_deref(),
            Some("at capacity in total (1)")
        );
        assert_eq!(load.occupancy(), 1.0);
        load.remove("voice").unwrap();
        assert!(load.fits("email"));
        assert_eq!(load.occupancy(), 0.0);
    }

    #[test]
    fn family_caps_count_every_channel_of_the_family() {
        let profile = Profile {
            per_channel: HashMap::from([("messaging".into(), 2), ("whatsapp".into(), 1)]),
            ..Profile::default()
        };
        let mut load = load(profile, &ALL);
        assert!(!load.allows("voice"), "not in the profile");
        assert_eq!(
            load.reason("fax", &[], 0).as_deref(),
            Some("channel fax not in the agent's capacity profile")
        );
        load.add("whatsapp").unwrap();
        assert!(!load.fits("whatsapp"));
        assert_eq!(
            load.reason("whatsapp", &[], 0).as_deref(),
            Some("at capacity on whatsapp (1)")
        );
        load.add("messenger").unwrap();
        assert_eq!(
            load.reason("messenger", &[], 0).as_deref(),
            Some("at capacity on messaging (2)")
        );
        assert_eq!(load.active(), 2);
        assert_eq!(
            load.add("voice"),
            Err(CountError::NotAllowed("voice".into()))
        );
        assert_eq!(
            load.remove("email"),
            Err(CountError::NotAllowed("email".into()))
        );
        load.remove("messenger").unwrap();
        assert_eq!(
            load.remove("messenger"),
            Err(CountError::NotHeld("messenger".into()))
        );
        assert_eq!(load.active(), 1, "a refused removal changes nothing");
    }

    #[test]
    fn a_budget_counts_units_and_others_count_as_if_added() {
        let profile = Profile {
            budget: Some(10),
            units: HashMap::from([("voice".into(), 10), ("email".into(), 3)]),
            ..Profile::default()
        };
        let mut load = load(profile, &ALL);
        assert!(!load.allows("video"), "no units: not allowed");
        for _ in 0..3 {
            load.add("email").unwrap();
        }
        assert!(!load.fits("voice"));
        assert_eq!(
            load.reason("email", &[], 0).as_deref(),
            Some("budget 9+3 > 10")
        );
        assert_eq!(load.reason("email", &["email"], -1), None);
        assert_eq!(
            load.reason("voice", &["email", "email"], -1).as_deref(),
            Some("budget 3+10 > 10")
        );
        assert!((load.occupancy() - 0.9).abs() < 1e-12);
    }

    #[test]
    fn an_exclusive_channel_needs_an_idle_agent_and_blocks_the_rest() {
        let profile = Profile {
            total: Some(3),
            exclusive: HashSet::from(["video".into()]),
            ..Profile::default()
        };
        let mut load = load(profile, &ALL);
        load.add("email").unwrap();
        assert_eq!(
            load.reason("video", &[], 0).as_deref(),
            Some("video is exclusive and the agent holds other work")
        );
        load.remove("email").unwrap();
        load.add("video").unwrap();
        assert!(!load.fits("email"));
        assert_eq!(
            load.reason("email", &[], 0).as_deref(),
            Some("busy on an exclusive channel")
        );
        assert_eq!(load.reason("email", &["video"], -1), None);
    }

    #[test]
    fn allowed_channels_and_unknown_channels() {
        let profile = Profile {
            total: Some(2),
            channels: Some(HashSet::from(["messaging".into()])),
            ..Profile::default()
        };
        let load = load(profile, &ALL);
        assert!(load.allows("whatsapp"));
        assert!(!load.allows("voice"));
        assert!(!load.allows("fax"), "unknown channel");
        assert!(!load.fits("fax"));
    }

    #[test]
    fn a_zero_cap_means_never() {
        let profile = Profile {
            per_channel: HashMap::from([("voice".into(), 0), ("email".into(), 2)]),
            total: Some(0),
            ..Profile::default()
        };
        let load = load(profile, &ALL);
        assert!(!load.allows("voice"));
        assert!(!load.allows("email"), "a total of 0 closes every channel");
    }
}
