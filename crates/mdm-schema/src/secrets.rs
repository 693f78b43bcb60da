//! The one list of plist keys whose values are secret, and redaction of messages by key.
//!
//! [`SECRET_KEYS`] is the single place that says which keys of MDM commands, results and
//! check-in messages carry secrets. Typed schema fields for these keys use
//! [`SecretString`](crate::SecretString) or [`SecretData`](crate::SecretData); untyped
//! messages are made safe to log with [`redact`] or [`redacted`]. A schema generator that
//! learns of more secret keys extends this list, and only this list.
//!
//! Redaction goes by key only. Values are never inspected to guess whether they look
//! secret: that would miss secrets and hide harmless data.

use mdm_plist::Value;
use zeroize::Zeroize;

use crate::secret::REDACTED;

/// The keys whose values are secret, wherever they appear in a message. Matching is exact
/// and case-sensitive, as plist keys are.
pub const SECRET_KEYS: &[&str] = &[
    "ActivationLockBypassCode",
    // Check-in TokenUpdate and friends.
    "Token",
    "PushMagic",
    "UnlockToken",
    "BootstrapToken",
    "Challenge",
    // Passwords, PINs and keys in commands.
    "Password",
    "NewPassword",
    "CurrentPassword",
    "PIN",
    "passwordHash",
    "ProductKey",
    "EncryptedNewRecoveryKey",
    "PrivateKeyExportPassword",
    "SecurityToken",
];

/// Whether values under `key` are secret: an exact, case-sensitive match in
/// [`SECRET_KEYS`].
///
/// ```
/// assert!(mdm_schema::secrets::is_secret_key("UnlockToken"));
/// assert!(!mdm_schema::secrets::is_secret_key("unlocktoken"));
/// ```
pub fn is_secret_key(key: &str) -> bool {
    SECRET_KEYS.contains(&key)
}

/// Replaces, at any depth, the value of every dictionary entry whose key is in
/// [`SECRET_KEYS`] with the string `<redacted>`, whatever the value's type. The replaced
/// strings and bytes are zeroized before they are freed.
///
/// Works without recursion, so any depth of nesting is safe.
///
/// ```
/// use mdm_plist::{Dictionary, Value};
///
/// let mut message = Value::from(Dictionary::from_iter([
///     ("MessageType", Value::from("TokenUpdate")),
///     ("UnlockToken", Value::from(vec![1u8, 2, 3])),
/// ]));
/// mdm_schema::secrets::redact(&mut message);
/// assert_eq!(message.get("UnlockToken").and_then(Value::as_str), Some("<redacted>"));
/// assert_eq!(message.get("MessageType").and_then(Value::as_str), Some("TokenUpdate"));
/// ```
pub fn redact(value: &mut Value) {
    let mut stack: Vec<&mut Value> = vec![value];
    while let Some(current) = stack.pop() {
        match current {
            Value::Dictionary(dict) => {
                for (key, child) in dict.iter_mut() {
                    if is_secret_key(key) {
                        let old = std::mem::replace(child, Value::String(REDACTED.to_owned()));
                        wipe(old);
                    } else if child.is_container() {
                        stack.push(child);
                    }
                }
            }
            Value::Array(array) => {
                stack.extend(array.iter_mut().filter(|child| child.is_container()));
            }
            _ => {}
        }
    }
}

/// A copy of `value` with every secret replaced as [`redact`] does.
///
/// The copy is made with `Value`'s `Clone`, which follows the nesting of the value as the
/// codec does; values the codec read are bounded by its depth limit.
pub fn redacted(value: &Value) -> Value {
    let mut copy = value.clone();
    redact(&mut copy);
    copy
}

/// Zeroizes every string, key and byte buffer in `value` and frees it, without recursion.
fn wipe(value: Value) {
    let mut stack = vec![value];
    while let Some(current) = stack.pop() {
        match current {
            Value::String(mut s) => s.zeroize(),
            Value::Data(mut d) => d.zeroize(),
            Value::Dictionary(dict) => {
                for (mut key, child) in dict.into_entries() {
                    key.zeroize();
                    stack.push(child);
                }
            }
            Value::Array(array) => stack.extend(array.into_vec()),
            _ => {}
        }
    }
}
