package io.warden.registry;

/**
 * Why data is used, as HL7 v3 PurposeOfUse codes (code system 2.16.840.1.113883.1.11.20448). Only the codes
 * a clinical AI agent can plausibly act under are listed; adding one is an API change.
 */
public enum PurposeOfUse {
    /** Treatment. */
    TREAT,
    /** Emergency treatment. */
    ETREAT,
    /** Healthcare operations. */
    HOPERAT,
    /** Healthcare quality improvement. */
    HQUALIMP,
    /** Healthcare research. */
    HRESCH,
    /** Clinical trial research. */
    CLINTRCH,
    /** Public health. */
    PUBHLTH,
    /** Healthcare payment. */
    HPAYMT,
    /** Health system administration. */
    HSYSADMIN
}
