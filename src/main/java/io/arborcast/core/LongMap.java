package io.arborcast.core;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A small open-addressing map from non-zero {@code long} keys to values: no boxing and no
 * entry objects, so a lookup touches two arrays. Used for request ids, which are random.
 */
public final class LongMap<V> {
    private long[] keys = new long[16];
    private Object[] values = new Object[16];
    private int size;

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    @SuppressWarnings("unchecked")
    public V get(long key) {
        int i = find(key);
        return i < 0 ? null : (V) values[i];
    }

    public boolean containsKey(long key) {
        return find(key) >= 0;
    }

    /** Stores {@code value} under {@code key} (which must not be 0). */
    public void put(long key, V value) {
        if (key == 0) {
            throw new IllegalArgumentException("key 0 is reserved");
        }
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        int i = hash(key) & mask;
        while (keys[i] != 0 && keys[i] != key) {
            i = (i + 1) & mask;
        }
        if (keys[i] == 0) {
            size++;
        }
        keys[i] = key;
        values[i] = value;
    }

    /** Removes and returns the value under {@code key}, or null. */
    @SuppressWarnings("unchecked")
    public V remove(long key) {
        int i = find(key);
        if (i < 0) {
            return null;
        }
        V old = (V) values[i];
        int mask = keys.length - 1;
        // backward-shift deletion keeps probe chains intact without tombstones
        int hole = i;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            if (keys[j] == 0) {
                break;
            }
            int home = hash(keys[j]) & mask;
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        keys[hole] = 0;
        values[hole] = null;
        size--;
        return old;
    }

    /** Calls {@code action} with every value (do not modify the map meanwhile). */
    @SuppressWarnings("unchecked")
    public void forEachValue(Consumer<V> action) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0) {
                action.accept((V) values[i]);
            }
        }
    }

    private int find(long key) {
        if (key == 0) {
            return -1;
        }
        int mask = keys.length - 1;
        int i = hash(key) & mask;
        while (keys[i] != 0) {
            if (keys[i] == key) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    @SuppressWarnings("unchecked")
    private void grow() {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new Object[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0) {
                put(oldKeys[i], (V) oldValues[i]);
            }
        }
        Arrays.fill(oldValues, null);
    }

    private static int hash(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
