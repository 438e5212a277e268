//! Typed, validated webhook events of the Audian telephony API.
