package io.arborcast.core;

/**
 * Checks of configuration values whose failures name the setting (its key in
 * config/arborcast.conf), the value given and what is allowed, e.g.
 * {@code tree.relay-slots = -3: must be 0 or more}.
 */
public final class Settings {
    private Settings() {
    }

    /** {@code value} of {@code key} must be at least {@code min}. */
    public static void atLeast(String key, long value, long min) {
        check(value >= min, key, value, "", min == 0 ? "must be 0 or more" : "must be at least " + min);
    }

    /** A duration in ms: {@code value} of {@code key} must be at least {@code min} ms. */
    public static void atLeastMillis(String key, long value, long min) {
        check(value >= min, key, value, " ms", "must be at least " + min + " ms");
    }

    /** {@code value} of {@code key} must lie in {@code [min, max]}. */
    public static void within(String key, long value, long min, long max) {
        check(value >= min && value <= max, key, value, "", "must be from " + min + " to " + max);
    }

    /** {@code ok} or {@code key = value: why}. */
    public static void check(boolean ok, String key, long value, String unit, String why) {
        if (!ok) {
            throw new IllegalArgumentException(key + " = " + value + unit + ": " + why);
        }
    }
}
