//! `ActivationLockBypassCode` and `ClearActivationLockBypassCode`.
//!
//! Facts from Apple's schema files `device.activationlock.bypasscode.yaml` and
//! `device.activationlock.clearbypasscode.yaml`.

use mdm_plist::Dictionary;
use serde::de::MapAccess;

use crate::availability::{Availability, ModeSupport, OsVersion, PlatformSupport};
use crate::{BypassCode, BypassCodeError, Command, EmptyResponse, ResponseFields, SecretString};

/// The availability shared by both Activation Lock commands: supervised iOS 7.1+,
/// macOS 10.15+ (device channel only) and visionOS 2.0+; never under Shared iPad or User
/// Enrollment; not on tvOS or watchOS.
const ACTIVATION_LOCK_AVAILABILITY: Availability = Availability {
    ios: PlatformSupport {
        introduced: Some(OsVersion::new(7, 1, 0)),
        supervised: Some(true),
        requires_dep: Some(false),
        shared_ipad: Some(ModeSupport::Forbidden),
        user_enrollment: Some(ModeSupport::Forbidden),
        ..PlatformSupport::UNAVAILABLE
    },
    macos: PlatformSupport {
        introduced: Some(OsVersion::new(10, 15, 0)),
        device_channel: Some(true),
        user_channel: Some(false),
        supervised: Some(true),
        requires_dep: Some(false),
        user_enrollment: Some(ModeSupport::Forbidden),
        ..PlatformSupport::UNAVAILABLE
    },
    tvos: PlatformSupport::UNAVAILABLE,
    visionos: PlatformSupport {
        introduced: Some(OsVersion::new(2, 0, 0)),
        supervised: Some(true),
        requires_dep: Some(false),
        user_enrollment: Some(ModeSupport::Forbidden),
        ..PlatformSupport::UNAVAILABLE
    },
    watchos: PlatformSupport::UNAVAILABLE,
};

/// Asks a supervised device for its Activation Lock bypass code. The command has no keys.
///
/// ```
/// use mdm_schema::{decode_result, ActivationLockBypassCode, BypassCodeAnswer};
///
/// let result = br#"<plist><dict>
///   <key>ActivationLockBypassCode</key><string>3UM43-PUYVY-QYD1-UVCC-HEHJ-FKA4</string>
///   <key>CommandUUID</key><string>0F1E2D3C-4B5A-4678-9A0B-1C2D3E4F5A6B</string>
///   <key>Status</key><string>Acknowledged</string>
///   <key>UDID</key><string>00008030-000000000000FACE</string>
/// </dict></plist>"#;
/// let result = decode_result::<ActivationLockBypassCode>(result)?;
/// let response = result.acknowledged()?;
/// assert!(matches!(response.answer(), BypassCodeAnswer::Present(_)));
/// let code = response.parse_code()?.expect("present");
/// assert_eq!(format!("{code:?}"), "BypassCode(<redacted>)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ActivationLockBypassCode;

keyless_command!(ActivationLockBypassCode);

impl Command for ActivationLockBypassCode {
    const REQUEST_TYPE: &'static str = "ActivationLockBypassCode";
    const AVAILABILITY: Availability = ACTIVATION_LOCK_AVAILABILITY;
    type Response = ActivationLockBypassCodeResponse;
}

/// Tells a supervised device to forget its Activation Lock bypass code. The command has
/// no keys and its result no fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClearActivationLockBypassCode;

keyless_command!(ClearActivationLockBypassCode);

impl Command for ClearActivationLockBypassCode {
    const REQUEST_TYPE: &'static str = "ClearActivationLockBypassCode";
    const AVAILABILITY: Availability = ACTIVATION_LOCK_AVAILABILITY;
    type Response = EmptyResponse;
}

/// The fields of an `ActivationLockBypassCode` result.
///
/// Apple's schema marks the code as required, but devices return it only for a limited
/// time after supervision (15 days), so an absent or empty code is a normal answer:
/// [`answer`](Self::answer) says which happened. The code is kept exactly as the device
/// sent it, as a secret; [`parse_code`](Self::parse_code) turns it into a [`BypassCode`].
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct ActivationLockBypassCodeResponse {
    /// The code as the device sent it, if it sent the key.
    pub code: Option<SecretString>,
}

impl Clone for ActivationLockBypassCodeResponse {
    fn clone(&self) -> Self {
        Self {
            code: self
                .code
                .as_ref()
                .map(|c| SecretString::new(c.expose_secret().to_owned())),
        }
    }
}

impl PartialEq for ActivationLockBypassCodeResponse {
    fn eq(&self, other: &Self) -> bool {
        match (&self.code, &other.code) {
            (Some(a), Some(b)) => a.expose_secret() == b.expose_secret(),
            (None, None) => true,
            _ => false,
        }
    }
}

/// What a device answered about its bypass code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BypassCodeAnswer<'a> {
    /// The device sent a code.
    Present(&'a SecretString),
    /// The device sent the key with an empty string.
    Empty,
    /// The device did not send the key: no code is available.
    Absent,
}

impl ActivationLockBypassCodeResponse {
    /// A response holding this code, as a device would send it.
    pub fn with_code(code: SecretString) -> Self {
        Self { code: Some(code) }
    }

    /// Whether a code came, and if so which.
    pub fn answer(&self) -> BypassCodeAnswer<'_> {
        match &self.code {
            None => BypassCodeAnswer::Absent,
            Some(c) if c.expose_secret().is_empty() => BypassCodeAnswer::Empty,
            Some(c) => BypassCodeAnswer::Present(c),
        }
    }

    /// Parses the code the device sent; `Ok(None)` when it sent none (absent or empty).
    pub fn parse_code(&self) -> Result<Option<BypassCode>, BypassCodeError> {
        match self.answer() {
            BypassCodeAnswer::Present(c) => BypassCode::parse(c.expose_secret()).map(Some),
            _ => Ok(None),
        }
    }
}

impl ResponseFields for ActivationLockBypassCodeResponse {
    fn accept<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
        if key != "ActivationLockBypassCode" {
            return Ok(false);
        }
        self.code = Some(map.next_value()?);
        Ok(true)
    }

    fn write_fields(&self, dict: &mut Dictionary) {
        if let Some(code) = &self.code {
            dict.insert("ActivationLockBypassCode", code.expose_secret());
        }
    }

    fn has_field(key: &str) -> bool {
        key == "ActivationLockBypassCode"
    }
}
