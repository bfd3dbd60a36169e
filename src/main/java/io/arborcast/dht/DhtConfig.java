package io.arborcast.dht;

import io.arborcast.wire.MessageCodec;
import io.arborcast.core.NodeId;

/**
 * Kademlia parameters, named as in the paper where it names them.
 *
 * @param k                  bucket size and replication factor ({@code K_VALUE})
 * @param alpha              lookup parallelism ({@code ALPHA_VALUE})
 * @param rpcTimeoutMillis   how long one RPC may take before it counts as failed
 * @param maxPerIpPerBucket  eclipse resistance: contacts sharing one IP in a bucket (0 = no limit; loopback exempt)
 * @param replacementCacheSize replacement candidates kept per bucket
 * @param bucketRefreshMillis a bucket not looked up for this long is refreshed
 * @param recordTtlMillis    how long a stored channel record lives without republish
 * @param republishMillis    how often a publisher republishes its record
 * @param providerTtlMillis  how long a provider announcement lives without refresh (the default TTL)
 * @param providerSample     most providers one FIND_VALUE answer carries
 * @param maxProvidersPerKey providers kept per channel
 * @param maxRecords         channel records a node stores in all
 * @param maxStoresPerMinute STORE/ANNOUNCE requests accepted per sender host per minute
 * @param maxPendingRpcs     RPCs in flight at once
 * @param maxDatagramPayload largest encoded message (the datagram minus its 20-byte header)
 */
public record DhtConfig(int k, int alpha, long rpcTimeoutMillis, int maxPerIpPerBucket, int replacementCacheSize,
                        long bucketRefreshMillis, long recordTtlMillis, long republishMillis,
                        long providerTtlMillis, int providerSample, int maxProvidersPerKey, int maxRecords,
                        int maxStoresPerMinute, int maxPendingRpcs, int maxDatagramPayload) {
    public DhtConfig {
        if (k < 1 || alpha < 1 || rpcTimeoutMillis < 1 || providerSample < 0 || maxDatagramPayload < 256) {
            throw new IllegalArgumentException("bad DHT configuration");
        }
    }

    public static DhtConfig defaults() {
        return new DhtConfig(20, 3, 2_000, 2, 8, 3_600_000, 3_600_000, 1_200_000, 300_000, 16, 256, 10_000,
                120, 2_000, MessageCodec.DEFAULT_MAX_DATAGRAM - NodeId.BYTES);
    }

    public DhtConfig withRpcTimeoutMillis(long millis) {
        return new DhtConfig(k, alpha, millis, maxPerIpPerBucket, replacementCacheSize, bucketRefreshMillis,
                recordTtlMillis, republishMillis, providerTtlMillis, providerSample, maxProvidersPerKey, maxRecords,
                maxStoresPerMinute, maxPendingRpcs, maxDatagramPayload);
    }

    public DhtConfig withK(int newK) {
        return new DhtConfig(newK, alpha, rpcTimeoutMillis, maxPerIpPerBucket, replacementCacheSize,
                bucketRefreshMillis, recordTtlMillis, republishMillis, providerTtlMillis, providerSample,
                maxProvidersPerKey, maxRecords, maxStoresPerMinute, maxPendingRpcs, maxDatagramPayload);
    }
}
