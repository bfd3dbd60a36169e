package io.arborcast.dht;

import io.arborcast.core.ChannelRecord;
import io.arborcast.core.Limit;
import io.arborcast.core.LimitCounters;
import io.arborcast.core.NodeId;
import io.arborcast.core.ProviderInfo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What this node stores for others: verified channel records (newest sequence wins) and
 * provider announcements, each with an expiry. Bounded everywhere: a full store refuses with
 * a reason instead of growing.
 */
final class RecordStore {
    private record StoredRecord(ChannelRecord record, long expiresAt) {
    }

    private record StoredProvider(ProviderInfo info, long expiresAt) {
    }

    private final DhtConfig config;
    private final LimitCounters limits;
    private final Map<NodeId, StoredRecord> records = new HashMap<>();
    private final Map<NodeId, LinkedHashMap<NodeId, StoredProvider>> providers = new HashMap<>();
    private int providerCount;

    RecordStore(DhtConfig config, LimitCounters limits) {
        this.config = config;
        this.limits = limits;
    }

    /** Stores a verified record; returns null when accepted, else why not. */
    String putRecord(ChannelRecord r, long now) {
        String problem = ChannelRecords.problem(r);
        if (problem != null) {
            return problem;
        }
        StoredRecord old = records.get(r.channelId());
        if (old != null && old.expiresAt > now) {
            if (r.sequence() < old.record.sequence()) {
                return "stale sequence " + r.sequence() + " < " + old.record.sequence();
            }
            if (r.sequence() == old.record.sequence() && !r.equals(old.record)) {
                return "a different record with the same sequence " + r.sequence() + " is stored";
            }
        } else if (records.size() >= config.maxRecords()) {
            expire(now);
            if (records.size() >= config.maxRecords()) {
                limits.hit(Limit.STORED_RECORDS);
                return "record store full";
            }
        }
        records.put(r.channelId(), new StoredRecord(r, now + config.recordTtlMillis()));
        return null;
    }

    ChannelRecord record(NodeId channel, long now) {
        StoredRecord s = records.get(channel);
        return s == null || s.expiresAt <= now ? null : s.record;
    }

    /** Stores or refreshes one provider of {@code channel}; returns null when accepted, else why not. */
    String putProvider(NodeId channel, ProviderInfo info, long ttlMillis, long now) {
        LinkedHashMap<NodeId, StoredProvider> m = providers.get(channel);
        if (m == null) {
            if (providers.size() >= config.maxRecords()) {
                expire(now);
                if (providers.size() >= config.maxRecords()) {
                    limits.hit(Limit.STORED_PROVIDERS);
                    return "provider store full";
                }
            }
            m = new LinkedHashMap<>();
            providers.put(channel, m);
        }
        long expires = now + config.keptTtlMillis(ttlMillis);
        StoredProvider old = m.remove(info.address().id());
        if (old == null) {
            if (providerCount >= config.maxProviders()) {
                expire(now);
                if (providerCount >= config.maxProviders()) {
                    if (m.isEmpty()) {
                        providers.remove(channel);
                    }
                    limits.hit(Limit.STORED_PROVIDERS);
                    return "provider store full";
                }
            }
            if (m.size() >= config.maxProvidersPerKey()) {
                providerCount -= Expiry.drop(m, p -> p.expiresAt <= now);
                if (m.size() >= config.maxProvidersPerKey()) {
                    if (m.isEmpty()) {
                        providers.remove(channel);
                    }
                    return "provider cap of " + config.maxProvidersPerKey() + " reached for this channel";
                }
            }
            providerCount++;
        }
        m.put(info.address().id(), new StoredProvider(info, expires));
        return null;
    }

    /**
     * Up to {@code max} unexpired providers of {@code channel}: those at depth 0 (the publisher,
     * which a node about to publish the channel must find however many relays there are) first,
     * the rest a uniform random sample of the others.
     */
    List<ProviderInfo> sampleProviders(NodeId channel, int max, Random random, long now) {
        LinkedHashMap<NodeId, StoredProvider> m = providers.get(channel);
        if (m == null || max <= 0) {
            return List.of();
        }
        List<ProviderInfo> roots = new ArrayList<>();
        List<ProviderInfo> others = new ArrayList<>(m.size());
        for (StoredProvider p : m.values()) {
            if (p.expiresAt > now) {
                (p.info.depth() == 0 ? roots : others).add(p.info);
            }
        }
        List<ProviderInfo> out = sample(roots, max, random);
        out.addAll(sample(others, max - out.size(), random));
        return out;
    }

    /** A uniform random sample of up to {@code max} of {@code from} (a partial Fisher-Yates shuffle of it). */
    private static List<ProviderInfo> sample(List<ProviderInfo> from, int max, Random random) {
        int n = Math.min(max, from.size());
        for (int i = 0; i < n; i++) {
            int j = i + random.nextInt(from.size() - i);
            ProviderInfo t = from.get(i);
            from.set(i, from.get(j));
            from.set(j, t);
        }
        return new ArrayList<>(from.subList(0, n));
    }

    /** Drops every expired record and provider. */
    void expire(long now) {
        records.values().removeIf(s -> s.expiresAt <= now);
        providerCount -= Expiry.dropAll(providers, p -> p.expiresAt <= now);
    }

    int recordCount() {
        return records.size();
    }

    int providerCount() {
        return providerCount;
    }
}
