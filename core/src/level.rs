//! Skill levels (技能等级) and sets of them.

use std::fmt;

/// A skill level of a certificate (职业技能等级 or another certificate a subsidy pays for).
///
/// The five numbered levels are ordered: `1` 一级/高级技师 is the highest, `5` 五级/初级工 the
/// lowest. `S` (专项职业能力证书) and `T` (培训合格证书) are certificates outside that ladder
/// and are not ordered against it, so `Level` has no `Ord`: compare rungs ([`Level::rung`]) or
/// use [`Level::is_above`].
///
/// ```compile_fail
/// use skill_subsidy::Level;
/// // S (专项职业能力证书) is not on the ladder: there is no order to ask for.
/// let _ = Level::S > Level::L1;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Level {
    /// `5` 五级/初级工.
    L5,
    /// `4` 四级/中级工.
    L4,
    /// `3` 三级/高级工.
    L3,
    /// `2` 二级/技师.
    L2,
    /// `1` 一级/高级技师.
    L1,
    /// `S` 专项职业能力证书.
    S,
    /// `T` 培训合格证书.
    T,
}

impl Level {
    /// Every level, in the order tables list them.
    pub const ALL: [Level; 7] = [Level::L5, Level::L4, Level::L3, Level::L2, Level::L1, Level::S, Level::T];

    /// The code used in claims and rules files.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Level::L5 => "5",
            Level::L4 => "4",
            Level::L3 => "3",
            Level::L2 => "2",
            Level::L1 => "1",
            Level::S => "S",
            Level::T => "T",
        }
    }

    /// Reads a level code (`"3"`, `"S"` …).
    #[must_use]
    pub fn parse(code: &str) -> Option<Level> {
        Some(match code {
            "5" => Level::L5,
            "4" => Level::L4,
            "3" => Level::L3,
            "2" => Level::L2,
            "1" => Level::L1,
            "S" => Level::S,
            "T" => Level::T,
            _ => return None,
        })
    }

    /// Position in [`Level::ALL`], for tables indexed by level.
    #[must_use]
    pub fn index(self) -> usize {
        self as usize
    }

    /// The rung on the five-level ladder (5 lowest … 1 highest), `None` for `S` and `T`: the
    /// explicit rank of the ordered levels.
    ///
    /// ```
    /// use skill_subsidy::Level;
    /// assert_eq!((Level::L2.rung(), Level::L3.rung()), (Some(2), Some(3))); // 技师 above 高级工
    /// assert_eq!(Level::T.rung(), None);
    /// ```
    #[must_use]
    pub fn rung(self) -> Option<u8> {
        match self {
            Level::L5 => Some(5),
            Level::L4 => Some(4),
            Level::L3 => Some(3),
            Level::L2 => Some(2),
            Level::L1 => Some(1),
            Level::S | Level::T => None,
        }
    }

    /// Whether `self` is strictly above `other` on the ladder (技师 is above 高级工).
    #[must_use]
    pub fn is_above(self, other: Level) -> bool {
        matches!((self.rung(), other.rung()), (Some(a), Some(b)) if a < b)
    }

    /// Chinese name.
    #[must_use]
    pub fn name_zh(self) -> &'static str {
        match self {
            Level::L5 => "五级/初级工",
            Level::L4 => "四级/中级工",
            Level::L3 => "三级/高级工",
            Level::L2 => "二级/技师",
            Level::L1 => "一级/高级技师",
            Level::S => "专项职业能力证书",
            Level::T => "培训合格证书",
        }
    }

    /// English name.
    #[must_use]
    pub fn name_en(self) -> &'static str {
        match self {
            Level::L5 => "level 5 (junior worker)",
            Level::L4 => "level 4 (intermediate worker)",
            Level::L3 => "level 3 (senior worker)",
            Level::L2 => "level 2 (technician)",
            Level::L1 => "level 1 (senior technician)",
            Level::S => "specific-skill certificate",
            Level::T => "training-completion certificate",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A set of levels, as a bit mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct LevelSet(u8);

impl LevelSet {
    /// No level.
    pub const EMPTY: LevelSet = LevelSet(0);

    /// Whether `level` is in the set.
    #[must_use]
    pub fn contains(self, level: Level) -> bool {
        self.0 & (1 << level.index()) != 0
    }

    /// The set with `level` added.
    #[must_use]
    pub fn with(self, level: Level) -> LevelSet {
        LevelSet(self.0 | (1 << level.index()))
    }

    /// Whether the set is empty.
    #[must_use]
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The levels in the set, in [`Level::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Level> {
        Level::ALL.into_iter().filter(move |l| self.contains(*l))
    }

    /// The codes joined with `,` (`"5,4,3"`).
    #[must_use]
    pub fn codes(self) -> String {
        self.iter().map(Level::code).collect::<Vec<_>>().join(",")
    }
}

impl FromIterator<Level> for LevelSet {
    fn from_iter<I: IntoIterator<Item = Level>>(iter: I) -> Self {
        iter.into_iter().fold(LevelSet::EMPTY, LevelSet::with)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn technician_is_above_senior_worker_and_certificates_are_off_the_ladder() {
        assert!(Level::L2.is_above(Level::L3));
        assert!(!Level::L3.is_above(Level::L2));
        assert!(!Level::S.is_above(Level::L5));
        assert!(!Level::L1.is_above(Level::T));
    }

    #[test]
    fn codes_round_trip() {
        for level in Level::ALL {
            assert_eq!(Level::parse(level.code()), Some(level));
        }
        assert_eq!(Level::parse("6"), None);
        let set: LevelSet = [Level::L3, Level::L1].into_iter().collect();
        assert_eq!(set.codes(), "3,1");
    }
}
