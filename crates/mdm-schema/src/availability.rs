//! Where a command may run: Apple's availability facts for each platform.
//!
//! The facts come from the `supportedOS` section of each command's file in Apple's
//! `device-management` schema (`mdm/commands/*.yaml`); the rules crate decides with them
//! whether a command may go to a given device.

use std::cmp::Ordering;
use std::fmt;

/// An operating system version such as `10.15` or `17.4.1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OsVersion {
    /// The major version.
    pub major: u16,
    /// The minor version.
    pub minor: u16,
    /// The patch version.
    pub patch: u16,
}

impl OsVersion {
    /// A version from its parts.
    pub const fn new(major: u16, minor: u16, patch: u16) -> Self {
        Self {
            major,
            minor,
            patch,
        }
    }

    /// Parses `major[.minor[.patch]]`; `None` for anything else.
    ///
    /// ```
    /// use mdm_schema::OsVersion;
    ///
    /// assert_eq!(OsVersion::parse("10.15"), Some(OsVersion::new(10, 15, 0)));
    /// assert_eq!(OsVersion::parse("n/a"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split('.');
        let mut next = |required: bool| -> Option<u16> {
            match parts.next() {
                Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok(),
                None if !required => Some(0),
                _ => None,
            }
        };
        let version = Self::new(next(true)?, next(false)?, next(false)?);
        parts.next().is_none().then_some(version)
    }
}

impl PartialOrd for OsVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for OsVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch).cmp(&(other.major, other.minor, other.patch))
    }
}

impl fmt::Display for OsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)?;
        if self.patch != 0 {
            write!(f, ".{}", self.patch)?;
        }
        Ok(())
    }
}

/// How a command relates to a mode such as Shared iPad or User Enrollment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ModeSupport {
    /// Usable with or without the mode.
    Allowed,
    /// Usable only with the mode.
    Required,
    /// Not usable with the mode.
    Forbidden,
    /// Accepted with the mode, but without effect.
    Ignored,
}

/// The facts for one platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlatformSupport {
    /// The first version with the command; `None` when the platform never had it (`n/a`).
    pub introduced: Option<OsVersion>,
    /// The version that deprecated it, if any.
    pub deprecated: Option<OsVersion>,
    /// The version that removed it, if any.
    pub removed: Option<OsVersion>,
    /// The MDM access right the command needs (`None` when it needs none).
    pub access_rights: Option<&'static str>,
    /// Whether the command runs on the device channel (`None`: not stated).
    pub device_channel: Option<bool>,
    /// Whether the command runs on the user channel (`None`: not stated).
    pub user_channel: Option<bool>,
    /// Whether the device must be supervised (`None`: not stated).
    pub supervised: Option<bool>,
    /// Whether the device must have enrolled through Automated Device Enrollment (DEP).
    pub requires_dep: Option<bool>,
    /// Whether the enrollment must be user approved.
    pub user_approved_mdm: Option<bool>,
    /// How the command relates to Shared iPad.
    pub shared_ipad: Option<ModeSupport>,
    /// How the command relates to User Enrollment.
    pub user_enrollment: Option<ModeSupport>,
}

impl PlatformSupport {
    /// A platform that never had the command.
    pub const UNAVAILABLE: Self = Self {
        introduced: None,
        deprecated: None,
        removed: None,
        access_rights: None,
        device_channel: None,
        user_channel: None,
        supervised: None,
        requires_dep: None,
        user_approved_mdm: None,
        shared_ipad: None,
        user_enrollment: None,
    };

    /// Whether the platform has the command at all.
    pub const fn is_available(&self) -> bool {
        self.introduced.is_some()
    }
}

/// The facts for every platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Availability {
    /// iOS and iPadOS.
    pub ios: PlatformSupport,
    /// macOS.
    pub macos: PlatformSupport,
    /// tvOS.
    pub tvos: PlatformSupport,
    /// visionOS.
    pub visionos: PlatformSupport,
    /// watchOS.
    pub watchos: PlatformSupport,
}

impl Availability {
    /// The facts for one platform.
    pub const fn platform(&self, platform: Platform) -> &PlatformSupport {
        match platform {
            Platform::Ios => &self.ios,
            Platform::MacOs => &self.macos,
            Platform::TvOs => &self.tvos,
            Platform::VisionOs => &self.visionos,
            Platform::WatchOs => &self.watchos,
        }
    }
}

/// Apple's platforms, as the schema names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Platform {
    /// iOS and iPadOS.
    Ios,
    /// macOS.
    MacOs,
    /// tvOS.
    TvOs,
    /// visionOS.
    VisionOs,
    /// watchOS.
    WatchOs,
}

impl Platform {
    /// Every platform, in the schema's order.
    pub const ALL: [Self; 5] = [
        Self::Ios,
        Self::MacOs,
        Self::TvOs,
        Self::VisionOs,
        Self::WatchOs,
    ];

    /// The schema's name (`iOS`, `macOS`, `tvOS`, `visionOS`, `watchOS`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Ios => "iOS",
            Self::MacOs => "macOS",
            Self::TvOs => "tvOS",
            Self::VisionOs => "visionOS",
            Self::WatchOs => "watchOS",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_order() {
        assert_eq!(OsVersion::parse("7.1"), Some(OsVersion::new(7, 1, 0)));
        assert_eq!(OsVersion::parse("17.4.1"), Some(OsVersion::new(17, 4, 1)));
        assert_eq!(OsVersion::parse("2"), Some(OsVersion::new(2, 0, 0)));
        for bad in ["", "n/a", "1.", ".1", "1.2.3.4", "1.x", "99999"] {
            assert_eq!(OsVersion::parse(bad), None, "{bad}");
        }
        assert!(OsVersion::new(10, 15, 0) > OsVersion::new(10, 9, 9));
        assert_eq!(OsVersion::new(10, 15, 0).to_string(), "10.15");
        assert_eq!(OsVersion::new(10, 15, 7).to_string(), "10.15.7");
    }
}
