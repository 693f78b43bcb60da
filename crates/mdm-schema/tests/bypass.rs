//! Tests of the Activation Lock bypass code: vectors, parsing, errors, redaction.

// Clippy allows these in `#[test]` functions only; the helpers below are test code too.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use mdm_schema::{BypassCode, BypassCodeError, SecretString};
use proptest::prelude::*;

/// One line of /work/shared/fixtures/bypass-code/vectors.tsv (the project's fixture, whose
/// values were checked against two independent implementations).
struct Vector {
    raw_hex: &'static str,
    code: &'static str,
    escrow_hex: &'static str,
}

// The four lines of shared/fixtures/bypass-code/vectors.tsv, copied as facts.
const ZEROS: Vector = Vector {
    raw_hex: "00000000000000000000000000000000",
    code: "00000-00000-0000-0000-0000-0000",
    escrow_hex: "deab860d28deb5b7121d6d8fcf0f78e1471756d1b2c566c03277c23ea8930b4f",
};
const VECTOR_1EA8: Vector = Vector {
    raw_hex: "1ea841db5edfafe6075b5ae0d845d254",
    code: "3UM43-PUYVY-QYD1-UVCC-HEHJ-FKA4",
    escrow_hex: "6ab40d5eabe7218ec04182f461005600c7e3426bddd82cdb405bde9a1e0014b5",
};
const VECTOR_44EB: Vector = Vector {
    raw_hex: "44ebe63375969fec2da67e87e7317946",
    code: "8LNYD-DVNKU-GYRC-E6GU-3YFD-CT86",
    escrow_hex: "c1968cb4c013ea893f1922bb5c39f81e35012c0bd9ce3c01cc2a05873a2499e6",
};
const VECTOR_CB84: Vector = Vector {
    raw_hex: "cb84798c3ca85a674194550a2e96aed8",
    code: "TF27L-31WN1-E6FH-DMAM-52X5-NFV0",
    escrow_hex: "23cf8b7873425fd8efe31dc5b6ab9c357eb98a2a59c82ea1084ca8af58cc480a",
};

fn raw(hex: &str) -> [u8; 16] {
    let mut out = [0u8; 16];
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

fn check_encode(v: &Vector) {
    let code = BypassCode::from_bytes(raw(v.raw_hex));
    assert_eq!(code.expose_dashed().as_str(), v.code);
    assert_eq!(code.expose_compact().as_str(), v.code.replace('-', ""));
    assert_eq!(&*code.expose_dashed(), v.code);
}

fn check_decode(v: &Vector) {
    let code = BypassCode::parse(v.code).unwrap();
    assert_eq!(code.expose_bytes(), &raw(v.raw_hex));
}

fn check_escrow(v: &Vector) {
    let code = BypassCode::from_bytes(raw(v.raw_hex));
    assert_eq!(code.escrow_key().to_hex().as_str(), v.escrow_hex);
}

#[test]
fn vector_zeros_encode() {
    check_encode(&ZEROS);
}

#[test]
fn vector_zeros_decode() {
    check_decode(&ZEROS);
}

#[test]
fn vector_zeros_escrow_key() {
    check_escrow(&ZEROS);
}

#[test]
fn vector_1ea8_encode() {
    check_encode(&VECTOR_1EA8);
}

#[test]
fn vector_1ea8_decode() {
    check_decode(&VECTOR_1EA8);
}

#[test]
fn vector_1ea8_escrow_key() {
    check_escrow(&VECTOR_1EA8);
}

#[test]
fn vector_44eb_encode() {
    check_encode(&VECTOR_44EB);
}

#[test]
fn vector_44eb_decode() {
    check_decode(&VECTOR_44EB);
}

#[test]
fn vector_44eb_escrow_key() {
    check_escrow(&VECTOR_44EB);
}

#[test]
fn vector_cb84_encode() {
    check_encode(&VECTOR_CB84);
}

#[test]
fn vector_cb84_decode() {
    check_decode(&VECTOR_CB84);
}

#[test]
fn vector_cb84_escrow_key() {
    check_escrow(&VECTOR_CB84);
}

#[test]
fn all_ones_is_the_largest_code() {
    let code = BypassCode::from_bytes([0xff; 16]);
    assert_eq!(
        code.expose_dashed().as_str(),
        "ZZZZZ-ZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZ7"
    );
    assert_eq!(
        BypassCode::parse("ZZZZZ-ZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZ7")
            .unwrap()
            .expose_bytes(),
        &[0xff; 16]
    );
}

#[test]
fn parse_ignores_case_spaces_and_dashes() {
    let expected = raw(VECTOR_1EA8.raw_hex);
    for input in [
        "3um43-puyvy-qyd1-uvcc-hehj-fka4",
        "3UM43PUYVYQYD1UVCCHEHJFKA4",
        "3um43puyvyqyd1uvcchehjfka4",
        "  3UM43 PUYVY  QYD1 UVCC HEHJ FKA4  ",
        "3Um43 - pUyVy - QyD1 - uvCC - HEhj - fKa4",
        "3UM43-PUYVY-QYD1-UVCC-HEHJ-FKA4\n",
        "--3-U-M-4-3-P-U-Y-V-Y-Q-Y-D-1-U-V-C-C-H-E-H-J-F-K-A-4--",
        "3UM43\tPUYVY\r\nQYD1UVCCHEHJFKA4",
    ] {
        let code: BypassCode = input.parse().unwrap();
        assert_eq!(code.expose_bytes(), &expected, "{input:?}");
    }
}

#[test]
fn invalid_character_names_character_and_typed_position() {
    let err = BypassCode::parse("3UM43-PUYVY-QYD1-UVCC-HEHJ-FKB4").unwrap_err();
    assert!(matches!(
        err,
        BypassCodeError::InvalidCharacter {
            character: 'B',
            position: 30
        }
    ));
    assert_eq!(
        err.to_string(),
        "invalid character 'B' at position 30 of the bypass code"
    );
}

#[test]
fn invalid_character_positions_count_separators_and_unicode() {
    let cases: &[(&str, char, usize)] = &[
        ("O0000-00000-0000-0000-0000-0000", 'O', 1),
        ("00000-00000-0000-0000-0000-000S", 'S', 31),
        ("  00000-I0000-0000-0000-0000-0000", 'I', 9),
        ("00000 00000 0000 0000 0000 00b0", 'b', 30),
        ("00000-00000-0000-0000-0000-00_0", '_', 30),
        ("é0000-00000-0000-0000-0000-0000", 'é', 1),
        ("0-o", 'o', 3),
        ("00000\u{a0}00000", '\u{a0}', 6),
    ];
    for &(input, character, position) in cases {
        match BypassCode::parse(input) {
            Err(BypassCodeError::InvalidCharacter {
                character: c,
                position: p,
            }) => assert_eq!((c, p), (character, position), "{input:?}"),
            other => panic!("{input:?}: {other:?}"),
        }
    }
}

#[test]
fn invalid_character_wins_over_wrong_length() {
    assert!(matches!(
        BypassCode::parse("ABC"),
        Err(BypassCodeError::InvalidCharacter {
            character: 'B',
            position: 2
        })
    ));
}

#[test]
fn wrong_lengths_report_the_count() {
    let cases = [
        ("3UM43-PUYVY-QYD1-UVCC-HEHJ-FK4", 25),
        ("3UM43-PUYVY-QYD1-UVCC-HEHJ-FKA40", 27),
        ("3UM43-PUYVY-QYD1-UVCC-HEHJ-FKA4-3UM43", 31),
        ("", 0),
        ("  - - ", 0),
    ];
    for (input, count) in cases {
        match BypassCode::parse(input) {
            Err(BypassCodeError::WrongLength { found }) => assert_eq!(found, count, "{input:?}"),
            other => panic!("{input:?}: {other:?}"),
        }
    }
    let err = BypassCode::parse("3UM43-PUYVY-QYD1-UVCC-HEHJ-FK4").unwrap_err();
    assert_eq!(
        err.to_string(),
        "a bypass code has 26 characters besides dashes and spaces, found 25"
    );
}

#[test]
fn last_character_above_seven_is_rejected() {
    for (value, &letter) in b"0123456789ACDEFGHJKLMNPQRTUVWXYZ".iter().enumerate() {
        let letter = char::from(letter);
        let input = format!("3UM43-PUYVY-QYD1-UVCC-HEHJ-FKA{letter}");
        let result = BypassCode::parse(&input);
        if value <= 7 {
            assert!(result.is_ok(), "{input}");
        } else {
            match result {
                Err(BypassCodeError::LastCharacterTooLarge { character }) => {
                    assert_eq!(character, letter);
                }
                other => panic!("{input}: {other:?}"),
            }
        }
    }
    let err = BypassCode::parse("3um43-puyvy-qyd1-uvcc-hehj-fkaz").unwrap_err();
    assert!(matches!(
        err,
        BypassCodeError::LastCharacterTooLarge { character: 'z' }
    ));
    assert_eq!(
        err.to_string(),
        "the last character of a bypass code is 0 to 7, found 'z'"
    );
}

/// Whether `text` reveals any run of 4 or more characters of the known code, with or
/// without its dashes.
fn leaks(text: &str, code: &str) -> bool {
    let compact: String = code.chars().filter(|&c| c != '-').collect();
    let haystack = text.to_ascii_uppercase();
    [code, compact.as_str()].iter().any(|needle| {
        let chars: Vec<char> = needle.chars().collect();
        chars.windows(4).any(|w| {
            let piece: String = w.iter().collect();
            !piece.contains('-') && haystack.contains(&piece)
        })
    })
}

#[test]
fn debug_never_shows_the_code() {
    let known = VECTOR_1EA8.code;
    let code = BypassCode::parse(known).unwrap();
    let debug = format!("{code:?} {code:#?}");
    assert_eq!(format!("{code:?}"), "BypassCode(<redacted>)");
    assert!(!leaks(&debug, known), "{debug}");

    let key = code.escrow_key();
    assert_eq!(format!("{key:?}"), "EscrowKey(<redacted>)");
    let key_debug = format!("{key:?} {key:#?}");
    assert!(!key_debug.contains(&VECTOR_1EA8.escrow_hex[..8]));

    let secret = SecretString::from(known);
    let shown = format!("{secret:?} {secret:#?} {secret}");
    assert_eq!(shown, "<redacted> <redacted> <redacted>");
    assert_eq!(secret.expose_secret(), known);
}

#[test]
fn errors_never_show_the_rest_of_the_code() {
    let known = VECTOR_1EA8.code;
    let mut inputs = vec![
        known.replacen('4', "B", 2),               // invalid character late
        format!("{known}0"),                       // too long
        known[..known.len() - 1].to_owned(),       // too short
        format!("{}Z", &known[..known.len() - 1]), // last character too large
        format!("{}O", &known[..known.len() - 1]), // invalid last character
    ];
    inputs.push(known.to_lowercase().replace('a', "i"));
    for input in inputs {
        let err = BypassCode::parse(&input).unwrap_err();
        let text = format!("{err} {err:?} {err:#?}");
        assert!(!leaks(&text, known), "{input}: {text}");
    }
}

#[test]
fn generate_gives_distinct_valid_codes() {
    let codes: Vec<BypassCode> = (0..64).map(|_| BypassCode::generate().unwrap()).collect();
    for (i, a) in codes.iter().enumerate() {
        for b in codes.iter().skip(i + 1) {
            assert!(a != b);
        }
        let again = BypassCode::parse(&a.expose_dashed()).unwrap();
        assert!(&again == a);
    }
}

#[test]
fn equality_compares_bytes() {
    let a = BypassCode::from_bytes(raw(VECTOR_44EB.raw_hex));
    let b = BypassCode::parse(&VECTOR_44EB.code.to_lowercase()).unwrap();
    let c = BypassCode::from_bytes(raw(VECTOR_CB84.raw_hex));
    assert!(a == b);
    assert!(a != c);
}

#[test]
fn escrow_keys_compare_and_expose() {
    let a = BypassCode::from_bytes(raw(ZEROS.raw_hex)).escrow_key();
    let b = BypassCode::parse(ZEROS.code).unwrap().escrow_key();
    assert!(a == b);
    assert_eq!(a.expose_bytes().len(), 32);
    assert_eq!(a.expose_bytes()[0], 0xde);
}

#[test]
fn error_source_chain() {
    use std::error::Error as _;
    let err = BypassCode::parse("i").unwrap_err();
    assert!(err.source().is_none());
    assert_eq!(err.clone(), err);
    assert_eq!(
        err,
        BypassCodeError::InvalidCharacter {
            character: 'i',
            position: 1
        }
    );
}

fn dashed_shape(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).eq([5, 5, 4, 4, 4, 4])
        && s.len() == 31
        && groups
            .iter()
            .flat_map(|g| g.bytes())
            .all(|b| b"0123456789ACDEFGHJKLMNPQRTUVWXYZ".contains(&b))
        && matches!(s.as_bytes()[30], b'0'..=b'7')
}

proptest! {
    #[test]
    fn format_then_parse_round_trips(bytes in any::<[u8; 16]>()) {
        let code = BypassCode::from_bytes(bytes);
        let dashed = code.expose_dashed();
        prop_assert!(dashed_shape(&dashed), "{}", dashed.as_str());
        let back = BypassCode::parse(&dashed).unwrap();
        prop_assert_eq!(back.expose_bytes(), &bytes);
        let compact = BypassCode::parse(&code.expose_compact().to_lowercase()).unwrap();
        prop_assert_eq!(compact.expose_bytes(), &bytes);
    }

    #[test]
    fn parse_never_panics(input in "\\PC{0,40}") {
        let _ = BypassCode::parse(&input);
    }

    #[test]
    fn parse_of_alphabet_strings_is_total(
        body in "[0-9ACDEFGHJKLMNPQRTUVWXYZ]{25}",
        last in "[0-9ACDEFGHJKLMNPQRTUVWXYZ]",
    ) {
        let input = format!("{body}{last}");
        let result = BypassCode::parse(&input);
        let last_value = b"0123456789ACDEFGHJKLMNPQRTUVWXYZ"
            .iter()
            .position(|&b| b == last.as_bytes()[0])
            .unwrap();
        prop_assert_eq!(result.is_ok(), last_value <= 7);
        if let Ok(code) = result {
            let compact = code.expose_compact();
            prop_assert_eq!(compact.as_str(), input.as_str());
        }
    }
}
