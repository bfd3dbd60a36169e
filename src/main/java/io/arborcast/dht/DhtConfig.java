package io.arborcast.dht;

import com.typesafe.config.Config;
import io.arborcast.core.Settings;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import io.arborcast.wire.MessageCodec;
import io.arborcast.core.Transport;

/**
 * Kademlia parameters, named as in the paper where it names them.
 *
 * @param k                  bucket size and replication factor ({@code K_VALUE})
 * @param alpha              lookup parallelism ({@code ALPHA_VALUE})
 * @param rpcTimeoutMillis   how long one RPC may take before it counts as failed
 * @param stallMillis        a lookup stops waiting for an RPC this old and asks another peer
 * @param maxPerIpPerBucket  eclipse resistance: contacts sharing one IP in a bucket (0 = no limit; loopback exempt)
 * @param maxPerSubnet       contacts sharing one /24 (IPv6: /64) in the whole routing table (0 = no limit; loopback exempt)
 * @param lookupMaxPerSubnet peers of one /24 among the k closest a lookup waits for (0 = no limit; loopback exempt)
 * @param replacementCacheSize replacement candidates kept per bucket
 * @param staleContactMillis a full bucket pings its oldest contact only after this much silence
 * @param bucketRefreshMillis a bucket not looked up for this long is refreshed
 * @param joinFill           contacts a join gives each bucket further away than its closest neighbour (1..k)
 * @param recordTtlMillis    how long a stored channel record lives without republish
 * @param republishMillis    how often a publisher republishes its record
 * @param providerTtlMillis  how long a provider announcement lives without refresh (the default TTL)
 * @param providerSample     most providers one FIND_VALUE answer carries
 * @param maxProvidersPerKey providers kept per channel
 * @param maxRecords         channel records a node stores in all
 * @param maxProviders       provider announcements a node stores in all (every channel together)
 * @param maxStoresPerMinute STORE/ANNOUNCE requests accepted per sender host per minute
 * @param maxDialBacksPerMinute reachability dial-backs made for one host per minute
 * @param maxPendingRpcs     RPCs in flight at once
 * @param maxDatagramPayload largest encoded message (the datagram minus its 32-byte header)
 */
public record DhtConfig(int k, int alpha, long rpcTimeoutMillis, long stallMillis, int maxPerIpPerBucket, int maxPerSubnet, int lookupMaxPerSubnet,
                        int replacementCacheSize,
                        long staleContactMillis, long bucketRefreshMillis, int joinFill, long recordTtlMillis, long republishMillis,
                        long providerTtlMillis, int providerSample, int maxProvidersPerKey, int maxRecords, int maxProviders,
                        int maxStoresPerMinute, int maxDialBacksPerMinute, int maxPendingRpcs, int maxDatagramPayload) {
    public DhtConfig {
        Settings.atLeast("dht.k", k, 1);
        Settings.atLeast("dht.alpha", alpha, 1);
        Settings.within("dht.join-fill", joinFill, 1, k);
        Settings.atLeastMillis("dht.rpc-timeout", rpcTimeoutMillis, 1);
        Settings.atLeast("dht.provider-sample", providerSample, 0);
        Settings.atLeast("dht.max-records", maxRecords, 0);
        Settings.atLeast("dht.max-providers", maxProviders, 0);
        Settings.atLeast("dht.max-providers-per-channel", maxProvidersPerKey, 0);
        Settings.atLeast("dht.max-stores-per-minute", maxStoresPerMinute, 0);
        Settings.atLeast("dht.max-dial-backs-per-minute", maxDialBacksPerMinute, 0);
        Settings.atLeast("dht.max-pending-rpcs", maxPendingRpcs, 1);
        Settings.atLeast("net.max-datagram-bytes less the header", maxDatagramPayload, 256);
    }

    public static DhtConfig defaults() {
        return new DhtConfig(20, 3, 2_000, 500, 2, 10, 2, 4, 900_000, 3_600_000, 3, 3_600_000, 1_200_000, 300_000, 16, 256, 10_000, 20_000,
                120, 6, 2_000, MessageCodec.DEFAULT_MAX_DATAGRAM - Transport.DATAGRAM_HEADER_BYTES);
    }

    /**
     * Reads the keys of an {@code arborcast.dht} block (see config/arborcast.conf); every key is
     * required, so callers parse with the built-in file as fallback.
     */
    public static DhtConfig from(Config d, int maxDatagramBytes) {
        ToLongFunction<String> ms = k -> d.getDuration(k, TimeUnit.MILLISECONDS);
        return new DhtConfig(d.getInt("k"), d.getInt("alpha"), ms.applyAsLong("rpc-timeout"), ms.applyAsLong("stall-after"),
                d.getInt("max-per-ip-per-bucket"), d.getInt("max-per-subnet"), d.getInt("lookup-max-per-subnet"),
                d.getInt("replacement-cache-size"),
                ms.applyAsLong("stale-contact-after"), ms.applyAsLong("bucket-refresh"), d.getInt("join-fill"),
                ms.applyAsLong("record-ttl"), ms.applyAsLong("republish-interval"), ms.applyAsLong("provider-ttl"),
                d.getInt("provider-sample"), d.getInt("max-providers-per-channel"), d.getInt("max-records"), d.getInt("max-providers"),
                d.getInt("max-stores-per-minute"), d.getInt("max-dial-backs-per-minute"), d.getInt("max-pending-rpcs"), maxDatagramBytes - Transport.DATAGRAM_HEADER_BYTES);
    }

    /** The provider TTL as announcements and listings state it, in whole seconds (at least one). */
    public int providerTtlSeconds() {
        return (int) Math.max(1, providerTtlMillis / 1000);
    }

    /** How long an announcement or listing asked to live {@code askedMillis} is kept: at most twice our own TTL. */
    public long keptTtlMillis(long askedMillis) {
        return Math.min(askedMillis, 2 * providerTtlMillis);
    }

    public DhtConfig withRpcTimeoutMillis(long millis) {
        return new DhtConfig(k, alpha, millis, Math.min(stallMillis, millis), maxPerIpPerBucket, maxPerSubnet,
                lookupMaxPerSubnet, replacementCacheSize, staleContactMillis,
                bucketRefreshMillis, joinFill,
                recordTtlMillis, republishMillis, providerTtlMillis, providerSample, maxProvidersPerKey, maxRecords, maxProviders,
                maxStoresPerMinute, maxDialBacksPerMinute, maxPendingRpcs, maxDatagramPayload);
    }

    /** The same settings with provider announcements (and channel listings) living {@code millis} unrefreshed. */
    public DhtConfig withProviderTtlMillis(long millis) {
        return new DhtConfig(k, alpha, rpcTimeoutMillis, stallMillis, maxPerIpPerBucket, maxPerSubnet, lookupMaxPerSubnet,
                replacementCacheSize, staleContactMillis, bucketRefreshMillis, joinFill, recordTtlMillis, republishMillis, millis,
                providerSample, maxProvidersPerKey, maxRecords, maxProviders, maxStoresPerMinute, maxDialBacksPerMinute,
                maxPendingRpcs, maxDatagramPayload);
    }
}
