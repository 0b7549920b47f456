//! The groups of people a program may serve (就业重点群体 and employees).

use std::fmt;

/// The trainee's group. A claim without one is `employee`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Group {
    /// 企业职工.
    Employee,
    /// 失业人员.
    Unemployed,
    /// 农村转移就业劳动者.
    RuralMigrant,
    /// 毕业年度高校毕业生.
    Graduate,
    /// 低收入家庭子女.
    LowIncomeFamily,
    /// 城乡未继续升学的应届初高中毕业生.
    SchoolLeaver,
    /// Anyone else.
    Other,
}

impl Group {
    /// Every group.
    pub const ALL: [Group; 7] = [
        Group::Employee,
        Group::Unemployed,
        Group::RuralMigrant,
        Group::Graduate,
        Group::LowIncomeFamily,
        Group::SchoolLeaver,
        Group::Other,
    ];

    /// The code used in claims and rules files.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Group::Employee => "employee",
            Group::Unemployed => "unemployed",
            Group::RuralMigrant => "rural_migrant",
            Group::Graduate => "graduate",
            Group::LowIncomeFamily => "low_income_family",
            Group::SchoolLeaver => "school_leaver",
            Group::Other => "other",
        }
    }

    /// Reads a group code.
    #[must_use]
    pub fn parse(code: &str) -> Option<Group> {
        Group::ALL.into_iter().find(|g| g.code() == code)
    }

    /// Chinese name.
    #[must_use]
    pub fn name_zh(self) -> &'static str {
        match self {
            Group::Employee => "企业职工",
            Group::Unemployed => "失业人员",
            Group::RuralMigrant => "农村转移就业劳动者",
            Group::Graduate => "毕业年度高校毕业生",
            Group::LowIncomeFamily => "低收入家庭子女",
            Group::SchoolLeaver => "未继续升学的应届初高中毕业生",
            Group::Other => "其他人员",
        }
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A set of groups, as a bit mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct GroupSet(u8);

impl GroupSet {
    /// Whether `group` is in the set.
    #[must_use]
    pub fn contains(self, group: Group) -> bool {
        self.0 & (1 << group as u8) != 0
    }

    /// The groups in the set.
    pub fn iter(self) -> impl Iterator<Item = Group> {
        Group::ALL.into_iter().filter(move |g| self.contains(*g))
    }
}

impl FromIterator<Group> for GroupSet {
    fn from_iter<I: IntoIterator<Item = Group>>(iter: I) -> Self {
        GroupSet(iter.into_iter().fold(0, |mask, g| mask | (1 << g as u8)))
    }
}
