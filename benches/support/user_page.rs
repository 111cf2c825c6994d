//! The 500-user page the decode benchmarks read (about 1.8 MB), shared by
//! `benches/decode.rs` and `.ci/decode-compare.sh`, which compiles it into
//! programs built against other versions of the crate and against clerk-rs.

/// One user as Clerk's Backend API returns it, about 3.6 KB: two email
/// addresses (one verified by code, one through OAuth), a phone number, an
/// OAuth account and metadata.
fn user(n: usize) -> String {
    let otp = |id: &str| {
        format!(
            r#"{{"object":"verification_otp","status":"verified","strategy":"email_code","attempts":1,"expire_at":1700000600000,"verified_at_client":"client_{id}"}}"#
        )
    };
    let oauth = r#"{"object":"verification_oauth","status":"verified","strategy":"oauth_google","external_verification_redirect_url":null,"error":null,"expire_at":1700000600000,"attempts":null}"#;
    format!(
        r#"{{"id":"user_2{n:026}","object":"user","external_id":"ext-{n}","primary_email_address_id":"idn_a{n:025}","primary_phone_number_id":"idn_p{n:025}","primary_web3_wallet_id":null,"username":"user{n}","first_name":"First{n}","last_name":"Last{n}","profile_image_url":"https://www.gravatar.com/avatar?d=mp","image_url":"https://img.clerk.com/eyJ0eXBlIjoiZGVmYXVsdCIsImlpZCI6Imluc18yIiwicmlkIjoidXNlcl8yIn0","has_image":true,
"public_metadata":{{"plan":"pro","seats":{n},"features":["a","b","c"],"billing":{{"customer":"cus_{n}","interval":"month"}}}},"private_metadata":{{"crm_id":"crm-{n}","notes":"imported in batch 7"}},"unsafe_metadata":{{"theme":"dark","onboarded":true}},
"email_addresses":[{{"id":"idn_a{n:025}","object":"email_address","email_address":"user{n}@example.com","reserved":false,"verification":{},"linked_to":[],"created_at":1700000000000,"updated_at":1700000000000}},{{"id":"idn_b{n:025}","object":"email_address","email_address":"user{n}@gmail.com","reserved":false,"verification":{oauth},"linked_to":[{{"type":"oauth_google","id":"idn_g{n:025}"}}],"created_at":1700000000000,"updated_at":1700000000000}}],
"phone_numbers":[{{"id":"idn_p{n:025}","object":"phone_number","phone_number":"+1555{n:07}","reserved_for_second_factor":false,"default_second_factor":false,"reserved":false,"verification":{},"linked_to":[],"backup_codes":null,"created_at":1700000000000,"updated_at":1700000000000}}],
"web3_wallets":[],"passkeys":[],"password_enabled":true,"two_factor_enabled":false,"totp_enabled":false,"backup_code_enabled":false,"mfa_enabled_at":null,"mfa_disabled_at":null,
"external_accounts":[{{"object":"google_account","id":"idn_g{n:025}","provider":"oauth_google","identification_id":"idn_b{n:025}","provider_user_id":"10{n:018}","approved_scopes":"email profile openid","email_address":"user{n}@gmail.com","first_name":"First{n}","last_name":"Last{n}","avatar_url":"https://lh3.googleusercontent.com/a/x","image_url":"https://img.clerk.com/x","username":null,"public_metadata":{{}},"label":null,"created_at":1700000000000,"updated_at":1700000000000,"verification":{oauth}}}],
"saml_accounts":[],"last_sign_in_at":1700000500000,"banned":false,"locked":false,"lockout_expires_in_seconds":null,"verification_attempts_remaining":100,"updated_at":1700000500000,"created_at":1700000000000,"delete_self_enabled":true,"create_organization_enabled":true,"create_organizations_limit":null,"last_active_at":1700000500000,"legal_accepted_at":null}}"#,
        otp(&n.to_string()),
        otp(&format!("p{n}"))
    )
}

pub fn page() -> Vec<u8> {
    let users: Vec<String> = (0..500).map(user).collect();
    format!("[{}]", users.join(",")).into_bytes()
}

/// The same 500 users as Clerk's 2026-05-12 API sends them, which
/// [`page`] (kept as it was for earlier measurements) is not quite: an
/// email address verified through OAuth carries a `verification_from_oauth`
/// (the page has the external account's `verification_oauth` there too),
/// and every user has `enterprise_accounts`. clerk-rs 0.5's models refuse
/// [`page`] on both counts, so the side-by-side uses this one.
pub fn clerk_2026_page() -> Vec<u8> {
    let page = String::from_utf8(page()).expect("the page is UTF-8");
    page.replace(
        r#""reserved":false,"verification":{"object":"verification_oauth""#,
        r#""reserved":false,"verification":{"object":"verification_from_oauth""#,
    )
    .replace(
        r#""saml_accounts":[],"#,
        r#""saml_accounts":[],"enterprise_accounts":[],"#,
    )
    .into_bytes()
}
