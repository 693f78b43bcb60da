//! Tests of the secret wrappers and of redaction by key.

use mdm_plist::{Array, Dictionary, Value};
use mdm_schema::{SECRET_KEYS, SecretData, SecretString, is_secret_key, redact, redacted};
use serde::{Deserialize, Serialize};

fn dict<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::from(Dictionary::from_iter(entries))
}

fn redacted_marker() -> Value {
    Value::from("<redacted>")
}

#[test]
fn the_list_holds_the_known_secret_keys() {
    for key in [
        "ActivationLockBypassCode",
        "Token",
        "PushMagic",
        "UnlockToken",
        "BootstrapToken",
        "Challenge",
        "Password",
        "NewPassword",
        "CurrentPassword",
        "PIN",
        "passwordHash",
        "ProductKey",
        "EncryptedNewRecoveryKey",
        "PrivateKeyExportPassword",
        "SecurityToken",
    ] {
        assert!(is_secret_key(key), "{key}");
        assert!(SECRET_KEYS.contains(&key));
    }
    for key in [
        "token",
        "PasswordHash",
        "UDID",
        "MessageType",
        "",
        "Token ",
        "pin",
    ] {
        assert!(!is_secret_key(key), "{key}");
    }
    let mut sorted = SECRET_KEYS.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), SECRET_KEYS.len(), "duplicate secret keys");
}

#[test]
fn redact_replaces_secrets_at_any_depth_and_any_type() {
    let mut message = dict([
        ("MessageType", Value::from("TokenUpdate")),
        ("Token", Value::from(vec![1u8, 2, 3])),
        ("PushMagic", Value::from("8B5B2F1B-0000")),
        (
            "CommandResults",
            Value::from(vec![
                dict([
                    ("ActivationLockBypassCode", Value::from("3UM43-PUYVY")),
                    ("Status", Value::from("Acknowledged")),
                ]),
                Value::from(vec![dict([("PIN", Value::from(123456))])]),
            ]),
        ),
        (
            "Payload",
            dict([(
                "FileVaultUnlock",
                dict([
                    ("Password", dict([("nested", Value::from("x"))])),
                    ("Kind", Value::from(true)),
                ]),
            )]),
        ),
    ]);
    redact(&mut message);
    let expected = dict([
        ("MessageType", Value::from("TokenUpdate")),
        ("Token", redacted_marker()),
        ("PushMagic", redacted_marker()),
        (
            "CommandResults",
            Value::from(vec![
                dict([
                    ("ActivationLockBypassCode", redacted_marker()),
                    ("Status", Value::from("Acknowledged")),
                ]),
                Value::from(vec![dict([("PIN", redacted_marker())])]),
            ]),
        ),
        (
            "Payload",
            dict([(
                "FileVaultUnlock",
                dict([("Password", redacted_marker()), ("Kind", Value::from(true))]),
            )]),
        ),
    ]);
    assert_eq!(message, expected);
}

#[test]
fn redaction_goes_by_key_never_by_value() {
    // A secret-looking value under an ordinary key stays; a key equal to a secret
    // key's name as a value does not make anything secret.
    let mut message = dict([
        ("Comment", Value::from("Password")),
        ("Name", Value::from("3UM43-PUYVY-QYD1-UVCC-HEHJ-FKA4")),
        (
            "Keys",
            Value::from(vec![Value::from("Token"), Value::from("PIN")]),
        ),
        ("password", Value::from("lowercase key is not in the list")),
    ]);
    let before = message.clone();
    redact(&mut message);
    assert_eq!(message, before);
}

#[test]
fn redact_of_scalars_and_empty_containers_is_a_no_op() {
    for mut value in [
        Value::from("Token"),
        Value::from(1),
        Value::from(Vec::<Value>::new()),
        Value::from(Dictionary::new()),
    ] {
        let before = value.clone();
        redact(&mut value);
        assert_eq!(value, before);
    }
}

#[test]
fn redacted_leaves_the_original_alone() {
    let original = dict([
        ("UnlockToken", Value::from(vec![9u8; 8])),
        ("UDID", Value::from("0000")),
    ]);
    let copy = redacted(&original);
    assert_eq!(
        original.get("UnlockToken"),
        Some(&Value::from(vec![9u8; 8]))
    );
    assert_eq!(copy.get("UnlockToken"), Some(&redacted_marker()));
    assert_eq!(copy.get("UDID"), Some(&Value::from("0000")));
}

fn nest(mut value: Value, depth: usize) -> Value {
    for i in 0..depth {
        value = if i % 2 == 0 {
            Value::Array(Array::from(vec![value]))
        } else {
            dict([("k", value)])
        };
    }
    value
}

#[test]
fn redact_handles_deep_nesting_without_recursion() {
    let depth = 200_000;

    // A deep value under a secret key is replaced, and wiped, without recursion.
    let mut message = dict([
        ("Challenge", nest(Value::from("secret"), depth)),
        ("UDID", Value::from("0000")),
    ]);
    redact(&mut message);
    assert_eq!(
        message,
        dict([
            ("Challenge", redacted_marker()),
            ("UDID", Value::from("0000"))
        ])
    );

    // A secret at the bottom of a deep value under ordinary keys is found.
    let mut deep = nest(dict([("Password", Value::from("hunter2"))]), depth);
    redact(&mut deep);
    let mut cursor = &deep;
    loop {
        cursor = match cursor {
            Value::Array(a) => &a[0],
            Value::Dictionary(d) if d.contains_key("k") => d.get("k").unwrap(),
            Value::Dictionary(d) => {
                assert_eq!(d.get("Password"), Some(&redacted_marker()));
                break;
            }
            _ => panic!("unexpected value"),
        };
    }
}

#[test]
fn secret_string_redacts_and_exposes() {
    let secret = SecretString::new("hunter2".to_owned());
    assert_eq!(format!("{secret:?}"), "<redacted>");
    assert_eq!(format!("{secret}"), "<redacted>");
    assert_eq!(format!("{secret:#?}"), "<redacted>");
    assert_eq!(secret.expose_secret(), "hunter2");
    assert_eq!(secret, SecretString::from("hunter2"));
    assert_ne!(secret, SecretString::from("hunter3"));
    assert_ne!(secret, SecretString::from("hunter"));
    assert_eq!(secret.clone(), secret);
    assert_eq!(SecretString::default().expose_secret(), "");
}

#[test]
fn secret_data_redacts_and_exposes() {
    let secret = SecretData::from(&[1u8, 2, 3][..]);
    assert_eq!(format!("{secret:?} {secret}"), "<redacted> <redacted>");
    assert_eq!(secret.expose_secret(), &[1, 2, 3]);
    assert_eq!(secret, SecretData::new(vec![1, 2, 3]));
    assert_ne!(secret, SecretData::new(vec![1, 2, 4]));
}

/// A result as the schema will hold it: the code a device sent, kept secret.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ActivationLockBypassCodeResult {
    status: String,
    activation_lock_bypass_code: SecretString,
    unlock_token: SecretData,
}

#[test]
fn secrets_serialize_their_real_value_and_debug_hides_it() {
    let code = "3UM43-PUYVY-QYD1-UVCC-HEHJ-FKA4";
    let json = format!(
        r#"{{"Status":"Acknowledged","ActivationLockBypassCode":"{code}","UnlockToken":[7,8,9]}}"#
    );
    let result: ActivationLockBypassCodeResult = serde_json::from_str(&json).unwrap();
    assert_eq!(result.activation_lock_bypass_code.expose_secret(), code);
    assert_eq!(result.unlock_token.expose_secret(), &[7, 8, 9]);

    let debug = format!("{result:?} {result:#?}");
    assert!(!debug.contains("3UM43"), "{debug}");
    assert!(!debug.contains("PUYVY"), "{debug}");
    assert!(!debug.contains('7'), "{debug}");
    assert!(debug.contains("<redacted>"));

    assert_eq!(serde_json::to_string(&result).unwrap(), json);
}

#[test]
fn secret_data_rejects_non_bytes() {
    assert!(serde_json::from_str::<SecretData>("[256]").is_err());
    assert!(serde_json::from_str::<SecretData>("[-1]").is_err());
    assert!(serde_json::from_str::<SecretData>("{}").is_err());
    let big: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
    let json = serde_json::to_string(&big).unwrap();
    let back: SecretData = serde_json::from_str(&json).unwrap();
    assert_eq!(back.expose_secret(), big.as_slice());
}
