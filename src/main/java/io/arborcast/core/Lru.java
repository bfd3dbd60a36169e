package io.arborcast.core;

import java.util.LinkedHashMap;
import java.util.Map;

/** Bounded memory of peers, addresses and the like: the least recently used entry goes first. */
public final class Lru {
    private Lru() {
    }

    /** A map of at most {@code max} entries, in access order, that drops its least recently used one beyond that. */
    public static <K, V> Map<K, V> map(int max) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > max;
            }
        };
    }
}
