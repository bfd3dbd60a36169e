package io.arborcast.dht;

import java.util.Iterator;
import java.util.Map;
import java.util.function.Predicate;

/** Dropping what expired from the DHT's stores of entries per key (providers, listings). */
final class Expiry {
    private Expiry() {
    }

    /** Drops the entries of {@code m} that {@code expired} holds for; how many went. */
    static <V> int drop(Map<?, V> m, Predicate<? super V> expired) {
        int before = m.size();
        m.values().removeIf(expired);
        return before - m.size();
    }

    /** {@link #drop} for every key's entries, and the keys left with none; how many entries went. */
    static <V> int dropAll(Map<?, ? extends Map<?, V>> byKey, Predicate<? super V> expired) {
        int dropped = 0;
        Iterator<? extends Map<?, V>> it = byKey.values().iterator();
        while (it.hasNext()) {
            Map<?, V> m = it.next();
            dropped += drop(m, expired);
            if (m.isEmpty()) {
                it.remove();
            }
        }
        return dropped;
    }
}
